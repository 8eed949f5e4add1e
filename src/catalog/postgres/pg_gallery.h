// The gallery and the stored bursts and duplicate groups in the catalog's PostgreSQL database (migration 5).
#pragma once

#include "catalog/gallery_store.h"
#include "catalog/postgres/pg_catalog.h"

namespace triage::catalog::postgres {

// Shares the catalog's connection and lock: thread-safe, each call atomic. REQUIRES: `catalog` outlives this.
class PgGalleryStore final : public GalleryStore {
 public:
  explicit PgGalleryStore(PgCatalog& catalog) : catalog_(catalog) {}

  base::Result<std::vector<GalleryEntry>> Gallery(const GalleryQuery& query) override;
  base::Result<int64_t> CountGallery(const GalleryQuery& query) override;
  base::Result<std::vector<MonthCount>> GalleryMonths(const GalleryQuery& query) override;
  base::Result<std::vector<FacetCount>> GalleryFacet(const std::string& facet, int limit) override;

  // pg_groups.cc
  base::Result<std::vector<model::GroupCandidate>> AllGroupCandidates() override;
  base::Result<std::vector<model::GroupCandidate>> GroupCandidatesTakenBetween(int64_t from_ms, int64_t to_ms) override;
  base::Result<std::vector<model::GroupCandidate>> GroupCandidatesByIds(const std::vector<int64_t>& ids) override;
  base::Result<std::vector<model::ItemGroup>> GroupsContaining(model::GroupKind kind,
                                                               const std::vector<int64_t>& ids) override;
  base::Status ReplaceGroups(model::GroupKind kind, const std::vector<int64_t>& scope, bool everything,
                             const std::vector<model::ItemGroup>& groups) override;
  base::Result<std::vector<model::ItemGroup>> ListGroups(model::GroupKind kind, int64_t after_group,
                                                         int limit) override;
  base::Result<model::ItemGroup> GetGroup(model::GroupKind kind, int64_t group_id) override;
  base::Result<GroupState> GetGroupState() override;
  base::Status SetGroupState(const GroupState& state) override;

 private:
  // REQUIRES: the catalog's lock held.
  base::Result<model::ItemGroup> GroupUnlocked(model::GroupKind kind, int64_t group_id);
  base::Result<std::vector<model::GroupCandidate>> Candidates(const std::string& where, const Params& params);

  PgCatalog& catalog_;
};

}  // namespace triage::catalog::postgres
