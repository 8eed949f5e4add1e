// The near-duplicate index as a view of the catalog: built from it, brought up to date from the catalog's hash log
// before each lookup, so that items another process added, trashed or purged count at once and nothing links to
// an item that left. The hashes only propose candidates; the near-duplicate check (vision/near_duplicate_check.h)
// on the signatures stored with the items decides.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "fingerprint/near_duplicate_index.h"
#include "model/decision.h"

namespace triage::pipeline {

// Candidates lie within this many bits (whole and centre hashes, crosswise). Measured on bench/dedup's corpus:
// every near duplicate the check accepts lies within 10 bits of its nearest relative; unrelated smooth pictures
// collide at 0-4 bits, so the distance alone cannot tell them apart.
inline constexpr int kCandidateMaxDistance = 16;
// At most this many candidates are checked per image, nearest first (the check costs about a millisecond).
inline constexpr size_t kMaxCandidates = 8;

// Whether `fp` shows the same picture as an item whose hashes lie `distance` bits away and whose stored signature is
// `stored`: the near-duplicate check on the two signatures, or, when either has none (items stored before
// signatures existed), the distance alone within `hash_only_max_distance`. How FindNearDuplicate decides.
bool ConfirmedNearDuplicate(const model::Fingerprint& fp, const std::vector<uint8_t>& stored, int distance,
                            int hash_only_max_distance);

// True when `b` would be found as a near duplicate of `a` were it in the index: within kCandidateMaxDistance by the
// measure Candidates uses (whole and centre hashes, crosswise), then ConfirmedNearDuplicate on b's signature. Both
// must have hashes.
bool IsNearDuplicateOf(const model::Fingerprint& a, const model::Fingerprint& b, int hash_only_max_distance);

// Not thread-safe: owned by the serial decide-and-commit stage of one Ingestor.
class DuplicateIndex {
 public:
  // Applies every change to the catalog's set of hashes since the last call (the first call loads them all), and
  // forgets the cached signatures of the items that changed.
  [[nodiscard]] base::Status Refresh(catalog::Catalog& catalog);

  // Adds an item placed by this process (the next Refresh would bring it too; adding it now keeps in-batch
  // duplicates found without a round trip).
  void Add(int64_t id, const model::Fingerprint& fp);

  // Every item within kCandidateMaxDistance bits, comparing whole and centre hashes crosswise (so that crops match
  // either way), nearest first, ties to the lower id, at most kMaxCandidates.
  std::vector<fingerprint::Neighbor> Candidates(const model::Fingerprint& fp) const;

  // The nearest candidate that shows the same picture as `fp`: accepted by the near-duplicate check on the two
  // signatures, or, when either has none (items stored before signatures existed), by the hashes alone within
  // `hash_only_max_distance`. Signatures come from the catalog (cached). Errors: the catalog's.
  base::Result<std::optional<fingerprint::Neighbor>> FindNearDuplicate(catalog::Catalog& catalog,
                                                                       const model::Fingerprint& fp,
                                                                       int hash_only_max_distance);

  size_t size() const { return whole_.size(); }

 private:
  base::Result<const std::vector<uint8_t>*> Signature(catalog::Catalog& catalog, int64_t id);

  fingerprint::NearDuplicateIndex whole_;
  fingerprint::NearDuplicateIndex center_;
  std::unordered_map<int64_t, std::vector<uint8_t>> signatures_;  // a cache of the catalog's, bounded
  int64_t cursor_ = 0;
  bool loaded_ = false;
};

}  // namespace triage::pipeline
