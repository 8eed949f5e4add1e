// PostgreSQL gallery: filters, sorts and keyset pages over items joined with their gallery facts and groups.
#include "catalog/postgres/pg_gallery.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <variant>

#include "catalog/gallery_sql.h"
#include "catalog/postgres/pg_rows.h"

namespace triage::catalog::postgres {
namespace {

// The page's ids are chosen first, sorting narrow rows; only then are the page's wide rows (with their stored
// analyses) read. {0} sort expression, {1} FROM, {2} WHERE, {3} direction, {4} item columns, {5} the limit's parameter.
constexpr const char* kGalleryPage =
    "WITH page AS (SELECT items.id AS page_id, {0} AS sort_value{1}{2} ORDER BY 2 {3}, 1 LIMIT ${5}) "
    "SELECT {4}, page.sort_value, g.taken_at_ms, COALESCE(g.lens, ''), COALESCE(g.eyes_closed, 0), b.group_id, "
    "b.is_lead, (SELECT COUNT(*) FROM item_groups bb WHERE bb.kind = 'burst' AND bb.group_id = b.group_id), "
    "d.group_id, d.is_lead FROM page JOIN items ON items.id = page.page_id "
    "LEFT JOIN gallery_facts g ON g.item_id = items.id "
    "LEFT JOIN item_groups b ON b.item_id = items.id AND b.kind = 'burst' "
    "LEFT JOIN item_groups d ON d.item_id = items.id AND d.kind = 'duplicate' "
    "ORDER BY page.sort_value {3}, items.id";

// Capture months in UTC, as the SQLite catalog's strftime gives them.
constexpr const char* kGalleryMonths =
    "SELECT to_char(to_timestamp(({0}) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, COUNT(*){1}{2} "
    "GROUP BY month ORDER BY month DESC NULLS LAST";

// The filters with numbered parameters ($1, $2, ...): each "?" of the shared SQL becomes the next number.
struct Where {
  std::string sql;
  Params params;
  int count = 0;
};

Where Numbered(const GalleryWhere& g) {
  Where w;
  for (char c : g.sql) w.sql += c == '?' ? fmt::format("${}", ++w.count) : std::string(1, c);
  for (const SqlValue& v : g.values) std::visit([&](const auto& x) { w.params.Add(x); }, v);
  return w;
}

GalleryEntry ReadEntry(const Rows& r, int i) {
  constexpr int c = 27;  // the first column after kItemColumns
  GalleryEntry e;
  e.item = ReadItem(r, i);
  e.sort_key = r.Real(i, c);
  if (std::abs(e.sort_key) < static_cast<double>(kGalleryNoValueLast)) e.sort_value = e.sort_key;
  if (!r.IsNull(i, c + 1)) e.taken_at_ms = r.Int(i, c + 1);
  e.lens = r.Text(i, c + 2);
  e.eyes_closed = r.Int(i, c + 3) != 0;
  if (!r.IsNull(i, c + 4)) {
    e.burst_id = r.Int(i, c + 4);
    e.burst_lead = r.Int(i, c + 5) != 0;
    e.burst_size = static_cast<int>(r.Int(i, c + 6));
  }
  if (!r.IsNull(i, c + 7)) {
    e.duplicate_group = r.Int(i, c + 7);
    e.duplicate_lead = r.Int(i, c + 8) != 0;
  }
  return e;
}

}  // namespace

base::Result<std::vector<GalleryEntry>> PgGalleryStore::Gallery(const GalleryQuery& q) {
  if (q.limit < 1 || q.limit > 1000) return base::Status::InvalidArgument("limit must be 1..1000");
  auto sort = GallerySortExpression(q.sort, q.ascending);
  if (!sort.ok()) return sort.status();
  GalleryWhere filters = GalleryFilters(q);
  AddGalleryKeyset(filters, q, *sort, "::float8");
  Where w = Numbered(filters);
  w.params.Add(q.limit);
  std::string sql = fmt::format(fmt::runtime(kGalleryPage), *sort, kGalleryFrom, w.sql, q.ascending ? "ASC" : "DESC",
                                kItemColumns, w.count + 1);
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(sql, w.params);
  if (!r.ok()) return r.status();
  std::vector<GalleryEntry> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(ReadEntry(*r, i));
  return out;
}

base::Result<int64_t> PgGalleryStore::CountGallery(const GalleryQuery& q) {
  Where w = Numbered(GalleryFilters(q));
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(fmt::format("SELECT COUNT(*){}{}", kGalleryFrom, w.sql), w.params);
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Result<std::vector<MonthCount>> PgGalleryStore::GalleryMonths(const GalleryQuery& q) {
  Where w = Numbered(GalleryFilters(q));
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(
      fmt::format(fmt::runtime(kGalleryMonths), kGalleryCaptureMs, kGalleryFrom, w.sql), w.params);
  if (!r.ok()) return r.status();
  std::vector<MonthCount> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->Text(i, 0), r->Int(i, 1)});
  return out;
}

base::Result<std::vector<FacetCount>> PgGalleryStore::GalleryFacet(const std::string& facet, int limit) {
  auto sql = GalleryFacetSql(facet);
  if (!sql.ok()) return sql.status();
  Where w = Numbered({*sql, {static_cast<int64_t>(limit)}});
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(w.sql, w.params);
  if (!r.ok()) return r.status();
  std::vector<FacetCount> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->Text(i, 0), r->Int(i, 1)});
  return out;
}

}  // namespace triage::catalog::postgres
