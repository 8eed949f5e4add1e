// Syncs of staged copies started ahead, on threads of their own: a copy is made durable while the ingest goes on
// analysing, instead of in the serial stage that places its group (where a slow disk's flush, ~4-10 ms on a NAS's
// spinning disks, stalled every input behind it). The group commit still waits for the sync of each copy it names
// (Finish) before its journal entry is written, so what survives a crash is unchanged.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace triage::commit {

namespace fs = std::filesystem;

// Thread-safe. The threads start with the first Start and are joined by the destructor (syncs not begun by then are
// dropped: nobody waits for them any more).
class BackgroundSync {
 public:
  explicit BackgroundSync(int threads = 4) : threads_wanted_(threads) {}
  ~BackgroundSync();
  BackgroundSync(const BackgroundSync&) = delete;
  BackgroundSync& operator=(const BackgroundSync&) = delete;

  // Queues an fsync of `file`. Started again while its sync runs (the file written anew), it is synced once more
  // after that one. Without threads (none could be started), nothing is queued: Finish syncs it then.
  void Start(const fs::path& file);
  // The result of the fsync of `file`, waited for; a file never started (or forgotten) is synced here and now. Its
  // record is dropped: each Start is finished once.
  base::Status Finish(const fs::path& file);
  // `file` is not needed any more (discarded): not synced if its sync has not begun, and its record is dropped.
  void Forget(const fs::path& file);

  size_t pending() const;  // records kept (queued, running or done and not yet finished), for tests

 private:
  enum class State { kQueued, kRunning, kDone };
  struct Entry {
    State state = State::kQueued;
    bool forgotten = false;  // forgotten while running: dropped when done
    bool again = false;      // started again while running: queued again when done
    base::Status status;
  };
  struct PathHash {
    size_t operator()(const fs::path& p) const { return fs::hash_value(p); }
  };
  void Work();

  const int threads_wanted_;
  mutable std::mutex mu_;
  std::condition_variable queued_;  // for the threads: a file queued, or stopping
  std::condition_variable done_;    // for Finish: a sync done
  std::deque<fs::path> queue_;
  std::unordered_map<fs::path, Entry, PathHash> entries_;
  std::vector<std::thread> threads_;
  bool stopping_ = false;
};

}  // namespace triage::commit
