// Starts and stops the tests' PostgreSQL cluster (see test_cluster.h).
#include "tests/postgres/test_cluster.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace triage::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuperuser = "triage";

// The account the server runs as: ourselves, or an unprivileged one when we are root.
struct Account {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

base::Result<Account> ServerAccount() {
  if (::geteuid() != 0) return Account{};
  const char* env = std::getenv("TRIAGE_PG_TEST_USER");
  std::string name = env && *env ? env : "nobody";
  const passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr) {
    return base::Status::Unavailable(fmt::format(
        "running as root, PostgreSQL needs an unprivileged user: no user \"{}\" (set TRIAGE_PG_TEST_USER)", name));
  }
  return Account{true, pw->pw_uid, pw->pw_gid};
}

// Runs argv (as `account`) with stdin from /dev/null and stdout/stderr appended to `log`, so that no server it
// starts holds on to our own output (ctest waits for that to close). Returns the exit status.
int Run(const std::vector<std::string>& argv, const Account& account, const fs::path& log) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (account.switch_user) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(account.gid) != 0 || ::setuid(account.uid) != 0) ::_exit(126);
    }
    ::setenv("LC_ALL", "C", 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Tail(const fs::path& log) {
  std::ifstream in(log);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  return text.size() > 600 ? text.substr(text.size() - 600) : text;
}

base::Status RunStep(const char* what, const std::vector<std::string>& argv, const Account& account,
                     const fs::path& log) {
  int rc = Run(argv, account, log);
  if (rc == 0) return base::Status::Ok();
  return base::Status::Unavailable(fmt::format("{} failed (exit {}); {}:\n{}", what, rc, log.string(), Tail(log)));
}

// Runs one statement on the cluster's maintenance database.
base::Status Exec(const fs::path& dir, const std::string& sql) {
  PGconn* conn = PQconnectdb(ClusterUrl(dir, "postgres").c_str());
  base::Status st;
  if (PQstatus(conn) != CONNECTION_OK) {
    st = base::Status::Unavailable(fmt::format("cannot reach the test cluster: {}", PQerrorMessage(conn)));
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) st = base::Status::Io(fmt::format("{}: {}", sql, PQerrorMessage(conn)));
    PQclear(r);
  }
  PQfinish(conn);
  return st;
}

// The cluster of this test run (see CreateTestDatabase).
struct SharedCluster {
  std::mutex mu;
  fs::path dir;
  std::unique_ptr<PostgresCluster> own;  // stopped by the static destructor at exit
};

SharedCluster& Shared() {
  static SharedCluster shared;
  return shared;
}

base::Result<fs::path> SharedClusterDir() {
  SharedCluster& s = Shared();
  std::lock_guard lock(s.mu);
  if (!s.dir.empty()) return s.dir;
  if (const char* file = std::getenv("TRIAGE_TEST_PG_CLUSTER_FILE"); file && *file) {
    std::ifstream in(file);
    std::string dir;
    if (std::getline(in, dir) && !dir.empty()) {
      s.dir = dir;
      return s.dir;
    }
  }
  auto started = PostgresCluster::Start();
  if (!started.ok()) return started.status();
  s.own = std::move(*started);
  s.dir = s.own->dir();
  return s.dir;
}

}  // namespace

fs::path PostgresCluster::BinDir() {
  const char* env = std::getenv("TRIAGE_PG_BIN");
  return env && *env ? fs::path(env) : fs::path("/usr/lib/postgresql/15/bin");
}

std::string ClusterUrl(const fs::path& dir, const std::string& dbname) {
  return fmt::format("postgresql://{}@/{}?host={}", kSuperuser, dbname, dir.string());
}

base::Result<std::unique_ptr<PostgresCluster>> PostgresCluster::Start() {
  auto account = ServerAccount();
  if (!account.ok()) return account.status();
  std::string pattern = (fs::temp_directory_path() / "triage-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return base::Status::Io("cannot create a temporary directory");
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster(pattern));
  const fs::path& dir = cluster->dir_;
  ::chmod(dir.c_str(), 0755);
  if (account->switch_user && ::chown(dir.c_str(), account->uid, account->gid) != 0) {
    return base::Status::Io(fmt::format("cannot hand {} to the server's user", dir.string()));
  }
  const std::string bin = BinDir().string();
  const fs::path log = dir / "setup.log";
  TRIAGE_RETURN_IF_ERROR(RunStep("initdb",
                                 {bin + "/initdb", "-D", (dir / "data").string(), "-U", kSuperuser, "--auth=trust",
                                  "-E", "UTF8", "--locale=C", "--no-sync"},
                                 *account, log));
  // Socket only, in the directory: parallel runs never meet on a port. fsync off: the data is thrown away.
  std::string options = fmt::format(
      "-c listen_addresses='' -c unix_socket_directories='{}' -c fsync=off -c synchronous_commit=off "
      "-c full_page_writes=off -c shared_buffers=32MB -c max_connections=200",
      dir.string());
  TRIAGE_RETURN_IF_ERROR(RunStep("pg_ctl start",
                                 {bin + "/pg_ctl", "-D", (dir / "data").string(), "-l", (dir / "server.log").string(),
                                  "-w", "-t", "60", "-o", options, "start"},
                                 *account, log));
  return cluster;
}

base::Status PostgresCluster::StopAt(const fs::path& dir) {
  auto account = ServerAccount();
  if (!account.ok()) return account.status();
  base::Status st;
  if (fs::exists(dir / "data" / "postmaster.pid")) {
    st = RunStep("pg_ctl stop",
                 {(BinDir() / "pg_ctl").string(), "-D", (dir / "data").string(), "-m", "immediate", "-w", "stop"},
                 *account, dir / "setup.log");
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (st.ok() && ec) st = base::Status::Io(fmt::format("cannot remove {}: {}", dir.string(), ec.message()));
  return st;
}

PostgresCluster::~PostgresCluster() {
  if (!released_) (void)StopAt(dir_);
}

base::Result<std::string> CreateTestDatabase() {
  auto dir = SharedClusterDir();
  if (!dir.ok()) return dir.status();
  static std::atomic<int> counter{0};
  std::string name = fmt::format("test_{}_{}", ::getpid(), counter++);
  TRIAGE_RETURN_IF_ERROR(Exec(*dir, "CREATE DATABASE " + name));
  return ClusterUrl(*dir, name);
}

base::Status DropTestDatabase(const std::string& url) {
  auto dir = SharedClusterDir();
  if (!dir.ok()) return dir.status();
  size_t slash = url.rfind('/', url.find('?'));
  std::string name = url.substr(slash + 1, url.find('?') - slash - 1);
  return Exec(*dir, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
}

}  // namespace triage::testing
