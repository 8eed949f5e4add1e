// The near-duplicate index as a view of the catalog: built from it, brought up to date from the catalog's hash log
// before each lookup, so that items another process added, trashed or purged count at once and nothing links to
// an item that left. The hashes only propose candidates; the near-duplicate check (vision/near_duplicate_check.h)
// on the signatures stored with the items decides.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "fingerprint/near_duplicate_index.h"
#include "model/decision.h"
#include "model/item.h"

namespace triage::vision {
class NearDuplicateQuery;
struct NearDuplicateVerdict;
}  // namespace triage::vision

namespace triage::pipeline {

// Candidates lie within this many bits (whole and centre hashes, crosswise). Measured on bench/dedup's corpus:
// every near duplicate the check accepts lies within 10 bits of its nearest relative; unrelated smooth pictures
// collide at 0-4 bits, so the distance alone cannot tell them apart.
inline constexpr int kCandidateMaxDistance = 16;
// At most this many candidates are checked per image, nearest first (a check costs a fraction of a millisecond, and
// most of those beyond the nearest few stop at the colour test before any alignment). Smooth pictures collide at
// 0-4 bits by the dozen: with 8, a sky's own crop could be pushed out by other skies. On 139 photos never tuned on
// (4,526 files), 24 instead of 8 found 1.9% more same-picture pairs and no more false ones, for about 4% more CPU.
inline constexpr size_t kMaxCandidates = 24;

// What the near-duplicate check said about one image against others, by the other's signature. An ingest fills it
// ahead in its parallel stage, so that the serial stage mostly reads verdicts, and no pair is checked twice (once
// against a waiting image of the group, once against the same image placed). It also keeps the image's side of the
// check made ready once (vision::NearDuplicateQuery) for all its candidates. Not thread-safe: one per image.
class CheckMemo {
 public:
  std::optional<bool> Find(const std::vector<uint8_t>& stored) const;
  void Put(const std::vector<uint8_t>& stored, bool same);
  size_t size() const { return verdicts_.size(); }

  // The whole verdict of `signature` (the image's) against `stored`: checked on first use and kept (a verdict only
  // Put is checked again, for its details).
  const vision::NearDuplicateVerdict& VerdictFor(const std::vector<uint8_t>& signature,
                                                 const std::vector<uint8_t>& stored);

  // The check of `signature` (the image's) against candidates, made ready on first use and kept; made again only if
  // a different signature is asked for.
  const vision::NearDuplicateQuery& QueryFor(const std::vector<uint8_t>& signature);

 private:
  struct Known {
    bool same = false;
    std::shared_ptr<const vision::NearDuplicateVerdict> verdict;  // when the check was made here
  };
  // Signatures hashed by a sample of their bytes (every 64th eight), compared whole: looked up without a copy.
  struct SampleHash {
    using is_transparent = void;
    size_t operator()(std::string_view bytes) const;
  };
  Known& KnownFor(const std::vector<uint8_t>& stored);
  std::unordered_map<std::string, Known, SampleHash, std::equal_to<>> verdicts_;  // by the other's signature bytes
  std::vector<uint8_t> query_signature_;
  std::shared_ptr<const vision::NearDuplicateQuery> query_;  // of query_signature_
};

// Whether `fp` shows the same picture as an item whose hashes lie `distance` bits away and whose stored signature is
// `stored`: the near-duplicate check on the two signatures, or, when either has none (items stored before
// signatures existed), the distance alone within `hash_only_max_distance`. How FindNearDuplicate decides. A verdict
// in `memo` is used instead of checking again; a new one is put there.
bool ConfirmedNearDuplicate(const model::Fingerprint& fp, const std::vector<uint8_t>& stored, int distance,
                            int hash_only_max_distance, CheckMemo* memo = nullptr);

// The hashes' distance as Candidates measures it: whole and centre hashes compared crosswise, the nearest pair.
int CandidateDistance(const model::Fingerprint& a, const model::Fingerprint& b);

// True when `b` would be found as a near duplicate of `a` were it in the index: within kCandidateMaxDistance by the
// measure Candidates uses (whole and centre hashes, crosswise), then ConfirmedNearDuplicate on b's signature. Both
// must have hashes.
bool IsNearDuplicateOf(const model::Fingerprint& a, const model::Fingerprint& b, int hash_only_max_distance,
                       CheckMemo* memo = nullptr);

// Thread-safe. Changed (Refresh, Add) by the serial decide-and-commit stage of one Ingestor, read by its parallel
// stage as well (CheckAhead).
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
  // Verdicts in `memo` are used and new ones put there. With `taken_at` (the image's capture time as ImageInfo writes
  // it; "" when unknown), a candidate taken at another instant (model::DifferentShots: another frame of a burst, not a
  // copy) is passed over. A candidate is passed over when the check of `fp` against another member of its group (the
  // photo it waits in review as a copy of, or that photo's other copies among the nearest candidates) finds another
  // picture (another framing, colours apart as they stand): near duplicates join a group through any member, and a
  // tighter reframing of a crop (scaled 1.12 from the crop, 1.18 from the original) would otherwise join the original's
  // group through the crop. A copy that the check only fails to confirm against a member (a low-texture picture's
  // residual) still joins.
  base::Result<std::optional<fingerprint::Neighbor>> FindNearDuplicate(catalog::Catalog& catalog,
                                                                       const model::Fingerprint& fp,
                                                                       int hash_only_max_distance,
                                                                       CheckMemo* memo = nullptr,
                                                                       const std::string& taken_at = "");

  // Checks `fp` now against the candidates the index holds now, into `memo`, for a FindNearDuplicate to come (the
  // index may have changed by then: candidates it has not seen are checked then). A catalog error leaves the
  // candidate unchecked, for FindNearDuplicate to report.
  void CheckAhead(catalog::Catalog& catalog, const model::Fingerprint& fp, CheckMemo& memo);

  size_t size() const;

 private:
  using SignaturePtr = std::shared_ptr<const std::vector<uint8_t>>;
  // FindNearDuplicate's test of a confirmed `candidate`: true when the check of `fp` finds another picture
  // (vision::NearDuplicateVerdict::ShowsAnotherPicture) in the group the candidate belongs to: the photo it waits as
  // a copy of, or another copy of that photo (or of the candidate) among the nearest of `candidates`. A member gone,
  // or stored without a signature, counts for nothing.
  base::Result<bool> JoinsAnotherPicture(catalog::Catalog& catalog, const model::Fingerprint& fp,
                                         const model::ItemRecord& candidate,
                                         const std::vector<fingerprint::Neighbor>& candidates, CheckMemo& memo);
  // From the cache, else from the catalog (kept in the cache when `keep`: only the serial stage keeps, so that a
  // signature read before a Refresh forgot it never comes back stale).
  base::Result<SignaturePtr> Signature(catalog::Catalog& catalog, int64_t id, bool keep = true);

  mutable std::shared_mutex mu_;  // guards the hash indexes and the cursor
  fingerprint::NearDuplicateIndex whole_;
  fingerprint::NearDuplicateIndex center_;
  int64_t cursor_ = 0;
  bool loaded_ = false;
  std::mutex cache_mu_;
  std::unordered_map<int64_t, SignaturePtr> signatures_;  // a cache of the catalog's, bounded
};

}  // namespace triage::pipeline
