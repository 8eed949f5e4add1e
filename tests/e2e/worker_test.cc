// Whole-program specification of ingest by several worker processes through the job queue of a PostgreSQL catalog
// (the tests' own cluster): `ingest --queue`, `worker`, `jobs wait`, `workers`, and a worker killed with SIGKILL
// mid-way whose jobs the others take over.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "base/clock.h"
#include "catalog/postgres/pg_job_queue.h"
#include "tests/e2e/pg_library_fixture.h"
#include "tests/e2e/triage_runner.h"
#include "tests/postgres/test_cluster.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

class WorkerTest : public PgLibraryTest {
 protected:
  WorkerTest() : PgLibraryTest("workers") {}
  // Every worker on one host: each may recover a killed one's journal.
  pid_t StartWorker(int n) { return PgLibraryTest::StartWorker("e2e-host", "worker" + std::to_string(n) + ".log"); }
  json Counts() { return Triage({"jobs", "--json"}).Json(); }
};

TEST_F(WorkerTest, ThreeWorkersOneKilledMidwayEveryFileOnceNoJobLostOrDoneTwice) {
  constexpr int kFiles = 500;
  for (int i = 0; i < kFiles; ++i) {
    WriteTestImage(in() / ("w" + std::to_string(i) + ".jpg"), 1000 + i, 192, 144);
  }
  const auto originals = Contents(in());
  RunResult queued = Triage({"ingest", in().string(), "--move", "--queue", "--json"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  ASSERT_EQ(queued.Json()["queued"], kFiles);
  EXPECT_EQ(FilesUnder(in()).size(), static_cast<size_t>(kFiles)) << "enqueueing moves nothing";
  EXPECT_EQ(Counts()["queued"], kFiles);

  const pid_t first = StartWorker(0);
  StartWorker(1);
  StartWorker(2);
  json live = Triage({"workers", "--json"}).Json();
  EXPECT_EQ(live["workers"].size(), 3u) << live.dump();
  // Kill the first worker once a fifth of the work is done (it holds a batch then, often with files staged).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (Counts()["done"].get<int>() < kFiles / 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  WaitForExit(first, 10000);
  workers_.erase(workers_.begin());
  StartWorker(3);

  RunResult waited = Triage({"jobs", "wait", "--timeout", "600", "--json"});
  ASSERT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_EQ(waited.Json()["done"], kFiles);
  EXPECT_EQ(waited.Json()["failed"], 0);

  // Every file in exactly one place: nothing left in the input, each picture once in the library, once in the catalog.
  EXPECT_TRUE(FilesUnder(in()).empty());
  std::map<std::string, int> placed;
  for (const auto& f : FilesUnder(lib())) {
    if (f.rfind(".triage/", 0) != 0 && f != "triage.json") placed[Slurp(lib() / f)]++;
  }
  EXPECT_EQ(placed, originals);
  json items = Triage({"items", "--json", "--limit", "10000"}).Json();
  EXPECT_EQ(items.size(), static_cast<size_t>(kFiles));
  std::set<std::string> origins;
  for (const auto& item : items) {
    origins.insert(item["original_path"].get<std::string>());
    EXPECT_TRUE(fs::exists(lib() / item["path"].get<std::string>())) << item.dump();
  }
  EXPECT_EQ(origins.size(), static_cast<size_t>(kFiles));

  // The job log: each job claimed at least once and done exactly once; the dead worker's jobs claimed again.
  auto queue = catalog::postgres::PgJobQueue::Open(url_);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  auto log = (*queue)->Log(0);
  ASSERT_TRUE(log.ok());
  std::map<int64_t, int> claims, dones;
  for (const auto& e : *log) {
    if (e.event == "claimed") claims[e.job_id]++;
    if (e.event == "done") dones[e.job_id]++;
    EXPECT_NE(e.event, "failed") << e.job_id;
  }
  EXPECT_EQ(dones.size(), static_cast<size_t>(kFiles));
  for (const auto& [job, n] : dones) EXPECT_EQ(n, 1) << "job " << job << " done " << n << " times";
  int reclaimed = 0;
  for (const auto& [job, n] : claims) reclaimed += n > 1;
  EXPECT_GT(reclaimed, 0) << "the killed worker held no job: the kill tested nothing";
  std::cout << "jobs claimed again after the kill: " << reclaimed << "\n";
}

TEST_F(WorkerTest, QueueCommandsOnASqliteLibraryNameWhatIsMissingAndChangeNothing) {
  TempDir other("workers_sqlite");
  const fs::path sqlite_lib = other / "lib";
  InitLibrary(sqlite_lib);
  WriteTestImage(in() / "a.jpg", 7, 64, 48);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"ingest", in().string(), "--queue"}, {"worker"}, {"jobs", "wait"}, {"workers"}}) {
    std::vector<std::string> full = args;
    full.push_back("--library");
    full.push_back(sqlite_lib.string());
    RunResult r = RunTriage(full);
    EXPECT_EQ(r.exit_code, 4) << args[0];
    EXPECT_NE(r.err.find("PostgreSQL catalog"), std::string::npos) << r.err;
  }
  EXPECT_EQ(FilesUnder(in()).size(), 1u);
  EXPECT_TRUE(RunTriage({"items", "--json", "--library", sqlite_lib.string()}).Json().empty());
}

TEST_F(WorkerTest, BadJobsFailWithTheirReasonAndTheWorkerGoesOn) {
  WriteTestImage(in() / "good.jpg", 11, 64, 48);
  RunResult queued = Triage({"ingest", in().string(), "--queue", "--json"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  fs::remove(in() / "good.jpg");  // gone before a worker gets to it
  auto queue = catalog::postgres::PgJobQueue::Open(url_);
  ASSERT_TRUE(queue.ok());
  ASSERT_TRUE((*queue)->Enqueue("ingest", "{\"nopath\": 1}", 0).ok());
  ASSERT_TRUE((*queue)->Enqueue("analyse", "{}", 0).ok());
  WriteTestImage(in() / "later.jpg", 12, 64, 48);
  ASSERT_EQ(Triage({"ingest", (in() / "later.jpg").string(), "--queue"}).exit_code, 0);
  StartWorker(0);
  RunResult waited = Triage({"jobs", "wait", "--timeout", "120", "--json"});
  EXPECT_EQ(waited.exit_code, 1) << "failed jobs make `jobs wait` exit 1";
  EXPECT_EQ(waited.Json()["done"], 1);
  EXPECT_EQ(waited.Json()["failed"], 3);
  EXPECT_EQ(Triage({"items", "--json"}).Json().size(), 1u);
  EXPECT_TRUE(fs::exists(in() / "later.jpg")) << "a copy was asked for: the input stays";
}

// A moved input missing when its job is claimed again was taken as placed by the earlier attempt, and the job was
// marked done with no item made: a worker that stalls (its journal session locked, so nobody recovers the input it
// staged) lost the file from the queue's account. With no item come from it, the job fails, saying where it may be.
TEST_F(WorkerTest, AMovedInputGoneWithoutAnItemFailsItsJobInsteadOfCountingAsPlaced) {
  WriteTestImage(in() / "held.jpg", 13, 64, 48);
  ASSERT_EQ(Triage({"ingest", (in() / "held.jpg").string(), "--queue", "--move"}).exit_code, 0);
  auto queue = catalog::postgres::PgJobQueue::Open(url_);
  ASSERT_TRUE(queue.ok());
  const int64_t long_ago = base::UnixNow() - 600;
  catalog::WorkerRecord ghost{"stalled-host:1:1", "stalled-host", 1, long_ago, 0, std::nullopt, "", 0, 30};
  ASSERT_TRUE((*queue)->Heartbeat(ghost, long_ago).ok());
  auto claimed = (*queue)->Claim(ghost.id, "stalled-host", long_ago, 30);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  fs::rename(in() / "held.jpg", dir_ / "staged-elsewhere.jpg");  // where the stalled worker left it
  StartWorker(0);
  RunResult waited = Triage({"jobs", "wait", "--timeout", "120", "--json"});
  EXPECT_EQ(waited.exit_code, 1) << waited.out;
  EXPECT_EQ(waited.Json()["done"], 0);
  EXPECT_EQ(waited.Json()["failed"], 1);
  EXPECT_TRUE(Triage({"items", "--json"}).Json().empty());
  const std::string log = Slurp(dir_ / "worker0.log");
  EXPECT_NE(log.find("the input is gone and no item came from it"), std::string::npos) << log;
  EXPECT_NE(log.find("stalled-host:1:1"), std::string::npos) << log;
}

}  // namespace
}  // namespace triage::e2e
