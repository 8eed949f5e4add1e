// Specification of the login rate limiter.
#include "server/login_rate_limiter.h"

#include <gtest/gtest.h>

namespace triage::server {
namespace {

TEST(LoginRateLimiterTest, AllowsUpToMaxFailuresThenRefusesUntilWindowPasses) {
  LoginRateLimiter limiter({3, 60, 100});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.RetryAfter("a", 1000 + i), 0);
    limiter.RecordFailure("a", 1000 + i);
  }
  EXPECT_EQ(limiter.RetryAfter("a", 1010), 50);
  EXPECT_EQ(limiter.RetryAfter("a", 1059), 1);
  EXPECT_EQ(limiter.RetryAfter("a", 1060), 0);  // the first failure has left the window
}

TEST(LoginRateLimiterTest, KeysAreIndependent) {
  LoginRateLimiter limiter({1, 60, 100});
  limiter.RecordFailure("a", 1000);
  EXPECT_GT(limiter.RetryAfter("a", 1001), 0);
  EXPECT_EQ(limiter.RetryAfter("b", 1001), 0);
}

TEST(LoginRateLimiterTest, SuccessClearsFailures) {
  LoginRateLimiter limiter({2, 60, 100});
  limiter.RecordFailure("a", 1000);
  limiter.RecordFailure("a", 1001);
  EXPECT_GT(limiter.RetryAfter("a", 1002), 0);
  limiter.RecordSuccess("a");
  EXPECT_EQ(limiter.RetryAfter("a", 1002), 0);
}

TEST(LoginRateLimiterTest, ForgetsStalestKeyBeyondCapacity) {
  LoginRateLimiter limiter({1, 60, 2});
  limiter.RecordFailure("old", 1000);
  limiter.RecordFailure("mid", 1001);
  limiter.RecordFailure("new", 1002);
  EXPECT_EQ(limiter.RetryAfter("old", 1003), 0);
  EXPECT_GT(limiter.RetryAfter("mid", 1003), 0);
  EXPECT_GT(limiter.RetryAfter("new", 1003), 0);
}

}  // namespace
}  // namespace triage::server
