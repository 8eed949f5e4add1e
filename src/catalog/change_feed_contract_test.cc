// Specification of the change feed on every catalog backend (SQLite and the tests' PostgreSQL): writes through any
// connection to the database move the version, reads do not, and closing the feed ends every wait.
#include <gtest/gtest.h>

#include <chrono>
#include <stop_token>
#include <string>
#include <thread>

#include "catalog/store_test.h"

namespace triage::catalog {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ChangeFeedTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = TestBackend::Make(GetParam());
    auto server = backend_->Open();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    auto worker = backend_->Open();  // another connection, as a worker process has
    ASSERT_TRUE(worker.ok()) << worker.status().ToString();
    worker_ = std::move(*worker);
    auto feed = backend_->Changes();
    ASSERT_TRUE(feed.ok()) << feed.status().ToString();
    feed_ = std::move(*feed);
  }
  void TearDown() override {
    feed_.reset();
    worker_.reset();
    server_.reset();
    backend_.reset();
  }
  static int64_t AddItem(Catalog& catalog, const std::string& path) {
    CatalogChange c;
    c.journal_id = "insert:" + path;
    c.item.path = path;
    c.item.original_name = path;
    c.item.fingerprint.sha256 = path;
    c.item.location = "review";
    c.item.category = "unidentified";
    c.reason = "no known face";
    c.at = 100;
    auto id = catalog.Apply(c);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::unique_ptr<TestBackend> backend_;
  std::unique_ptr<Catalog> server_;
  std::unique_ptr<Catalog> worker_;
  std::unique_ptr<ChangeFeed> feed_;
};

TEST_P(ChangeFeedTest, AnItemAddedThroughAnotherConnectionMovesTheVersion) {
  const int64_t before = feed_->Version();
  AddItem(*worker_, "review/unidentified/a.jpg");
  const int64_t after = feed_->WaitForChange(before, seconds(60));
  EXPECT_NE(after, before);
  EXPECT_EQ(feed_->Version(), after);
}

TEST_P(ChangeFeedTest, ChangesThroughTheServersOwnConnectionMoveTheVersionToo) {
  const int64_t before = feed_->Version();
  AddItem(*server_, "review/unidentified/a.jpg");
  EXPECT_NE(feed_->WaitForChange(before, seconds(60)), before);
}

TEST_P(ChangeFeedTest, ADeletedItemMovesTheVersion) {
  const int64_t before_insert = feed_->Version();
  const int64_t id = AddItem(*worker_, "review/unidentified/a.jpg");
  const int64_t inserted = feed_->WaitForChange(before_insert, seconds(60));
  ASSERT_NE(inserted, before_insert);
  ASSERT_TRUE(worker_->DeleteItem(PurgeAudit(id, "alice", "test", 200)).ok());
  EXPECT_NE(feed_->WaitForChange(inserted, seconds(60)), inserted);
}

TEST_P(ChangeFeedTest, CloseEndsAWaitAndLaterOnesReturnAtOnce) {
  const int64_t v = feed_->Version();
  int64_t returned = 0;
  std::thread waiter([&] { returned = feed_->WaitForChange(v, seconds(3600)); });
  feed_->Close();
  waiter.join();
  EXPECT_EQ(returned, v);
  EXPECT_EQ(feed_->WaitForChange(v, seconds(3600)), v);
}

TEST_P(ChangeFeedTest, ARequestedStopEndsAWaitButNotTheFeed) {
  const int64_t v = feed_->Version();
  std::stop_source stopping;
  int64_t returned = 0;
  std::thread waiter([&] { returned = feed_->WaitForChange(v, seconds(3600), stopping.get_token()); });
  stopping.request_stop();
  waiter.join();
  EXPECT_EQ(returned, v);
  AddItem(*worker_, "review/unidentified/a.jpg");
  EXPECT_NE(feed_->WaitForChange(v, seconds(60)), v) << "other waits go on";
}

TRIAGE_ON_EVERY_BACKEND(ChangeFeedTest);

}  // namespace
}  // namespace triage::catalog
