#include "server/task_pool.h"

#include <algorithm>
#include <chrono>

namespace triage::server {

ElasticTaskQueue::ElasticTaskQueue(size_t core, size_t max, int idle_ms)
    : core_(std::max<size_t>(core, 1)), max_(std::max(max, std::max<size_t>(core, 1))), idle_ms_(idle_ms) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < core_; ++i) {
    ++running_;
    threads_.emplace_back([this] { Work(/*core=*/true); });
  }
}

ElasticTaskQueue::~ElasticTaskQueue() { shutdown(); }

void ElasticTaskQueue::enqueue(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  ReapLocked();
  jobs_.push_back(std::move(fn));
  // Every thread busy (serving a connection, which may be a slow one): one more, so this one is not held up.
  if (idle_ < jobs_.size() && running_ < max_) {
    ++running_;
    threads_.emplace_back([this] { Work(/*core=*/false); });
  }
  ready_.notify_one();
}

void ElasticTaskQueue::shutdown() {
  std::list<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
    ended_.clear();
  }
  ready_.notify_all();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

size_t ElasticTaskQueue::threads() const {
  std::lock_guard lock(mu_);
  return running_;
}

void ElasticTaskQueue::ReapLocked() {
  for (const auto id : ended_) {
    auto it = std::find_if(threads_.begin(), threads_.end(), [&](const std::thread& t) { return t.get_id() == id; });
    if (it != threads_.end()) {
      it->join();  // it has returned from Work() or is about to: the join is short
      threads_.erase(it);
    }
  }
  ended_.clear();
}

void ElasticTaskQueue::Work(bool core) {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    const bool woke =
        core ? (ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); }), true)
             : ready_.wait_for(lock, std::chrono::milliseconds(idle_ms_), [&] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty()) {  // stopping, or an extra thread idle for long enough
      if (stopping_ || !woke) {
        --running_;
        if (!stopping_) ended_.push_back(std::this_thread::get_id());
        return;
      }
      continue;
    }
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

}  // namespace triage::server
