// Specification of the server's thread pool: a connection never waits behind busy threads while fewer than the cap
// run, threads beyond the core end when idle, and shutdown finishes what was queued.
#include "server/task_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace triage::server {
namespace {

// A gate jobs wait at until it opens.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  // Whether `n` jobs are waiting within `seconds`.
  bool AwaitWaiting(int n, int seconds) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(seconds), [&] { return waiting_ >= n; });
  }
  int waiting() {
    std::lock_guard lock(mu_);
    return waiting_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST(ElasticTaskQueueTest, BusyThreadsDoNotHoldUpTheNextJobUntilTheCap) {
  ElasticTaskQueue pool(2, 4, /*idle_ms=*/50);
  EXPECT_EQ(pool.threads(), 2u);
  Gate gate;
  for (int i = 0; i < 4; ++i) pool.enqueue([&] { gate.Wait(); });
  // Four slow jobs, four threads: each got one at once.
  ASSERT_TRUE(gate.AwaitWaiting(4, 30)) << gate.waiting() << " of 4 jobs started";
  EXPECT_EQ(pool.threads(), 4u);
  // At the cap, the fifth waits its turn.
  std::atomic<bool> fifth{false};
  pool.enqueue([&] { fifth = true; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(fifth);
  EXPECT_EQ(pool.threads(), 4u);
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return fifth.load(); }));
  // The two threads beyond the core end once idle; the core stays.
  EXPECT_TRUE(Eventually([&] { return pool.threads() == 2u; })) << pool.threads();
  // And new ones start again when needed.
  Gate again;
  for (int i = 0; i < 3; ++i) pool.enqueue([&] { again.Wait(); });
  ASSERT_TRUE(again.AwaitWaiting(3, 30));
  EXPECT_EQ(pool.threads(), 3u);
  again.Open();
}

TEST(ElasticTaskQueueTest, ShutdownRunsWhatWasQueuedAndRefusesMore) {
  std::atomic<int> ran{0};
  ElasticTaskQueue pool(1, 1);
  Gate gate;
  pool.enqueue([&] {
    gate.Wait();
    ++ran;
  });
  for (int i = 0; i < 5; ++i) pool.enqueue([&] { ++ran; });
  ASSERT_TRUE(gate.AwaitWaiting(1, 30));
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate.Open();
  });
  pool.shutdown();
  opener.join();
  EXPECT_EQ(ran, 6);
  pool.enqueue([&] { ++ran; });
  EXPECT_EQ(ran, 6);
  EXPECT_EQ(pool.threads(), 0u);
}

}  // namespace
}  // namespace triage::server
