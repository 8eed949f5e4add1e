// A small pool of mutable worker objects (a dnn network, a detector) so that const, thread-safe entry points can
// each borrow their own instance instead of serialising on one. Private to vision/.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace triage::vision {

template <typename T>
class WorkerPool {
 public:
  // `make` builds a new worker when every existing one is borrowed; it may throw (callers convert).
  explicit WorkerPool(std::function<std::unique_ptr<T>()> make) : make_(std::move(make)) {}

  // Returns a worker to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(WorkerPool* pool, std::unique_ptr<T> worker) : pool_(pool), worker_(std::move(worker)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (worker_) pool_->Return(std::move(worker_));
    }
    // False when `make` could not build a worker (e.g. its file vanished since opening).
    explicit operator bool() const { return worker_ != nullptr; }
    T& operator*() { return *worker_; }
    T* operator->() { return worker_.get(); }

   private:
    WorkerPool* pool_;
    std::unique_ptr<T> worker_;
  };

  Lease Borrow() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<T> worker = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(worker));
      }
    }
    return Lease(this, make_());
  }

  // Adds a ready worker (used to keep the first one built while opening).
  void Return(std::unique_ptr<T> worker) {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(worker));
  }

 private:
  std::function<std::unique_ptr<T>()> make_;
  std::mutex mu_;
  std::vector<std::unique_ptr<T>> idle_;
};

}  // namespace triage::vision
