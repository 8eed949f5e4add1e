// A change feed: a version number that moves whenever the catalog's data changes, through this process or any other
// writing the same database (a worker, `triage ingest`), so that a server can tell open browsers to refresh.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>

namespace triage::catalog {

// Thread-safe. Opened by a backend's factory (SqliteChangeFeed::Open, PgChangeFeed::Open), which starts one thread
// watching the database; the destructor stops and joins it.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // The current version. It only increases while the feed is open; a new feed (a restarted server) starts from a
  // number unrelated to an old one's, so clients compare versions for equality, not order.
  virtual int64_t Version() const = 0;
  // Blocks until the version differs from `since`, `timeout` has passed, `stop` was requested or Close() was called,
  // whichever comes first; returns the version then (equal to `since` when nothing changed).
  virtual int64_t WaitForChange(int64_t since, std::chrono::milliseconds timeout, std::stop_token stop) = 0;
  int64_t WaitForChange(int64_t since, std::chrono::milliseconds timeout) { return WaitForChange(since, timeout, {}); }
  // Ends every wait now and makes later ones return at once (shutdown). The version keeps moving. Idempotent.
  virtual void Close() = 0;

 protected:
  ChangeFeed() = default;
};

// The version, its waiters and the closed flag that every feed shares; the backend's thread calls Bump() when it
// sees a change. Thread-safe.
class ChangeVersion {
 public:
  // Starts at the wall clock in milliseconds, so that a restarted server's versions differ from the last one's.
  ChangeVersion();

  int64_t Get() const;
  // Moves the version on and wakes every waiter.
  void Bump();
  int64_t WaitForChange(int64_t since, std::chrono::milliseconds timeout, std::stop_token stop);
  void Close();

 private:
  mutable std::mutex mu_;
  std::condition_variable_any changed_;
  int64_t version_;
  bool closed_ = false;
};

}  // namespace triage::catalog
