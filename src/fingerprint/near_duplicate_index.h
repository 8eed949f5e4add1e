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
// Multi-index hashing: the 64 bits are cut into four 16-bit substrings and each substring has its own table
// of buckets. If two hashes differ in at most d bits, at least one of the four substrings differs in at most
// floor(d / 4) bits (pigeonhole), so a lookup visits, in each table, the buckets of every key within that
// small radius (1 + 16 + 120 keys for d up to 11) and verifies each entry with a popcount on the full hash.
// Hashes are stored inside their bucket, so a visit is one random access and then a sequential read. When
// visiting would cost more than a scan (small index, large d) the lookup scans instead.
// While the index is small, buckets are shared by several keys (fewer, fuller buckets); the tables are
// rebuilt with more buckets whenever the index has doubled, and with fewer when it has shrunk to a quarter,
// so Add and Remove are amortised O(1).
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

  // Buckets per substring table at present (grows with size(); exposed for tests and benchmarks).
  size_t buckets_per_table() const { return size_t{1} << tables_.front().bucket_bits; }

 private:
  // One substring's table. Bucket b lists the full hash and the slot of every stored hash whose substring key
  // maps to b, in two parallel arrays: a lookup reads only the hashes, the slots only for hits.
  struct Bucket {
    std::vector<uint64_t> hashes;
    std::vector<uint32_t> slots;
  };
  struct Table {
    int shift = 0;        // substring key = (hash >> shift) & 0xFFFF
    int bucket_bits = 0;  // buckets = 1 << bucket_bits, at most 16 (then one key per bucket)
    std::vector<Bucket> buckets;
  };

  void Rebuild();
  void Link(uint32_t slot);
  void Unlink(uint32_t slot);
  static uint32_t BucketOf(const Table& table, uint32_t key);
  void ProbeTable(size_t t, uint64_t hash, int radius, int max_distance, std::vector<Neighbor>& out) const;
  bool FoundInEarlierTable(size_t t, uint64_t query, uint64_t candidate, int radius) const;
  void ScanAll(uint64_t hash, int max_distance, std::vector<Neighbor>& out) const;
  bool ProbingBeatsScan(int radius) const;

  // Per slot: the id, the hash and whether the slot is in use. Removed slots are reused by Add.
  std::vector<int64_t> ids_;
  std::vector<uint64_t> hashes_;
  std::vector<uint8_t> live_;
  std::vector<uint32_t> free_slots_;
  std::unordered_map<int64_t, uint32_t> slot_of_id_;
  std::vector<Table> tables_;
  size_t built_for_size_ = 0;  // size() at the last Rebuild
};

}  // namespace triage::fingerprint
