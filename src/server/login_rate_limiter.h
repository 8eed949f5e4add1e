// Slows down password guessing: an attempt takes a slot before the (slow) password check, so concurrent guesses
// cannot outrun the count; too many failures for a key lock it out, for longer each time (exponential back-off).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace triage::server {

struct RateLimitOptions {
  int max_failures = 5;            // failed (or still running) attempts per key before a lock-out; 1 .. 1000
  int64_t window_s = 60;           // failures older than this are forgotten; the first lock-out lasts this long
  size_t max_keys = 10'000;        // keys remembered; the stalest are forgotten beyond this
  int64_t max_lockout_s = 86'400;  // the back-off doubles per lock-out up to this
};

// Thread-safe. Time is passed in (unix seconds), so the limiter is testable without sleeping.
// The server keys it by (client address, user name), so that a guessed-at name still accepts the right password
// from an address that has not failed; a second instance bounds one address's attempts across names.
class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(RateLimitOptions options = {}) : options_(options) {}

  // Atomically: 0 and a slot reserved for one attempt on `key`, or the seconds to wait (nothing reserved) while
  // the key is locked out or its failures plus attempts in flight reached max_failures.
  // Every 0 must be followed by exactly one Fail, Succeed or Abandon for the key.
  int64_t TryBegin(const std::string& key, int64_t now);
  // The reserved attempt failed. The max_failures-th failure within the window locks the key out for
  // window_s * 2^(earlier lock-outs), at most max_lockout_s.
  void Fail(const std::string& key, int64_t now);
  // The reserved attempt succeeded: the key's failures and lock-outs are forgotten.
  void Succeed(const std::string& key);
  // The reserved attempt ended without a verdict (e.g. a server error): its slot is released, nothing counted.
  void Abandon(const std::string& key);

 private:
  struct KeyState {
    std::vector<int64_t> failures;  // times of failures within the window, oldest first
    int in_flight = 0;
    int lockouts = 0;  // lock-outs so far (the back-off's exponent)
    int64_t locked_until = 0;
    int64_t last_seen = 0;
  };
  KeyState& StateFor(const std::string& key, int64_t now);
  void Expire(KeyState& state, int64_t now) const;
  RateLimitOptions options_;
  std::mutex mu_;
  std::map<std::string, KeyState> keys_;
};

}  // namespace triage::server
