// Specification of the job queue on PostgreSQL: concurrent claimers never share a job, a dead worker's job is taken
// over, and leases exclude each other across connections.
#include "catalog/postgres/pg_job_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "catalog/postgres/pg_catalog.h"
#include "catalog/postgres/schema.h"
#include "tests/postgres/test_cluster.h"

namespace triage::catalog::postgres {
namespace {

class PgJobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = testing::CreateTestDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    ASSERT_TRUE(PgCatalog::Open(url_).ok());  // migrates
  }
  void TearDown() override { (void)testing::DropTestDatabase(url_); }
  std::unique_ptr<PgJobQueue> Queue() {
    auto q = PgJobQueue::Open(url_);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(*q) : nullptr;
  }
  static WorkerRecord Worker(const std::string& id) { return {id, "host-" + id, 1, 100, 0, std::nullopt, ""}; }
  std::string url_;
};

TEST_F(PgJobQueueTest, ConcurrentWorkersDoEveryJobExactlyOnce) {
  auto q = Queue();
  constexpr int kJobs = 200;
  for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(q->Enqueue("ingest", "in/" + std::to_string(i) + ".jpg", 1000).ok());
  std::vector<std::thread> workers;
  std::vector<int> done_by(4, 0);
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      auto mine = Queue();
      std::string id = "w" + std::to_string(w);
      ASSERT_TRUE(mine->Heartbeat(Worker(id), 1000).ok());
      for (;;) {
        auto job = mine->Claim(id, "h", 1000, 30);
        ASSERT_TRUE(job.ok()) << job.status().ToString();
        if (!job->has_value()) return;
        ASSERT_TRUE(mine->Finish((*job)->id, id, "", 1001).ok());
        ++done_by[w];
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(done_by[0] + done_by[1] + done_by[2] + done_by[3], kJobs);
  auto counts = q->Counts();
  EXPECT_EQ(counts->done, kJobs);
  EXPECT_EQ(counts->queued + counts->running + counts->failed, 0);
  std::map<int64_t, std::pair<int, int>> per_job;  // claims, ends
  auto log = q->Log(0);  // held: a range over *q->Log(0) would outlive the result it points into
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (const JobEvent& e : *log) {
    (e.event == "claimed" ? per_job[e.job_id].first : per_job[e.job_id].second)++;
  }
  ASSERT_EQ(per_job.size(), static_cast<size_t>(kJobs));
  for (const auto& [job, n] : per_job) EXPECT_EQ(n, std::make_pair(1, 1)) << "job " << job;
}

TEST_F(PgJobQueueTest, JobOfAWorkerThatStoppedHeartbeatingIsTakenOver) {
  auto a = Queue();
  auto b = Queue();
  ASSERT_TRUE(a->Enqueue("ingest", "x.jpg", 1000).ok());
  ASSERT_TRUE(a->Heartbeat(Worker("a"), 1000).ok());
  auto held = a->Claim("a", "host-a", 1000, 30);
  ASSERT_TRUE(held.ok() && held->has_value());
  ASSERT_TRUE(b->Heartbeat(Worker("b"), 1020).ok());
  EXPECT_FALSE(b->Claim("b", "host-b", 1020, 30)->has_value()) << "a is alive: its job stays its own";
  auto workers = b->LiveWorkers(1020, 30);
  ASSERT_EQ(workers->size(), 2u);
  EXPECT_EQ(workers->at(0).job_id, (*held)->id);

  ASSERT_TRUE(b->Heartbeat(Worker("b"), 1040).ok());
  auto taken = b->Claim("b", "host-b", 1040, 30);  // a's last heartbeat is 40 s old
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->id, (*held)->id);
  EXPECT_EQ((*taken)->attempts, 2);
  EXPECT_EQ((*taken)->previous_worker, "a");
  EXPECT_EQ((*held)->previous_worker, "") << "nobody held it before its first claim";
  EXPECT_EQ(a->Finish((*held)->id, "a", "", 1041).code(), base::Code::kConflict) << "a came back too late";
  ASSERT_TRUE(b->Finish((*taken)->id, "b", "", 1042).ok());
  auto log = b->Log((*held)->id);
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ(log->at(0).worker, "a");
  EXPECT_EQ(log->at(1).worker, "b");
  EXPECT_EQ(log->at(2).event, "done");
  EXPECT_EQ(b->LiveWorkers(1042, 30)->size(), 1u) << "a is no longer among the live";
}

// A claimer with a short lease took the jobs of a live worker with a long one (its heartbeats came every 15 s, the
// claimer gave up on it after 2), and both ingested them: a worker is dead when its own lease lapses. A worker that
// leaves is no longer listed among the live.
TEST_F(PgJobQueueTest, AWorkerIsTakenForDeadByItsOwnLeaseNotTheClaimers) {
  auto a = Queue();
  auto b = Queue();
  ASSERT_TRUE(a->Enqueue("ingest", "x.jpg", 1000).ok());
  WorkerRecord slow = Worker("a");
  slow.lease_s = 60;
  ASSERT_TRUE(a->Heartbeat(slow, 1000).ok());
  auto held = a->Claim("a", "host-a", 1000, 60);
  ASSERT_TRUE(held.ok() && held->has_value());
  WorkerRecord quick = Worker("b");
  quick.lease_s = 2;
  ASSERT_TRUE(b->Heartbeat(quick, 1030).ok());
  EXPECT_FALSE(b->Claim("b", "host-b", 1030, 2)->has_value()) << "a's own lease (60 s) has not lapsed";
  auto live = b->LiveWorkers(1030, 2);
  ASSERT_EQ(live->size(), 2u) << "a is listed under its own lease";
  ASSERT_TRUE(b->Heartbeat(quick, 1061).ok());
  auto taken = b->Claim("b", "host-b", 1061, 2);
  ASSERT_TRUE(taken.ok() && taken->has_value()) << "61 s without a beat: a is dead by its own lease";
  EXPECT_EQ((*taken)->previous_worker, "a");
  EXPECT_TRUE(*b->Holds((*taken)->id, "b"));
  EXPECT_FALSE(*a->Holds((*held)->id, "a")) << "a, resumed, must not commit the job b took over";
  ASSERT_TRUE(b->Leave("b").ok());
  auto after = b->LiveWorkers(1061, 2);
  ASSERT_TRUE(after.ok());
  for (const WorkerRecord& w : *after) EXPECT_NE(w.id, "b") << "b left";
}

TEST_F(PgJobQueueTest, FailedJobKeepsItsErrorAndIsNotRetried) {
  auto q = Queue();
  ASSERT_TRUE(q->Enqueue("ingest", "bad.jpg", 1).ok());
  ASSERT_TRUE(q->Heartbeat(Worker("w"), 1).ok());
  auto job = q->Claim("w", "h", 1, 30);
  ASSERT_TRUE(q->Finish((*job)->id, "w", "unreadable: truncated JPEG", 2).ok());
  EXPECT_EQ(q->Counts()->failed, 1);
  EXPECT_FALSE(q->Claim("w", "h", 100, 30)->has_value());
}

TEST_F(PgJobQueueTest, ALeaseIsHeldByOneProcessAtATimeAndFreedWithItsConnection) {
  auto a = Queue();
  auto b = Queue();
  ASSERT_TRUE(a->TakeLease("purge", "purge by cli:ada on host-a, pid 11").ok());
  auto refused = b->TakeLease("purge", "purge by cli:bob on host-b, pid 12");
  EXPECT_EQ(refused.code(), base::Code::kConflict);
  EXPECT_NE(refused.message().find("purge"), std::string::npos);
  EXPECT_NE(refused.message().find("cli:ada on host-a, pid 11"), std::string::npos) << refused.message();
  EXPECT_TRUE(b->TakeLease("recluster", "b").ok()) << "leases are per name";
  ASSERT_TRUE(b->ReleaseLease("recluster").ok());
  ASSERT_TRUE(a->TakeLease("recluster", "a").ok());
  a.reset();  // the process holding both ends; the server frees its locks once its session is gone
  base::Status taken = b->TakeLease("purge", "b");
  for (int i = 0; i < 200 && !taken.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    taken = b->TakeLease("purge", "b");
  }
  EXPECT_TRUE(taken.ok()) << taken.ToString();
  EXPECT_TRUE(b->TakeLease("recluster", "b").ok());
}

// A job handed back to the host of its dead worker is claimed only by workers of that host, until the host is released
// (its journal settled from elsewhere).
TEST_F(PgJobQueueTest, JobHandedBackToAHostIsClaimedOnlyThereUntilReleased) {
  auto q = Queue();
  auto id = q->Enqueue("ingest", "x.jpg", 1);
  ASSERT_TRUE(q->Heartbeat(Worker("b"), 1).ok());
  auto job = q->Claim("b:1:1", "host-b", 1, 30);
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_TRUE(q->HandBack(*id, "b:1:1", "host-a", 2).ok());
  EXPECT_EQ(q->HandBack(*id, "b:1:1", "host-a", 2).code(), base::Code::kConflict) << "no longer b's";
  EXPECT_EQ(q->Counts()->queued, 1);
  EXPECT_FALSE(q->Claim("b:1:1", "host-b", 3, 30)->has_value()) << "host-b may not take host-a's job";
  auto on_a = q->Claim("a:2:2", "host-a", 3, 30);
  ASSERT_TRUE(on_a.ok() && on_a->has_value());
  EXPECT_EQ((*on_a)->attempts, 2);
  ASSERT_TRUE(q->HandBack(*id, "a:2:2", "host-a", 4).ok());
  EXPECT_EQ(*q->ReleaseHost("host-a"), 1);
  auto anywhere = q->Claim("b:1:1", "host-b", 5, 30);
  ASSERT_TRUE(anywhere.ok() && anywhere->has_value()) << "released: any host takes it";
  std::vector<std::string> events;
  auto log = q->Log(*id);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (const JobEvent& e : *log) events.push_back(e.event);
  EXPECT_EQ(events, (std::vector<std::string>{"claimed", "handed back", "claimed", "handed back", "claimed"}));
}

TEST_F(PgJobQueueTest, AJobEqualToAnOpenOneIsNotEnqueuedTwice) {
  auto q = Queue();
  auto first = q->Enqueue("ingest", "{\"path\": \"/in/a.jpg\"}", 1);
  auto again = q->Enqueue("ingest", "{\"path\": \"/in/a.jpg\"}", 2);
  auto other_kind = q->Enqueue("analyse", "{\"path\": \"/in/a.jpg\"}", 2);
  ASSERT_TRUE(first.ok() && again.ok() && other_kind.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_NE(*other_kind, *first);
  ASSERT_TRUE(q->Heartbeat(Worker("w"), 3).ok());
  auto running = q->Claim("w", "h", 3, 30);
  ASSERT_TRUE(running.ok() && running->has_value());
  EXPECT_EQ(*q->Enqueue("ingest", "{\"path\": \"/in/a.jpg\"}", 3), *first) << "still running";
  ASSERT_TRUE(q->Finish(*first, "w", "", 4).ok());
  auto after = q->Enqueue("ingest", "{\"path\": \"/in/a.jpg\"}", 5);
  EXPECT_NE(*after, *first) << "a finished job does not stand for a new one";
  EXPECT_EQ(q->Counts()->queued, 2);
}

TEST_F(PgJobQueueTest, UnmigratedDatabaseIsAClearError) {
  auto url = testing::CreateTestDatabase();
  ASSERT_TRUE(url.ok());
  auto q = PgJobQueue::Open(*url);
  EXPECT_EQ(q.status().code(), base::Code::kUnavailable);
  EXPECT_NE(q.status().message().find("db migrate"), std::string::npos);
  (void)testing::DropTestDatabase(*url);
}

// A database left at any earlier schema version (an older triage made it) is brought up to date on open, keeping
// its rows.
TEST(PgMigrationTest, UpgradesFromEmptyAndFromEachEarlierVersion) {
  for (size_t version = 0; version < Migrations().size(); ++version) {
    auto url = testing::CreateTestDatabase();
    ASSERT_TRUE(url.ok());
    {
      auto conn = Connection::Open(*url);
      ASSERT_TRUE(conn.ok());
      ASSERT_TRUE((*conn)->Run("CREATE TABLE schema_version (version BIGINT NOT NULL)").ok());
      for (size_t v = 0; v < version; ++v) {
        ASSERT_TRUE((*conn)->Script(Migrations()[v]).ok()) << "migration " << v + 1;
        ASSERT_TRUE((*conn)->Run("INSERT INTO schema_version VALUES ($1)", Params().Add(int64_t(v + 1))).ok());
      }
      if (version >= 1) {
        ASSERT_TRUE((*conn)->Run("INSERT INTO persons (name, created_at) VALUES ('ada', 1)").ok());
      }
    }
    auto catalog = PgCatalog::Open(*url);
    ASSERT_TRUE(catalog.ok()) << "from version " << version << ": " << catalog.status().ToString();
    EXPECT_EQ(*(*catalog)->SchemaVersion(), PgCatalog::LatestSchemaVersion());
    EXPECT_EQ((*catalog)->ListPersons()->size(), version >= 1 ? 1u : 0u) << "from version " << version;
    EXPECT_TRUE(PgJobQueue::Open(*url).ok());
    catalog->reset();
    (void)testing::DropTestDatabase(*url);
  }
}

TEST(PgMigrationTest, NewerSchemaThanThisBuildIsRefused) {
  auto url = testing::CreateTestDatabase();
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(PgCatalog::Open(*url).ok());
  {
    auto conn = Connection::Open(*url);
    ASSERT_TRUE((*conn)->Run("INSERT INTO schema_version VALUES (999)").ok());
  }
  auto again = PgCatalog::Open(*url);
  EXPECT_EQ(again.status().code(), base::Code::kUnavailable);
  EXPECT_NE(again.status().message().find("newer than this triage knows"), std::string::npos);
  (void)testing::DropTestDatabase(*url);
}

}  // namespace
}  // namespace triage::catalog::postgres
