// Keeps the stored bursts and duplicate groups current: after photos arrive, move or leave (in this process or any
// other: the catalog's perceptual-hash change log says which), only the groups around them are found again; a change
// of rules, a first run or a very large change regroups the whole library. Reads stored facts only (no decoding).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/gallery_store.h"
#include "model/groups.h"

namespace triage::quality {

struct GroupRefresh {
  bool rebuilt = false;       // the whole library was regrouped
  int64_t changed_items = 0;  // items whose change was caught up with (0 when rebuilt or nothing changed)
  int64_t bursts = 0;         // groups written
  int64_t duplicate_groups = 0;
};

// The rules as the opaque key stored with the groups (a change of any of them regroups everything).
std::string GroupingRulesKey(const model::GroupingRules& rules);

// Thread-safe when the stores are; two processes refreshing at once only repeat each other's work.
class GroupService {
 public:
  // More changed items than this since the last refresh: regroup the whole library instead.
  static constexpr int64_t kMaxIncrementalItems = 2000;

  GroupService(catalog::Catalog& catalog, catalog::GalleryStore& store) : catalog_(catalog), store_(store) {}

  // Brings the stored groups up to date with the catalog. Errors: the stores'.
  base::Result<GroupRefresh> Refresh(const model::GroupingRules& rules);
  // Regroups the whole library (after `triage recompute`: the leads follow the scores).
  base::Result<GroupRefresh> Rebuild(const model::GroupingRules& rules);

 private:
  base::Result<int64_t> UpdateBursts(const std::vector<int64_t>& touched, const model::GroupingRules& rules);
  base::Result<int64_t> UpdateDuplicates(const std::vector<int64_t>& touched, const model::GroupingRules& rules);

  catalog::Catalog& catalog_;
  catalog::GalleryStore& store_;
};

}  // namespace triage::quality
