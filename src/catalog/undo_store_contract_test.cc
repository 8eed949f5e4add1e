// Specification of the undo store on every catalog backend (SQLite and the tests' PostgreSQL): tokens are single-use
// and expire; a skip's queue place can be put back.
#include "catalog/store_test.h"

namespace triage::catalog {
namespace {

class UndoStoreTest : public StoreTest<UndoStore, &TestBackend::Undo> {
 protected:
  int64_t AddItem(const std::string& path, const std::string& location) {
    CatalogChange c;
    c.journal_id = "insert:" + path;
    c.item.path = path;
    c.item.original_name = path;
    c.item.fingerprint.sha256 = path;
    c.item.location = location;
    c.item.category = location == "review" ? "unidentified" : "";
    c.reason = "no known face";
    c.at = 100;
    auto id = catalog_->Apply(c);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  static UndoRecord Token(const std::string& token, int64_t expires_at) {
    return {token, "approve", "alice", R"({"item":7})", "approved a.jpg as penny", 100, expires_at, 0};
  }
};

TEST_P(UndoStoreTest, StoresATokenAndRefusesItsTwin) {
  ASSERT_TRUE(store_->AddUndo(Token("t1", 200)).ok());
  auto found = store_->FindUndo("t1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->kind, "approve");
  EXPECT_EQ(found->actor, "alice");
  EXPECT_EQ(found->payload, R"({"item":7})");
  EXPECT_EQ(found->summary, "approved a.jpg as penny");
  EXPECT_EQ(found->created_at, 100);
  EXPECT_EQ(found->expires_at, 200);
  EXPECT_EQ(found->used_at, 0);
  EXPECT_EQ(store_->AddUndo(Token("t1", 300)).code(), base::Code::kAlreadyExists);
  EXPECT_EQ(store_->FindUndo("t2").status().code(), base::Code::kNotFound);
}

TEST_P(UndoStoreTest, ATokenIsClaimedOnceBeforeItExpiresAndCanBeReleased) {
  ASSERT_TRUE(store_->AddUndo(Token("t1", 200)).ok());
  EXPECT_TRUE(*store_->ClaimUndo("t1", 150, 100));
  EXPECT_FALSE(*store_->ClaimUndo("t1", 151, 100)) << "only one caller wins";
  EXPECT_EQ(store_->FindUndo("t1")->used_at, -150) << "under way since 150";
  ASSERT_TRUE(store_->ReleaseUndo("t1").ok());
  EXPECT_EQ(store_->FindUndo("t1")->used_at, 0);
  EXPECT_FALSE(*store_->ClaimUndo("t1", 200, 100)) << "expired";
  EXPECT_FALSE(*store_->ClaimUndo("nope", 150, 100));
}

// A claim whose undo never finished (the process died) can be taken over once it is older than `stale_before`; a
// finished undo never can.
TEST_P(UndoStoreTest, AnUndoLeftUnderWayIsTakenOverOnceStaleAndAFinishedOneNever) {
  ASSERT_TRUE(store_->AddUndo(Token("t1", 1000)).ok());
  ASSERT_TRUE(*store_->ClaimUndo("t1", 100, 50));
  EXPECT_FALSE(*store_->ClaimUndo("t1", 150, 90)) << "under way since 100: not stale before 90";
  EXPECT_TRUE(*store_->ClaimUndo("t1", 300, 180)) << "under way since 100, stale before 180: taken over";
  EXPECT_EQ(store_->FindUndo("t1")->used_at, -300);
  ASSERT_TRUE(store_->FinishUndo("t1", 301).ok());
  EXPECT_EQ(store_->FindUndo("t1")->used_at, 301);
  EXPECT_FALSE(*store_->ClaimUndo("t1", 900, 899)) << "undone already";
}

TEST_P(UndoStoreTest, RemovesOnlyExpiredTokens) {
  ASSERT_TRUE(store_->AddUndo(Token("old", 200)).ok());
  ASSERT_TRUE(store_->AddUndo(Token("new", 400)).ok());
  EXPECT_EQ(*store_->RemoveExpiredUndo(300), 1);
  EXPECT_EQ(store_->FindUndo("old").status().code(), base::Code::kNotFound);
  EXPECT_TRUE(store_->FindUndo("new").ok());
}

TEST_P(UndoStoreTest, ASkippedItemGoesBackToItsPlaceInTheQueue) {
  int64_t a = AddItem("review/unidentified/a.jpg", "review");
  int64_t b = AddItem("review/unidentified/b.jpg", "review");
  auto before = store_->QueuePlaceOf(a);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_TRUE(catalog_->SkipReview(a, "alice", 500).ok());
  auto skipped = store_->QueuePlaceOf(a);
  ASSERT_TRUE(skipped.ok());
  EXPECT_GT(skipped->rank, store_->QueuePlaceOf(b)->rank) << "a skip moves the item past the others";
  ASSERT_TRUE(store_->RestoreQueuePlace(a, *before, "alice", 600).ok());
  auto restored = store_->QueuePlaceOf(a);
  EXPECT_EQ(restored->rank, before->rank);
  EXPECT_EQ(restored->queued_at, before->queued_at);
  auto audit = catalog_->ListAudit(a, "", 1, 0);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->front().action, "undo");
}

TEST_P(UndoStoreTest, AnItemNotWaitingHasNoQueuePlaceAndIsNotRequeued) {
  int64_t kept = AddItem("photos/2024/01/k.jpg", "library");
  EXPECT_EQ(store_->QueuePlaceOf(kept).status().code(), base::Code::kNotFound);
  auto st = store_->RestoreQueuePlace(kept, {1, 1}, "alice", 600);
  EXPECT_EQ(st.code(), base::Code::kNotFound);
  EXPECT_NE(st.message().find(std::to_string(kept)), std::string::npos) << st.message();
  EXPECT_EQ(catalog_->ListAudit(kept, "", 10, 0)->front().action, "ingest") << "nothing audited";
}

TRIAGE_ON_EVERY_BACKEND(UndoStoreTest);

}  // namespace
}  // namespace triage::catalog
