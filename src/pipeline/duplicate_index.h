// The near-duplicate index as a view of the catalog: built from it, brought up to date from the catalog's hash log
// before each lookup, so that items another process added, trashed or purged count at once and nothing links to
// an item that left.
#pragma once

#include <cstdint>
#include <optional>

#include "base/status.h"
#include "catalog/catalog.h"
#include "fingerprint/near_duplicate_index.h"
#include "model/decision.h"

namespace triage::pipeline {

// Not thread-safe: owned by the serial decide-and-commit stage of one Ingestor.
class DuplicateIndex {
 public:
  // Applies every change to the catalog's set of hashes since the last call (the first call loads them all).
  [[nodiscard]] base::Status Refresh(catalog::Catalog& catalog);

  // Adds an item placed by this process (the next Refresh would bring it too; adding it now keeps in-batch
  // duplicates found without a round trip).
  void Add(int64_t id, uint64_t phash, uint64_t phash_center);

  // The nearest item within `max_distance` bits, comparing whole and centre hashes crosswise (so that crops match
  // either way); ties go to the lower id.
  std::optional<fingerprint::Neighbor> NearestWithin(const model::Fingerprint& fp, int max_distance) const;

  size_t size() const { return whole_.size(); }

 private:
  fingerprint::NearDuplicateIndex whole_;
  fingerprint::NearDuplicateIndex center_;
  int64_t cursor_ = 0;
  bool loaded_ = false;
};

}  // namespace triage::pipeline
