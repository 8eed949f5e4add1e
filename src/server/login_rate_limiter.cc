// Per-key failure counts with reserved slots and exponentially growing lock-outs.
#include "server/login_rate_limiter.h"

#include <algorithm>

namespace triage::server {

void LoginRateLimiter::Expire(KeyState& state, int64_t now) const {
  auto first_kept = std::find_if(state.failures.begin(), state.failures.end(),
                                 [&](int64_t t) { return t > now - options_.window_s; });
  state.failures.erase(state.failures.begin(), first_kept);
}

LoginRateLimiter::KeyState& LoginRateLimiter::StateFor(const std::string& key, int64_t now) {
  if (keys_.size() >= options_.max_keys && !keys_.count(key)) {
    // Forget the stalest key that is neither locked out nor in use.
    auto stalest = keys_.end();
    for (auto it = keys_.begin(); it != keys_.end(); ++it) {
      if (it->second.in_flight > 0 || it->second.locked_until > now) continue;
      if (stalest == keys_.end() || it->second.last_seen < stalest->second.last_seen) stalest = it;
    }
    if (stalest == keys_.end()) stalest = keys_.begin();  // all busy: memory stays bounded regardless
    keys_.erase(stalest);
  }
  KeyState& state = keys_[key];
  state.last_seen = std::max(state.last_seen, now);
  return state;
}

int64_t LoginRateLimiter::TryBegin(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  KeyState& state = StateFor(key, now);
  if (state.locked_until > now) return state.locked_until - now;
  Expire(state, now);
  if (static_cast<int>(state.failures.size()) + state.in_flight >= options_.max_failures) {
    // Only attempts still running can fill the budget here (a full count of failures locks the key out):
    // the caller may retry as soon as they end.
    return 1;
  }
  state.in_flight++;
  return 0;
}

void LoginRateLimiter::Fail(const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  KeyState& state = StateFor(key, now);
  state.in_flight = std::max(0, state.in_flight - 1);
  Expire(state, now);
  state.failures.push_back(now);
  if (static_cast<int>(state.failures.size()) < options_.max_failures) return;
  const int exponent = std::min(state.lockouts, 30);
  state.locked_until = now + std::min(options_.max_lockout_s, options_.window_s << exponent);
  state.lockouts++;
  state.failures.clear();
}

void LoginRateLimiter::Succeed(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end()) return;
  if (it->second.in_flight > 1) {  // other attempts still hold slots: keep the entry for them, forget the rest
    it->second = KeyState{{}, it->second.in_flight - 1, 0, 0, it->second.last_seen};
  } else {
    keys_.erase(it);
  }
}

void LoginRateLimiter::Abandon(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(key);
  if (it != keys_.end()) it->second.in_flight = std::max(0, it->second.in_flight - 1);
}

}  // namespace triage::server
