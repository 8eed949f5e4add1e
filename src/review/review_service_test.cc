// Specification of review decisions: files move, the catalog and the audit log follow.
#include "review/review_service.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>

#include "catalog/sqlite/sqlite_catalog.h"

namespace triage::review {
namespace {

namespace fs = std::filesystem;

class ReviewServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("review_test_" + std::to_string(::getpid()));
    fs::create_directories(lib_ / ".triage");
    config_ = *config::ConfigFromJson(lib_, nlohmann::json::object());
    catalog_ = *catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db");
    journal_ = *commit::Journal::Open(lib_ / ".triage");
    committer_ = std::make_unique<commit::Committer>(*journal_, *catalog_, lib_);
    service_ = std::make_unique<ReviewService>(config_, *catalog_, *committer_);
  }
  void TearDown() override {
    service_.reset();
    committer_.reset();
    journal_.reset();
    catalog_.reset();
    fs::remove_all(lib_);
  }
  // An item waiting in review/unidentified, with one face.
  int64_t Pending(const std::string& name) {
    fs::create_directories(lib_ / "in");
    std::ofstream(lib_ / "in" / name) << name;
    auto staged = committer_->StageCopy(lib_ / "in" / name, nullptr);
    catalog::CatalogChange c;
    c.item.original_name = name;
    c.item.fingerprint.sha256 = name;
    c.item.location = "review";
    c.item.category = "unidentified";
    c.item.reasons = {{"unknown_person", "The face matches nobody enrolled."}};
    model::Face face;
    face.embedding = std::vector<float>(128, 0.1f);
    c.faces = {face};
    c.at = 100;
    return committer_->Place(*staged, lib_ / "review/unidentified", name, c)->item_id;
  }
  fs::path lib_;
  config::Config config_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<commit::Journal> journal_;
  std::unique_ptr<commit::Committer> committer_;
  std::unique_ptr<ReviewService> service_;
};

TEST_F(ReviewServiceTest, ApproveMovesToPersonFolderLearnsAndAudits) {
  int64_t id = Pending("a.jpg");
  auto item = service_->Approve(id, "New Person", "admin", 200);
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->path, "faces/new_person/a.jpg");
  EXPECT_FALSE(item->auto_sorted);
  EXPECT_TRUE(fs::exists(lib_ / "faces/new_person/a.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "review/unidentified/a.jpg"));
  EXPECT_EQ(catalog_->AllReferences()->size(), 1u);
  auto audit = catalog_->ListAudit(id, "admin", 10, 0);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().to_state, "faces/new_person");
}

// Runs `sql` on the catalog file through a second connection, as another process would.
void ExecOnCatalogFile(const fs::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_F(ReviewServiceTest, ApproveInterruptedAfterTheMoveStillTeachesTheFaceOnce) {
  int64_t id = Pending("a.jpg");
  const fs::path db = lib_ / ".triage/catalog.db";
  // The process "dies" between the move and the catalog transaction: the transaction fails, the journal stays open.
  ExecOnCatalogFile(db, "CREATE TRIGGER crash BEFORE UPDATE ON items BEGIN SELECT RAISE(ABORT, 'crash'); END");
  ASSERT_FALSE(service_->Approve(id, "bob", "admin", 200).ok());
  ExecOnCatalogFile(db, "DROP TRIGGER crash");
  EXPECT_TRUE(fs::exists(lib_ / "faces/bob/a.jpg"));
  EXPECT_TRUE(catalog_->AllReferences()->empty());
  service_.reset();
  committer_.reset();
  journal_.reset();  // releases the session's lock and keeps its open intent, like a killed process
  auto report = commit::Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rolled_forward, 1);
  ASSERT_TRUE(commit::Recover(lib_ / ".triage", *catalog_).ok());  // a second recovery changes nothing
  auto refs = catalog_->AllReferences();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(refs->front().person, "bob");
  EXPECT_EQ(refs->front().source, "item:" + std::to_string(id));
  EXPECT_EQ(catalog_->GetItem(id)->path, "faces/bob/a.jpg");
}

TEST_F(ReviewServiceTest, ApproveTwiceIsNotFound) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(id, "bob", "admin", 200).ok());
  EXPECT_EQ(service_->Approve(id, "bob", "admin", 201).status().code(), base::Code::kNotFound);
}

TEST_F(ReviewServiceTest, ApproveRefusesEscapingName) {
  int64_t id = Pending("a.jpg");
  EXPECT_EQ(service_->Approve(id, "../etc", "admin", 200).status().code(), base::Code::kInvalidArgument);
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/a.jpg"));
}

TEST_F(ReviewServiceTest, RejectGoesToTrashAndIsPurgedOnlyAfterRetention) {
  int64_t id = Pending("b.jpg");
  auto item = service_->Reject(id, "admin", 1000);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->location, "trash");
  EXPECT_TRUE(fs::exists(lib_ / ".triage/trash/b.jpg"));
  EXPECT_EQ(*service_->PurgeTrash(1000 + 86400, "system"), 0);  // not yet: 30 days by default
  EXPECT_TRUE(fs::exists(lib_ / ".triage/trash/b.jpg"));
  EXPECT_EQ(*service_->PurgeTrash(1000 + 31 * 86400, "system"), 1);
  EXPECT_FALSE(fs::exists(lib_ / ".triage/trash/b.jpg"));
  EXPECT_EQ(catalog_->GetItem(id).status().code(), base::Code::kNotFound);
}

TEST_F(ReviewServiceTest, BulkReportsEachOutcome) {
  int64_t a = Pending("a.jpg"), b = Pending("b.jpg");
  auto out = service_->Bulk({a, 999, b}, "approve", "carol", "admin", 300);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 3u);
  EXPECT_TRUE(out->at(0).ok);
  EXPECT_FALSE(out->at(1).ok);
  EXPECT_TRUE(out->at(2).ok);
  EXPECT_EQ(service_->Bulk({a}, "explode", "", "admin", 1).status().code(), base::Code::kInvalidArgument);
}

TEST_F(ReviewServiceTest, SkipKeepsPending) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Skip(id, "admin", 5).ok());
  EXPECT_TRUE(catalog_->PendingReview(id).ok());
}

}  // namespace
}  // namespace triage::review
