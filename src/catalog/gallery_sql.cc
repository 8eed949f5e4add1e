// The gallery's filters, sort and keyset as backend-neutral SQL.
#include "catalog/gallery_sql.h"

#include <fmt/format.h>

#include <algorithm>

#include "model/quality.h"

namespace triage::catalog {

namespace {

// A LIKE pattern matching `text` anywhere, ASCII letters in lower case (both backends' LOWER() folds those the same
// way), with LIKE's own characters escaped by '!'.
std::string ContainsPattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out + "%";
}

}  // namespace

void GalleryWhere::Add(const std::string& clause, std::vector<SqlValue> clause_values) {
  sql += " AND " + clause;
  for (auto& v : clause_values) values.push_back(std::move(v));
}

base::Result<std::string> GallerySortExpression(const std::string& sort, bool ascending) {
  // A photo without the value (unscored, undated) comes after those with one in either order.
  const std::string missing = fmt::format("{}", ascending ? kGalleryNoValueLast : -kGalleryNoValueLast);
  if (sort == "aggregate") return fmt::format("COALESCE(g.aggregate, {})", missing);
  if (sort == "date") return fmt::format("COALESCE({}, {})", kGalleryCaptureMs, missing);
  const auto& dims = model::QualityDimensions();
  if (std::find(dims.begin(), dims.end(), sort) == dims.end()) {
    return base::Status::InvalidArgument(
        fmt::format("sort \"{}\" is unknown; use aggregate, date or a dimension: {}", sort, fmt::join(dims, ", ")));
  }
  return fmt::format(
      "COALESCE((SELECT ds.score FROM dimension_scores ds WHERE ds.item_id = items.id AND ds.dimension = '{}'), {})",
      sort, missing);
}

base::Result<std::string> GalleryFacetSql(const std::string& facet) {
  std::string column;
  if (facet == "camera") column = "items.camera";
  if (facet == "lens") column = "g.lens";
  if (column.empty()) return base::Status::InvalidArgument("facet must be camera or lens, not \"" + facet + "\"");
  return fmt::format(
      "SELECT {0}, COUNT(*) FROM items LEFT JOIN gallery_facts g ON g.item_id = items.id "
      "WHERE " TRIAGE_GALLERY_LOCATIONS
      " AND {0} IS NOT NULL AND {0} != '' GROUP BY {0} ORDER BY COUNT(*) DESC, {0} "
      "LIMIT ?",
      column);
}

GalleryWhere GalleryFilters(const GalleryQuery& q) {
  GalleryWhere w;
  if (q.location) w.Add("items.location = ?", {*q.location});
  // A person's photos: sorted to them, or with a face a reviewer named as them. A photo waiting in review keeps the
  // matcher's nearest person in items.person even when it matched nobody: that is a suggestion, not the person.
  if (q.person) {
    w.Add(
        "((items.location = 'library' AND items.person = ?) OR "
        "EXISTS (SELECT 1 FROM faces nf WHERE nf.item_id = items.id AND nf.named_as = ?))",
        {*q.person, *q.person});
  }
  if (q.category) w.Add("g.quality_category = ?", {*q.category});
  if (q.camera) w.Add("LOWER(items.camera) LIKE ? ESCAPE '!'", {ContainsPattern(*q.camera)});
  if (q.lens) w.Add("LOWER(g.lens) LIKE ? ESCAPE '!'", {ContainsPattern(*q.lens)});
  if (q.taken_from_ms) w.Add(fmt::format("{} >= ?", kGalleryCaptureMs), {*q.taken_from_ms});
  if (q.taken_to_ms) w.Add(fmt::format("{} < ?", kGalleryCaptureMs), {*q.taken_to_ms});
  if (q.undated) w.Add(fmt::format("{} IS NULL", kGalleryCaptureMs));
  if (q.min_score) w.Add("g.aggregate >= ?", {*q.min_score});
  if (q.max_score) w.Add("g.aggregate <= ?", {*q.max_score});
  if (q.hide_closed_eyes) w.Add("COALESCE(g.eyes_closed, 0) = 0");
  if (q.best_of_burst_only) w.Add("(b.item_id IS NULL OR b.is_lead = 1)");
  if (q.hide_duplicates) w.Add("(d.item_id IS NULL OR d.is_lead = 1)");
  if (!q.ids.empty()) {
    std::string marks;
    std::vector<SqlValue> ids;
    for (int64_t id : q.ids) {
      marks += marks.empty() ? "?" : ",?";
      ids.push_back(id);
    }
    w.Add(fmt::format("items.id IN ({})", marks), std::move(ids));
  }
  return w;
}

void AddGalleryKeyset(GalleryWhere& w, const GalleryQuery& q, const std::string& sort_sql,
                      const std::string& value_cast) {
  if (!q.after_value) return;
  // Ties go oldest first in either order (GalleryStore::Gallery).
  const char* cmp = q.ascending ? ">" : "<";
  w.Add(fmt::format("({0} {1} ?{2} OR ({0} = ?{2} AND items.id > ?))", sort_sql, cmp, value_cast),
        {*q.after_value, *q.after_value, q.after_id});
}

}  // namespace triage::catalog
