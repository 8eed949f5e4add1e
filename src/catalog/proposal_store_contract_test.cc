// Specification of the proposal store on every catalog backend (SQLite and the tests' PostgreSQL): proposals, status
// changes, replacements, person covers, votes, flags and public marks.
#include <fmt/format.h>

#include <filesystem>

#include "catalog/store_test.h"

namespace triage::catalog {
namespace {

namespace fs = std::filesystem;

class ProposalStoreTest : public StoreTest<ProposalStore, &TestBackend::Proposals> {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    current_ = AddItem("faces/alice/a.jpg", "library", "alice");
    proposed_ = AddItem("review/near_duplicates/b.jpg", "review", "");
  }
  int64_t AddItem(const std::string& path, const std::string& location, const std::string& person) {
    CatalogChange c;
    c.journal_id = "insert:" + path;
    c.item.path = path;
    c.item.original_name = fs::path(path).filename();
    c.item.fingerprint.sha256 = path;
    c.item.location = location;
    c.item.category = location == "review" ? "near_duplicates" : "";
    c.item.person = person;
    c.at = 100;
    auto id = catalog_->Apply(c);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  ProposalRecord Proposal() {
    ProposalRecord p;
    p.slot = "faces/alice/a.jpg";
    p.current_item_id = current_;
    p.proposed_item_id = proposed_;
    p.reason = "higher_resolution";
    p.current = {800, 600, 55, 1000, 12};
    p.proposed = {1920, 1440, 87, 4000, 30};
    p.proposed_by = "workflow:near_duplicates";
    p.proposed_at = 200;
    return p;
  }

  Replacement Approval(int64_t id, const std::string& journal_id) {
    Replacement r;
    r.journal_id = journal_id;
    r.proposal_id = id;
    r.status = kProposalApproved;
    r.outgoing = {current_, ".triage/archive/a.jpg", "archive", "alice"};
    r.incoming = ItemPlacement{proposed_, "faces/alice/b.jpg", "library", "alice"};
    r.actor = "admin";
    r.notes = "sharper";
    r.at = 300;
    return r;
  }

  int64_t current_ = 0;
  int64_t proposed_ = 0;
};

TEST_P(ProposalStoreTest, AddsAndReadsBackAProposalWithItsFigures) {
  auto id = store_->AddProposal(Proposal());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto p = store_->GetProposal(*id);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->status, "pending");
  EXPECT_EQ(p->slot, "faces/alice/a.jpg");
  EXPECT_EQ(p->proposed.width, 1920);
  EXPECT_DOUBLE_EQ(p->proposed.score, 87);
  EXPECT_EQ(p->current.size_bytes, 1000);
  EXPECT_EQ(p->proposed_by, "workflow:near_duplicates");
  auto audit = catalog_->ListAudit(current_, "", 10, 0);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->front().action, "propose");
}

TEST_P(ProposalStoreTest, RefusesASecondPendingProposalForTheSamePairAndAnUnknownReason) {
  ASSERT_TRUE(store_->AddProposal(Proposal()).ok());
  auto again = store_->AddProposal(Proposal());
  EXPECT_EQ(again.status().code(), base::Code::kAlreadyExists);
  EXPECT_NE(again.status().message().find(fmt::format("already proposes item {} for item {}", proposed_, current_)),
            std::string::npos)
      << again.status().message();
  // A cover has no item it replaces: the message names whose cover it is.
  ProposalRecord cover = Proposal();
  cover.slot = "cover:alice";
  cover.current_item_id = 0;
  ASSERT_TRUE(store_->AddProposal(cover).ok());
  again = store_->AddProposal(cover);
  EXPECT_NE(again.status().message().find(fmt::format("already proposes item {} as the cover of alice", proposed_)),
            std::string::npos)
      << again.status().message();
  ProposalRecord bad = Proposal();
  bad.reason = "prettier";
  auto st = store_->AddProposal(bad);
  EXPECT_EQ(st.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(st.status().message().find("prettier"), std::string::npos);
}

TEST_P(ProposalStoreTest, ListsByStatusReasonAndItem) {
  auto a = store_->AddProposal(Proposal());
  ProposalRecord other = Proposal();
  other.proposed_item_id = 0;
  other.reason = "user_flags";
  other.proposed_at = 250;
  auto b = store_->AddProposal(other);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(store_->ChangeStatus({*a, kProposalPending, kProposalDenied, "admin", "no", "", 260}).ok());
  ProposalFilter f;
  f.status = "pending";
  auto pending = store_->ListProposals(f);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().id, *b);
  f = {};
  f.reason = "higher_resolution";
  EXPECT_EQ(store_->ListProposals(f)->size(), 1u);
  f = {};
  f.item_id = proposed_;
  EXPECT_EQ(store_->ListProposals(f)->size(), 1u);
  EXPECT_EQ(store_->ListProposals({})->front().id, *b);  // newest first
}

TEST_P(ProposalStoreTest, StatusChangesOnlyFromTheExpectedStatus) {
  auto id = store_->AddProposal(Proposal());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->ChangeStatus({*id, kProposalPending, kProposalArchived, "admin", "later", "", 300}).ok());
  auto again = store_->ChangeStatus({*id, kProposalPending, kProposalDenied, "admin", "", "", 301});
  EXPECT_EQ(again.code(), base::Code::kConflict);
  EXPECT_EQ(store_->GetProposal(*id)->status, "archived");
  EXPECT_EQ(store_->GetProposal(*id)->review_notes, "later");
  EXPECT_EQ(store_->ChangeStatus({999, kProposalPending, kProposalDenied, "a", "", "", 1}).code(),
            base::Code::kNotFound);
}

TEST_P(ProposalStoreTest, ReplacementMovesBothItemsAuditsAndAppliesOnce) {
  auto id = store_->AddProposal(Proposal());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->ApplyReplacement(Approval(*id, "j1")).ok());
  auto old_item = catalog_->GetItem(current_);
  auto new_item = catalog_->GetItem(proposed_);
  EXPECT_EQ(old_item->location, "archive");
  EXPECT_EQ(old_item->path, ".triage/archive/a.jpg");
  EXPECT_EQ(new_item->location, "library");
  EXPECT_EQ(new_item->person, "alice");
  EXPECT_EQ(new_item->path, "faces/alice/b.jpg");
  EXPECT_FALSE(catalog_->PendingReview(proposed_).ok());  // its review entry closed
  auto p = store_->GetProposal(*id);
  EXPECT_EQ(p->status, "approved");
  EXPECT_EQ(p->applied_at, 300);
  EXPECT_EQ(p->reviewed_by, "admin");
  auto audit = catalog_->ListAudit(proposed_, "", 10, 0);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->front().action, "replaced");
  EXPECT_EQ(audit->front().from_state, "faces/alice/a.jpg");
  EXPECT_EQ(audit->front().to_state, "faces/alice/b.jpg");
  EXPECT_TRUE(*store_->WasApplied("j1"));
  EXPECT_TRUE(store_->ApplyReplacement(Approval(*id, "j1")).ok());  // replayed by recovery: skipped
  EXPECT_EQ(store_->ApplyReplacement(Approval(*id, "j2")).code(), base::Code::kConflict);  // applied at most once
}

// A replacement moves files; it does not rewrite history: an image sorted automatically at intake stays counted as
// auto-sorted in the archive (and back in its slot after a revert), and the image put in its place keeps its own flag.
TEST_P(ProposalStoreTest, AReplacementKeepsEachImagesAutoSortedFlag) {
  CatalogChange sorted;
  sorted.journal_id = "sorted";
  sorted.item = *catalog_->GetItem(current_);
  sorted.item.auto_sorted = true;
  sorted.at = 150;
  sorted.kind = CatalogChange::Kind::kRelocateItem;
  ASSERT_TRUE(catalog_->Apply(sorted).ok());
  ASSERT_TRUE(catalog_->GetItem(current_)->auto_sorted);
  auto id = store_->AddProposal(Proposal());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->ApplyReplacement(Approval(*id, "j1")).ok());
  EXPECT_TRUE(catalog_->GetItem(current_)->auto_sorted);
  EXPECT_EQ(catalog_->GetItem(current_)->location, "archive");
  EXPECT_FALSE(catalog_->GetItem(proposed_)->auto_sorted);
}

TEST_P(ProposalStoreTest, AFailedReplacementChangesNothing) {
  auto id = store_->AddProposal(Proposal());
  ASSERT_TRUE(id.ok());
  Replacement r = Approval(*id, "j1");
  r.incoming->item_id = 4242;  // gone meanwhile
  EXPECT_EQ(store_->ApplyReplacement(r).code(), base::Code::kNotFound);
  EXPECT_EQ(catalog_->GetItem(current_)->location, "library");
  EXPECT_EQ(store_->GetProposal(*id)->status, "pending");
  EXPECT_FALSE(*store_->WasApplied("j1"));
}

TEST_P(ProposalStoreTest, ASecondVoteOfTheSameVoterReplacesTheFirst) {
  ASSERT_TRUE(store_->CastVote({current_, "session:s1", "10.0.0.1", 1, 10}).ok());
  ASSERT_TRUE(store_->CastVote({current_, "session:s2", "10.0.0.2", 1, 11}).ok());
  ASSERT_TRUE(store_->CastVote({current_, "session:s1", "10.0.0.1", -1, 12}).ok());
  auto t = store_->TallyOf(current_);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->up, 1);
  EXPECT_EQ(t->down, 1);
  // Each voter's own vote, as the voting page marks it: the replaced one, the other's, none.
  EXPECT_EQ(*store_->VoteOf(current_, "session:s1"), -1);
  EXPECT_EQ(*store_->VoteOf(current_, "session:s2"), 1);
  EXPECT_EQ(*store_->VoteOf(current_, "session:s3"), 0);
  EXPECT_EQ(*store_->VoteOf(proposed_, "session:s1"), 0);
  EXPECT_EQ(store_->CastVote({current_, "session:s1", "", 2, 13}).code(), base::Code::kInvalidArgument);
  EXPECT_EQ(store_->CastVote({9999, "session:s1", "", 1, 13}).code(), base::Code::kNotFound);
}

TEST_P(ProposalStoreTest, AVoterTakesBackTheirVoteAndOnlyTheirs) {
  ASSERT_TRUE(store_->CastVote({current_, "session:s1", "10.0.0.1", 1, 10}).ok());
  ASSERT_TRUE(store_->CastVote({current_, "session:s2", "10.0.0.2", 1, 11}).ok());
  ASSERT_TRUE(store_->WithdrawVote(current_, "session:s1").ok());
  EXPECT_EQ(*store_->VoteOf(current_, "session:s1"), 0);
  EXPECT_EQ(*store_->VoteOf(current_, "session:s2"), 1) << "another voter's vote stays";
  EXPECT_EQ(store_->TallyOf(current_)->up, 1);
  EXPECT_TRUE(store_->WithdrawVote(current_, "session:s1").ok()) << "nothing left to take back is no error";
  EXPECT_TRUE(store_->WithdrawVote(proposed_, "session:s2").ok());
  EXPECT_EQ(store_->WithdrawVote(9999, "session:s1").code(), base::Code::kNotFound);
  ASSERT_TRUE(store_->CastVote({current_, "session:s1", "10.0.0.1", -1, 12}).ok()) << "a vote again after";
  EXPECT_EQ(store_->TallyOf(current_)->down, 1);
}

TEST_P(ProposalStoreTest, AVotersOwnFlagIsReadBackAsLastGiven) {
  EXPECT_FALSE(store_->FlagOf(current_, "session:s1")->has_value());
  ASSERT_TRUE(store_->AddFlag({current_, "session:s1", "10.0.0.1", "wrong_person", "", 10}).ok());
  ASSERT_TRUE(store_->AddFlag({current_, "session:s1", "10.0.0.1", "other", "a tree", 12}).ok());
  ASSERT_TRUE(store_->AddFlag({current_, "session:s2", "10.0.0.2", "poor_quality", "", 11}).ok());
  auto mine = store_->FlagOf(current_, "session:s1");
  ASSERT_TRUE(mine.ok());
  ASSERT_TRUE(mine->has_value());
  EXPECT_EQ((*mine)->reason, "other");  // the second flag replaced the first
  EXPECT_EQ((*mine)->details, "a tree");
  EXPECT_EQ((*mine)->at, 12);
  EXPECT_EQ((*store_->FlagOf(current_, "session:s2"))->reason, "poor_quality");
  EXPECT_FALSE(store_->FlagOf(proposed_, "session:s1")->has_value());
  EXPECT_FALSE(store_->FlagOf(current_, "session:s3")->has_value());
}

TEST_P(ProposalStoreTest, FlagsCountOncePerVoterAndReachTheThreshold) {
  for (const char* voter : {"session:a", "session:b", "session:a"}) {
    ASSERT_TRUE(store_->AddFlag({current_, voter, std::string("10.0.0.") + voter[8], "wrong_person", "", 10}).ok());
  }
  EXPECT_TRUE(store_->FlaggedItems(3)->empty());
  ASSERT_TRUE(store_->AddFlag({current_, "user:bob", "10.0.0.1", "other", "a tree", 11}).ok());
  auto flagged = store_->FlaggedItems(3);
  ASSERT_EQ(flagged->size(), 1u);
  EXPECT_EQ(flagged->front().item_id, current_);
  EXPECT_EQ(flagged->front().flags, 3);
  EXPECT_EQ(store_->AddFlag({current_, "x", "", "ugly", "", 1}).code(), base::Code::kInvalidArgument);
}

// A cookie is its holder's to drop or invent: anonymous sessions from one address count as one flagger, so that a
// single client cannot flag an image out of the library alone. Signed-in users count one each, wherever they are.
TEST_P(ProposalStoreTest, AnonymousFlagsCountOncePerAddress) {
  for (const char* voter : {"session:aaaa", "session:bbbb", "session:cccc", "session:dddd"}) {
    ASSERT_TRUE(store_->AddFlag({proposed_, voter, "192.0.2.7", "other", "", 10}).ok());
  }
  EXPECT_TRUE(store_->FlaggedItems(2)->empty());
  ASSERT_TRUE(store_->AddFlag({proposed_, "user:bob", "192.0.2.7", "other", "", 11}).ok());
  ASSERT_TRUE(store_->AddFlag({proposed_, "user:eve", "192.0.2.7", "other", "", 11}).ok());
  auto flagged = store_->FlaggedItems(3);
  ASSERT_EQ(flagged->size(), 1u);
  EXPECT_EQ(flagged->front().flags, 3);
  EXPECT_TRUE(store_->FlaggedItems(4)->empty());
}

TEST_P(ProposalStoreTest, AnonymousVotesCountOncePerAddressInTheTally) {
  for (const char* voter : {"session:aaaa", "session:bbbb", "session:cccc"}) {
    ASSERT_TRUE(store_->CastVote({proposed_, voter, "192.0.2.7", 1, 10}).ok());
  }
  ASSERT_TRUE(store_->CastVote({proposed_, "session:dddd", "192.0.2.8", 1, 10}).ok());
  ASSERT_TRUE(store_->CastVote({proposed_, "session:eeee", "192.0.2.8", -1, 10}).ok());
  ASSERT_TRUE(store_->CastVote({proposed_, "user:bob", "192.0.2.7", 1, 11}).ok());
  ASSERT_TRUE(store_->CastVote({proposed_, "user:eve", "192.0.2.7", -1, 11}).ok());
  for (const char* voter : {"session:aaaa", "session:bbbb"}) {
    ASSERT_TRUE(store_->AddFlag({proposed_, voter, "192.0.2.7", "other", "", 12}).ok());
  }
  ASSERT_TRUE(store_->AddFlag({proposed_, "user:bob", "192.0.2.7", "other", "", 12}).ok());
  auto tally = store_->TallyOf(proposed_);
  ASSERT_TRUE(tally.ok()) << tally.status().ToString();
  EXPECT_EQ(tally->up, 3);     // 192.0.2.7's three sessions, 192.0.2.8, bob
  EXPECT_EQ(tally->down, 2);   // 192.0.2.8, eve
  EXPECT_EQ(tally->flags, 2);  // 192.0.2.7's two sessions, bob
  // Each session still has its own vote, which it can take back.
  EXPECT_EQ(*store_->VoteOf(proposed_, "session:bbbb"), 1);
  ASSERT_TRUE(store_->WithdrawVote(proposed_, "session:dddd").ok());
  EXPECT_EQ(store_->TallyOf(proposed_)->up, 2);
}

TEST_P(ProposalStoreTest, LeaderboardCountsContributionsSinceADate) {
  ASSERT_TRUE(store_->CastVote({current_, "user:bob", "", 1, 100}).ok());
  ASSERT_TRUE(store_->CastVote({proposed_, "user:bob", "", 1, 100}).ok());
  ASSERT_TRUE(store_->AddFlag({current_, "user:eve", "", "other", "", 100}).ok());
  ASSERT_TRUE(store_->CastVote({current_, "user:old", "", 1, 5}).ok());
  auto board = store_->Leaderboard(50, 10);
  ASSERT_TRUE(board.ok());
  ASSERT_EQ(board->size(), 2u);
  EXPECT_EQ(board->at(0).voter, "user:bob");
  EXPECT_EQ(board->at(0).votes, 2);
  // Two anonymous sessions (cookies) of one address are one contributor, as they count once in the tallies.
  ASSERT_TRUE(store_->CastVote({current_, "session:c1", "198.51.100.4", 1, 100}).ok());
  ASSERT_TRUE(store_->CastVote({proposed_, "session:c2", "198.51.100.4", -1, 100}).ok());
  ASSERT_TRUE(store_->AddFlag({current_, "session:c2", "198.51.100.4", "other", "", 100}).ok());
  board = store_->Leaderboard(50, 10);
  ASSERT_TRUE(board.ok());
  ASSERT_EQ(board->size(), 3u);
  EXPECT_EQ(board->at(0).votes, 3);
  EXPECT_EQ(board->at(0).voter.rfind("session:", 0), std::string::npos) << "one contributor, not one per cookie";
  EXPECT_EQ(board->at(0).voter.rfind("user:", 0), std::string::npos);
  // More cookies of that address voting on an image it voted on already: still one vote there.
  for (const char* cookie : {"session:c3", "session:c4"}) {
    ASSERT_TRUE(store_->CastVote({current_, cookie, "198.51.100.4", 1, 100}).ok());
  }
  board = store_->Leaderboard(50, 10);
  ASSERT_TRUE(board.ok());
  EXPECT_EQ(board->at(0).votes, 3);
}

TEST_P(ProposalStoreTest, OnlyPublicLibraryItemsArePublic) {
  ASSERT_TRUE(store_->SetPublic(current_, true, "admin", 1).ok());
  // In review: refused, naming where it is (the page shows library images only); unmarking it is harmless.
  const base::Status refused = store_->SetPublic(proposed_, true, "admin", 1);
  EXPECT_EQ(refused.code(), base::Code::kInvalidArgument);
  EXPECT_NE(refused.message().find("is in review, not in the library"), std::string::npos) << refused.message();
  EXPECT_TRUE(store_->SetPublic(proposed_, false, "admin", 1).ok());
  EXPECT_EQ(*store_->PublicItems(0, 10), std::vector<int64_t>{current_});
  EXPECT_TRUE(*store_->IsPublic(current_));
  EXPECT_FALSE(*store_->IsPublic(proposed_));
  ASSERT_TRUE(store_->SetPublic(current_, false, "admin", 2).ok());
  EXPECT_TRUE(store_->PublicItems(0, 10)->empty());
  EXPECT_EQ(store_->SetPublic(777, true, "admin", 1).code(), base::Code::kNotFound);
}

TEST_P(ProposalStoreTest, ACoverChangesOnlyFromTheCoverItExpectsAndRevertsToIt) {
  ProposalRecord cover = Proposal();
  cover.slot = CoverSlot("alice");
  auto id = store_->AddProposal(cover);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*store_->CoverOf("alice"), 0);
  CoverChange wrong{*id, "alice", current_, proposed_, kProposalApproved, "admin", "", "", 300};
  EXPECT_EQ(store_->ApplyCover(wrong).code(), base::Code::kConflict);
  EXPECT_EQ(store_->GetProposal(*id)->status, "pending") << "a refused change changes nothing";
  CoverChange set{*id, "alice", 0, proposed_, kProposalApproved, "admin", "brighter", "", 300};
  ASSERT_TRUE(store_->ApplyCover(set).ok());
  EXPECT_EQ(*store_->CoverOf("alice"), proposed_);
  EXPECT_EQ(store_->GetProposal(*id)->status, "approved");
  EXPECT_EQ(store_->GetProposal(*id)->applied_at, 300);
  auto audit = catalog_->ListAudit(proposed_, "", 10, 0);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->front().action, "cover");
  EXPECT_EQ(audit->front().to_state, "item:" + std::to_string(proposed_));
  EXPECT_EQ(store_->ApplyCover(set).code(), base::Code::kConflict) << "approved once";
  ASSERT_TRUE(store_->ApplyCover({*id, "alice", proposed_, 0, kProposalReverted, "admin", "", "", 400}).ok());
  EXPECT_EQ(*store_->CoverOf("alice"), 0);
  EXPECT_EQ(store_->GetProposal(*id)->status, "reverted");
}

TEST_P(ProposalStoreTest, ADecisionUndoneReopensTheProposal) {
  auto id = store_->AddProposal(Proposal());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store_->ChangeStatus({*id, kProposalPending, kProposalDenied, "admin", "no", "r1", 300}).ok());
  EXPECT_EQ(store_->Reopen(*id, kProposalApproved, "admin", 301).code(), base::Code::kConflict);
  ASSERT_TRUE(store_->Reopen(*id, kProposalDenied, "admin", 302).ok());
  auto p = store_->GetProposal(*id);
  EXPECT_EQ(p->status, "pending");
  EXPECT_EQ(p->reviewed_by, "");
  EXPECT_EQ(p->rule, "");
  EXPECT_EQ(catalog_->ListAudit(current_, "", 10, 0)->front().action, "undo");
}

TRIAGE_ON_EVERY_BACKEND(ProposalStoreTest);

}  // namespace
}  // namespace triage::catalog
