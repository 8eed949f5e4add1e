// SQLite gallery: filters, sorts and keyset pages over items joined with their gallery facts and groups.
#include "catalog/sqlite/sqlite_gallery.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <variant>

#include "catalog/gallery_sql.h"
#include "catalog/sqlite/item_row.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

// Binds the filters' values to their "?" in order.
void Bind(Statement& s, const GalleryWhere& w) {
  for (size_t i = 0; i < w.values.size(); ++i) {
    std::visit([&](const auto& v) { s.Bind(static_cast<int>(i) + 1, v); }, w.values[i]);
  }
}

GalleryEntry ReadEntry(const Statement& s) {
  constexpr int c = 27;  // the first column after kItemColumns
  GalleryEntry e;
  e.item = ReadItem(s);
  e.sort_key = s.Real(c);
  if (std::abs(e.sort_key) < static_cast<double>(kGalleryNoValueLast)) e.sort_value = e.sort_key;
  if (!s.IsNull(c + 1)) e.taken_at_ms = s.Int(c + 1);
  e.lens = s.Text(c + 2);
  e.eyes_closed = s.Int(c + 3) != 0;
  if (!s.IsNull(c + 4)) {
    e.burst_id = s.Int(c + 4);
    e.burst_lead = s.Int(c + 5) != 0;
    e.burst_size = static_cast<int>(s.Int(c + 6));
  }
  if (!s.IsNull(c + 7)) {
    e.duplicate_group = s.Int(c + 7);
    e.duplicate_lead = s.Int(c + 8) != 0;
  }
  return e;
}

}  // namespace

base::Result<std::vector<GalleryEntry>> SqliteGalleryStore::Gallery(const GalleryQuery& q) {
  if (q.limit < 1 || q.limit > 1000) return base::Status::InvalidArgument("limit must be 1..1000");
  auto sort = GallerySortExpression(q.sort, q.ascending);
  if (!sort.ok()) return sort.status();
  GalleryWhere w = GalleryFilters(q);
  AddGalleryKeyset(w, q, *sort);
  const char* dir = q.ascending ? "ASC" : "DESC";
  // The page's ids are chosen first, sorting narrow rows; only then are the page's wide rows (with their stored
  // analyses) read. Sorting the wide rows would carry every item's analysis through the sorter.
  std::string sql = fmt::format(
      "WITH page AS (SELECT items.id AS page_id, {0} AS sort_value{1}{2} ORDER BY 2 {3}, 1 LIMIT ?) "
      "SELECT {4}, page.sort_value, g.taken_at_ms, COALESCE(g.lens, ''), COALESCE(g.eyes_closed, 0), b.group_id, "
      "b.is_lead, (SELECT COUNT(*) FROM item_groups bb WHERE bb.kind = 'burst' AND bb.group_id = b.group_id), "
      "d.group_id, d.is_lead FROM page JOIN items ON items.id = page.page_id "
      "LEFT JOIN gallery_facts g ON g.item_id = items.id "
      "LEFT JOIN item_groups b ON b.item_id = items.id AND b.kind = 'burst' "
      "LEFT JOIN item_groups d ON d.item_id = items.id AND d.kind = 'duplicate' "
      "ORDER BY page.sort_value {3}, items.id",
      *sort, kGalleryFrom, w.sql, dir, kItemColumns);
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), sql.c_str());
  Bind(s, w);
  s.Bind(static_cast<int>(w.values.size()) + 1, q.limit);
  std::vector<GalleryEntry> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadEntry(s));
  }
}

base::Result<int64_t> SqliteGalleryStore::CountGallery(const GalleryQuery& q) {
  GalleryWhere w = GalleryFilters(q);
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT COUNT(*){}{}", kGalleryFrom, w.sql).c_str());
  Bind(s, w);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int(0);
}

base::Result<std::vector<MonthCount>> SqliteGalleryStore::GalleryMonths(const GalleryQuery& q) {
  GalleryWhere w = GalleryFilters(q);
  std::string sql = fmt::format(
      "SELECT strftime('%Y-%m', {} / 1000, 'unixepoch') AS month, COUNT(*){}{} GROUP BY month ORDER BY month DESC "
      "NULLS LAST",
      kGalleryCaptureMs, kGalleryFrom, w.sql);
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), sql.c_str());
  Bind(s, w);
  std::vector<MonthCount> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({s.Text(0), s.Int(1)});
  }
}

base::Result<std::vector<FacetCount>> SqliteGalleryStore::GalleryFacet(const std::string& facet, int limit) {
  auto sql = GalleryFacetSql(facet);
  if (!sql.ok()) return sql.status();
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), sql->c_str());
  s.Bind(1, limit);
  std::vector<FacetCount> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({s.Text(0), s.Int(1)});
  }
}

}  // namespace triage::catalog::sqlite
