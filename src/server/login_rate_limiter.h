// Slows down password guessing: after too many failed logins from one client (or for one user name) within
// a window, further attempts are refused until the window has passed.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace triage::server {

struct RateLimitOptions {
  int max_failures = 5;        // failed attempts allowed per key within the window; 1 .. 1000
  int64_t window_s = 60;       // seconds; 1 .. 86400
  size_t max_keys = 10'000;    // keys remembered; the stalest are forgotten beyond this
};

// Thread-safe. Time is passed in (unix seconds), so the limiter is testable without sleeping.
class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(RateLimitOptions options = {}) : options_(options) {}

  // 0 when an attempt for `key` may go ahead at `now`; otherwise seconds to wait.
  int64_t RetryAfter(const std::string& key, int64_t now);
  void RecordFailure(const std::string& key, int64_t now);
  // A successful login clears the key's failures.
  void RecordSuccess(const std::string& key);

 private:
  void Expire(std::deque<int64_t>& failures, int64_t now) const;
  RateLimitOptions options_;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace triage::server
