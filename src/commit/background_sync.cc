#include "commit/background_sync.h"

#include <system_error>

#include "base/files.h"

namespace triage::commit {

BackgroundSync::~BackgroundSync() {
  {
    std::lock_guard<std::mutex> hold(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void BackgroundSync::Start(const fs::path& file) {
  {
    std::lock_guard<std::mutex> hold(mu_);
    if (threads_.empty() && !stopping_) {
      try {
        for (int i = 0; i < threads_wanted_; ++i) threads_.emplace_back([this] { Work(); });
      } catch (const std::system_error&) {
        // Out of threads: those started serve; with none, each copy is synced when it is placed.
      }
    }
    if (threads_.empty()) return;
    auto [it, added] = entries_.try_emplace(file);
    if (!added) {
      it->second.forgotten = false;
      if (it->second.state == State::kRunning) {
        it->second.again = true;  // its bytes may have changed since that sync began
        return;
      }
      if (it->second.state == State::kQueued) return;  // its sync has not begun: it will see the bytes as they are
      it->second = Entry{};
    }
    queue_.push_back(file);
  }
  queued_.notify_one();
}

base::Status BackgroundSync::Finish(const fs::path& file) {
  std::unique_lock<std::mutex> hold(mu_);
  auto it = entries_.find(file);
  if (it == entries_.end()) {
    hold.unlock();
    return base::SyncFile(file);
  }
  if (it->second.state == State::kQueued) {  // not begun: synced here (the queue's copy of its name is passed over)
    entries_.erase(it);
    hold.unlock();
    return base::SyncFile(file);
  }
  done_.wait(hold, [&] {
    auto e = entries_.find(file);
    return e == entries_.end() || e->second.state == State::kDone;
  });
  it = entries_.find(file);
  if (it == entries_.end()) {  // forgotten meanwhile: no result kept, so it is synced here
    hold.unlock();
    return base::SyncFile(file);
  }
  base::Status status = std::move(it->second.status);
  entries_.erase(it);
  return status;
}

void BackgroundSync::Forget(const fs::path& file) {
  std::lock_guard<std::mutex> hold(mu_);
  auto it = entries_.find(file);
  if (it == entries_.end()) return;
  if (it->second.state == State::kRunning) {
    it->second.forgotten = true;
  } else {
    entries_.erase(it);
  }
}

size_t BackgroundSync::pending() const {
  std::lock_guard<std::mutex> hold(mu_);
  return entries_.size();
}

void BackgroundSync::Work() {
  std::unique_lock<std::mutex> hold(mu_);
  for (;;) {
    queued_.wait(hold, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const fs::path file = std::move(queue_.front());
    queue_.pop_front();
    auto it = entries_.find(file);
    if (it == entries_.end() || it->second.state != State::kQueued) continue;  // finished or forgotten meanwhile
    it->second.state = State::kRunning;
    hold.unlock();
    base::Status status = base::SyncFile(file);
    hold.lock();
    it = entries_.find(file);  // still there: Finish waits for a running entry, Forget marks it
    if (it == entries_.end()) continue;
    if (it->second.forgotten) {
      entries_.erase(it);
    } else if (it->second.again) {
      it->second = Entry{};
      queue_.push_back(file);
      queued_.notify_one();
    } else {
      it->second.state = State::kDone;
      it->second.status = std::move(status);
    }
    done_.notify_all();
  }
}

}  // namespace triage::commit
