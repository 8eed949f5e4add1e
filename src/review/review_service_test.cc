// Specification of review decisions: files move, the catalog and the audit log follow.
#include "review/review_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>

#include "commit/journal.h"
#include "review/review_test_fixture.h"
#include "review/shown_images.h"

namespace triage::review {
namespace {

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

// A running server whose catalog refuses the approval's write (a full disk, a database another process broke) keeps
// the photo waiting where it was: file and catalog agree, and the approval can simply be made again.
TEST_F(ReviewServiceTest, AnApprovalTheCatalogCannotRecordLeavesThePhotoWaiting) {
  int64_t id = Pending("a.jpg");
  const fs::path db = lib_ / ".triage/catalog.db";
  ExecOnCatalogFile(db, "CREATE TRIGGER full BEFORE UPDATE ON items BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  auto refused = service_->Approve(id, "bob", "admin", 200);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("nothing was changed (review/unidentified/a.jpg is where it was)"),
            std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/a.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "faces/bob/a.jpg"));
  EXPECT_TRUE(catalog_->PendingReview(id).ok());
  ExecOnCatalogFile(db, "DROP TRIGGER full");
  ASSERT_TRUE(service_->Approve(id, "bob", "admin", 201).ok());
  EXPECT_EQ(catalog_->GetItem(id)->path, "faces/bob/a.jpg");
  EXPECT_TRUE(fs::exists(lib_ / "faces/bob/a.jpg"));
}

TEST_F(ReviewServiceTest, ApproveInterruptedAfterTheMoveStillTeachesTheFaceOnce) {
  int64_t id = Pending("a.jpg");
  const fs::path db = lib_ / ".triage/catalog.db";
  // The process "dies" between the move and the catalog transaction: the catalog can neither record the move nor
  // say whether it did (so the move is not undone), and the journal stays open.
  ExecOnCatalogFile(db, "ALTER TABLE applied_journal RENAME TO applied_journal_away");
  ASSERT_FALSE(service_->Approve(id, "bob", "admin", 200).ok());
  ExecOnCatalogFile(db, "ALTER TABLE applied_journal_away RENAME TO applied_journal");
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

// A photo that exists but waits no more was decided meanwhile: a conflict naming where it is, not a missing item.
TEST_F(ReviewServiceTest, DecidingAPhotoNoLongerWaitingIsAConflictNamingWhereItIs) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(id, "bob", "admin", 200).ok());
  auto again = service_->Approve(id, "bob", "admin", 201);
  EXPECT_EQ(again.status().code(), base::Code::kConflict);
  EXPECT_EQ(again.status().message(), "a.jpg (item " + std::to_string(id) +
                                          ") is not waiting for review: it is in faces/bob; nothing was changed");
  EXPECT_EQ(service_->Keep(id, "admin", 202).status().code(), base::Code::kConflict);
  EXPECT_EQ(service_->Skip(id, "admin", 202).code(), base::Code::kConflict);
  int64_t trashed = Pending("b.jpg");
  ASSERT_TRUE(service_->Reject(trashed, "admin", 203).ok());
  auto rejected = service_->Reject(trashed, "admin", 204);
  EXPECT_EQ(rejected.status().code(), base::Code::kConflict);
  EXPECT_NE(rejected.status().message().find("is not waiting for review: it is in the trash"), std::string::npos)
      << rejected.status().message();
  EXPECT_EQ(service_->Reject(999999, "admin", 205).status().code(), base::Code::kNotFound);  // no such item
}

TEST_F(ReviewServiceTest, ApproveRefusesEscapingName) {
  int64_t id = Pending("a.jpg");
  EXPECT_EQ(service_->Approve(id, "../etc", "admin", 200).status().code(), base::Code::kInvalidArgument);
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/a.jpg"));
}

TEST_F(ReviewServiceTest, AnUnreadableFileIsNotSortedUnderAPersonButCanBeKeptOrDeleted) {
  int64_t id = Pending("broken.jpg", 0, "unreadable"), other = Pending("broken2.jpg", 0, "unreadable");
  auto approved = service_->Approve(id, "bob", "admin", 200);
  ASSERT_EQ(approved.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(approved.status().message().find("broken.jpg (item"), std::string::npos) << approved.status().message();
  EXPECT_NE(approved.status().message().find("could not be read as an image"), std::string::npos);
  EXPECT_TRUE(fs::exists(lib_ / "review/unreadable/broken.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "faces/bob"));
  EXPECT_TRUE(catalog_->PendingReview(id).ok()) << "still waiting for a decision";
  // In bulk the same: the unreadable one fails, the others go on.
  int64_t readable = Pending("fine.jpg");
  auto bulk = service_->Bulk({other, readable}, "approve", "bob", "admin", 210);
  ASSERT_TRUE(bulk.ok());
  EXPECT_FALSE(bulk->at(0).ok);
  EXPECT_TRUE(bulk->at(1).ok);
  EXPECT_TRUE(fs::exists(lib_ / "review/unreadable/broken2.jpg"));
  // Keeping it without a person and deleting it still work.
  auto kept = service_->Keep(id, "admin", 220);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_EQ(kept->location, "library");
  EXPECT_TRUE(service_->Reject(other, "admin", 230).ok());
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

// What was made to show a purged photo (thumbnails, face crops) goes with it, unless another item has the same bytes;
// a face crop is kept under the photo's hash, so a face id given again to a later photo never shows this one's face.
TEST_F(ReviewServiceTest, APurgedPhotosThumbnailsAndFaceCropsGoUnlessAnotherItemShowsTheSameBytes) {
  model::ItemRecord purged, shared;
  purged.id = 7;
  purged.fingerprint.sha256 = std::string(64, 'a');
  shared.id = 8;
  shared.fingerprint.sha256 = std::string(64, 'b');
  auto config = config_->Current();
  const fs::path thumbs = ThumbnailsDir(*config);
  EXPECT_NE(FaceCropPath(*config, purged.fingerprint.sha256, 7, 160),
            FaceCropPath(*config, shared.fingerprint.sha256, 7, 160));
  auto make = [&](const model::ItemRecord& item) {
    const fs::path thumb = ThumbnailPath(thumbs, item, 160);
    EXPECT_EQ(thumb, thumbs / item.fingerprint.sha256.substr(0, 2) / (item.fingerprint.sha256 + "-160.jpg"));
    fs::create_directories(thumb.parent_path());
    std::ofstream(thumb) << "t";
    const fs::path crop = FaceCropPath(*config, item.fingerprint.sha256, 7, 160);
    fs::create_directories(crop.parent_path());
    std::ofstream(crop) << "c";
    return std::make_pair(thumb, crop);
  };
  const auto [thumb, crop] = make(purged);
  const fs::path neighbour = thumbs / "aa/aaaa-160.jpg";  // another hash in the same folder stays
  std::ofstream(neighbour) << "n";
  ForgetShownImages(*catalog_, *config, purged);
  EXPECT_FALSE(fs::exists(thumb));
  EXPECT_FALSE(fs::exists(crop));
  EXPECT_TRUE(fs::exists(neighbour));

  const fs::path kept_crop = make(shared).second;
  const fs::path kept_thumb = ThumbnailPath(thumbs, shared, 160);
  catalog::CatalogChange c;
  c.item.path = "review/unidentified/same.jpg";
  c.item.original_name = "same.jpg";
  c.item.fingerprint.sha256 = shared.fingerprint.sha256;
  c.item.location = "review";
  c.item.category = "unidentified";
  c.at = 100;
  ASSERT_TRUE(catalog_->Apply(c).ok());
  ForgetShownImages(*catalog_, *config, shared);
  EXPECT_TRUE(fs::exists(kept_thumb));
  EXPECT_TRUE(fs::exists(kept_crop));
}

// A file moved away by hand: every decision is refused naming the item and where its file should be (library-relative,
// not two server paths and ENOENT), and the item keeps its place in the queue.
TEST_F(ReviewServiceTest, AFileGoneFromTheLibraryIsNamedAndTheItemKeepsItsPlace) {
  int64_t id = Pending("b.jpg");
  const std::string path = catalog_->GetItem(id)->path;
  fs::rename(lib_ / path, lib_ / "elsewhere.jpg");
  for (const auto& outcome : {service_->Reject(id, "admin", 1000), service_->Approve(id, "bob", "admin", 1000)}) {
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.status().code(), base::Code::kConflict);
    EXPECT_EQ(outcome.status().message(),
              fmt::format("item {}'s file is no longer at {} (moved or deleted outside triage); nothing was changed: "
                          "put it back there to decide it",
                          id, path));
  }
  EXPECT_EQ(catalog_->GetItem(id)->path, path);
  EXPECT_TRUE(catalog_->PendingReview(id).ok());
  fs::rename(lib_ / "elsewhere.jpg", lib_ / path);
  EXPECT_TRUE(service_->Reject(id, "admin", 1001).ok()) << "put back, it is decided";
}

// Forgetting is for a file gone for good: refused while the file is there (it would be lost to the catalog), done
// and audited once it is not; the review entry goes with the item.
TEST_F(ReviewServiceTest, OnlyAnItemWhoseFileIsGoneIsForgotten) {
  int64_t id = Pending("b.jpg"), other = Pending("c.jpg");
  const std::string path = catalog_->GetItem(id)->path;
  base::Status refused = service_->Forget(id, "admin", 1000);
  EXPECT_EQ(refused.code(), base::Code::kConflict);
  EXPECT_EQ(refused.message(),
            fmt::format("item {}'s file is still at {}; nothing was changed: only an item whose file "
                        "was deleted outside triage is forgotten (reject it to move it to the trash)",
                        id, path));
  EXPECT_TRUE(catalog_->GetItem(id).ok());
  fs::remove(lib_ / path);
  ASSERT_TRUE(service_->Forget(id, "admin", 1001).ok());
  EXPECT_EQ(catalog_->GetItem(id).status().code(), base::Code::kNotFound);
  EXPECT_EQ(catalog_->PendingReview(id).status().code(), base::Code::kNotFound);
  EXPECT_TRUE(catalog_->PendingReview(other).ok());
  catalog::AuditQuery query;
  query.item_id = id;
  auto audit = catalog_->ListAuditEntries(query);
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->front().action, "forget");
  EXPECT_EQ(audit->front().from_state, "review/unidentified");
  EXPECT_EQ(audit->front().actor, "admin");
  EXPECT_EQ(service_->Forget(id, "admin", 1002).code(), base::Code::kNotFound);
}

// `check --forget-missing` beside a running server: a file moved by a decision in the other process, whose catalog
// entry is not yet written, is missing from the item's path for a moment; the item is not forgotten while that
// process's journal holds the move, nor once the catalog names the new path.
TEST_F(ReviewServiceTest, AnItemBeingMovedByAnotherProcessIsNotForgotten) {
  int64_t id = Pending("b.jpg");
  const model::ItemRecord item = *catalog_->GetItem(id);
  auto other = commit::Journal::Open(lib_ / ".triage", "server");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  commit::Intent moving;
  moving.id = "reject1";
  moving.from = lib_ / item.path;
  moving.to = lib_ / ".triage/trash/b.jpg";
  catalog::CatalogChange change;
  change.item = item;
  change.item.location = "trash";
  moving.change = change;
  ASSERT_TRUE((*other)->Record(moving).ok());
  fs::create_directories(moving.to.parent_path());
  fs::rename(moving.from, moving.to);
  base::Status refused = service_->Forget(id, "admin", 1000);
  EXPECT_EQ(refused.code(), base::Code::kConflict) << refused.ToString();
  EXPECT_NE(refused.message().find("being moved"), std::string::npos) << refused.message();
  EXPECT_TRUE(catalog_->GetItem(id).ok());
  fs::rename(moving.to, moving.from);
  ASSERT_TRUE((*other)->Done(moving.id).ok());
}

TEST_F(ReviewServiceTest, APhotoRestoredFromTheTrashWaitsForTheReasonItWasSentToReview) {
  int64_t id = Pending("b.jpg");
  ASSERT_TRUE(service_->Reject(id, "admin", 1000).ok());
  ASSERT_TRUE(service_->Restore(id, "admin", 1001).ok());
  auto entry = catalog_->PendingReview(id);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->reason, "The face matches nobody enrolled.");  // not "restored from the trash by admin"
  EXPECT_EQ(entry->reason_code, "unknown_person");
  EXPECT_EQ(catalog_->GetItem(id)->reasons.front().code, "unknown_person");
}

// The trash names the second "a.jpg" it holds "a_1.jpg"; restored, a photo takes back its own name where it is free.
TEST_F(ReviewServiceTest, APhotoRestoredFromTheTrashTakesBackItsNameWhereItIsFree) {
  int64_t first = Pending("a.jpg");
  ASSERT_TRUE(service_->Reject(first, "admin", 1000).ok());
  int64_t second = Pending("a.jpg");
  ASSERT_TRUE(service_->Reject(second, "admin", 1001).ok());
  EXPECT_EQ(catalog_->GetItem(second)->path, ".triage/trash/a_1.jpg");
  auto back = service_->Restore(second, "admin", 1002);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->path, "review/unidentified/a.jpg");
  // The first has the same bytes as the second (this fixture's files are their names): it waits as its copy, and a
  // file in the way there keeps its name.
  fs::create_directories(lib_ / "review/duplicates");
  std::ofstream(lib_ / "review/duplicates/a.jpg") << "in the way";
  back = service_->Restore(first, "admin", 1003);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->path, "review/duplicates/a_1.jpg") << "the name is taken: suffixed, nothing overwritten";
  EXPECT_EQ(back->duplicate_of, second);
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/a.jpg"));
  EXPECT_TRUE(fs::exists(lib_ / "review/duplicates/a.jpg"));
  EXPECT_TRUE(fs::exists(lib_ / "review/duplicates/a_1.jpg"));
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

TEST_F(ReviewServiceTest, BulkDecidesAPhotoGivenTwiceOnce) {
  int64_t a = Pending("a.jpg"), b = Pending("b.jpg");
  auto out = service_->Bulk({a, a, b, a}, "skip", "", "admin", 300);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);  // one outcome per photo, so "3 skipped" is never reported for two
  EXPECT_EQ(out->at(0).id, a);
  EXPECT_EQ(out->at(1).id, b);
  EXPECT_TRUE(out->at(0).ok && out->at(1).ok);
}

TEST_F(ReviewServiceTest, SkipKeepsPending) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Skip(id, "admin", 5).ok());
  EXPECT_TRUE(catalog_->PendingReview(id).ok());
}

}  // namespace
}  // namespace triage::review
