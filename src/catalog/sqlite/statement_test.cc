// The statement cache: one prepared statement per SQL text, handed out again clean (reset, nothing bound), correct
// after errors and schema changes, never shared by two leases at once.
#include "catalog/sqlite/statement.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdio>
#include <string>

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kInsert = "INSERT INTO t (id, name) VALUES (?, ?)";
constexpr const char* kNames = "SELECT name FROM t WHERE id >= ? ORDER BY id";
constexpr const char* kCount = "SELECT COUNT(*) FROM t";

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    ASSERT_TRUE(Exec(db_, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").ok());
    cache_ = std::make_unique<StatementCache>(db_);
  }
  void TearDown() override {
    cache_.reset();
    // Every kept statement is finalized with the cache: the connection closes.
    EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);
  }

  base::Status Insert(int64_t id, const std::string& name) {
    return cache_->Get(kInsert).Bind(1, id).Bind(2, name).Run();
  }
  int64_t Count() {
    Statement s = cache_->Get(kCount);
    auto row = s.Step();
    return row.ok() && *row ? s.Int(0) : -1;
  }

  sqlite3* db_ = nullptr;
  std::unique_ptr<StatementCache> cache_;
};

TEST_F(StatementCacheTest, PreparesEachSqlOnceAndBindsAnewEachLease) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Insert(2, "b").ok());
  ASSERT_TRUE(Insert(3, "c").ok());
  EXPECT_EQ(cache_->size(), 1u);
  EXPECT_EQ(Count(), 3);
  EXPECT_EQ(Count(), 3);
  EXPECT_EQ(cache_->size(), 2u);
  Statement s = cache_->Get(kNames);
  s.Bind(1, int64_t{2});
  ASSERT_TRUE(*s.Step());
  EXPECT_EQ(s.Text(0), "b");
}

TEST_F(StatementCacheTest, LeaseStartsFromTheFirstRowWithNothingBound) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Insert(2, "b").ok());
  {
    Statement s = cache_->Get(kNames);
    s.Bind(1, int64_t{2});
    ASSERT_TRUE(*s.Step());  // left after one row: the lease's end resets it
  }
  Statement s = cache_->Get(kNames);
  // Unbound, the parameter is NULL: no row compares >= NULL. A value left from the last lease would find "b".
  auto row = s.Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST_F(StatementCacheTest, NestedLeaseOfTheSameSqlGetsAStatementOfItsOwn) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Insert(2, "b").ok());
  Statement outer = cache_->Get(kNames);
  outer.Bind(1, int64_t{1});
  ASSERT_TRUE(*outer.Step());
  EXPECT_EQ(outer.Text(0), "a");
  {
    Statement inner = cache_->Get(kNames);
    inner.Bind(1, int64_t{2});
    ASSERT_TRUE(*inner.Step());
    EXPECT_EQ(inner.Text(0), "b");
  }
  ASSERT_TRUE(*outer.Step());  // the outer lease's position is its own
  EXPECT_EQ(outer.Text(0), "b");
  EXPECT_EQ(cache_->size(), 2u);
}

TEST_F(StatementCacheTest, KeptStatementRunsAgainAfterAnError) {
  ASSERT_TRUE(Insert(1, "a").ok());
  base::Status duplicate = Insert(1, "again");
  EXPECT_EQ(duplicate.code(), base::Code::kAlreadyExists) << duplicate.message();
  ASSERT_TRUE(Insert(2, "b").ok());
  EXPECT_EQ(Count(), 2);
}

TEST_F(StatementCacheTest, KeptStatementFollowsSchemaChanges) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Exec(db_, "ALTER TABLE t ADD COLUMN extra INTEGER; CREATE INDEX t_name ON t (name)").ok());
  ASSERT_TRUE(Insert(2, "b").ok());
  EXPECT_EQ(Count(), 2);
  // A table dropped: its statements fail with the reason, and work again once it is back.
  ASSERT_TRUE(Exec(db_, "DROP TABLE t").ok());
  base::Status gone = Insert(3, "c");
  EXPECT_FALSE(gone.ok());
  EXPECT_NE(gone.message().find("no such table"), std::string::npos) << gone.message();
  ASSERT_TRUE(Exec(db_, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").ok());
  ASSERT_TRUE(Insert(3, "c").ok());
  EXPECT_EQ(Count(), 1);
}

TEST_F(StatementCacheTest, SqlThatDoesNotPrepareIsNotKeptAndReportsWhy) {
  Statement s = cache_->Get("SELEKT nothing");
  EXPECT_FALSE(s.prepared());
  auto row = s.Step();
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("cannot prepare"), std::string::npos) << row.status().message();
  EXPECT_EQ(cache_->size(), 0u);
}

TEST_F(StatementCacheTest, KeepsAtMostItsLimitAndServesTheRestUncached) {
  std::vector<std::string> sqls;
  for (size_t i = 0; i < StatementCache::kMaxStatements + 5; ++i) {
    sqls.push_back("SELECT " + std::to_string(i));
  }
  for (const std::string& sql : sqls) {
    Statement s = cache_->Get(sql.c_str());
    ASSERT_TRUE(*s.Step());
    EXPECT_EQ(std::to_string(s.Int(0)), sql.substr(7));
  }
  EXPECT_EQ(cache_->size(), StatementCache::kMaxStatements);
}

// A catalog this user cannot write (a library copied from another account, a read-only mount) is said as such, with
// the file and what to check, not only as SQLite's "attempt to write a readonly database".
TEST(StatementTest, AWriteToACatalogThatCannotBeWrittenSaysWhichFileAndWhatToCheck) {
  const std::string path = ::testing::TempDir() + "/readonly_catalog.db";
  std::remove(path.c_str());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_TRUE(Exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY)").ok());
  sqlite3_close(db);
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  for (int i = 0; i < 2; ++i) {
    base::Status st =
        i == 0 ? Exec(db, "INSERT INTO t (id) VALUES (1)") : Statement(db, "INSERT INTO t (id) VALUES (2)").Run();
    EXPECT_EQ(st.code(), base::Code::kIo);
    EXPECT_NE(st.message().find("readonly database"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("readonly_catalog.db cannot be written by this user"), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("check its owner and permissions"), std::string::npos) << st.message();
  }
  sqlite3_close(db);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace triage::catalog::sqlite
