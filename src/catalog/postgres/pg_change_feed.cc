// PgChangeFeed: one LISTEN connection, read on a thread that polls its socket and a wake-up pipe.
#include "catalog/postgres/pg_change_feed.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "catalog/postgres/connection.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kListenSql = "LISTEN triage_changes";  // kChangesChannel
constexpr const char* kHealthCheckSql = "SELECT 1";

// Connects and LISTENs; nullptr (and `error` set) when either fails.
PGconn* ConnectAndListen(const std::string& url, std::string& error) {
  const char* keys[] = {"dbname", "application_name", nullptr};
  const char* values[] = {url.c_str(), kChangesApplicationName, nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* r = PQexec(conn, kListenSql);
    const bool listening = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (listening) return conn;
  }
  error = conn ? PQerrorMessage(conn) : "out of memory";
  while (!error.empty() && error.back() == '\n') error.pop_back();
  PQfinish(conn);
  return nullptr;
}

// Runs a trivial query; false when the connection is gone.
bool StillConnected(PGconn* conn) {
  PGresult* r = PQexec(conn, kHealthCheckSql);
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  PQclear(r);
  return ok && PQstatus(conn) == CONNECTION_OK;
}

}  // namespace

struct PgChangeFeed::Listener {
  std::string url;
  Options options;
  PGconn* conn = nullptr;
  int wake[2] = {-1, -1};  // a pipe: a byte written to wake[1] ends the thread's poll()
  std::atomic<bool> stop{false};
  ChangeVersion version;
  std::thread thread;

  // Waits until the socket is readable, the pipe is written or `timeout` passes. -1 stop, 0 timeout, 1 readable.
  int WaitReadable(std::chrono::milliseconds timeout) {
    pollfd fds[2] = {{conn ? PQsocket(conn) : -1, POLLIN, 0}, {wake[0], POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(timeout.count()));
    if (stop.load()) return -1;
    if (n <= 0) return 0;
    return (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 ? 1 : 0;
  }

  // Reads what arrived; false when the connection broke.
  bool Drain() {
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) return false;
    bool notified = false;
    while (PGnotify* n = PQnotifies(conn)) {
      notified = true;
      PQfreemem(n);
    }
    if (notified) version.Bump();
    return true;
  }

  // Drops the connection and connects again until it works or the feed stops; the version moves once it does.
  void Reconnect() {
    PQfinish(conn);
    conn = nullptr;
    while (!stop.load()) {
      if (WaitReadable(options.retry_interval) < 0) return;
      std::string error;
      conn = ConnectAndListen(url, error);
      if (conn != nullptr) {
        version.Bump();
        return;
      }
    }
  }

  void Run() {
    while (!stop.load()) {
      int ready = WaitReadable(options.idle_check);
      if (ready < 0) break;
      const bool alive = ready > 0 ? Drain() : StillConnected(conn) && Drain();
      if (!alive) Reconnect();
    }
  }

  ~Listener() {
    stop.store(true);
    if (wake[1] >= 0) (void)::write(wake[1], "x", 1);
    if (thread.joinable()) thread.join();
    version.Close();
    PQfinish(conn);
    for (int fd : wake) {
      if (fd >= 0) ::close(fd);
    }
  }
};

base::Result<std::unique_ptr<PgChangeFeed>> PgChangeFeed::Open(const std::string& url, Options options) {
  auto listener = std::make_unique<Listener>();
  listener->url = url;
  listener->options = options;
  std::string error;
  listener->conn = ConnectAndListen(url, error);
  if (listener->conn == nullptr) {
    return base::Status::Unavailable(fmt::format("cannot listen for changes on {}: {}", RedactUrl(url), error));
  }
  if (::pipe2(listener->wake, O_CLOEXEC | O_NONBLOCK) != 0) return base::Status::Io("cannot make a wake-up pipe");
  Listener* l = listener.get();
  l->thread = std::thread([l] { l->Run(); });
  return std::unique_ptr<PgChangeFeed>(new PgChangeFeed(std::move(listener)));
}

PgChangeFeed::PgChangeFeed(std::unique_ptr<Listener> listener) : listener_(std::move(listener)) {}
PgChangeFeed::~PgChangeFeed() = default;

int64_t PgChangeFeed::Version() const { return listener_->version.Get(); }

int64_t PgChangeFeed::WaitForChange(int64_t since, std::chrono::milliseconds timeout, std::stop_token stop) {
  return listener_->version.WaitForChange(since, timeout, std::move(stop));
}

void PgChangeFeed::Close() { listener_->version.Close(); }

}  // namespace triage::catalog::postgres
