// The change feed of a SQLite catalog: changes to the items committed by any connection to the file, in this process
// or another.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "base/status.h"
#include "catalog/change_feed.h"

struct sqlite3;

namespace triage::catalog::sqlite {

// Thread-safe. Holds a connection of its own to the catalog file and a thread that reads `PRAGMA data_version` on it
// every `poll_interval`: that number changes when any other connection (the catalog's own connection included) has
// committed to the file, and reading it touches no page of the database, only the WAL's shared index. When it moved,
// the count of item changes (migration 14's triggers: items added, moved, recategorised, deleted) is read, and the
// version moves when that did, so that sessions, votes and the like do not count as changes.
class SqliteChangeFeed final : public ChangeFeed {
 public:
  // Opens the existing catalog file at `db_path` (SqliteCatalog::Open made it). kIo when it cannot be opened.
  static base::Result<std::unique_ptr<SqliteChangeFeed>> Open(
      const std::filesystem::path& db_path, std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250));
  ~SqliteChangeFeed() override;

  int64_t Version() const override;
  using ChangeFeed::WaitForChange;
  int64_t WaitForChange(int64_t since, std::chrono::milliseconds timeout, std::stop_token stop) override;
  void Close() override;

 private:
  struct Watcher;
  explicit SqliteChangeFeed(std::unique_ptr<Watcher> watcher);
  std::unique_ptr<Watcher> watcher_;
};

}  // namespace triage::catalog::sqlite
