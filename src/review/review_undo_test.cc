// Specification of undo: each decision's token puts files, catalog rows, review entries and references back exactly,
// once, and refuses (changing nothing) when the item moved since.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "catalog/sqlite/sqlite_undo.h"
#include "review/person_service.h"
#include "review/review_test_fixture.h"
#include "review/undo_service.h"

namespace triage::review {
namespace {

class ReviewUndoTest : public ReviewServiceTest {
 protected:
  void SetUp() override {
    ReviewServiceTest::SetUp();
    store_ = std::make_unique<catalog::sqlite::SqliteUndoStore>(*catalog_);
    undo_ = std::make_unique<UndoService>(*store_, 3600);
    service_->EnableUndo(*undo_);
    persons_ = std::make_unique<PersonService>(*config_, *catalog_);
    persons_->EnableUndo(*undo_);
  }
  void TearDown() override {
    persons_.reset();
    undo_.reset();
    store_.reset();
    ReviewServiceTest::TearDown();
  }
  // What undo must put back: the item's row, its open review entry and every reference.
  struct Snapshot {
    model::ItemRecord item;
    model::ReviewEntry entry;
    std::vector<model::PersonReference> refs;
    std::vector<model::PersonRecord> persons;
  };
  Snapshot Take(int64_t id) {
    Snapshot s{*catalog_->GetItem(id), {}, *catalog_->AllReferences(), *catalog_->ListPersons()};
    auto entry = catalog_->PendingReview(id);
    if (entry.ok()) s.entry = *entry;
    return s;
  }
  void ExpectSame(const Snapshot& a, const Snapshot& b) {
    EXPECT_EQ(a.item.path, b.item.path);
    EXPECT_EQ(a.item.location, b.item.location);
    EXPECT_EQ(a.item.category, b.item.category);
    EXPECT_EQ(a.item.person, b.item.person);
    EXPECT_EQ(a.item.auto_sorted, b.item.auto_sorted);
    ASSERT_EQ(a.item.reasons.size(), b.item.reasons.size());
    for (size_t i = 0; i < a.item.reasons.size(); ++i) EXPECT_EQ(a.item.reasons[i].code, b.item.reasons[i].code);
    EXPECT_EQ(a.entry.category, b.entry.category);
    EXPECT_EQ(a.entry.reason, b.entry.reason);
    EXPECT_EQ(a.entry.reason_code, b.entry.reason_code);
    EXPECT_EQ(a.entry.suggested_person, b.entry.suggested_person);
    ASSERT_EQ(a.refs.size(), b.refs.size());
    for (size_t i = 0; i < a.refs.size(); ++i) {
      EXPECT_EQ(a.refs[i].id, b.refs[i].id);
      EXPECT_EQ(a.refs[i].person, b.refs[i].person);
      EXPECT_EQ(a.refs[i].embedding, b.refs[i].embedding);
    }
    ASSERT_EQ(a.persons.size(), b.persons.size());
    for (size_t i = 0; i < a.persons.size(); ++i) EXPECT_EQ(a.persons[i].name, b.persons[i].name);
    EXPECT_TRUE(fs::exists(lib_ / b.item.path));
  }
  std::unique_ptr<catalog::sqlite::SqliteUndoStore> store_;
  std::unique_ptr<UndoService> undo_;
  std::unique_ptr<PersonService> persons_;
};

TEST_F(ReviewUndoTest, UndoOfAnApprovalPutsTheFileEntryAndReferencesBackAndForgetsTheNewPerson) {
  int64_t id = Pending("a.jpg");
  Snapshot before = Take(id);
  std::string token;
  ASSERT_TRUE(service_->Approve(id, "Penny", "alice", 200, "", &token).ok());
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(catalog_->AllReferences()->size(), 1u);
  auto undone = undo_->Undo(token, "alice", false, 210);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(undone->kind, "approve");
  EXPECT_EQ(undone->summary, "approved a.jpg as Penny");  // the name as it was written, not the folder name
  ExpectSame(Take(id), before);
  EXPECT_FALSE(fs::exists(lib_ / "faces/penny/a.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "faces/penny"));  // the person's folder went with them
  auto audit = catalog_->ListAudit(id, "alice", 1, 0);
  EXPECT_EQ(audit->front().action, "undo");
  EXPECT_EQ(audit->front().from_state, "faces/penny");
  EXPECT_EQ(audit->front().to_state, "review/unidentified");
  // Single use.
  EXPECT_EQ(undo_->Undo(token, "alice", false, 220).status().code(), base::Code::kConflict);
}

TEST_F(ReviewUndoTest, UndoOfAnApprovalKeepsAPersonWhoHadPhotosBefore) {
  int64_t a = Pending("a.jpg"), b = Pending("b.jpg");
  ASSERT_TRUE(service_->Approve(a, "penny", "alice", 200).ok());
  std::string token;
  ASSERT_TRUE(service_->Approve(b, "penny", "alice", 201, "", &token).ok());
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 202).ok());
  ASSERT_EQ(catalog_->ListPersons()->size(), 1u);
  EXPECT_TRUE(fs::exists(lib_ / "faces/penny/a.jpg"));
  auto refs = catalog_->AllReferences();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(refs->front().source, "item:" + std::to_string(a));  // only b's face is forgotten
}

TEST_F(ReviewUndoTest, UndoOfRejectKeepAndRestorePutsEachBack) {
  for (const std::string kind : {"reject", "keep"}) {
    SCOPED_TRACE(kind);
    int64_t id = Pending(kind + ".jpg");
    Snapshot before = Take(id);
    std::string token;
    auto done = kind == "reject" ? service_->Reject(id, "alice", 300, "review/unidentified", &token)
                                 : service_->Keep(id, "alice", 300, "review/unidentified", &token);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_NE(done->path, before.item.path);
    const std::filesystem::path kept_in = (lib_ / done->path).parent_path();
    ASSERT_TRUE(undo_->Undo(token, "alice", false, 301).ok());
    ExpectSame(Take(id), before);
    if (kind == "keep") {  // the date folder the keep made is gone with the photo; photos/ itself stays
      const std::filesystem::path photos = config_->Current()->PhotosDir();
      ASSERT_NE(kept_in.lexically_relative(photos).native().rfind("..", 0), 0u) << kept_in;
      EXPECT_FALSE(std::filesystem::exists(kept_in)) << kept_in;
      EXPECT_TRUE(std::filesystem::is_directory(photos));
    }
  }
  int64_t id = Pending("r.jpg");
  ASSERT_TRUE(service_->Reject(id, "alice", 400).ok());
  Snapshot trashed = Take(id);
  std::string token;
  ASSERT_TRUE(service_->Restore(id, "alice", 401, &token).ok());
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 402).ok());
  ExpectSame(Take(id), trashed);
  EXPECT_EQ(catalog_->PendingReview(id).status().code(), base::Code::kNotFound);
}

// A process killed in the middle of an undo leaves its token under way, with nothing (or, after recovery, everything it
// had journaled) moved back. Before, the token stayed used and the photo could never be taken back ("undone
// already"). Now the token is refused only while another undo may still be running, then taken over.
TEST_F(ReviewUndoTest, AnUndoLeftUnderWayByAProcessThatDiedIsTakenOverLater) {
  int64_t id = Pending("killed.jpg");
  Snapshot before = Take(id);
  std::string token;
  ASSERT_TRUE(service_->Reject(id, "alice", 300, "review/unidentified", &token).ok());
  ASSERT_TRUE(*store_->ClaimUndo(token, 310, 0));  // the claim of an undo whose process died before moving anything
  auto busy = undo_->Undo(token, "alice", false, 320);
  ASSERT_EQ(busy.status().code(), base::Code::kConflict);
  EXPECT_NE(busy.status().message().find("being undone"), std::string::npos) << busy.status().message();
  EXPECT_NE(Take(id).item.path, before.item.path) << "nothing was moved back meanwhile";
  const int64_t later = 310 + UndoService::kUndoStaleAfterS + 1;
  ASSERT_TRUE(undo_->Undo(token, "alice", false, later).ok());
  ExpectSame(Take(id), before);
  auto again = undo_->Undo(token, "alice", false, later + 1);
  ASSERT_EQ(again.status().code(), base::Code::kConflict);
  EXPECT_NE(again.status().message().find("undone already"), std::string::npos) << again.status().message();
}

// Killed half way through a bulk undo: recovery finished the moves it had journaled (here b is back), the others (a)
// are still where the bulk put them. Taken over later, the undo takes back the rest instead of refusing because b
// "moved since".
TEST_F(ReviewUndoTest, ABulkUndoLeftHalfDoneIsFinishedWhenTakenOver) {
  int64_t a = Pending("a.jpg"), b = Pending("b.jpg");
  Snapshot before_a = Take(a), before_b = Take(b);
  std::string token;
  ASSERT_TRUE(service_->Bulk({a, b}, "reject", "", "alice", 700, {}, &token).ok());
  ASSERT_TRUE(*store_->ClaimUndo(token, 710, 0));        // the undo that died
  ASSERT_TRUE(service_->Restore(b, "alice", 711).ok());  // what it had moved back before it died
  const int64_t later = 710 + UndoService::kUndoStaleAfterS + 1;
  auto done = undo_->Undo(token, "alice", false, later);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ExpectSame(Take(a), before_a);
  ExpectSame(Take(b), before_b);
  EXPECT_EQ(store_->FindUndo(token)->used_at, later);
}

TEST_F(ReviewUndoTest, UndoOfASkipPutsTheItemBackAtItsPlaceInTheQueue) {
  int64_t a = Pending("a.jpg"), b = Pending("b.jpg");
  auto first = [&] {
    catalog::ItemFilter f;
    f.location = "review";
    f.queue_order = true;
    return catalog_->ListItems(f)->front().id;
  };
  std::string token;
  ASSERT_TRUE(service_->Skip(a, "alice", 500, "", &token).ok());
  EXPECT_EQ(first(), b);
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 501).ok());
  EXPECT_EQ(first(), a);
  EXPECT_EQ(catalog_->PendingReview(a)->created_at, 100);
}

TEST_F(ReviewUndoTest, UndoOfABulkRevertsEveryDecisionOrNone) {
  int64_t a = Pending("a.jpg"), b = Pending("b.jpg");
  Snapshot before_a = Take(a), before_b = Take(b);
  std::string token;
  auto out = service_->Bulk({a, 999, b}, "approve", "Carol Ann", "alice", 600, {}, &token);
  ASSERT_TRUE(out.ok());
  ASSERT_FALSE(token.empty());
  auto undone = undo_->Undo(token, "alice", false, 601);
  ASSERT_TRUE(undone.ok());
  EXPECT_EQ(undone->summary, "approved 2 photos as Carol Ann");
  ExpectSame(Take(a), before_a);
  ExpectSame(Take(b), before_b);
  EXPECT_TRUE(catalog_->ListPersons()->empty());  // carol was added by the bulk: taken back with her folder
  EXPECT_FALSE(fs::exists(lib_ / "faces/carol_ann"));

  // When one item moved since, nothing moves back and the token stays.
  ASSERT_TRUE(service_->Bulk({a, b}, "reject", "", "alice", 700, {}, &token).ok());
  ASSERT_TRUE(service_->Restore(b, "alice", 701).ok());
  std::string a_path = catalog_->GetItem(a)->path;
  EXPECT_EQ(undo_->Undo(token, "alice", false, 702).status().code(), base::Code::kConflict);
  EXPECT_EQ(catalog_->GetItem(a)->path, a_path);
  EXPECT_TRUE(fs::exists(lib_ / a_path));
  EXPECT_EQ(store_->FindUndo(token)->used_at, 0);
}

TEST_F(ReviewUndoTest, AnItemMovedSinceIsAConflictAndNothingChanges) {
  int64_t id = Pending("a.jpg");
  std::string token;
  ASSERT_TRUE(service_->Reject(id, "alice", 800, "", &token).ok());
  ASSERT_TRUE(service_->Restore(id, "bob", 801).ok());
  Snapshot restored = Take(id);
  auto undone = undo_->Undo(token, "alice", false, 802);
  EXPECT_EQ(undone.status().code(), base::Code::kConflict);
  EXPECT_NE(undone.status().message().find("moved since"), std::string::npos) << undone.status().message();
  ExpectSame(Take(id), restored);
}

TEST_F(ReviewUndoTest, OlderDecisionsOnOtherPhotosAreUndoneWhileLaterOnesStand) {
  int64_t a = Pending("a.jpg"), b = Pending("b.jpg"), c = Pending("c.jpg");
  Snapshot before_a = Take(a), before_b = Take(b), before_c = Take(c);
  std::string approved, kept, rejected;
  ASSERT_TRUE(service_->Approve(a, "penny", "alice", 200, "", &approved).ok());
  ASSERT_TRUE(service_->Keep(b, "alice", 201, "", &kept).ok());
  ASSERT_TRUE(service_->Reject(c, "alice", 202, "", &rejected).ok());
  // The oldest first: the later two touched other photos, so they do not stand in its way and stay as they are.
  auto undone = undo_->Undo(approved, "alice", false, 203);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ExpectSame(Take(a), before_a);
  EXPECT_EQ(catalog_->GetItem(b)->location, "library");
  EXPECT_EQ(catalog_->GetItem(c)->location, "trash");
  ASSERT_TRUE(undo_->Undo(rejected, "alice", false, 204).ok());
  ExpectSame(Take(c), before_c);
  EXPECT_EQ(catalog_->GetItem(b)->location, "library");
  ASSERT_TRUE(undo_->Undo(kept, "alice", false, 205).ok());
  ExpectSame(Take(b), before_b);
}

TEST_F(ReviewUndoTest, AnOlderDecisionIsRefusedWhileALaterOneOnTheSamePhotoStands) {
  int64_t id = Pending("a.jpg"), other = Pending("b.jpg");
  Snapshot before = Take(id);
  std::string skipped, kept;
  ASSERT_TRUE(service_->Skip(id, "alice", 300, "", &skipped).ok());
  ASSERT_TRUE(service_->Keep(id, "alice", 301, "", &kept).ok());
  Snapshot decided = Take(id);
  auto refused = undo_->Undo(skipped, "alice", false, 302);
  EXPECT_EQ(refused.status().code(), base::Code::kConflict);
  EXPECT_NE(refused.status().message().find("item " + std::to_string(id) + " was decided since (it is in photos/"),
            std::string::npos)
      << refused.status().message();
  ExpectSame(Take(id), decided);
  EXPECT_EQ(store_->FindUndo(skipped)->used_at, 0);  // still redeemable once the later decision is taken back
  // Newest first, both go back: the photo waits again at the head of the queue, where it was before the skip.
  ASSERT_TRUE(undo_->Undo(kept, "alice", false, 303).ok());
  ASSERT_TRUE(undo_->Undo(skipped, "alice", false, 304).ok());
  ExpectSame(Take(id), before);
  catalog::ItemFilter queue;
  queue.location = "review";
  queue.queue_order = true;
  auto waiting = catalog_->ListItems(queue);
  ASSERT_EQ(waiting->size(), 2u);
  EXPECT_EQ(waiting->front().id, id);
  EXPECT_EQ(waiting->back().id, other);

  // A move: a delete, then a restore of the same photo. The delete's undo is refused naming where the photo is now;
  // after the restore's undo it goes through.
  std::string rejected, restored;
  ASSERT_TRUE(service_->Reject(id, "alice", 400, "", &rejected).ok());
  ASSERT_TRUE(service_->Restore(id, "alice", 401, &restored).ok());
  refused = undo_->Undo(rejected, "alice", false, 402);
  EXPECT_EQ(refused.status().code(), base::Code::kConflict);
  EXPECT_NE(refused.status().message().find("moved since (it is in review/unidentified now)"), std::string::npos)
      << refused.status().message();
  ASSERT_TRUE(undo_->Undo(restored, "alice", false, 403).ok());
  EXPECT_EQ(catalog_->GetItem(id)->location, "trash");
  // Back in the trash as of its deletion: the retention counts from then, not from the undo.
  EXPECT_EQ(catalog_->GetItem(id)->updated_at, 400);
  auto undone = undo_->Undo(rejected, "alice", false, 404);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ExpectSame(Take(id), before);
}

TEST_F(ReviewUndoTest, ADecisionThatLeftThePhotoWhereAnOlderOnePutItStillStandsInItsWay) {
  // Deleted, restored, deleted again: the photo is back at the first deletion's path in the trash, but that deletion's
  // undo would take back the second one.
  int64_t id = Pending("a.jpg");
  Snapshot before = Take(id);
  std::string first, restored, second;
  ASSERT_TRUE(service_->Reject(id, "alice", 400, "", &first).ok());
  const std::string trashed_at = catalog_->GetItem(id)->path;
  ASSERT_TRUE(service_->Restore(id, "bob", 401, &restored).ok());
  ASSERT_TRUE(service_->Reject(id, "bob", 402, "", &second).ok());
  ASSERT_EQ(catalog_->GetItem(id)->path, trashed_at);
  Snapshot again = Take(id);
  auto refused = undo_->Undo(first, "alice", false, 403);
  EXPECT_EQ(refused.status().code(), base::Code::kConflict);
  EXPECT_NE(refused.status().message().find("was changed since (reject by bob"), std::string::npos)
      << refused.status().message();
  ExpectSame(Take(id), again);
  // Taken back newest first, each goes through, and the first deletion's undo then too.
  ASSERT_TRUE(undo_->Undo(second, "bob", false, 404).ok());
  EXPECT_EQ(undo_->Undo(first, "alice", false, 405).status().code(), base::Code::kConflict);  // the restore stands
  ASSERT_TRUE(undo_->Undo(restored, "bob", false, 406).ok());
  auto undone = undo_->Undo(first, "alice", false, 407);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ExpectSame(Take(id), before);
}

TEST_F(ReviewUndoTest, TokensExpireAndBelongToTheirAuthor) {
  int64_t id = Pending("a.jpg");
  std::string token;
  ASSERT_TRUE(service_->Reject(id, "alice", 900, "", &token).ok());
  EXPECT_EQ(undo_->Undo(token, "mallory", false, 901).status().code(), base::Code::kPermissionDenied);
  EXPECT_EQ(undo_->Undo(token, "alice", false, 900 + 3600).status().code(), base::Code::kNotFound);
  EXPECT_EQ(catalog_->GetItem(id)->location, "trash");
  EXPECT_EQ(undo_->Undo("no-such-token", "alice", false, 901).status().code(), base::Code::kNotFound);
  ASSERT_TRUE(undo_->Undo(token, "admin", true, 901).ok());  // a role allowed to undo others' changes
  EXPECT_EQ(catalog_->GetItem(id)->location, "review");
}

TEST_F(ReviewUndoTest, UndoOfAReferenceRemovalPutsTheSameReferenceBack) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(id, "penny", "alice", 200).ok());
  auto refs = persons_->References("penny");
  ASSERT_EQ(refs->size(), 1u);
  const model::PersonReference ref = refs->front();
  std::string token;
  EXPECT_EQ(persons_->RemoveReference("penny", ref.id + 100, "alice", 210, &token).code(), base::Code::kNotFound);
  ASSERT_TRUE(persons_->RemoveReference("penny", ref.id, "alice", 210, &token).ok());
  EXPECT_TRUE(persons_->References("penny")->empty());
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 211).ok());
  refs = persons_->References("penny");
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(refs->front().id, ref.id);
  EXPECT_EQ(refs->front().embedding, ref.embedding);
  EXPECT_EQ(refs->front().source, ref.source);
}

TEST_F(ReviewUndoTest, UndoOfPersonEditsPutsListsAndReferencesBack) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(id, "penny", "alice", 200).ok());
  std::string token;
  ASSERT_TRUE(persons_->SetListStatus("penny", ListStatus::kBlacklist, "alice", 201, &token).ok());
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 202).ok());
  EXPECT_EQ(ListStatusOf(*config_->Current(), "penny"), ListStatus::kNeutral);

  ASSERT_TRUE(persons_->SetListStatus("penny", ListStatus::kWhitelist, "alice", 203).ok());
  auto refs_before = *persons_->References("penny");
  ASSERT_TRUE(persons_->Remove("penny", "alice", 204, &token).ok());
  EXPECT_EQ(persons_->References("penny").status().code(), base::Code::kNotFound);
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 205).ok());
  auto refs_after = persons_->References("penny");
  ASSERT_TRUE(refs_after.ok());
  ASSERT_EQ(refs_after->size(), refs_before.size());
  EXPECT_EQ(refs_after->front().id, refs_before.front().id);
  EXPECT_EQ(ListStatusOf(*config_->Current(), "penny"), ListStatus::kWhitelist);

  // A list edited since refuses the undo of an older edit.
  ASSERT_TRUE(persons_->SetList("blacklist", {"zed"}, "alice", 206, &token).ok());
  ASSERT_TRUE(persons_->SetList("blacklist", {"zed", "amy"}, "alice", 207).ok());
  EXPECT_EQ(undo_->Undo(token, "alice", false, 208).status().code(), base::Code::kConflict);

  ASSERT_TRUE(persons_->Add("Quinn", "alice", 209, &token).ok());
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 210).ok());
  EXPECT_EQ(persons_->References("quinn").status().code(), base::Code::kNotFound);
}

// Removing a person whose lists cannot be written (triage.json's folder full, or the file made read-only) changes
// nothing: the person and their references stay, no undo token is handed out, and a retry once it can works.
TEST_F(ReviewUndoTest, APersonWhoseListsCannotBeWrittenIsNotRemoved) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(id, "penny", "alice", 200).ok());
  ASSERT_TRUE(persons_->SetListStatus("penny", ListStatus::kWhitelist, "alice", 201).ok());
  const size_t refs = persons_->References("penny")->size();
  ASSERT_GT(refs, 0u);
  // The config is written through a temporary file beside it: a folder in its place makes that write fail.
  const fs::path blocker = lib_ / fmt::format("triage.json.tmp{}", ::getpid());
  fs::create_directories(blocker / "x");
  std::string token;
  base::Status removed = persons_->Remove("penny", "alice", 202, &token);
  ASSERT_FALSE(removed.ok());
  EXPECT_NE(removed.message().find("penny was not removed"), std::string::npos) << removed.message();
  EXPECT_TRUE(token.empty());
  ASSERT_TRUE(persons_->References("penny").ok());
  EXPECT_EQ(persons_->References("penny")->size(), refs);
  EXPECT_EQ(ListStatusOf(*config_->Current(), "penny"), ListStatus::kWhitelist);
  fs::remove_all(blocker);
  ASSERT_TRUE(persons_->Remove("penny", "alice", 203, &token).ok());
  EXPECT_EQ(persons_->References("penny").status().code(), base::Code::kNotFound);
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 204).ok());
  EXPECT_EQ(persons_->References("penny")->size(), refs);
}

// Approving as a new person keeps the name as typed to show; a removal and its undo keep it too.
TEST_F(ReviewUndoTest, ThePersonsShownNameComesFromTheApprovalAndOutlivesRemoveAndUndo) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(id, "Penny  Lane", "alice", 200).ok());
  EXPECT_EQ(catalog_->GetItem(id)->person, "penny_lane");
  auto shown = [&] {
    for (const auto& p : *catalog_->ListPersons())
      if (p.name == "penny_lane") return p.shown_name();
    return std::string("(not enrolled)");
  };
  EXPECT_EQ(shown(), "Penny Lane");
  int64_t second = Pending("b.jpg");
  ASSERT_TRUE(service_->Approve(second, "PENNY LANE", "alice", 201).ok());
  EXPECT_EQ(shown(), "Penny Lane") << "naming someone enrolled does not rewrite how they are shown";
  std::string token;
  ASSERT_TRUE(persons_->Remove("penny_lane", "alice", 202, &token).ok());
  EXPECT_EQ(shown(), "(not enrolled)");
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 203).ok());
  EXPECT_EQ(shown(), "Penny Lane");
  auto renamed = persons_->SetDisplayName("penny_lane", "Penny-Lane", "alice", 204);
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(shown(), "Penny-Lane");
  EXPECT_EQ(persons_->SetDisplayName("penny_lane", "Penny Lame", "alice", 205).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(shown(), "Penny-Lane");
}

// The byte copy kept instead of its original now holds its place: the original restored waits beside it as its copy,
// in review/duplicates, instead of lying in the library a second time.
TEST_F(ReviewUndoTest, ARestoredOriginalWhoseIdenticalCopyTookItsPlaceWaitsAsThatCopysDuplicate) {
  int64_t original = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(original, "penny", "alice", 150).ok());
  int64_t copy = Pending("a.jpg", original);  // the same bytes
  ASSERT_TRUE(service_->DecideDuplicate(copy, "new", "alice", 200, "review/duplicates").ok());
  ASSERT_EQ(catalog_->GetItem(copy)->location, "library");
  auto restored = service_->Restore(original, "alice", 210);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->location, "review");
  EXPECT_EQ(restored->category, "duplicates");
  EXPECT_EQ(restored->duplicate_of, copy);
  EXPECT_EQ(fs::path(restored->path).parent_path(), "review/duplicates");
  auto entry = catalog_->PendingReview(original);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->reason_code, "duplicate_sha256");
  EXPECT_NE(entry->reason.find(fmt::format("An identical file (same SHA-256) is already item {}", copy)),
            std::string::npos)
      << entry->reason;
  // Decided as any duplicate: keeping the one in the library puts this one back in the trash.
  ASSERT_TRUE(service_->DecideDuplicate(original, "existing", "alice", 220, "review/duplicates").ok());
  EXPECT_EQ(catalog_->GetItem(original)->location, "trash");
  EXPECT_EQ(catalog_->GetItem(copy)->location, "library");
}

// The original a duplicate decision put in the trash came from the library: restored, it goes back to its person's
// folder, not to review; a photo rejected from review still goes back to its review folder.
TEST_F(ReviewUndoTest, RestoreReturnsALibraryPhotoToItsLibraryFolder) {
  int64_t original = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(original, "penny", "alice", 150).ok());
  int64_t copy = Pending("b.jpg", original);
  ASSERT_TRUE(service_->DecideDuplicate(copy, "new", "alice", 200, "review/duplicates").ok());
  ASSERT_EQ(catalog_->GetItem(original)->location, "trash");
  std::string token;
  auto restored = service_->Restore(original, "alice", 210, &token);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->location, "library");
  EXPECT_EQ(restored->person, "penny");
  EXPECT_EQ(fs::path(restored->path).parent_path(), "faces/penny");
  EXPECT_TRUE(fs::exists(lib_ / restored->path));
  EXPECT_EQ(catalog_->PendingReview(original).status().code(), base::Code::kNotFound);  // not pending again
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 211).ok());  // and the undo puts it back into the trash
  EXPECT_EQ(catalog_->GetItem(original)->location, "trash");

  int64_t rejected = Pending("c.jpg");
  ASSERT_TRUE(service_->Reject(rejected, "alice", 220).ok());
  auto back = service_->Restore(rejected, "alice", 221, nullptr);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->location, "review");
  EXPECT_EQ(fs::path(back->path).parent_path(), "review/unidentified");
  EXPECT_TRUE(catalog_->PendingReview(rejected).ok());
}

// A library photo culled to the trash comes back to its library folder, by undo or by restore, also after it was
// analysed again meanwhile (audited from the trash to the trash: restore read that as where it came from and sent the
// photo to review, and undo read it as a change that stood in its way).
TEST_F(ReviewUndoTest, ACulledPhotoComesBackToItsFolderAfterAnAnalysisInTheTrash) {
  int64_t id = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(id, "penny", "alice", 150).ok());
  const std::string filed = catalog_->GetItem(id)->path;
  std::string token;
  ASSERT_TRUE(service_->Discard(id, "alice", 160, "faces/penny", &token).ok());
  ASSERT_EQ(catalog_->GetItem(id)->location, "trash");
  ASSERT_TRUE(catalog_->AddAudit({0, 161, "cli:root", id, "analyse", "trash", "trash", "analysed again"}).ok());
  ASSERT_TRUE(catalog_->AddAudit({0, 162, "bob", id, "propose", "", "", "proposed a replacement"}).ok());
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 170).ok());
  EXPECT_EQ(catalog_->GetItem(id)->path, filed);

  ASSERT_TRUE(service_->Discard(id, "alice", 180, "", nullptr).ok());
  ASSERT_TRUE(catalog_->AddAudit({0, 181, "cli:root", id, "analyse", "trash", "trash", "analysed again"}).ok());
  auto restored = service_->Restore(id, "alice", 190, nullptr);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->location, "library");
  EXPECT_EQ(restored->path, filed);
  EXPECT_TRUE(fs::exists(lib_ / filed));
  // A photo waiting in review is not culled: it is rejected.
  int64_t waiting = Pending("b.jpg");
  EXPECT_EQ(service_->Discard(waiting, "alice", 200).status().code(), base::Code::kConflict);
}

// Both moves or neither: a copy that cannot take the original's place (its file removed by hand) leaves the original
// where it was, not in the trash; the copy is still a duplicate to decide.
TEST_F(ReviewUndoTest, KeepingANewCopyThatCannotMoveLeavesTheOriginalInPlace) {
  int64_t original = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(original, "penny", "alice", 150).ok());
  int64_t copy = Pending("b.jpg", original);
  Snapshot original_before = Take(original), copy_before = Take(copy);
  fs::remove(lib_ / copy_before.item.path);
  std::string token;
  auto kept = service_->DecideDuplicate(copy, "new", "alice", 200, "review/duplicates", &token);
  ASSERT_FALSE(kept.ok());
  EXPECT_NE(kept.status().message().find("nothing was changed"), std::string::npos) << kept.status().ToString();
  EXPECT_TRUE(token.empty());
  ExpectSame(Take(original), original_before);
  EXPECT_TRUE(fs::exists(lib_ / "faces/penny/a.jpg"));
  const model::ItemRecord copy_after = *catalog_->GetItem(copy);
  EXPECT_EQ(copy_after.path, copy_before.item.path);
  EXPECT_EQ(copy_after.location, "review");
  EXPECT_EQ(copy_after.category, "duplicates");
  EXPECT_TRUE(catalog_->PendingReview(copy).ok());
}

// Kept beside an original that waits in review, the copy waits there as a photo of its own: a second duplicate
// decision (from another window, without `from`) is refused instead of trashing what was kept.
TEST_F(ReviewUndoTest, ACopyKeptBesideItsOriginalIsNotDecidedAsADuplicateAgain) {
  int64_t original = Pending("a.jpg");
  int64_t copy = Pending("b.jpg", original);
  auto kept = service_->DecideDuplicate(copy, "both", "alice", 200);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->location, "review");
  EXPECT_EQ(kept->category, "unidentified");
  const Snapshot after_both = Take(copy);
  for (const char* keep : {"existing", "new", "both"}) {
    auto again = service_->DecideDuplicate(copy, keep, "bob", 300);
    EXPECT_EQ(again.status().code(), base::Code::kConflict) << keep;
    EXPECT_NE(again.status().message().find("decided as a duplicate already"), std::string::npos);
  }
  ExpectSame(Take(copy), after_both);
  EXPECT_EQ(catalog_->GetItem(original)->location, "review");
}

// A copy of a photo that waits as a duplicate itself is not kept in its place or beside it: it would wait in
// review/duplicates as the duplicate of a photo the next decision may trash. Keeping the existing copy is still fine.
TEST_F(ReviewUndoTest, ACopyOfAnOriginalThatWaitsAsADuplicateWaitsForTheOriginalsDecision) {
  int64_t first = Pending("a.jpg");
  int64_t second = Pending("b.jpg", first);
  int64_t third = Pending("c.jpg", second);
  const Snapshot before = Take(third);
  for (const char* keep : {"new", "both"}) {
    auto kept = service_->DecideDuplicate(third, keep, "alice", 200);
    EXPECT_EQ(kept.status().code(), base::Code::kConflict) << keep;
    EXPECT_NE(kept.status().message().find("waits in review/duplicates as a duplicate itself: decide item " +
                                           std::to_string(second) + " first"),
              std::string::npos)
        << kept.status().ToString();
  }
  ExpectSame(Take(third), before);
  EXPECT_EQ(catalog_->GetItem(second)->category, "duplicates");
  // Once the middle copy is decided (kept beside the first, a photo of its own), the third is decided beside it.
  ASSERT_TRUE(service_->DecideDuplicate(second, "both", "alice", 300).ok());
  auto kept = service_->DecideDuplicate(third, "both", "alice", 400);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->category, "unidentified");
  auto existing = service_->DecideDuplicate(third, "existing", "alice", 500);
  EXPECT_EQ(existing.status().code(), base::Code::kConflict);
}

// A copy waiting as a duplicate is not approved or kept alone while its original is in the library: that would file
// the same picture twice. Once the original is in the trash, the copy is a photo of its own.
TEST_F(ReviewUndoTest, ACopyIsNotApprovedOrKeptAloneBesideItsOriginal) {
  int64_t original = Pending("a.jpg");
  int64_t copy = Pending("b.jpg", original);
  const Snapshot before = Take(copy);
  auto approved = service_->Approve(copy, "penny", "alice", 200);
  EXPECT_EQ(approved.status().code(), base::Code::kConflict);
  EXPECT_NE(approved.status().message().find("decide it as a duplicate instead"), std::string::npos)
      << approved.status().ToString();
  auto kept = service_->Keep(copy, "alice", 201);
  EXPECT_EQ(kept.status().code(), base::Code::kConflict);
  ExpectSame(Take(copy), before);
  EXPECT_EQ(catalog_->GetItem(original)->location, "review");

  ASSERT_TRUE(service_->Reject(original, "alice", 300).ok());
  kept = service_->Keep(copy, "alice", 301);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->location, "library");
}

// Two copies of one photo wait; the first is kept in the original's place (the original goes to the trash). The
// second is then a copy of the one kept, not a photo of its own: approving it would file the same picture twice.
TEST_F(ReviewUndoTest, TheOtherCopiesOfAPhotoReplacedByItsBetterCopyDuplicateThatCopy) {
  int64_t original = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(original, "penny", "alice", 150).ok());
  int64_t better = Pending("b.jpg", original), other = Pending("c.jpg", original);
  ASSERT_TRUE(service_->DecideDuplicate(better, "new", "alice", 200, "review/duplicates").ok());
  ASSERT_EQ(catalog_->GetItem(original)->location, "trash");
  const model::ItemRecord kept = *catalog_->GetItem(better);
  ASSERT_EQ(kept.location, "library");
  auto standing = StandingOriginal(*catalog_, *catalog_->GetItem(other));
  ASSERT_TRUE(standing.ok()) << standing.status().ToString();
  ASSERT_TRUE(standing->has_value());
  EXPECT_EQ((*standing)->id, better);
  const Snapshot before = Take(other);
  auto approved = service_->Approve(other, "penny", "bob", 300);
  EXPECT_EQ(approved.status().code(), base::Code::kConflict);
  EXPECT_NE(approved.status().message().find("is a copy of " + kept.path), std::string::npos)
      << approved.status().ToString();
  ExpectSame(Take(other), before);
  auto decided = service_->DecideDuplicate(other, "existing", "bob", 310, "review/duplicates");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->location, "trash");
  EXPECT_EQ(catalog_->GetItem(better)->path, kept.path) << "the copy kept stays";
  // Of two copies kept, a byte copy of the waiting one stands for the photo (the same file: a comparison of equals).
  int64_t same = Pending("e.jpg", original, "", "e.jpg"), twin = Pending("f.jpg", original, "", "e.jpg");
  ASSERT_TRUE(service_->DecideDuplicate(same, "both", "alice", 320, "review/duplicates").ok());
  standing = StandingOriginal(*catalog_, *catalog_->GetItem(twin));
  ASSERT_TRUE(standing.ok() && standing->has_value());
  EXPECT_EQ((*standing)->id, same) << "the byte copy, not item " << better;
  ASSERT_TRUE(service_->Discard(same, "alice", 330).ok());
  ASSERT_TRUE(service_->DecideDuplicate(twin, "existing", "alice", 340, "review/duplicates").ok());
  // With every copy of it gone too, a waiting copy is a photo of its own.
  int64_t third = Pending("d.jpg", original);
  ASSERT_TRUE(service_->Discard(better, "alice", 400).ok());
  standing = StandingOriginal(*catalog_, *catalog_->GetItem(third));
  ASSERT_TRUE(standing.ok());
  EXPECT_FALSE(standing->has_value());
  EXPECT_TRUE(service_->Keep(third, "alice", 410).ok());
}

// A byte copy kept in its original's place, or beside it, keeps what a reviewer said of the original's faces.
TEST_F(ReviewUndoTest, AByteCopyKeptTakesTheOriginalsFaceNames) {
  int64_t original = Pending("a.jpg", 0, "multiple_faces");
  catalog::CatalogChange named;
  named.kind = catalog::CatalogChange::Kind::kReferences;
  named.journal_id = "name-face";
  named.item.id = original;
  named.face_labels = {{0, {"renee", false}}};
  named.action = "name-face";
  named.at = 120;
  ASSERT_TRUE(catalog_->Apply(named).ok());
  int64_t copy = Pending("b.jpg", original, "", "a.jpg"), other = Pending("c.jpg", original);
  auto kept = service_->DecideDuplicate(copy, "new", "alice", 200, "review/duplicates");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->category, "multiple_faces");
  auto faces = catalog_->FacesOf(copy);
  ASSERT_TRUE(faces.ok());
  ASSERT_EQ(faces->size(), 1u);
  EXPECT_EQ(faces->at(0).label.named_as, "renee");
  // Not a byte copy (a near duplicate): its faces may differ, nothing is carried over.
  ASSERT_TRUE(service_->DecideDuplicate(other, "both", "alice", 210, "review/duplicates").ok());
  EXPECT_FALSE(catalog_->FacesOf(other)->at(0).label.Decided());
}

TEST_F(ReviewUndoTest, KeepingTheNewCopyPutsItInTheOriginalsPlaceAndUndoPutsBothBack) {
  int64_t original = Pending("a.jpg");
  ASSERT_TRUE(service_->Approve(original, "penny", "alice", 150).ok());
  int64_t copy = Pending("b.jpg", original);
  Snapshot original_before = Take(original), copy_before = Take(copy);
  std::string token;
  auto kept = service_->DecideDuplicate(copy, "new", "alice", 200, "review/duplicates", &token);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->path, "faces/penny/b.jpg");
  EXPECT_EQ(kept->location, "library");
  EXPECT_EQ(kept->person, "penny");
  EXPECT_EQ(catalog_->GetItem(original)->location, "trash");
  EXPECT_TRUE(fs::exists(lib_ / catalog_->GetItem(original)->path));
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 201).ok());
  ExpectSame(Take(original), original_before);
  ExpectSame(Take(copy), copy_before);

  kept = service_->DecideDuplicate(copy, "both", "alice", 300, "", &token);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->path, "faces/penny/b.jpg");
  EXPECT_EQ(catalog_->GetItem(original)->path, "faces/penny/a.jpg");
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 301).ok());
  ExpectSame(Take(copy), copy_before);

  kept = service_->DecideDuplicate(copy, "existing", "alice", 400, "", &token);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->location, "trash");
  EXPECT_EQ(catalog_->GetItem(original)->path, "faces/penny/a.jpg");
  ASSERT_TRUE(undo_->Undo(token, "alice", false, 401).ok());
  ExpectSame(Take(copy), copy_before);

  // Bad input changes nothing.
  EXPECT_EQ(service_->DecideDuplicate(copy, "left", "alice", 500).status().code(), base::Code::kInvalidArgument);
  int64_t single = Pending("c.jpg");
  EXPECT_EQ(service_->DecideDuplicate(single, "new", "alice", 500).status().code(), base::Code::kInvalidArgument);
  ExpectSame(Take(copy), copy_before);
}

}  // namespace
}  // namespace triage::review
