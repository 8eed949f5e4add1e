// Review counts per category with a short time-to-live.
#include "server/review_counts.h"

#include "model/decision.h"

namespace triage::server {

base::Result<ReviewCounts> ReviewCountsCache::Get(catalog::Catalog& catalog, int64_t version) {
  // Held while counting, so that concurrent requests wait for one count instead of all counting at once.
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (valid_ && now - fetched_at_ < ttl_ && (version == kNoVersion || version == version_)) return counts_;
  ReviewCounts fresh;
  for (const auto& c : model::ReviewCategories()) {
    catalog::ItemFilter f;
    f.location = "review";
    f.category = c;
    auto n = catalog.CountItems(f);
    if (!n.ok()) return n.status();
    fresh.by_category[c] = *n;
    fresh.total += *n;
  }
  counts_ = fresh;
  fetched_at_ = now;
  version_ = version;
  valid_ = true;
  return fresh;
}

void ReviewCountsCache::Invalidate() {
  std::lock_guard lock(mu_);
  valid_ = false;
}

bool PageAgreesWithTotal(size_t shown, int64_t offset, int64_t limit, int64_t total) {
  const int64_t seen = offset + static_cast<int64_t>(shown);
  if (static_cast<int64_t>(shown) >= limit) return total >= seen;
  if (shown == 0 && offset > 0) return total <= offset;
  return total == seen;
}

}  // namespace triage::server
