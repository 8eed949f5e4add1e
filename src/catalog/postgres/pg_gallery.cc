// PostgreSQL gallery: filters, sorts and keyset pages over items joined with their gallery facts and groups.
#include "catalog/postgres/pg_gallery.h"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/postgres/pg_rows.h"
#include "model/quality.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kGalleryFrom =
    " FROM items LEFT JOIN gallery_facts g ON g.item_id = items.id "
    "LEFT JOIN item_groups b ON b.item_id = items.id AND b.kind = 'burst' "
    "LEFT JOIN item_groups d ON d.item_id = items.id AND d.kind = 'duplicate'";

constexpr const char* kCaptureMs = "COALESCE(g.taken_at_ms, items.created_at * 1000)";

// The page's ids are chosen first, sorting narrow rows; only then are the page's wide rows (with their stored
// analyses) read. {0} sort expression, {1} FROM, {2} WHERE, {3} direction, {4} item columns, {5} the limit's parameter.
constexpr const char* kGalleryPage =
    "WITH page AS (SELECT items.id AS page_id, {0} AS sort_value{1}{2} ORDER BY 2 {3}, 1 {3} LIMIT ${5}) "
    "SELECT {4}, page.sort_value, g.taken_at_ms, COALESCE(g.lens, ''), COALESCE(g.eyes_closed, 0), b.group_id, "
    "b.is_lead, (SELECT COUNT(*) FROM item_groups bb WHERE bb.kind = 'burst' AND bb.group_id = b.group_id), "
    "d.group_id, d.is_lead FROM page JOIN items ON items.id = page.page_id "
    "LEFT JOIN gallery_facts g ON g.item_id = items.id "
    "LEFT JOIN item_groups b ON b.item_id = items.id AND b.kind = 'burst' "
    "LEFT JOIN item_groups d ON d.item_id = items.id AND d.kind = 'duplicate' "
    "ORDER BY page.sort_value {3}, items.id {3}";

// Capture months in UTC, as the SQLite catalog's strftime gives them.
constexpr const char* kGalleryMonths =
    "SELECT to_char(to_timestamp(({0}) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM') AS month, COUNT(*){1}{2} "
    "GROUP BY month ORDER BY month DESC";

// The filters as SQL with numbered parameters ($1, $2, ...) in the order added.
struct Where {
  std::string sql = " WHERE items.location != 'trash'";
  Params params;
  // `clause` holds one "?" per value; each becomes the next parameter number.
  template <typename... T>
  void Add(const std::string& clause, const T&... values) {
    std::string numbered;
    for (char c : clause) numbered += c == '?' ? fmt::format("${}", ++count_) : std::string(1, c);
    sql += " AND " + numbered;
    (params.Add(values), ...);
  }
  int count() const { return count_; }

 private:
  int count_ = 0;
};

// The SQL expression sorted on; kInvalidArgument for an unknown sort. A dimension name is checked against the fixed
// list before it is written into the SQL.
base::Result<std::string> SortExpression(const std::string& sort) {
  if (sort == "aggregate") return std::string("COALESCE(g.aggregate, -1)");
  if (sort == "date") return std::string(kCaptureMs);
  const auto& dims = model::QualityDimensions();
  if (std::find(dims.begin(), dims.end(), sort) == dims.end()) {
    return base::Status::InvalidArgument(
        fmt::format("sort \"{}\" is unknown; use aggregate, date or a dimension: {}", sort, fmt::join(dims, ", ")));
  }
  return fmt::format(
      "COALESCE((SELECT ds.score FROM dimension_scores ds WHERE ds.item_id = items.id AND ds.dimension = '{}'), -1)",
      sort);
}

Where FiltersOf(const GalleryQuery& q) {
  Where w;
  if (q.location) w.Add("items.location = ?", *q.location);
  if (q.person) w.Add("items.person = ?", *q.person);
  if (q.category) w.Add("g.quality_category = ?", *q.category);
  if (q.camera) w.Add("items.camera = ?", *q.camera);
  if (q.lens) w.Add("g.lens = ?", *q.lens);
  if (q.taken_from_ms) w.Add(fmt::format("{} >= ?", kCaptureMs), *q.taken_from_ms);
  if (q.taken_to_ms) w.Add(fmt::format("{} < ?", kCaptureMs), *q.taken_to_ms);
  if (q.min_score) w.Add("g.aggregate >= ?", *q.min_score);
  if (q.max_score) w.Add("g.aggregate <= ?", *q.max_score);
  if (q.hide_closed_eyes) w.Add("COALESCE(g.eyes_closed, 0) = 0");
  if (q.best_of_burst_only) w.Add("(b.item_id IS NULL OR b.is_lead = 1)");
  if (q.hide_duplicates) w.Add("(d.item_id IS NULL OR d.is_lead = 1)");
  if (!q.ids.empty()) w.Add("items.id = ANY(?::bigint[])", fmt::format("{{{}}}", fmt::join(q.ids, ",")));
  return w;
}

GalleryEntry ReadEntry(const Rows& r, int i) {
  constexpr int c = 27;  // the first column after kItemColumns
  GalleryEntry e;
  e.item = ReadItem(r, i);
  e.sort_value = r.Real(i, c);
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
  auto sort = SortExpression(q.sort);
  if (!sort.ok()) return sort.status();
  Where w = FiltersOf(q);
  const char* cmp = q.ascending ? ">" : "<";
  if (q.after_value) {
    w.Add(fmt::format("({0} {1} ?::float8 OR ({0} = ?::float8 AND items.id {1} ?))", *sort, cmp), *q.after_value,
          *q.after_value, q.after_id);
  }
  w.params.Add(q.limit);
  std::string sql = fmt::format(fmt::runtime(kGalleryPage), *sort, kGalleryFrom, w.sql, q.ascending ? "ASC" : "DESC",
                                kItemColumns, w.count() + 1);
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(sql, w.params);
  if (!r.ok()) return r.status();
  std::vector<GalleryEntry> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(ReadEntry(*r, i));
  return out;
}

base::Result<int64_t> PgGalleryStore::CountGallery(const GalleryQuery& q) {
  Where w = FiltersOf(q);
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(fmt::format("SELECT COUNT(*){}{}", kGalleryFrom, w.sql), w.params);
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Result<std::vector<MonthCount>> PgGalleryStore::GalleryMonths(const GalleryQuery& q) {
  Where w = FiltersOf(q);
  auto lock = catalog_.Lock();
  auto r =
      catalog_.connection().Query(fmt::format(fmt::runtime(kGalleryMonths), kCaptureMs, kGalleryFrom, w.sql), w.params);
  if (!r.ok()) return r.status();
  std::vector<MonthCount> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->Text(i, 0), r->Int(i, 1)});
  return out;
}

}  // namespace triage::catalog::postgres
