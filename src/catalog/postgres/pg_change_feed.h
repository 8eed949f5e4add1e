// The change feed of a PostgreSQL catalog: LISTEN on the channel the items trigger (migration 7) notifies.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/status.h"
#include "catalog/change_feed.h"

namespace triage::catalog::postgres {

// The channel every commit that adds, moves, recategorises or deletes items notifies (migration 7's trigger).
inline constexpr const char* kChangesChannel = "triage_changes";
// The application_name of the feed's connection (pg_stat_activity shows it).
inline constexpr const char* kChangesApplicationName = "triage changes";

// Thread-safe. Holds one connection of its own, LISTENing, and a thread that waits on its socket (poll) and moves the
// version on each notification. When the connection drops, the thread reconnects (after `retry_interval`, again
// until it succeeds) and moves the version once more, since changes may have been missed meanwhile. An idle
// connection is checked every `idle_check` so that a silently dead one is noticed.
class PgChangeFeed final : public ChangeFeed {
 public:
  struct Options {
    std::chrono::milliseconds retry_interval{1000};
    std::chrono::milliseconds idle_check{30'000};
  };
  // Connects to `url` and starts listening. kUnavailable with the server's message when it cannot.
  static base::Result<std::unique_ptr<PgChangeFeed>> Open(const std::string& url, Options options);
  static base::Result<std::unique_ptr<PgChangeFeed>> Open(const std::string& url) { return Open(url, Options{}); }
  ~PgChangeFeed() override;

  int64_t Version() const override;
  using ChangeFeed::WaitForChange;
  int64_t WaitForChange(int64_t since, std::chrono::milliseconds timeout, std::stop_token stop) override;
  void Close() override;

 private:
  struct Listener;
  explicit PgChangeFeed(std::unique_ptr<Listener> listener);
  std::unique_ptr<Listener> listener_;
};

}  // namespace triage::catalog::postgres
