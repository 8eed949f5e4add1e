// Specification of the PostgreSQL change feed's connection: a NOTIFY on its channel reaches it, and when its
// connection is killed it reconnects and goes on listening.
#include "catalog/postgres/pg_change_feed.h"

#include <gtest/gtest.h>

#include <chrono>

#include "catalog/postgres/connection.h"
#include "catalog/postgres/pg_catalog.h"
#include "tests/postgres/test_cluster.h"

namespace triage::catalog::postgres {
namespace {

using std::chrono::seconds;

class PgChangeFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = testing::CreateTestDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    ASSERT_TRUE(PgCatalog::Open(url_).ok());  // migrates
    auto conn = Connection::Open(url_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
  }
  void TearDown() override {
    conn_.reset();
    (void)testing::DropTestDatabase(url_);
  }
  std::string url_;
  std::unique_ptr<Connection> conn_;  // another session, as a worker's
};

TEST_F(PgChangeFeedTest, ANotifyOnTheChannelReachesTheFeed) {
  auto feed = PgChangeFeed::Open(url_);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  const int64_t before = (*feed)->Version();
  ASSERT_TRUE(conn_->Run(std::string("NOTIFY ") + kChangesChannel).ok());
  EXPECT_NE((*feed)->WaitForChange(before, seconds(60)), before);
}

TEST_F(PgChangeFeedTest, ReconnectsWhenItsConnectionIsKilledAndListensAgain) {
  auto feed = PgChangeFeed::Open(url_, {std::chrono::milliseconds(50), std::chrono::milliseconds(30'000)});
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  const int64_t before = (*feed)->Version();
  auto killed = conn_->Query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = "
      "current_database()",
      Params().Add(kChangesApplicationName));
  ASSERT_TRUE(killed.ok()) << killed.status().ToString();
  ASSERT_EQ(killed->size(), 1);
  // Reconnecting moves the version (changes may have been missed while it was away) ...
  const int64_t reconnected = (*feed)->WaitForChange(before, seconds(60));
  ASSERT_NE(reconnected, before);
  // ... once it listens again (LISTEN ran before the version moved): a notification reaches it.
  const int64_t listening = reconnected;
  ASSERT_TRUE(conn_->Run(std::string("NOTIFY ") + kChangesChannel).ok());
  EXPECT_NE((*feed)->WaitForChange(listening, seconds(60)), listening);
}

}  // namespace
}  // namespace triage::catalog::postgres
