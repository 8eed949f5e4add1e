// Pending review items per category, cached briefly: counting 100,000 queue rows on every page view would
// dominate the queue's latency. This server's own decisions and ingests invalidate the cache at once; changes
// made by other processes (the CLI, a watcher) show within the time-to-live.
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

  // The counts, from the cache when younger than the time-to-live.
  base::Result<ReviewCounts> Get(catalog::Catalog& catalog);
  // Forgets the cached counts (after a decision or an ingest).
  void Invalidate();

 private:
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  bool valid_ = false;
  std::chrono::steady_clock::time_point fetched_at_;
  ReviewCounts counts_;
};

}  // namespace triage::server
