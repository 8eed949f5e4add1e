// Finds stored 64-bit perceptual hashes within a Hamming distance of a query without scanning them all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace triage::fingerprint {

// One hit of a lookup: the id given to Add and its Hamming distance from the query (0..64).
struct Neighbor {
  int64_t id = 0;
  int distance = 0;

  bool operator==(const Neighbor&) const = default;
};

// An in-memory index of (id, 64-bit perceptual hash) pairs answering "which hashes lie within distance d".
//
// Multi-index hashing: the 64 bits are cut into m substrings (m = 3 for a million hashes, more for small
// indexes) and each substring has its own hash table. If two hashes differ in at most d bits, at least one
// of the m substrings differs in at most floor(d / m) bits (pigeonhole), so a lookup probes every key within
// that small radius in each table and verifies each candidate with a popcount on the full hash. When the
// probing would cost more than a scan (very large d on a small index) the lookup scans instead.
// The tables are rebuilt, with m and the bucket count chosen for the current size, whenever the index has
// doubled or halved since the last build, so Add and Remove are amortised O(1).
//
// Thread-safety: const methods may run concurrently with each other; Add and Remove need exclusive access
// (e.g. a std::shared_mutex held by the owner).
class NearDuplicateIndex {
 public:
  NearDuplicateIndex();
  NearDuplicateIndex(const NearDuplicateIndex&) = delete;
  NearDuplicateIndex& operator=(const NearDuplicateIndex&) = delete;
  NearDuplicateIndex(NearDuplicateIndex&&) = default;
  NearDuplicateIndex& operator=(NearDuplicateIndex&&) = default;

  // Stores `hash` under `id`; an id already present gets the new hash.
  void Add(int64_t id, uint64_t hash);

  // Forgets `id`. Returns false when it was not present.
  bool Remove(int64_t id);

  // Every stored id whose hash differs from `hash` in at most `max_distance` bits, nearest first, ties by
  // ascending id. REQUIRES: 0 <= max_distance (values above 64 act as 64).
  std::vector<Neighbor> FindWithin(uint64_t hash, int max_distance) const;

  // Number of stored ids.
  size_t size() const { return slot_of_id_.size(); }

  // Number of substrings the tables currently use (exposed for tests and benchmarks).
  int substring_count() const { return static_cast<int>(tables_.size()); }

 private:
  // A chained hash table over one substring of the hashes. `heads` holds, per bucket, the first slot;
  // `nodes[slot]` the slot's full hash (so verifying a candidate touches one cache line) and the next slot.
  struct Node {
    uint64_t hash;
    uint32_t next;
  };
  struct Table {
    int shift = 0;        // substring = (hash >> shift) & key_mask
    uint32_t key_mask = 0;
    int bucket_bits = 0;  // buckets = 1 << bucket_bits
    std::vector<uint32_t> heads;
    std::vector<Node> nodes;
  };

  void Rebuild();
  void Link(uint32_t slot);
  void Unlink(uint32_t slot);
  uint32_t BucketOf(const Table& table, uint32_t key) const;
  void ProbeTable(size_t t, uint64_t hash, int radius, int max_distance, std::vector<Neighbor>& out) const;
  bool FoundInEarlierTable(size_t t, uint64_t query, uint64_t candidate, int radius) const;
  void ScanAll(uint64_t hash, int max_distance, std::vector<Neighbor>& out) const;
  uint64_t ProbeCost(int radius) const;

  // Per slot: the id, the hash and whether the slot is in use. Removed slots are reused by Add.
  std::vector<int64_t> ids_;
  std::vector<uint64_t> hashes_;
  std::vector<uint8_t> live_;
  std::vector<uint32_t> free_slots_;
  std::unordered_map<int64_t, uint32_t> slot_of_id_;
  std::vector<Table> tables_;
  size_t built_for_size_ = 0;       // size() at the last Rebuild
};

}  // namespace triage::fingerprint
