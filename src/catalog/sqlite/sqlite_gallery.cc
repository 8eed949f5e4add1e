// SQLite gallery: filters, sorts and keyset pages over items joined with their gallery facts and groups.
#include "catalog/sqlite/sqlite_gallery.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "catalog/sqlite/item_row.h"
#include "catalog/sqlite/statement.h"
#include "model/quality.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kGalleryFrom =
    " FROM items LEFT JOIN gallery_facts g ON g.item_id = items.id "
    "LEFT JOIN item_groups b ON b.item_id = items.id AND b.kind = 'burst' "
    "LEFT JOIN item_groups d ON d.item_id = items.id AND d.kind = 'duplicate'";

constexpr const char* kCaptureMs = "COALESCE(g.taken_at_ms, items.created_at * 1000)";

using Arg = std::variant<int64_t, double, std::string>;

struct Where {
  std::string sql = " WHERE items.location != 'trash'";
  std::vector<Arg> args;
  void Add(const std::string& clause, std::vector<Arg> values = {}) {
    sql += " AND " + clause;
    for (auto& v : values) args.push_back(std::move(v));
  }
  void Bind(Statement& s) const {
    for (size_t i = 0; i < args.size(); ++i) {
      std::visit([&](const auto& v) { s.Bind(static_cast<int>(i) + 1, v); }, args[i]);
    }
  }
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
  if (q.location) w.Add("items.location = ?", {*q.location});
  if (q.person) w.Add("items.person = ?", {*q.person});
  if (q.category) w.Add("g.quality_category = ?", {*q.category});
  if (q.camera) w.Add("items.camera = ?", {*q.camera});
  if (q.lens) w.Add("g.lens = ?", {*q.lens});
  if (q.taken_from_ms) w.Add(fmt::format("{} >= ?", kCaptureMs), {*q.taken_from_ms});
  if (q.taken_to_ms) w.Add(fmt::format("{} < ?", kCaptureMs), {*q.taken_to_ms});
  if (q.min_score) w.Add("g.aggregate >= ?", {*q.min_score});
  if (q.max_score) w.Add("g.aggregate <= ?", {*q.max_score});
  if (q.hide_closed_eyes) w.Add("COALESCE(g.eyes_closed, 0) = 0");
  if (q.best_of_burst_only) w.Add("(b.item_id IS NULL OR b.is_lead = 1)");
  if (q.hide_duplicates) w.Add("(d.item_id IS NULL OR d.is_lead = 1)");
  if (!q.ids.empty()) {
    std::string marks;
    std::vector<Arg> ids;
    for (int64_t id : q.ids) {
      marks += marks.empty() ? "?" : ",?";
      ids.push_back(id);
    }
    w.Add(fmt::format("items.id IN ({})", marks), std::move(ids));
  }
  return w;
}

GalleryEntry ReadEntry(const Statement& s) {
  constexpr int c = 27;  // the first column after kItemColumns
  GalleryEntry e;
  e.item = ReadItem(s);
  e.sort_value = s.Real(c);
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
  auto sort = SortExpression(q.sort);
  if (!sort.ok()) return sort.status();
  Where w = FiltersOf(q);
  const char* cmp = q.ascending ? ">" : "<";
  if (q.after_value) {
    w.Add(fmt::format("({0} {1} ? OR ({0} = ? AND items.id {1} ?))", *sort, cmp),
          {*q.after_value, *q.after_value, q.after_id});
  }
  const char* dir = q.ascending ? "ASC" : "DESC";
  // The page's ids are chosen first, sorting narrow rows; only then are the page's wide rows (with their stored
  // analyses) read. Sorting the wide rows would carry every item's analysis through the sorter.
  std::string sql = fmt::format(
      "WITH page AS (SELECT items.id AS page_id, {0} AS sort_value{1}{2} ORDER BY 2 {3}, 1 {3} LIMIT ?) "
      "SELECT {4}, page.sort_value, g.taken_at_ms, COALESCE(g.lens, ''), COALESCE(g.eyes_closed, 0), b.group_id, "
      "b.is_lead, (SELECT COUNT(*) FROM item_groups bb WHERE bb.kind = 'burst' AND bb.group_id = b.group_id), "
      "d.group_id, d.is_lead FROM page JOIN items ON items.id = page.page_id "
      "LEFT JOIN gallery_facts g ON g.item_id = items.id "
      "LEFT JOIN item_groups b ON b.item_id = items.id AND b.kind = 'burst' "
      "LEFT JOIN item_groups d ON d.item_id = items.id AND d.kind = 'duplicate' "
      "ORDER BY page.sort_value {3}, items.id {3}",
      *sort, kGalleryFrom, w.sql, dir, kItemColumns);
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), sql.c_str());
  w.Bind(s);
  s.Bind(static_cast<int>(w.args.size()) + 1, q.limit);
  std::vector<GalleryEntry> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadEntry(s));
  }
}

base::Result<int64_t> SqliteGalleryStore::CountGallery(const GalleryQuery& q) {
  Where w = FiltersOf(q);
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT COUNT(*){}{}", kGalleryFrom, w.sql).c_str());
  w.Bind(s);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int(0);
}

base::Result<std::vector<MonthCount>> SqliteGalleryStore::GalleryMonths(const GalleryQuery& q) {
  Where w = FiltersOf(q);
  std::string sql = fmt::format(
      "SELECT strftime('%Y-%m', {} / 1000, 'unixepoch') AS month, COUNT(*){}{} GROUP BY month ORDER BY month DESC",
      kCaptureMs, kGalleryFrom, w.sql);
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), sql.c_str());
  w.Bind(s);
  std::vector<MonthCount> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({s.Text(0), s.Int(1)});
  }
}

}  // namespace triage::catalog::sqlite
