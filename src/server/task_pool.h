// The server's threads: one per connection being served, as many as needed up to a cap, so that a few clients that
// send slowly (or not at all) hold only their own threads and everyone else is still answered.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace triage::server {

// An httplib task queue that keeps `core` threads and starts another whenever a connection arrives while every
// thread is busy, up to `max` (then connections wait their turn). A thread above `core` ends after `idle_ms`
// without work. Thread-safe.
class ElasticTaskQueue : public httplib::TaskQueue {
 public:
  ElasticTaskQueue(size_t core, size_t max, int idle_ms = 30'000);
  ~ElasticTaskQueue() override;

  void enqueue(std::function<void()> fn) override;
  // Lets the queued connections finish, then joins every thread.
  void shutdown() override;

  size_t threads() const;  // running now

 private:
  void Work(bool core);
  void ReapLocked();  // joins the threads that ended (REQUIRES: mu_ held)

  const size_t core_, max_;
  const int idle_ms_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;
  std::list<std::thread::id> ended_;
  size_t idle_ = 0;
  size_t running_ = 0;
  bool stopping_ = false;
};

}  // namespace triage::server
