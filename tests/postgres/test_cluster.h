// A throw-away PostgreSQL cluster for tests: initdb + pg_ctl in a fresh temporary directory, listening only on a Unix
// socket inside it, removed again afterwards. Nothing needs to run beforehand.
//
// PostgreSQL refuses to run as root. When the tests run as root (containers, CI), initdb, pg_ctl and the server run
// as an unprivileged user instead: $TRIAGE_PG_TEST_USER, else "nobody"; the temporary directory is handed to that user.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/status.h"

namespace triage::testing {

// Not thread-safe; one owner. The destructor stops the server (immediate shutdown) and removes the directory.
class PostgresCluster {
 public:
  // Where the binaries are: $TRIAGE_PG_BIN, else /usr/lib/postgresql/15/bin.
  static std::filesystem::path BinDir();
  // initdb, then pg_ctl start -w. kUnavailable naming the step and its log when one fails.
  static base::Result<std::unique_ptr<PostgresCluster>> Start();
  // Stops and removes a cluster started by Start() whose owner released it (the ctest fixture's cleanup).
  static base::Status StopAt(const std::filesystem::path& dir);
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // The directory holding data/, the socket and the logs.
  const std::filesystem::path& dir() const { return dir_; }
  // Leaves the server running past this object (StopAt ends it).
  void Release() { released_ = true; }

 private:
  explicit PostgresCluster(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
  bool released_ = false;
};

// The connection URL of database `dbname` in the cluster whose socket lives in `dir`.
std::string ClusterUrl(const std::filesystem::path& dir, const std::string& dbname);

// A fresh, empty database for one test, in the cluster of this test run: the ctest fixture's (its directory is in
// the file named by $TRIAGE_TEST_PG_CLUSTER_FILE), else one this process starts on first use and stops at exit.
// Returns the database's URL; the database is dropped by DropTestDatabase (or with the cluster).
base::Result<std::string> CreateTestDatabase();
base::Status DropTestDatabase(const std::string& url);

}  // namespace triage::testing
