// The catalog contract: every Catalog implementation must pass these (run here against SQLite in a temp dir).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "catalog/sqlite/sqlite_catalog.h"

namespace triage::catalog {
namespace {

namespace fs = std::filesystem;

class CatalogContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("catalog_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto c = sqlite::SqliteCatalog::Open(dir_ / "catalog.db");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }

  CatalogChange Insert(const std::string& journal_id, const std::string& path, const std::string& location,
                       const std::string& category = "", const std::string& sha = "aa") {
    CatalogChange c;
    c.journal_id = journal_id;
    c.item.path = path;
    c.item.original_name = fs::path(path).filename();
    c.item.fingerprint = {sha, 100, 0xF0F0, 0x0F0F, true};
    c.item.location = location;
    c.item.category = category;
    c.item.reasons = {{"no_faces_detected", "No face was detected."}};
    c.action = "ingest";
    c.at = 1000;
    return c;
  }

  fs::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogContractTest, InsertThenReadBack) {
  auto id = catalog_->Apply(Insert("j1", "review/unidentified/a.jpg", "review", "unidentified"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto item = catalog_->GetItem(*id);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->path, "review/unidentified/a.jpg");
  EXPECT_EQ(item->fingerprint.phash, 0xF0F0u);
  EXPECT_EQ(item->fingerprint.phash_center, 0x0F0Fu);
  EXPECT_EQ(item->reasons.at(0).code, "no_faces_detected");
  auto pending = catalog_->PendingReview(*id);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->category, "unidentified");
  EXPECT_EQ(pending->reason_code, "no_faces_detected");
}

TEST_F(CatalogContractTest, ApplyIsIdempotentByJournalId) {
  auto a = catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library"));
  auto b = catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*catalog_->CountItems({}), 1);
  EXPECT_TRUE(*catalog_->WasApplied("j1"));
  EXPECT_FALSE(*catalog_->WasApplied("j2"));
}

TEST_F(CatalogContractTest, SamePathTwiceIsRefused) {
  ASSERT_TRUE(catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library")).ok());
  auto b = catalog_->Apply(Insert("j2", "faces/x/a.jpg", "library"));
  EXPECT_EQ(b.status().code(), base::Code::kAlreadyExists);
  EXPECT_FALSE(*catalog_->WasApplied("j2"));  // the whole transaction rolled back
}

TEST_F(CatalogContractTest, RelocateClosesReviewAndAudits) {
  auto id = catalog_->Apply(Insert("j1", "review/unidentified/a.jpg", "review", "unidentified"));
  CatalogChange move;
  move.kind = CatalogChange::Kind::kRelocateItem;
  move.journal_id = "j2";
  move.item.id = *id;
  move.item.path = "faces/alice/a.jpg";
  move.item.location = "library";
  move.item.person = "alice";
  move.actor = "admin";
  move.action = "approve";
  move.reason = "approved as alice";
  move.at = 2000;
  ASSERT_TRUE(catalog_->Apply(move).ok());
  EXPECT_EQ(catalog_->PendingReview(*id).status().code(), base::Code::kNotFound);
  auto audit = catalog_->ListAudit(*id, "", 10, 0);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ(audit->at(0).action, "approve");
  EXPECT_EQ(audit->at(0).from_state, "review/unidentified");
  EXPECT_EQ(audit->at(0).to_state, "faces/alice");
  EXPECT_EQ(audit->at(0).actor, "admin");
}

TEST_F(CatalogContractTest, RelocateAddsItsReferencesOnceCreatingThePerson) {
  auto id = catalog_->Apply(Insert("j1", "review/unidentified/a.jpg", "review", "unidentified"));
  CatalogChange move;
  move.kind = CatalogChange::Kind::kRelocateItem;
  move.journal_id = "j2";
  move.item.id = *id;
  move.item.path = "faces/carol/a.jpg";
  move.item.location = "library";
  move.item.person = "carol";
  move.action = "approve";
  move.references = {{0, "carol", {0.25f, 0.5f}, "item:1"}};
  ASSERT_TRUE(catalog_->Apply(move).ok());
  ASSERT_TRUE(catalog_->Apply(move).ok());  // replayed by recovery: applied once
  auto refs = catalog_->AllReferences();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(refs->at(0).person, "carol");
  EXPECT_EQ(refs->at(0).source, "item:1");
  EXPECT_FLOAT_EQ(refs->at(0).embedding[1], 0.5f);
  EXPECT_EQ(catalog_->ListPersons()->at(0).name, "carol");
}

TEST_F(CatalogContractTest, FindsDuplicatesAndHashesButNotTrash) {
  auto a = catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library", "", "sha-a"));
  catalog_->Apply(Insert("j2", "trash/b.jpg", "trash", "", "sha-b"));
  EXPECT_EQ(**catalog_->FindBySha256("sha-a"), *a);
  EXPECT_FALSE(catalog_->FindBySha256("sha-b")->has_value());
  auto hashes = catalog_->AllPerceptualHashes();
  ASSERT_EQ(hashes->size(), 1u);
  EXPECT_EQ(hashes->at(0).phash_center, 0x0F0Fu);
}

TEST_F(CatalogContractTest, FiltersPagesAndCounts) {
  for (int i = 0; i < 5; ++i) {
    catalog_->Apply(Insert("r" + std::to_string(i), "review/d/" + std::to_string(i), "review", "duplicates"));
  }
  catalog_->Apply(Insert("l", "faces/a/l.jpg", "library"));
  ItemFilter f;
  f.category = "duplicates";
  f.limit = 2;
  EXPECT_EQ(*catalog_->CountItems(f), 5);
  auto page = catalog_->ListItems(f);
  ASSERT_EQ(page->size(), 2u);
  f.after_id = page->back().id;
  auto next = catalog_->ListItems(f);
  ASSERT_EQ(next->size(), 2u);
  EXPECT_GT(next->front().id, page->back().id);
  auto stats = catalog_->GetStats(0);
  EXPECT_EQ(stats->in_review, 5);
  EXPECT_EQ(stats->by_category["duplicates"], 5);
}

TEST_F(CatalogContractTest, PersonsAndReferences) {
  ASSERT_TRUE(catalog_->AddPerson("alice", 1).ok());
  EXPECT_EQ(catalog_->AddPerson("alice", 1).status().code(), base::Code::kAlreadyExists);
  ASSERT_TRUE(catalog_->AddReference({0, "alice", {0.1f, 0.2f}, "a.jpg"}).ok());
  EXPECT_EQ(catalog_->AddReference({0, "bob", {0.1f}, "b.jpg"}).code(), base::Code::kNotFound);
  auto refs = catalog_->AllReferences();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_FLOAT_EQ(refs->at(0).embedding[1], 0.2f);
  EXPECT_EQ(catalog_->ListPersons()->at(0).references, 1);
  ASSERT_TRUE(catalog_->RemovePerson("alice").ok());
  EXPECT_TRUE(catalog_->AllReferences()->empty());
  EXPECT_EQ(catalog_->RemovePerson("alice").code(), base::Code::kNotFound);
}

TEST_F(CatalogContractTest, SkipKeepsItemPendingAndAudits) {
  auto id = catalog_->Apply(Insert("j1", "review/x/a.jpg", "review", "unidentified"));
  auto later = catalog_->Apply(Insert("j2", "review/x/b.jpg", "review", "unidentified"));
  ASSERT_TRUE(catalog_->SkipReview(*id, "bob", 5000).ok());
  EXPECT_TRUE(catalog_->PendingReview(*id).ok());
  ItemFilter queue;
  queue.location = "review";
  queue.queue_order = true;
  auto order = catalog_->ListItems(queue);
  ASSERT_EQ(order->size(), 2u);
  EXPECT_EQ(order->at(0).id, *later);  // the skipped item moved behind the other
  EXPECT_EQ(order->at(1).id, *id);
  EXPECT_EQ(catalog_->ListAudit(*id, "bob", 10, 0)->size(), 1u);
  EXPECT_EQ(catalog_->SkipReview(999, "bob", 1).code(), base::Code::kNotFound);
}

TEST_F(CatalogContractTest, ReopeningKeepsData) {
  catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library"));
  catalog_.reset();
  auto again = sqlite::SqliteCatalog::Open(dir_ / "catalog.db");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->CountItems({}), 1);
}

TEST_F(CatalogContractTest, NotADatabaseIsAClearError) {
  fs::path bad = dir_ / "bad.db";
  { std::ofstream(bad) << std::string(4096, 'x'); }
  auto c = sqlite::SqliteCatalog::Open(bad);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bad.db"), std::string::npos);
}

}  // namespace
}  // namespace triage::catalog
