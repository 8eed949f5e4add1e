// The gallery's storage: what the photo grid lists (filters, sorts, keyset pages, a month timeline) and the bursts
// and duplicate groups found among the library's photos. An interface of its own beside Catalog so that each
// backend (catalog/sqlite, catalog/postgres) implements it over the same database. Only catalog/ speaks SQL.
//
// Each item's gallery facts (capture time, quality category, aggregate, per-dimension scores, closed eyes, lens) are
// derived by the backend from the stored analysis whenever it is written (ingest, recompute): they are a view of the
// catalog, never a second source of truth.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/groups.h"
#include "model/item.h"

namespace triage::catalog {

// What an item without the value sorted on (unscored, undated) sorts as: + this in an ascending page, - this in a
// descending one, so that it comes last either way (beyond every score and every capture time in ms, 1970 +- 31,000
// years).
inline constexpr int64_t kGalleryNoValueLast = 1'000'000'000'000'000;

// What the gallery shows. Every filter is optional; all given must hold.
struct GalleryQuery {
  std::optional<std::string> location;  // "library" | "review"; default: both (never the trash)
  std::optional<std::string> person;
  std::optional<std::string> category;   // quality category (portrait, landscape, ...)
  std::optional<std::string> camera;     // the camera's name contains this, whatever the case
  std::optional<std::string> lens;       // the lens's name contains this, whatever the case
  std::optional<int64_t> taken_from_ms;  // capture time, inclusive; a photo without one fails any date bound
  std::optional<int64_t> taken_to_ms;    // exclusive
  bool undated = false;                  // only photos without a capture time
  std::optional<double> min_score;       // aggregate, inclusive; unscored items fail any score bound
  std::optional<double> max_score;
  bool hide_closed_eyes = false;
  bool best_of_burst_only = false;  // of each burst only its best frame
  bool hide_duplicates = false;     // of each duplicate group only its lead
  std::vector<int64_t> ids;         // when not empty: only these items
  // "aggregate", "date" or a quality dimension (model::QualityDimensions(): "sharpness", "exposure", ...). Items
  // without the value come last in either order.
  std::string sort = "aggregate";
  bool ascending = false;
  // Keyset paging: the sort value and id of the last item of the previous page (after it in sort order).
  std::optional<double> after_value;
  int64_t after_id = 0;
  int limit = 100;  // 1..1000
};

struct GalleryEntry {
  model::ItemRecord item;  // with its quality score
  // The position the page is ordered and paged by: the value sorted on, or +-kGalleryNoValueLast without one.
  double sort_key = 0;
  std::optional<double> sort_value;    // the value sorted on; none for an unscored or undated item
  std::optional<int64_t> taken_at_ms;  // capture time
  std::string lens;
  bool eyes_closed = false;
  std::optional<int64_t> burst_id;  // the burst it belongs to (model::ItemGroup::id)
  bool burst_lead = false;
  int burst_size = 0;
  std::optional<int64_t> duplicate_group;
  bool duplicate_lead = false;
};

struct MonthCount {
  std::string month;  // "YYYY-MM" of the capture time; "" for the photos without one
  int64_t count = 0;
};

// A value the gallery can be filtered on (a camera, a lens) and how many photos outside the trash have it.
struct FacetCount {
  std::string value;
  int64_t count = 0;
};

struct GroupState {
  int64_t cursor = 0;  // the perceptual-hash change log position the stored groups reflect
  std::string rules;   // the grouping rules they were found under (an opaque key)
};

// Thread-safety: implementations are thread-safe; each call is atomic.
class GalleryStore {
 public:
  virtual ~GalleryStore() = default;
  GalleryStore(const GalleryStore&) = delete;
  GalleryStore& operator=(const GalleryStore&) = delete;

  // One page in the query's order, ties oldest (lowest id) first in either order: of a photo and its copy scoring
  // alike, the photo that leads their duplicate group (the oldest) comes first, not the copy. kInvalidArgument for an
  // unknown sort or a limit outside 1..1000.
  virtual base::Result<std::vector<GalleryEntry>> Gallery(const GalleryQuery& query) = 0;
  // How many items the query's filters let through (paging fields ignored).
  virtual base::Result<int64_t> CountGallery(const GalleryQuery& query) = 0;
  // Items per capture month under the query's filters, newest month first, then those without a capture time
  // (month "") when there are any.
  virtual base::Result<std::vector<MonthCount>> GalleryMonths(const GalleryQuery& query) = 0;
  // The cameras or lenses (`facet` "camera" | "lens") of the photos outside the trash, most photos first (ties by
  // name), at most `limit`. kInvalidArgument for another facet.
  virtual base::Result<std::vector<FacetCount>> GalleryFacet(const std::string& facet, int limit) = 0;

  // Grouping candidates among items not in the trash: all, those captured in [from_ms, to_ms], or these ids.
  virtual base::Result<std::vector<model::GroupCandidate>> AllGroupCandidates() = 0;
  virtual base::Result<std::vector<model::GroupCandidate>> GroupCandidatesTakenBetween(int64_t from_ms,
                                                                                       int64_t to_ms) = 0;
  virtual base::Result<std::vector<model::GroupCandidate>> GroupCandidatesByIds(const std::vector<int64_t>& ids) = 0;

  // The stored groups of `kind` with any of these members.
  virtual base::Result<std::vector<model::ItemGroup>> GroupsContaining(model::GroupKind kind,
                                                                       const std::vector<int64_t>& ids) = 0;
  // In one transaction: forgets every membership of `kind` of the items in `scope` (of every item when `everything`)
  // and stores `groups`. REQUIRES: every member of `groups` is in scope (or everything).
  virtual base::Status ReplaceGroups(model::GroupKind kind, const std::vector<int64_t>& scope, bool everything,
                                     const std::vector<model::ItemGroup>& groups) = 0;
  // Groups of `kind` by ascending id after `after_group`; `limit` 1..10000.
  virtual base::Result<std::vector<model::ItemGroup>> ListGroups(model::GroupKind kind, int64_t after_group,
                                                                 int limit) = 0;
  virtual base::Result<model::ItemGroup> GetGroup(model::GroupKind kind, int64_t group_id) = 0;  // kNotFound

  virtual base::Result<GroupState> GetGroupState() = 0;
  virtual base::Status SetGroupState(const GroupState& state) = 0;

 protected:
  GalleryStore() = default;
};

}  // namespace triage::catalog
