// SqliteChangeFeed: a thread polling PRAGMA data_version on a connection of its own.
#include "catalog/sqlite/sqlite_change_feed.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kDataVersionSql = "PRAGMA data_version";
constexpr const char* kItemChangesSql = "SELECT n FROM item_changes WHERE id = 1";  // migration 14

// The one number `stmt` reads, or -1 when it cannot be read (busy, gone): then the next poll tries again.
int64_t ReadNumber(sqlite3_stmt* stmt) {
  int64_t out = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) out = sqlite3_column_int64(stmt, 0);
  sqlite3_reset(stmt);
  return out;
}

}  // namespace

struct SqliteChangeFeed::Watcher {
  sqlite3* db = nullptr;
  sqlite3_stmt* data_version = nullptr;
  sqlite3_stmt* item_changes = nullptr;
  std::chrono::milliseconds poll_interval{250};
  ChangeVersion version;
  std::mutex mu;  // guards stop
  std::condition_variable stop_cv;
  bool stop = false;
  std::thread thread;

  // What the last poll read. The first reads are made by Open, before it returns: read by the thread instead, a
  // commit made right after Open could land before them and never move the version.
  int64_t seen_data = -1;
  int64_t seen_items = -1;

  // The data version moves with every commit to the file (cheap to read: no page is touched); only then is the items'
  // change count read, which moves only with the items the queue shows.
  void Run() {
    std::unique_lock lock(mu);
    while (!stop_cv.wait_for(lock, poll_interval, [&] { return stop; })) {
      lock.unlock();
      const int64_t data = ReadNumber(data_version);
      if (data >= 0 && data != seen_data) {
        const int64_t items = ReadNumber(item_changes);
        if (items >= 0) seen_data = data;
        if (items >= 0 && items != seen_items) {
          seen_items = items;
          version.Bump();
        }
      }
      lock.lock();
    }
  }

  ~Watcher() {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    stop_cv.notify_all();
    if (thread.joinable()) thread.join();
    version.Close();
    sqlite3_finalize(data_version);
    sqlite3_finalize(item_changes);
    sqlite3_close(db);
  }
};

base::Result<std::unique_ptr<SqliteChangeFeed>> SqliteChangeFeed::Open(const std::filesystem::path& db_path,
                                                                       std::chrono::milliseconds poll_interval) {
  auto watcher = std::make_unique<Watcher>();
  watcher->poll_interval = poll_interval;
  int rc = sqlite3_open_v2(db_path.c_str(), &watcher->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(watcher->db, kDataVersionSql, -1, &watcher->data_version, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(watcher->db, kItemChangesSql, -1, &watcher->item_changes, nullptr);
  if (rc != SQLITE_OK) {
    return base::Status::Io(fmt::format("cannot watch {} for changes: {}", db_path.string(),
                                        watcher->db ? sqlite3_errmsg(watcher->db) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(watcher->db, 1000);
  watcher->seen_data = ReadNumber(watcher->data_version);
  watcher->seen_items = ReadNumber(watcher->item_changes);
  Watcher* w = watcher.get();
  w->thread = std::thread([w] { w->Run(); });
  return std::unique_ptr<SqliteChangeFeed>(new SqliteChangeFeed(std::move(watcher)));
}

SqliteChangeFeed::SqliteChangeFeed(std::unique_ptr<Watcher> watcher) : watcher_(std::move(watcher)) {}
SqliteChangeFeed::~SqliteChangeFeed() = default;

int64_t SqliteChangeFeed::Version() const { return watcher_->version.Get(); }

int64_t SqliteChangeFeed::WaitForChange(int64_t since, std::chrono::milliseconds timeout, std::stop_token stop) {
  return watcher_->version.WaitForChange(since, timeout, std::move(stop));
}

void SqliteChangeFeed::Close() { watcher_->version.Close(); }

}  // namespace triage::catalog::sqlite
