// A library whose catalog is a fresh database in the tests' own PostgreSQL cluster (faces off), with the worker
// processes a test starts stopped (SIGTERM) and the database dropped afterwards.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "tests/e2e/triage_runner.h"
#include "tests/postgres/test_cluster.h"

namespace triage::e2e {

class PgLibraryTest : public ::testing::Test {
 protected:
  explicit PgLibraryTest(const std::string& tag) : dir_(tag) {}
  void SetUp() override {
    auto url = testing::CreateTestDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    InitLibrary(lib(), {{"analysis", {{"faces", false}}}}, url_);
    fs::create_directories(in());
  }
  void TearDown() override {
    for (pid_t pid : workers_) {
      ::kill(pid, SIGTERM);
      WaitForExit(pid, 20000);
    }
    (void)testing::DropTestDatabase(url_);
  }
  fs::path lib() const { return dir_ / "lib"; }
  fs::path in() const { return dir_ / "in"; }
  // Runs triage on this library with the given extra environment.
  RunResult Triage(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.push_back("--library");
    args.push_back(lib().string());
    return RunTriage(args, env);
  }
  // Starts `triage worker` (4 jobs at a time, a 3 s lease) as host `host`; its output goes to `log_name` in the test's
  // folder. Returns once it takes jobs.
  pid_t StartWorker(const std::string& host, const std::string& log_name) {
    const fs::path log = dir_ / log_name;
    pid_t pid =
        Start({"worker", "--jobs", "4", "--lease", "3", "--library", lib().string()}, log, {"TRIAGE_HOST=" + host});
    EXPECT_TRUE(WaitForLogLine(log, "taking jobs", 60000)) << Slurp(log);
    workers_.push_back(pid);
    return pid;
  }

  TempDir dir_;
  std::string url_;
  std::vector<pid_t> workers_;  // stopped by TearDown
};

}  // namespace triage::e2e
