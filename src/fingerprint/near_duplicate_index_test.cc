// Specification of NearDuplicateIndex: exact Hamming-radius lookups, ordered results, updates.
#include "fingerprint/near_duplicate_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>

namespace triage::fingerprint {
namespace {

// Flips `bits` distinct random bits of `hash`.
uint64_t WithDistinctFlips(uint64_t hash, int bits, std::mt19937_64& rng) {
  uint64_t mask = 0;
  while (std::popcount(mask) < bits) mask |= uint64_t{1} << (rng() % 64);
  return hash ^ mask;
}

std::vector<Neighbor> BruteForce(const std::vector<std::pair<int64_t, uint64_t>>& entries, uint64_t hash, int d) {
  std::vector<Neighbor> out;
  for (const auto& [id, h] : entries) {
    const int distance = std::popcount(h ^ hash);
    if (distance <= d) out.push_back({id, distance});
  }
  std::sort(out.begin(), out.end(), [](const Neighbor& a, const Neighbor& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

TEST(NearDuplicateIndexTest, EmptyIndexFindsNothing) {
  NearDuplicateIndex index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.FindWithin(0x1234, 64).empty());
}

TEST(NearDuplicateIndexTest, FindsExactHashAtDistanceZero) {
  NearDuplicateIndex index;
  index.Add(7, 0xDEADBEEFCAFEF00Dull);
  index.Add(8, 0xDEADBEEFCAFEF00Cull);
  EXPECT_EQ(index.FindWithin(0xDEADBEEFCAFEF00Dull, 0), (std::vector<Neighbor>{{7, 0}}));
}

TEST(NearDuplicateIndexTest, IncludesHashesAtExactlyMaxDistanceAndExcludesBeyond) {
  NearDuplicateIndex index;
  const uint64_t query = 0x0F0F0F0F0F0F0F0Full;
  index.Add(1, query ^ 0x7);   // 3 bits
  index.Add(2, query ^ 0xF);   // 4 bits
  index.Add(3, query ^ 0x1F);  // 5 bits
  EXPECT_EQ(index.FindWithin(query, 4), (std::vector<Neighbor>{{1, 3}, {2, 4}}));
}

TEST(NearDuplicateIndexTest, OrdersByDistanceThenId) {
  NearDuplicateIndex index;
  const uint64_t query = 0;
  index.Add(30, 0b11);
  index.Add(20, 0b1);
  index.Add(10, uint64_t{1} << 63);
  index.Add(5, 0);
  EXPECT_EQ(index.FindWithin(query, 2), (std::vector<Neighbor>{{5, 0}, {10, 1}, {20, 1}, {30, 2}}));
}

TEST(NearDuplicateIndexTest, FindsNeighboursDifferingInEverySubstring) {
  // Bits spread over the whole word defeat any single substring: the pigeonhole bound must still hold.
  NearDuplicateIndex index;
  std::mt19937_64 rng(1);
  for (int64_t i = 0; i < 5000; ++i) index.Add(i, rng());
  const uint64_t query = 0xA5A5A5A5A5A5A5A5ull;
  const uint64_t spread = query ^ 0x8040201008040201ull;  // 8 bits, one per byte
  index.Add(99999, spread);
  auto found = index.FindWithin(query, 8);
  EXPECT_NE(std::find(found.begin(), found.end(), Neighbor{99999, 8}), found.end());
}

TEST(NearDuplicateIndexTest, AddingAnExistingIdReplacesItsHash) {
  NearDuplicateIndex index;
  index.Add(1, 0);
  index.Add(1, ~uint64_t{0});
  EXPECT_EQ(index.size(), 1u);
  EXPECT_TRUE(index.FindWithin(0, 10).empty());
  EXPECT_EQ(index.FindWithin(~uint64_t{0}, 0), (std::vector<Neighbor>{{1, 0}}));
}

TEST(NearDuplicateIndexTest, RemovedIdsAreNotFoundAndRemovingTwiceReportsAbsence) {
  NearDuplicateIndex index;
  index.Add(1, 42);
  index.Add(2, 43);
  EXPECT_TRUE(index.Remove(1));
  EXPECT_FALSE(index.Remove(1));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.FindWithin(42, 1), (std::vector<Neighbor>{{2, 1}}));
}

TEST(NearDuplicateIndexTest, NegativeIdsAndDistancesAbove64AreHandled) {
  NearDuplicateIndex index;
  index.Add(-5, 0);
  index.Add(-6, ~uint64_t{0});
  EXPECT_EQ(index.FindWithin(0, 1000), (std::vector<Neighbor>{{-5, 0}, {-6, 64}}));
  EXPECT_TRUE(index.FindWithin(0, -1).empty());
}

// The index must return exactly what a linear scan returns, for every radius, while it grows and shrinks.
TEST(NearDuplicateIndexTest, MatchesLinearScanWhileGrowingAndShrinking) {
  std::mt19937_64 rng(2024);
  NearDuplicateIndex index;
  std::vector<std::pair<int64_t, uint64_t>> entries;
  std::vector<uint64_t> bases;
  for (int64_t id = 0; id < 20000; ++id) {
    // A third of the hashes are planted near earlier ones so that lookups have many hits at every distance.
    uint64_t hash = (!bases.empty() && id % 3 == 0)
                        ? WithDistinctFlips(bases[rng() % bases.size()], static_cast<int>(rng() % 13), rng)
                        : rng();
    bases.push_back(hash);
    entries.emplace_back(id, hash);
    index.Add(id, hash);
  }
  for (int round = 0; round < 2; ++round) {
    for (int q = 0; q < 200; ++q) {
      const uint64_t query = WithDistinctFlips(bases[rng() % bases.size()], static_cast<int>(rng() % 6), rng);
      for (int d : {0, 1, 3, 6, 10, 12, 20}) {
        ASSERT_EQ(index.FindWithin(query, d), BruteForce(entries, query, d)) << "d=" << d << " round=" << round;
      }
    }
    // Remove most entries so that the index shrinks and rebuilds with fewer buckets.
    std::shuffle(entries.begin(), entries.end(), rng);
    while (entries.size() > 900) {
      ASSERT_TRUE(index.Remove(entries.back().first));
      entries.pop_back();
    }
    EXPECT_EQ(index.size(), entries.size());
  }
}

TEST(NearDuplicateIndexTest, BucketsGrowWithSizeAndShrinkAfterRemovals) {
  NearDuplicateIndex index;
  std::mt19937_64 rng(5);
  const size_t empty_buckets = index.buckets_per_table();
  for (int64_t id = 0; id < 100000; ++id) index.Add(id, rng());
  EXPECT_EQ(index.buckets_per_table(), 65536u);
  const uint64_t query = rng();
  index.Add(-1, query ^ 0x3FF);  // 10 bits, all in the lowest substring
  auto found = index.FindWithin(query, 10);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front(), (Neighbor{-1, 10}));
  for (int64_t id = 0; id < 99000; ++id) index.Remove(id);
  EXPECT_LT(index.buckets_per_table(), 65536u);
  EXPECT_GE(index.buckets_per_table(), empty_buckets);
  EXPECT_EQ(index.FindWithin(query, 10).front(), (Neighbor{-1, 10}));
}

}  // namespace
}  // namespace triage::fingerprint
