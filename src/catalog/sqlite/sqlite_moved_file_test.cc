// A catalog file deleted or replaced under a running triage (a serve or a watch that runs for weeks): what was
// written to the file it had open would be lost with it, so nothing more is committed there, and the error says why.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/test_items.h"

namespace triage::catalog::sqlite {
namespace {

namespace fs = std::filesystem;

class SqliteMovedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sqlite_moved_file_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(SqliteMovedFileTest, NothingIsCommittedToACatalogFileDeletedUnderTheProcess) {
  auto catalog = SqliteCatalog::Open(dir_ / "catalog.db");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_TRUE((*catalog)->Apply(ReviewItemChange(1)).ok());
  fs::remove(dir_ / "catalog.db");
  auto id = (*catalog)->Apply(ReviewItemChange(2));
  ASSERT_FALSE(id.ok()) << "committed to a deleted file";
  EXPECT_EQ(id.status().code(), base::Code::kUnavailable);
  EXPECT_NE(id.status().message().find("catalog.db was deleted, moved or replaced while this triage was running"),
            std::string::npos)
      << id.status().message();
  EXPECT_NE(id.status().message().find("start triage again"), std::string::npos);
  // Group commits and single statements alike.
  auto all = (*catalog)->ApplyAll({ReviewItemChange(3), ReviewItemChange(4)});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), base::Code::kUnavailable);
}

TEST_F(SqliteMovedFileTest, NothingIsCommittedToACatalogFileReplacedByAnother) {
  {
    auto other = SqliteCatalog::Open(dir_ / "restored.db");
    ASSERT_TRUE(other.ok()) << other.status().ToString();
  }
  auto catalog = SqliteCatalog::Open(dir_ / "catalog.db");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_TRUE((*catalog)->Apply(ReviewItemChange(1)).ok());
  // A backup put back in its place (mv keeps the backup's own file).
  fs::rename(dir_ / "restored.db", dir_ / "catalog.db");
  auto id = (*catalog)->Apply(ReviewItemChange(2));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), base::Code::kUnavailable);
  // The file now at the path holds neither change: the process opening it next sees what is really there.
  auto fresh = SqliteCatalog::Open(dir_ / "catalog.db");
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  auto found = (*fresh)->FindBySha256("sha2");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  // And that process writes to it as usual.
  EXPECT_TRUE((*fresh)->Apply(ReviewItemChange(3)).ok());
}

TEST_F(SqliteMovedFileTest, ACatalogLeftInPlaceKeepsCommitting) {
  auto catalog = SqliteCatalog::Open(dir_ / "catalog.db");
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  for (int n = 1; n <= 3; ++n) EXPECT_TRUE((*catalog)->Apply(ReviewItemChange(n)).ok()) << n;
  auto again = (*catalog)->Apply(ReviewItemChange(1));  // the same journal id: applied once
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

}  // namespace
}  // namespace triage::catalog::sqlite
