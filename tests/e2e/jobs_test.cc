// Whole-program specification of the jobs beyond ingest (recompute, re-decide, analyse, re-cluster) on a PostgreSQL
// catalog (the tests' own cluster), of per-host journals (hosts named by $TRIAGE_HOST: a job whose dead worker left
// its input in another host's journal goes back to that host), and of the library-wide leases on both backends.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "base/file_stamp.h"
#include "base/files.h"
#include "catalog/postgres/pg_catalog.h"
#include "catalog/postgres/pg_job_queue.h"
#include "commit/committer.h"
#include "tests/e2e/pg_library_fixture.h"
#include "tests/e2e/triage_runner.h"
#include "tests/postgres/test_cluster.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class JobsTest : public PgLibraryTest {
 protected:
  JobsTest() : PgLibraryTest("jobs") {}
  void SetUp() override {
    PgLibraryTest::SetUp();
    auto queue = catalog::postgres::PgJobQueue::Open(url_);
    ASSERT_TRUE(queue.ok()) << queue.status().ToString();
    queue_ = std::move(*queue);
  }
  void TearDown() override {
    queue_.reset();
    PgLibraryTest::TearDown();
  }
  void Configure(const json& patch) {
    json doc = json::parse(Slurp(lib() / "triage.json"));
    doc.merge_patch(patch);
    std::ofstream(lib() / "triage.json") << doc.dump();
  }
  pid_t StartWorker(const std::string& host) {
    return PgLibraryTest::StartWorker(host, "worker-" + host + std::to_string(workers_.size()) + ".log");
  }
  // The events of the job log, per job.
  std::map<int64_t, std::vector<std::string>> Events() {
    std::map<int64_t, std::vector<std::string>> out;
    auto log = queue_->Log(0);
    EXPECT_TRUE(log.ok());
    for (const auto& e : *log) out[e.job_id].push_back(e.event);
    return out;
  }
  bool WaitForEvent(const std::string& event, int timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const auto& [job, events] : Events()) {
        if (std::find(events.begin(), events.end(), event) != events.end()) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  json ItemNamed(const std::string& name) {
    for (const auto& item : Triage({"items", "--json"}).Json()) {
      if (item["original_name"] == name) return item;
    }
    return json();
  }

  std::unique_ptr<catalog::JobQueue> queue_;
};

TEST_F(JobsTest, RecomputeRedecideAndAnalyseRunFromTheQueueOnceEachAndAreAudited) {
  WriteTestImage(in() / "a.jpg", 1, 320, 240);
  fs::copy_file(in() / "a.jpg", dir_ / "b.jpg");
  ASSERT_EQ(Triage({"ingest", (in() / "a.jpg").string()}).exit_code, 0);
  ASSERT_EQ(Triage({"ingest", (dir_ / "b.jpg").string()}).exit_code, 0);
  ASSERT_EQ(ItemNamed("b.jpg")["category"], "duplicates");
  Configure({{"deduplication", {{"check_hash", false}}}, {"review_categories", {{"near_duplicates", false}}}});
  const int64_t a_id = ItemNamed("a.jpg")["id"];

  for (const std::vector<std::string>& args : {std::vector<std::string>{"recompute", "--queue", "--json"},
                                               {"apply-policy", "--queue", "--json"},
                                               {"analyse", std::to_string(a_id), "999", "--queue", "--json"},
                                               {"faces", "recluster", "--queue", "--json"}}) {
    RunResult r = Triage(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  }
  EXPECT_EQ(Triage({"jobs", "--json"}).Json()["queued"], 5) << "one job each, one per analysed item";
  EXPECT_EQ(ItemNamed("b.jpg")["category"], "duplicates") << "enqueueing changes nothing";

  StartWorker("host-a");
  RunResult waited = Triage({"jobs", "wait", "--timeout", "120", "--json"});
  EXPECT_EQ(waited.exit_code, 1) << "the analyse of a missing item fails";
  EXPECT_EQ(waited.Json()["done"], 4);
  EXPECT_EQ(waited.Json()["failed"], 1);

  json moved = ItemNamed("b.jpg");
  EXPECT_EQ(moved["category"], "unidentified") << "re-decided under the saved policy and moved";
  EXPECT_TRUE(fs::exists(lib() / moved["path"].get<std::string>()));

  auto catalog = catalog::postgres::PgCatalog::Open(url_);
  ASSERT_TRUE(catalog.ok());
  std::map<std::string, int> actions;
  auto audit = (*catalog)->ListAudit(0, "", 1000, 0);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  std::string seen;
  for (const auto& e : *audit) {
    seen += e.actor + " " + e.action + "; ";
    if (e.actor.rfind("worker:host-a:", 0) == 0) actions[e.action]++;
  }
  SCOPED_TRACE(seen);
  EXPECT_EQ(actions["recompute"], 1);
  EXPECT_EQ(actions["apply-policy"], 1);
  EXPECT_EQ(actions["analyse"], 1);
  EXPECT_EQ(actions["people"], 1) << "the re-cluster, on the PostgreSQL face store";

  // Each job claimed and ended once; the failures say why.
  for (const auto& [job, events] : Events()) EXPECT_EQ(events.size(), 2u) << "job " << job;
  const std::string log = Slurp(dir_ / "worker-host-a0.log");
  EXPECT_NE(log.find("no item 999"), std::string::npos) << log;
}

TEST_F(JobsTest, QueueFlagOnASqliteLibraryIsAClearErrorAndTheCommandRunsWithoutIt) {
  TempDir other("jobs_sqlite");
  const fs::path sqlite_lib = other / "lib";
  InitLibrary(sqlite_lib, {{"analysis", {{"faces", false}}}});
  RunResult queued = RunTriage({"recompute", "--queue", "--library", sqlite_lib.string()});
  EXPECT_EQ(queued.exit_code, 4);
  EXPECT_NE(queued.err.find("without --queue"), std::string::npos) << queued.err;
  WriteTestImage(in() / "s.jpg", 5, 160, 120);
  ASSERT_EQ(RunTriage({"ingest", in().string(), "--library", sqlite_lib.string()}).exit_code, 0);
  RunResult analysed = RunTriage({"analyse", "1", "--json", "--library", sqlite_lib.string()});
  ASSERT_EQ(analysed.exit_code, 0) << analysed.err;
  EXPECT_EQ(analysed.Json()["items"][0]["ok"], true);
  RunResult missing = RunTriage({"analyse", "42", "--library", sqlite_lib.string()});
  EXPECT_EQ(missing.exit_code, 3) << "no such item";
}

// A dead worker of host-a left an input staged in host-a's journal. A worker of host-b that takes the job over must
// not recover host-a's journal: it hands the job back to host-a, whose worker recovers and ingests it.
class TwoHostsTest : public JobsTest {
 protected:
  // Enqueues `name`, lets a worker of host-a claim it and die with the input staged in its journal session.
  void DieOnHostAWithStagedInput(const std::string& name) {
    WriteTestImage(in() / name, 21, 160, 120);
    ASSERT_EQ(Triage({"ingest", (in() / name).string(), "--move", "--queue"}).exit_code, 0);
    const int64_t long_ago =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
        600;
    const std::string dead = "host-a:1:1";
    ASSERT_TRUE(queue_->Heartbeat({dead, "host-a", 1, long_ago, 0, std::nullopt, "", 0}, long_ago).ok());
    auto claimed = queue_->Claim(dead, "host-a", long_ago, 30);
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    auto catalog = catalog::postgres::PgCatalog::Open(url_);
    ASSERT_TRUE(catalog.ok());
    auto journal = commit::Journal::Open(lib() / ".triage", "host-a");
    ASSERT_TRUE(journal.ok());
    commit::Committer committer(**journal, **catalog, lib());
    ASSERT_TRUE(committer.StageMove(in() / name, *base::StampOf(in() / name), nullptr).ok());
    ASSERT_FALSE(fs::exists(in() / name));
  }  // the journal object goes: its session stays, unlocked, as a killed process leaves it
};

TEST_F(TwoHostsTest, JobOfADeadWorkerGoesBackToItsHostWhoseWorkerRecoversAndDoesIt) {
  DieOnHostAWithStagedInput("x.jpg");
  StartWorker("host-b");
  ASSERT_TRUE(WaitForEvent("handed back", 30000)) << Slurp(dir_ / "worker-host-b0.log");
  EXPECT_FALSE(FilesUnder(lib() / ".triage/staging/host-a").empty()) << "host-b left host-a's journal alone";
  EXPECT_FALSE(fs::exists(in() / "x.jpg"));
  EXPECT_EQ(Triage({"jobs", "--json"}).Json()["queued"], 1) << "waiting for a worker of host-a";
  EXPECT_TRUE(Triage({"items", "--json"}).Json().empty());

  StartWorker("host-a");
  RunResult waited = Triage({"jobs", "wait", "--timeout", "120", "--json"});
  ASSERT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_EQ(waited.Json()["done"], 1);
  EXPECT_TRUE(FilesUnder(in()).empty());
  EXPECT_TRUE(FilesUnder(lib() / ".triage/staging").empty());
  json items = Triage({"items", "--json"}).Json();
  ASSERT_EQ(items.size(), 1u) << "placed once";
  EXPECT_TRUE(fs::exists(lib() / items[0]["path"].get<std::string>()));
  std::vector<std::string> events = Events().begin()->second;
  EXPECT_EQ(events, (std::vector<std::string>{"claimed", "claimed", "handed back", "claimed", "done"}));
}

TEST_F(TwoHostsTest, RecoverHostSettlesAGoneHostsJournalFromElsewhereAndFreesItsJobs) {
  DieOnHostAWithStagedInput("y.jpg");
  StartWorker("host-b");
  ASSERT_TRUE(WaitForEvent("handed back", 30000));
  RunResult recovered = Triage({"recover", "--host", "host-a", "--json"}, {"TRIAGE_HOST=host-b"});
  ASSERT_EQ(recovered.exit_code, 0) << recovered.err;
  EXPECT_EQ(recovered.Json()["rolled_back"], 1);
  EXPECT_EQ(recovered.Json()["jobs_released"], 1);
  RunResult waited = Triage({"jobs", "wait", "--timeout", "120", "--json"});
  ASSERT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_TRUE(FilesUnder(in()).empty());
  ASSERT_EQ(Triage({"items", "--json"}).Json().size(), 1u);
}

// On a catalog with a job queue the inbox watcher enqueues what arrives and the workers ingest it; its start-up scan
// does not queue a file twice.
TEST_F(JobsTest, WatchEnqueuesInboxFilesForTheWorkers) {
  const fs::path inbox = lib() / "inbox";
  WriteTestImage(inbox / "early.jpg", 31, 160, 120);
  ASSERT_EQ(Triage({"ingest", inbox.string(), "--move", "--source", "inbox", "--queue"}).exit_code, 0);
  const fs::path log = dir_ / "watch.log";
  pid_t watch = Start({"watch", "--debounce-ms", "50", "--library", lib().string()}, log);
  workers_.push_back(watch);
  ASSERT_TRUE(WaitForLogLine(log, "for the job queue", 60000)) << Slurp(log);
  WriteTestImage(dir_ / "late.jpg", 32, 160, 120);
  fs::rename(dir_ / "late.jpg", inbox / "late.jpg");
  // One line for the start-up scan (early.jpg, already queued), one for late.jpg.
  for (int i = 0; i < 300 && Count(Slurp(log), "from the inbox") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Count(Slurp(log), "from the inbox"), 2) << Slurp(log);
  EXPECT_EQ(Triage({"jobs", "--json"}).Json()["queued"], 2) << "early.jpg queued once, late.jpg once";
  EXPECT_TRUE(fs::exists(inbox / "late.jpg")) << "the watcher only enqueues";
  EXPECT_TRUE(Triage({"items", "--json"}).Json().empty());

  StartWorker("host-a");
  RunResult waited = Triage({"jobs", "wait", "--timeout", "120", "--json"});
  ASSERT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_EQ(waited.Json()["done"], 2);
  EXPECT_TRUE(FilesUnder(inbox).empty());
  json items = Triage({"items", "--json"}).Json();
  ASSERT_EQ(items.size(), 2u);
  for (const auto& item : items) EXPECT_EQ(item["source"], "inbox");
}

// One host at a time purges the trash: a second gets a clear error naming who holds the lease.
TEST_F(JobsTest, PurgeLeaseRefusesASecondHostNamingTheHolder) {
  auto holder = catalog::postgres::PgJobQueue::Open(url_);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->TakeLease("purge", "purge by cli:ada on host-a, pid 77").ok());
  RunResult refused = Triage({"review", "purge"}, {"TRIAGE_HOST=host-b"});
  EXPECT_EQ(refused.exit_code, 5);  // refused: nothing was changed
  EXPECT_NE(refused.err.find("cli:ada on host-a, pid 77"), std::string::npos) << refused.err;
  ASSERT_TRUE((*holder)->ReleaseLease("purge").ok());
  RunResult purged = Triage({"review", "purge", "--json"}, {"TRIAGE_HOST=host-b"});
  ASSERT_EQ(purged.exit_code, 0) << purged.err;
  EXPECT_EQ(purged.Json()["purged"], 0);
}

// On SQLite (one host) the lease is a lock file: a full re-cluster while another process holds it is refused.
TEST(SqliteLeaseTest, ReclusterWhileAnotherProcessHoldsTheLeaseIsRefusedNamingIt) {
  TempDir dir("lease_sqlite");
  const fs::path lib = dir / "lib";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  {
    auto held = base::FileLock::TryAcquire(lib / ".triage/leases/recluster.lock", "recluster by cli:bob on h, pid 9");
    ASSERT_TRUE(held.ok());
    RunResult refused = RunTriage({"faces", "recluster", "--library", lib.string()});
    EXPECT_EQ(refused.exit_code, 5);
    EXPECT_NE(refused.err.find("recluster by cli:bob on h, pid 9"), std::string::npos) << refused.err;
  }
  RunResult done = RunTriage({"faces", "recluster", "--json", "--library", lib.string()});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.Json()["faces"], 0);
}

}  // namespace
}  // namespace triage::e2e
