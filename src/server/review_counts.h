// Pending review items per category, cached briefly: counting 100,000 queue rows on every page view would
// dominate the queue's latency. This server's own decisions and ingests invalidate the cache at once; changes
// made by other processes (the CLI, a worker) show as soon as the catalog's change feed moves (when the caller
// passes its version), else within the time-to-live.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "base/status.h"
#include "catalog/catalog.h"

namespace triage::server {

struct ReviewCounts {
  std::map<std::string, int64_t> by_category;  // every category, zeros included
  int64_t total = 0;
};

// Thread-safe.
class ReviewCountsCache {
 public:
  explicit ReviewCountsCache(std::chrono::milliseconds ttl = std::chrono::milliseconds(2000)) : ttl_(ttl) {}

  // The counts, from the cache when younger than the time-to-live and counted at `version` of the catalog's change
  // feed (catalog::ChangeFeed::Version, read before calling; kNoVersion: the time-to-live alone decides).
  static constexpr int64_t kNoVersion = -1;
  base::Result<ReviewCounts> Get(catalog::Catalog& catalog, int64_t version = kNoVersion);
  // Forgets the cached counts (after a decision or an ingest).
  void Invalidate();

 private:
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  bool valid_ = false;
  std::chrono::steady_clock::time_point fetched_at_;
  int64_t version_ = kNoVersion;  // the change feed's version the counts were made at
  ReviewCounts counts_;
};

// Whether a page of `shown` items read at `offset` (a page holds at most `limit`) can belong to a queue of `total`: a
// full page needs at least that many, the last page exactly that many, a page past the end none beyond `offset`.
// Counts that disagree were made before a change the page already shows (another process's ingest, say).
bool PageAgreesWithTotal(size_t shown, int64_t offset, int64_t limit, int64_t total);

}  // namespace triage::server
