// The gallery's query as SQL both backends run: the joined FROM, the filters with one "?" per value (the values in
// order), the sort expression and the keyset condition of a page. Each backend binds the values its own way.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"
#include "catalog/gallery_store.h"

namespace triage::catalog {

// Items with their gallery facts (g), burst (b) and duplicate group (d).
inline constexpr const char* kGalleryFrom =
    " FROM items LEFT JOIN gallery_facts g ON g.item_id = items.id "
    "LEFT JOIN item_groups b ON b.item_id = items.id AND b.kind = 'burst' "
    "LEFT JOIN item_groups d ON d.item_id = items.id AND d.kind = 'duplicate'";
// When the photo was taken (ms); NULL when its file does not say. Date filters and the timeline read only this (an
// arrival time would put a library of downloads in the month it was ingested).
inline constexpr const char* kGalleryCaptureMs = "g.taken_at_ms";

using SqlValue = std::variant<int64_t, double, std::string>;

// The photos the gallery shows and the bursts and duplicate groups are made of: those in the library and in review;
// never the trash, nor the archive where an approved proposal put the image it replaced.
#define TRIAGE_GALLERY_LOCATIONS "items.location IN ('library', 'review')"
inline constexpr const char* kGalleryLocations = TRIAGE_GALLERY_LOCATIONS;

struct GalleryWhere {
  std::string sql = std::string(" WHERE ") + kGalleryLocations;
  std::vector<SqlValue> values;  // one per "?" in `sql`, in order
  void Add(const std::string& clause, std::vector<SqlValue> clause_values = {});
};

// The SQL expression sorted on, in `ascending` order or not: an item without the value sorts as -kGalleryNoValueLast
// descending and as kGalleryNoValueLast ascending, last either way. kInvalidArgument for an unknown sort. A dimension
// name is checked against the fixed list before it is written into the SQL.
base::Result<std::string> GallerySortExpression(const std::string& sort, bool ascending);
// SELECT value, count of a gallery facet ("camera" | "lens") with one "?" for the limit; kInvalidArgument for another.
base::Result<std::string> GalleryFacetSql(const std::string& facet);
// The query's filters.
GalleryWhere GalleryFilters(const GalleryQuery& q);
// With q.after_value: only rows after (after_value, after_id) in the page's order of `sort_sql`. `value_cast` is
// written after the two sort-value parameters (PostgreSQL: "::float8", so a date sort compares a bigint with it).
void AddGalleryKeyset(GalleryWhere& w, const GalleryQuery& q, const std::string& sort_sql,
                      const std::string& value_cast = "");

}  // namespace triage::catalog
