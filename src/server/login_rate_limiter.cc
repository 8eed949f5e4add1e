// Sliding-window count of failed logins per key.
#include "server/login_rate_limiter.h"

#include <algorithm>

namespace triage::server {

void LoginRateLimiter::Expire(std::deque<int64_t>& failures, int64_t now) const {
  while (!failures.empty() && failures.front() <= now - options_.window_s) failures.pop_front();
}

int64_t LoginRateLimiter::RetryAfter(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  Expire(it->second, now);
  if (static_cast<int>(it->second.size()) < options_.max_failures) return 0;
  return std::max<int64_t>(1, it->second.front() + options_.window_s - now);
}

void LoginRateLimiter::RecordFailure(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  if (failures_.size() >= options_.max_keys && !failures_.count(key)) {
    // Forget the key whose latest failure is oldest.
    auto stalest = std::min_element(failures_.begin(), failures_.end(), [](const auto& a, const auto& b) {
      return (a.second.empty() ? 0 : a.second.back()) < (b.second.empty() ? 0 : b.second.back());
    });
    failures_.erase(stalest);
  }
  auto& list = failures_[key];
  Expire(list, now);
  list.push_back(now);
}

void LoginRateLimiter::RecordSuccess(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

}  // namespace triage::server
