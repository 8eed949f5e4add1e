// Times NearDuplicateIndex::FindWithin beside a linear popcount scan over the same hashes, in one run.
// Usage: index_bench [hashes=1000000] [lookups=10000]. Prints mean and p99 microseconds per lookup.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "fingerprint/near_duplicate_index.h"

namespace {

using triage::fingerprint::NearDuplicateIndex;
using triage::fingerprint::Neighbor;
using Clock = std::chrono::steady_clock;

struct Timing {
  double mean_us = 0;
  double p99_us = 0;
  size_t hits = 0;
};

uint64_t FlipDistinctBits(uint64_t hash, int bits, std::mt19937_64& rng) {
  uint64_t mask = 0;
  while (std::popcount(mask) < bits) mask |= uint64_t{1} << (rng() % 64);
  return hash ^ mask;
}

template <typename Lookup>
Timing Time(const std::vector<uint64_t>& queries, Lookup lookup) {
  std::vector<double> us;
  us.reserve(queries.size());
  Timing timing;
  for (uint64_t q : queries) {
    const auto start = Clock::now();
    timing.hits += lookup(q).size();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  for (double u : us) timing.mean_us += u / static_cast<double>(us.size());
  std::sort(us.begin(), us.end());
  timing.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  return timing;
}

std::vector<Neighbor> LinearScan(const std::vector<uint64_t>& hashes, uint64_t query, int max_distance) {
  std::vector<Neighbor> out;
  for (size_t i = 0; i < hashes.size(); ++i) {
    const int d = std::popcount(hashes[i] ^ query);
    if (d <= max_distance) out.push_back(Neighbor{static_cast<int64_t>(i), d});
  }
  std::sort(out.begin(), out.end(), [](const Neighbor& a, const Neighbor& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const size_t lookups = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10'000;
  std::mt19937_64 rng(42);
  // 90% random hashes, 10% planted within 1..12 bits of an earlier one (near duplicates to be found).
  std::vector<uint64_t> hashes;
  hashes.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const bool planted = i > 0 && rng() % 10 == 0;
    hashes.push_back(planted ? FlipDistinctBits(hashes[rng() % i], 1 + static_cast<int>(rng() % 12), rng) : rng());
  }
  const auto build_start = Clock::now();
  NearDuplicateIndex index;
  for (size_t i = 0; i < n; ++i) index.Add(static_cast<int64_t>(i), hashes[i]);
  const double build_s = std::chrono::duration<double>(Clock::now() - build_start).count();
  std::printf("index: %zu hashes, %zu buckets per table, built in %.2f s\n", index.size(), index.buckets_per_table(),
              build_s);

  // Half the queries are near a stored hash (they have hits), half are fresh random hashes.
  std::vector<uint64_t> queries;
  for (size_t i = 0; i < lookups; ++i) {
    queries.push_back(i % 2 == 0 ? FlipDistinctBits(hashes[rng() % n], static_cast<int>(rng() % 5), rng) : rng());
  }
  std::printf("%-9s %-8s %12s %12s %12s %12s %10s %s\n", "distance", "lookups", "index mean", "index p99", "scan mean",
              "scan p99", "speed-up", "hits(index/scan)");
  for (int d : {6, 10}) {
    const Timing fast = Time(queries, [&](uint64_t q) { return index.FindWithin(q, d); });
    // The scan is ~1000x slower: time it on a tenth of the queries to keep the run short.
    std::vector<uint64_t> scan_queries(queries.begin(), queries.begin() + static_cast<long>(queries.size() / 10));
    const Timing slow = Time(scan_queries, [&](uint64_t q) { return LinearScan(hashes, q, d); });
    const Timing check = Time(scan_queries, [&](uint64_t q) { return index.FindWithin(q, d); });
    std::printf("%-9d %-8zu %10.1fus %10.1fus %10.1fus %10.1fus %9.0fx %zu/%zu%s\n", d, queries.size(), fast.mean_us,
                fast.p99_us, slow.mean_us, slow.p99_us, slow.mean_us / fast.mean_us, check.hits, slow.hits,
                check.hits == slow.hits ? "" : "  MISMATCH");
  }
  return 0;
}
