// Multi-index hashing over 64-bit perceptual hashes; see near_duplicate_index.h for the scheme.
#include "fingerprint/near_duplicate_index.h"

#include <algorithm>
#include <bit>

namespace triage::fingerprint {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
// Below this size the tables are not worth shrinking; above twice the built size they are rebuilt.
constexpr size_t kMinBuiltSize = 64;
// Probing costs random memory accesses, a scan sequential ones: scan when probes exceed size / kScanFactor.
constexpr uint64_t kScanFactor = 4;

int CeilLog2(size_t n) { return n <= 1 ? 0 : 64 - std::countl_zero(static_cast<uint64_t>(n - 1)); }

// Substrings of about log2(n) bits make each bucket hold about one hash; at least 3 substrings keep the
// per-substring probe radius small and at most 6 keep small indexes from needing many tables.
int SubstringCountFor(size_t n) { return std::clamp(64 / std::max(10, CeilLog2(n)), 3, 6); }

uint64_t Binomial(int n, int k) {
  uint64_t r = 1;
  for (int i = 1; i <= k; ++i) r = r * static_cast<uint64_t>(n - k + i) / static_cast<uint64_t>(i);
  return r;
}

// Next larger integer with the same number of set bits (Gosper's hack). REQUIRES: x != 0.
uint64_t NextCombination(uint64_t x) {
  uint64_t c = x & -x;
  uint64_t r = x + c;
  return (((r ^ x) >> 2) / c) | r;
}

}  // namespace

NearDuplicateIndex::NearDuplicateIndex() { Rebuild(); }

uint32_t NearDuplicateIndex::BucketOf(const Table& table, uint32_t key) const {
  if (table.bucket_bits == std::popcount(table.key_mask)) return key;
  // Fibonacci hashing spreads keys whose low bits are correlated (perceptual hashes are not uniform).
  return static_cast<uint32_t>(key * 0x9E3779B1u) >> (32 - table.bucket_bits);
}

void NearDuplicateIndex::Rebuild() {
  // Compact the slots so that the node arrays are dense.
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

  const int m = SubstringCountFor(size());
  tables_.assign(static_cast<size_t>(m), Table{});
  int shift = 0;
  for (int t = 0; t < m; ++t) {
    Table& table = tables_[static_cast<size_t>(t)];
    const int length = 64 / m + (t < 64 % m ? 1 : 0);
    table.shift = shift;
    table.key_mask = static_cast<uint32_t>((uint64_t{1} << length) - 1);
    table.bucket_bits = std::clamp(CeilLog2(size()), 4, length);
    table.heads.assign(size_t{1} << table.bucket_bits, kNone);
    table.nodes.resize(ids_.size());
    shift += length;
  }
  for (uint32_t s = 0; s < ids_.size(); ++s) Link(s);
}

void NearDuplicateIndex::Link(uint32_t slot) {
  const uint64_t hash = hashes_[slot];
  for (Table& table : tables_) {
    if (table.nodes.size() <= slot) table.nodes.resize(slot + 1);
    uint32_t& head = table.heads[BucketOf(table, static_cast<uint32_t>(hash >> table.shift) & table.key_mask)];
    table.nodes[slot] = Node{hash, head};
    head = slot;
  }
}

void NearDuplicateIndex::Unlink(uint32_t slot) {
  const uint64_t hash = hashes_[slot];
  for (Table& table : tables_) {
    uint32_t* link = &table.heads[BucketOf(table, static_cast<uint32_t>(hash >> table.shift) & table.key_mask)];
    while (*link != slot) link = &table.nodes[*link].next;
    *link = table.nodes[slot].next;
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

uint64_t NearDuplicateIndex::ProbeCost(int radius) const {
  uint64_t cost = 0;
  for (const Table& table : tables_) {
    const int length = std::popcount(table.key_mask);
    for (int k = 0; k <= std::min(radius, length); ++k) cost += Binomial(length, k);
  }
  return cost;
}

std::vector<Neighbor> NearDuplicateIndex::FindWithin(uint64_t hash, int max_distance) const {
  std::vector<Neighbor> out;
  if (max_distance < 0 || size() == 0) return out;
  max_distance = std::min(max_distance, 64);
  const int radius = max_distance / static_cast<int>(tables_.size());
  if (ProbeCost(radius) * kScanFactor > size()) {
    ScanAll(hash, max_distance, out);
  } else {
    for (size_t t = 0; t < tables_.size(); ++t) ProbeTable(t, hash, radius, max_distance, out);
  }
  std::sort(out.begin(), out.end(), [](const Neighbor& a, const Neighbor& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

void NearDuplicateIndex::ProbeTable(size_t t, uint64_t hash, int radius, int max_distance,
                                    std::vector<Neighbor>& out) const {
  const Table& table = tables_[t];
  const uint32_t query_key = static_cast<uint32_t>(hash >> table.shift) & table.key_mask;
  const int length = std::popcount(table.key_mask);
  const uint64_t end = uint64_t{1} << length;
  for (int k = 0; k <= std::min(radius, length); ++k) {
    // Every `length`-bit mask with exactly k bits set, in increasing order.
    for (uint64_t flip = (uint64_t{1} << k) - 1; flip < end; flip = k == 0 ? end : NextCombination(flip)) {
      const uint32_t key = query_key ^ static_cast<uint32_t>(flip);
      for (uint32_t s = table.heads[BucketOf(table, key)]; s != kNone; s = table.nodes[s].next) {
        const Node& node = table.nodes[s];
        if ((static_cast<uint32_t>(node.hash >> table.shift) & table.key_mask) != key) continue;
        const int distance = std::popcount(node.hash ^ hash);
        if (distance > max_distance || FoundInEarlierTable(t, hash, node.hash, radius)) continue;
        out.push_back(Neighbor{ids_[s], distance});
      }
    }
  }
}

// A candidate whose substring in an earlier table is also within the radius was reported by that table.
bool NearDuplicateIndex::FoundInEarlierTable(size_t t, uint64_t query, uint64_t candidate, int radius) const {
  const uint64_t diff = query ^ candidate;
  for (size_t e = 0; e < t; ++e) {
    const Table& table = tables_[e];
    if (std::popcount(static_cast<uint32_t>(diff >> table.shift) & table.key_mask) <= radius) return true;
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
