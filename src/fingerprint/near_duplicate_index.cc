// Multi-index hashing over 64-bit perceptual hashes; see near_duplicate_index.h for the scheme.
#include "fingerprint/near_duplicate_index.h"

#include <algorithm>
#include <bit>

namespace triage::fingerprint {
namespace {

constexpr int kSubstrings = 4;
constexpr int kSubstringBits = 64 / kSubstrings;
constexpr uint32_t kKeyMask = (1u << kSubstringBits) - 1;
// Tables never have fewer buckets than this, so tiny indexes do not rebuild on every other Add.
constexpr int kMinBucketBits = 8;
constexpr size_t kMinBuiltSize = size_t{1} << kMinBucketBits;
// Rough costs, in nanoseconds, of touching a bucket (a cache miss) and of checking one hash in it.
constexpr double kBucketVisitNs = 100;
constexpr double kEntryCheckNs = 1;

int CeilLog2(size_t n) { return n <= 1 ? 0 : 64 - std::countl_zero(static_cast<uint64_t>(n - 1)); }

// Keys within Hamming distance `radius` of a 16-bit key: sum of C(16, k) for k <= radius.
uint64_t KeysWithin(int radius) {
  uint64_t total = 0, binomial = 1;
  for (int k = 0; k <= std::min(radius, kSubstringBits); ++k) {
    total += binomial;
    binomial = binomial * static_cast<uint64_t>(kSubstringBits - k) / static_cast<uint64_t>(k + 1);
  }
  return total;
}

// Next larger integer with the same number of set bits (Gosper's hack). REQUIRES: x != 0.
uint32_t NextCombination(uint32_t x) {
  const uint32_t lowest = x & (~x + 1);
  const uint32_t ripple = x + lowest;
  return (((ripple ^ x) >> 2) / lowest) | ripple;
}

uint32_t KeyOf(uint64_t hash, int shift) { return static_cast<uint32_t>(hash >> shift) & kKeyMask; }

}  // namespace

NearDuplicateIndex::NearDuplicateIndex() { Rebuild(); }

uint32_t NearDuplicateIndex::BucketOf(const Table& table, uint32_t key) {
  if (table.bucket_bits == kSubstringBits) return key;
  // Fibonacci hashing: perceptual hashes are not uniform, so low key bits alone would cluster.
  return static_cast<uint32_t>(key * 0x9E3779B1u) >> (32 - table.bucket_bits);
}

void NearDuplicateIndex::Rebuild() {
  std::vector<int64_t> ids;
  std::vector<uint64_t> hashes;
  ids.reserve(size());
  hashes.reserve(size());
  for (size_t s = 0; s < ids_.size(); ++s) {
    if (!live_[s]) continue;
    slot_of_id_[ids_[s]] = static_cast<uint32_t>(ids.size());
    ids.push_back(ids_[s]);
    hashes.push_back(hashes_[s]);
  }
  ids_ = std::move(ids);
  hashes_ = std::move(hashes);
  live_.assign(ids_.size(), 1);
  free_slots_.clear();
  built_for_size_ = size();

  tables_.assign(kSubstrings, Table{});
  for (int t = 0; t < kSubstrings; ++t) {
    Table& table = tables_[static_cast<size_t>(t)];
    table.shift = t * kSubstringBits;
    // About one stored hash per bucket, up to one bucket per key.
    table.bucket_bits = std::clamp(CeilLog2(size()), kMinBucketBits, kSubstringBits);
    table.buckets.resize(size_t{1} << table.bucket_bits);
  }
  for (uint32_t s = 0; s < ids_.size(); ++s) Link(s);
}

void NearDuplicateIndex::Link(uint32_t slot) {
  const uint64_t hash = hashes_[slot];
  for (Table& table : tables_) {
    Bucket& bucket = table.buckets[BucketOf(table, KeyOf(hash, table.shift))];
    bucket.hashes.push_back(hash);
    bucket.slots.push_back(slot);
  }
}

void NearDuplicateIndex::Unlink(uint32_t slot) {
  const uint64_t hash = hashes_[slot];
  for (Table& table : tables_) {
    Bucket& bucket = table.buckets[BucketOf(table, KeyOf(hash, table.shift))];
    const auto i = std::find(bucket.slots.begin(), bucket.slots.end(), slot) - bucket.slots.begin();
    bucket.hashes[static_cast<size_t>(i)] = bucket.hashes.back();
    bucket.slots[static_cast<size_t>(i)] = bucket.slots.back();
    bucket.hashes.pop_back();
    bucket.slots.pop_back();
  }
}

void NearDuplicateIndex::Add(int64_t id, uint64_t hash) {
  if (auto it = slot_of_id_.find(id); it != slot_of_id_.end()) {
    if (hashes_[it->second] == hash) return;
    Unlink(it->second);
    hashes_[it->second] = hash;
    Link(it->second);
    return;
  }
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    ids_[slot] = id;
    hashes_[slot] = hash;
    live_[slot] = 1;
  } else {
    slot = static_cast<uint32_t>(ids_.size());
    ids_.push_back(id);
    hashes_.push_back(hash);
    live_.push_back(1);
  }
  slot_of_id_.emplace(id, slot);
  if (size() > 2 * std::max(built_for_size_, kMinBuiltSize)) {
    Rebuild();
  } else {
    Link(slot);
  }
}

bool NearDuplicateIndex::Remove(int64_t id) {
  auto it = slot_of_id_.find(id);
  if (it == slot_of_id_.end()) return false;
  const uint32_t slot = it->second;
  Unlink(slot);
  live_[slot] = 0;
  free_slots_.push_back(slot);
  slot_of_id_.erase(it);
  if (built_for_size_ > kMinBuiltSize && size() < built_for_size_ / 4) Rebuild();
  return true;
}

bool NearDuplicateIndex::ProbingBeatsScan(int radius) const {
  const double visits = static_cast<double>(kSubstrings * KeysWithin(radius));
  const double per_bucket = static_cast<double>(size()) / static_cast<double>(buckets_per_table());
  // A key's bucket holds every hash sharing the bucket, not only those with the key.
  const double probe_ns = visits * (kBucketVisitNs + per_bucket * kEntryCheckNs);
  return probe_ns < static_cast<double>(size()) * kEntryCheckNs;
}

std::vector<Neighbor> NearDuplicateIndex::FindWithin(uint64_t hash, int max_distance) const {
  std::vector<Neighbor> out;
  if (max_distance < 0 || size() == 0) return out;
  max_distance = std::min(max_distance, 64);
  const int radius = max_distance / kSubstrings;
  if (ProbingBeatsScan(radius)) {
    for (size_t t = 0; t < tables_.size(); ++t) ProbeTable(t, hash, radius, max_distance, out);
  } else {
    ScanAll(hash, max_distance, out);
  }
  std::sort(out.begin(), out.end(), [](const Neighbor& a, const Neighbor& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

void NearDuplicateIndex::ProbeTable(size_t t, uint64_t hash, int radius, int max_distance,
                                    std::vector<Neighbor>& out) const {
  const Table& table = tables_[t];
  const uint32_t query_key = KeyOf(hash, table.shift);
  const bool shared_buckets = table.bucket_bits < kSubstringBits;
  for (int k = 0; k <= std::min(radius, kSubstringBits); ++k) {
    // Every 16-bit mask with exactly k bits set, in increasing order.
    const uint32_t first = (1u << k) - 1;
    for (uint32_t flip = first; flip <= kKeyMask; flip = k == 0 ? kKeyMask + 1 : NextCombination(flip)) {
      const uint32_t key = query_key ^ flip;
      const Bucket& bucket = table.buckets[BucketOf(table, key)];
      for (size_t i = 0; i < bucket.hashes.size(); ++i) {
        const uint64_t candidate = bucket.hashes[i];
        const int distance = std::popcount(candidate ^ hash);
        if (distance > max_distance) continue;
        // In a shared bucket, a hash belongs to the visit for its own key only (else it would repeat).
        if (shared_buckets && KeyOf(candidate, table.shift) != key) continue;
        if (FoundInEarlierTable(t, hash, candidate, radius)) continue;
        out.push_back(Neighbor{ids_[bucket.slots[i]], distance});
      }
    }
  }
}

// A candidate whose substring in an earlier table is also within the radius was reported by that table.
bool NearDuplicateIndex::FoundInEarlierTable(size_t t, uint64_t query, uint64_t candidate, int radius) const {
  const uint64_t diff = query ^ candidate;
  for (size_t e = 0; e < t; ++e) {
    if (std::popcount(KeyOf(diff, tables_[e].shift)) <= radius) return true;
  }
  return false;
}

void NearDuplicateIndex::ScanAll(uint64_t hash, int max_distance, std::vector<Neighbor>& out) const {
  for (size_t s = 0; s < hashes_.size(); ++s) {
    if (!live_[s]) continue;
    const int distance = std::popcount(hashes_[s] ^ hash);
    if (distance <= max_distance) out.push_back(Neighbor{ids_[s], distance});
  }
}

}  // namespace triage::fingerprint
