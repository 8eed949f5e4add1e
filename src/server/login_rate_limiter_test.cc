// Specification of the login rate limiter: slots taken before the check, lock-outs that double.
#include "server/login_rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace triage::server {
namespace {

TEST(LoginRateLimiterTest, LocksOutAfterMaxFailuresForTheWindow) {
  LoginRateLimiter limiter({3, 60, 100});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(limiter.TryBegin("a", 1000 + i), 0);
    limiter.Fail("a", 1000 + i);
  }
  EXPECT_EQ(limiter.TryBegin("a", 1010), 52);  // locked at 1002 for 60 s
  EXPECT_EQ(limiter.TryBegin("a", 1061), 1);
  EXPECT_EQ(limiter.TryBegin("a", 1062), 0);
}

TEST(LoginRateLimiterTest, FailuresOutsideTheWindowAreForgotten) {
  LoginRateLimiter limiter({2, 60, 100});
  ASSERT_EQ(limiter.TryBegin("a", 1000), 0);
  limiter.Fail("a", 1000);
  ASSERT_EQ(limiter.TryBegin("a", 1070), 0);
  limiter.Fail("a", 1070);  // the first failure has left the window: one failure counted, no lock-out
  EXPECT_EQ(limiter.TryBegin("a", 1071), 0);
}

TEST(LoginRateLimiterTest, EachFurtherLockOutDoublesUpToTheCap) {
  LoginRateLimiter limiter({1, 60, 100, 200});
  int64_t now = 1000;
  for (int64_t expected : {60, 120, 200, 200}) {
    ASSERT_EQ(limiter.TryBegin("a", now), 0);
    limiter.Fail("a", now);
    EXPECT_EQ(limiter.TryBegin("a", now), expected);
    now += expected;
  }
}

TEST(LoginRateLimiterTest, ConcurrentAttemptsCannotExceedTheLimit) {
  // The attempts hold their slots while "checking the password", as the login route does.
  LoginRateLimiter limiter({5, 60, 100});
  std::atomic<int> went_ahead{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&] {
      if (limiter.TryBegin("addr\nalice", 1000) != 0) return;
      ++went_ahead;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      limiter.Fail("addr\nalice", 1000);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(went_ahead, 5);
  EXPECT_GT(limiter.TryBegin("addr\nalice", 1001), 1);  // locked out now
}

TEST(LoginRateLimiterTest, AbandonedAttemptsReleaseTheirSlotWithoutCounting) {
  LoginRateLimiter limiter({1, 60, 100});
  ASSERT_EQ(limiter.TryBegin("a", 1000), 0);
  EXPECT_EQ(limiter.TryBegin("a", 1000), 1);  // the slot is taken while the first attempt runs
  limiter.Abandon("a");
  EXPECT_EQ(limiter.TryBegin("a", 1000), 0);
}

TEST(LoginRateLimiterTest, KeysAreIndependent) {
  LoginRateLimiter limiter({1, 60, 100});
  ASSERT_EQ(limiter.TryBegin("10.0.0.9\nalice", 1000), 0);
  limiter.Fail("10.0.0.9\nalice", 1000);
  EXPECT_GT(limiter.TryBegin("10.0.0.9\nalice", 1001), 0);
  EXPECT_EQ(limiter.TryBegin("192.168.1.2\nalice", 1001), 0);
}

TEST(LoginRateLimiterTest, SuccessClearsFailuresAndLockOuts) {
  LoginRateLimiter limiter({2, 60, 100});
  ASSERT_EQ(limiter.TryBegin("a", 1000), 0);
  limiter.Fail("a", 1000);
  ASSERT_EQ(limiter.TryBegin("a", 1001), 0);
  limiter.Succeed("a");
  ASSERT_EQ(limiter.TryBegin("a", 1002), 0);
  limiter.Fail("a", 1002);
  EXPECT_EQ(limiter.TryBegin("a", 1002), 0);  // one failure counted since the success
}

TEST(LoginRateLimiterTest, ForgetsStalestIdleKeyBeyondCapacity) {
  LoginRateLimiter limiter({2, 60, 2});
  for (const char* key : {"old", "mid", "new"}) {
    ASSERT_EQ(limiter.TryBegin(key, key[0] == 'o' ? 1000 : key[0] == 'm' ? 1001 : 1002), 0);
    limiter.Fail(key, key[0] == 'o' ? 1000 : key[0] == 'm' ? 1001 : 1002);
  }
  // "old" was forgotten: two more attempts before a lock-out; "mid" has one left.
  ASSERT_EQ(limiter.TryBegin("old", 1003), 0);
  limiter.Fail("old", 1003);
  EXPECT_EQ(limiter.TryBegin("old", 1003), 0);
}

}  // namespace
}  // namespace triage::server
