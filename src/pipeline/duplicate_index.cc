// Catalog-backed near-duplicate lookups: hash candidates, then the check on stored signatures.
#include "pipeline/duplicate_index.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "model/groups.h"
#include "vision/near_duplicate_check.h"

namespace triage::pipeline {
namespace {

constexpr size_t kMaxCachedSignatures = 4096;  // about 20 MB

std::string_view BytesOf(const std::vector<uint8_t>& stored) {
  return {reinterpret_cast<const char*>(stored.data()), stored.size()};
}

}  // namespace

size_t CheckMemo::SampleHash::operator()(std::string_view bytes) const {
  uint64_t h = bytes.size() * 0x9E3779B97F4A7C15ull;
  for (size_t at = 0; at + 8 <= bytes.size(); at += 512) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + at, 8);
    h = (h ^ word) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  for (size_t at = bytes.size() - bytes.size() % 8; at < bytes.size(); ++at) {
    h = (h ^ static_cast<unsigned char>(bytes[at])) * 0xFF51AFD7ED558CCDull;
  }
  return static_cast<size_t>(h ^ (h >> 29));
}

CheckMemo::Known& CheckMemo::KnownFor(const std::vector<uint8_t>& stored) {
  auto it = verdicts_.find(BytesOf(stored));
  if (it == verdicts_.end()) it = verdicts_.emplace(std::string(BytesOf(stored)), Known{}).first;
  return it->second;
}

std::optional<bool> CheckMemo::Find(const std::vector<uint8_t>& stored) const {
  auto it = verdicts_.find(BytesOf(stored));
  return it == verdicts_.end() ? std::nullopt : std::optional<bool>(it->second.same);
}

void CheckMemo::Put(const std::vector<uint8_t>& stored, bool same) { KnownFor(stored) = Known{same, {}}; }

const vision::NearDuplicateVerdict& CheckMemo::VerdictFor(const std::vector<uint8_t>& signature,
                                                          const std::vector<uint8_t>& stored) {
  Known& known = KnownFor(stored);
  if (!known.verdict) {
    known.verdict = std::make_shared<const vision::NearDuplicateVerdict>(QueryFor(signature).Check(stored));
    known.same = known.verdict->same;
  }
  return *known.verdict;
}

const vision::NearDuplicateQuery& CheckMemo::QueryFor(const std::vector<uint8_t>& signature) {
  if (!query_ || query_signature_ != signature) {
    query_ = std::make_shared<const vision::NearDuplicateQuery>(signature);
    query_signature_ = signature;
  }
  return *query_;
}

bool ConfirmedNearDuplicate(const model::Fingerprint& fp, const std::vector<uint8_t>& stored, int distance,
                            int hash_only_max_distance, CheckMemo* memo) {
  if (stored.empty() || fp.signature.empty()) return distance <= hash_only_max_distance;
  if (memo) {
    if (std::optional<bool> known = memo->Find(stored)) return *known;
  }
  // With a memo, the image's side of the check is made ready once for all its candidates (the same verdicts).
  return memo ? memo->VerdictFor(fp.signature, stored).same : vision::CheckNearDuplicate(fp.signature, stored).same;
}

int CandidateDistance(const model::Fingerprint& a, const model::Fingerprint& b) {
  int distance = 64;
  for (uint64_t x : {a.phash, a.phash_center}) {
    for (uint64_t y : {b.phash, b.phash_center}) distance = std::min(distance, std::popcount(x ^ y));
  }
  return distance;
}

bool IsNearDuplicateOf(const model::Fingerprint& a, const model::Fingerprint& b, int hash_only_max_distance,
                       CheckMemo* memo) {
  const int distance = CandidateDistance(a, b);
  return distance <= kCandidateMaxDistance &&
         ConfirmedNearDuplicate(a, b.signature, distance, hash_only_max_distance, memo);
}

base::Status DuplicateIndex::Refresh(catalog::Catalog& catalog) {
  std::unique_lock lock(mu_);
  auto changes = loaded_ ? catalog.PerceptualHashChangesSince(cursor_) : catalog.PerceptualHashSnapshot();
  if (!changes.ok()) return changes.status().WithContext("reading the catalog's perceptual hashes");
  std::lock_guard cache(cache_mu_);
  for (const catalog::HashChange& c : changes->changes) {
    signatures_.erase(c.id);
    if (c.present) {
      whole_.Add(c.id, c.phash);
      center_.Add(c.id, c.phash_center);
    } else {
      whole_.Remove(c.id);
      center_.Remove(c.id);
    }
  }
  cursor_ = changes->cursor;
  loaded_ = true;
  return base::Status::Ok();
}

void DuplicateIndex::Add(int64_t id, const model::Fingerprint& fp) {
  std::unique_lock lock(mu_);
  whole_.Add(id, fp.phash);
  center_.Add(id, fp.phash_center);
}

size_t DuplicateIndex::size() const {
  std::shared_lock lock(mu_);
  return whole_.size();
}

std::vector<fingerprint::Neighbor> DuplicateIndex::Candidates(const model::Fingerprint& fp) const {
  std::shared_lock lock(mu_);
  std::unordered_map<int64_t, int> nearest;
  for (const auto* index : {&whole_, &center_}) {
    for (uint64_t query : {fp.phash, fp.phash_center}) {
      for (const fingerprint::Neighbor& n : index->FindWithin(query, kCandidateMaxDistance)) {
        auto [it, added] = nearest.try_emplace(n.id, n.distance);
        if (!added) it->second = std::min(it->second, n.distance);
      }
    }
  }
  std::vector<fingerprint::Neighbor> out;
  out.reserve(nearest.size());
  for (const auto& [id, distance] : nearest) out.push_back({id, distance});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  if (out.size() > kMaxCandidates) out.resize(kMaxCandidates);
  return out;
}

base::Result<DuplicateIndex::SignaturePtr> DuplicateIndex::Signature(catalog::Catalog& catalog, int64_t id, bool keep) {
  {
    std::lock_guard lock(cache_mu_);
    auto it = signatures_.find(id);
    if (it != signatures_.end()) return it->second;
  }
  auto stored = catalog.NearDuplicateSignature(id);
  if (!stored.ok()) return stored.status().WithContext("reading a near-duplicate signature");
  auto shared = std::make_shared<const std::vector<uint8_t>>(std::move(*stored));
  if (!keep) return shared;
  std::lock_guard lock(cache_mu_);
  if (signatures_.size() >= kMaxCachedSignatures) signatures_.clear();
  signatures_[id] = shared;
  return shared;
}

namespace {

// An item that waits in review as a copy of another photo (a reviewer's "keep both" makes it a photo of its own).
bool WaitsAsCopy(const model::ItemRecord& item) {
  return item.duplicate_of && *item.duplicate_of != item.id && item.location == "review" &&
         model::IsDuplicateCategory(item.category);
}

// How many of the other candidates nearest the image are looked at for copies in the group it would join.
constexpr size_t kGroupMembersLooked = 8;

}  // namespace

base::Result<bool> DuplicateIndex::JoinsAnotherPicture(catalog::Catalog& catalog, const model::Fingerprint& fp,
                                                       const model::ItemRecord& candidate,
                                                       const std::vector<fingerprint::Neighbor>& candidates,
                                                       CheckMemo& memo) {
  if (fp.signature.empty()) return false;
  const int64_t root = WaitsAsCopy(candidate) ? *candidate.duplicate_of : candidate.id;
  // The photo the candidate copies (gone: the candidate stands for it; stored before signatures: nothing to compare
  // beyond the hashes).
  if (root != candidate.id) {
    auto signature = Signature(catalog, root);
    if (!signature.ok() && signature.status().code() != base::Code::kNotFound) {
      return signature.status().WithContext("reading the photo a near-duplicate candidate copies");
    }
    if (signature.ok() && !(*signature)->empty() && memo.VerdictFor(fp.signature, **signature).ShowsAnotherPicture()) {
      return true;
    }
  }
  // The other copies of that photo among the nearest candidates: when the crop came first, the original waits as the
  // crop's copy, and a reframing that matches the crop is told apart by the original.
  size_t looked = 0;
  for (const fingerprint::Neighbor& other : candidates) {
    if (other.id == candidate.id || other.id == root) continue;
    if (looked++ == kGroupMembersLooked) break;
    auto signature = Signature(catalog, other.id);
    if (!signature.ok()) return signature.status();
    if ((*signature)->empty()) continue;
    if (std::optional<bool> same = memo.Find(**signature); same && *same) continue;  // the same picture: no finding
    auto item = catalog.GetItemWithoutQuality(other.id);
    if (!item.ok()) {
      if (item.status().code() == base::Code::kNotFound) continue;
      return item.status().WithContext("reading a near-duplicate candidate");
    }
    if (!WaitsAsCopy(*item) || *item->duplicate_of != root) continue;
    if (memo.VerdictFor(fp.signature, **signature).ShowsAnotherPicture()) return true;
  }
  return false;
}

base::Result<std::optional<fingerprint::Neighbor>> DuplicateIndex::FindNearDuplicate(catalog::Catalog& catalog,
                                                                                     const model::Fingerprint& fp,
                                                                                     int hash_only_max_distance,
                                                                                     CheckMemo* memo,
                                                                                     const std::string& taken_at) {
  CheckMemo own;  // without one of the caller's, so that the image's side of the check is made ready once
  if (!memo) memo = &own;
  const std::vector<fingerprint::Neighbor> candidates = Candidates(fp);
  for (const fingerprint::Neighbor& candidate : candidates) {
    auto signature = Signature(catalog, candidate.id);
    if (!signature.ok()) return signature.status();
    if (!ConfirmedNearDuplicate(fp, **signature, candidate.distance, hash_only_max_distance, memo)) continue;
    auto item = catalog.GetItemWithoutQuality(candidate.id);
    if (!item.ok()) return item.status();
    if (model::DifferentShots(taken_at, item->info.taken_at)) continue;
    auto another = JoinsAnotherPicture(catalog, fp, *item, candidates, *memo);
    if (!another.ok()) return another.status();
    if (*another) continue;
    return std::optional<fingerprint::Neighbor>(candidate);
  }
  return std::optional<fingerprint::Neighbor>();
}

void DuplicateIndex::CheckAhead(catalog::Catalog& catalog, const model::Fingerprint& fp, CheckMemo& memo) {
  if (fp.signature.empty()) return;
  for (const fingerprint::Neighbor& candidate : Candidates(fp)) {
    auto signature = Signature(catalog, candidate.id, false);
    if (!signature.ok() || (*signature)->empty()) continue;  // decided by the distance alone: nothing to check
    // As FindNearDuplicate, which stops at the nearest confirmed candidate.
    if (ConfirmedNearDuplicate(fp, **signature, candidate.distance, 0, &memo)) return;
  }
}

}  // namespace triage::pipeline
