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
        auto job = mine->Claim(id, 1000, 30);
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
  for (const JobEvent& e : *q->Log(0)) {
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
  auto held = a->Claim("a", 1000, 30);
  ASSERT_TRUE(held.ok() && held->has_value());
  ASSERT_TRUE(b->Heartbeat(Worker("b"), 1020).ok());
  EXPECT_FALSE(b->Claim("b", 1020, 30)->has_value()) << "a is alive: its job stays its own";
  auto workers = b->LiveWorkers(1020, 30);
  ASSERT_EQ(workers->size(), 2u);
  EXPECT_EQ(workers->at(0).job_id, (*held)->id);

  ASSERT_TRUE(b->Heartbeat(Worker("b"), 1040).ok());
  auto taken = b->Claim("b", 1040, 30);  // a's last heartbeat is 40 s old
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->id, (*held)->id);
  EXPECT_EQ((*taken)->attempts, 2);
  EXPECT_EQ(a->Finish((*held)->id, "a", "", 1041).code(), base::Code::kConflict) << "a came back too late";
  ASSERT_TRUE(b->Finish((*taken)->id, "b", "", 1042).ok());
  auto log = b->Log((*held)->id);
  ASSERT_EQ(log->size(), 3u);
  EXPECT_EQ(log->at(0).worker, "a");
  EXPECT_EQ(log->at(1).worker, "b");
  EXPECT_EQ(log->at(2).event, "done");
  EXPECT_EQ(b->LiveWorkers(1042, 30)->size(), 1u) << "a is no longer among the live";
}

TEST_F(PgJobQueueTest, FailedJobKeepsItsErrorAndIsNotRetried) {
  auto q = Queue();
  ASSERT_TRUE(q->Enqueue("ingest", "bad.jpg", 1).ok());
  ASSERT_TRUE(q->Heartbeat(Worker("w"), 1).ok());
  auto job = q->Claim("w", 1, 30);
  ASSERT_TRUE(q->Finish((*job)->id, "w", "unreadable: truncated JPEG", 2).ok());
  EXPECT_EQ(q->Counts()->failed, 1);
  EXPECT_FALSE(q->Claim("w", 100, 30)->has_value());
}

TEST_F(PgJobQueueTest, ALeaseIsHeldByOneProcessAtATimeAndFreedWithItsConnection) {
  auto a = Queue();
  auto b = Queue();
  ASSERT_TRUE(a->TakeLease("purge").ok());
  auto refused = b->TakeLease("purge");
  EXPECT_EQ(refused.code(), base::Code::kConflict);
  EXPECT_NE(refused.message().find("purge"), std::string::npos);
  EXPECT_TRUE(b->TakeLease("recluster").ok()) << "leases are per name";
  ASSERT_TRUE(b->ReleaseLease("recluster").ok());
  ASSERT_TRUE(a->TakeLease("recluster").ok());
  a.reset();  // the process holding both ends; the server frees its locks once its session is gone
  base::Status taken = b->TakeLease("purge");
  for (int i = 0; i < 200 && !taken.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    taken = b->TakeLease("purge");
  }
  EXPECT_TRUE(taken.ok()) << taken.ToString();
  EXPECT_TRUE(b->TakeLease("recluster").ok());
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
