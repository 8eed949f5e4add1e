// Specification of batch decisions on proposals undone as one action: POST /api/proposals/batch answers with one
// undo token, and POST /api/undo/{token} puts every proposal back to pending and every image back where it was.
#include "server/api_test_support.h"

namespace triage::server {
namespace {

struct ItemState {
  std::string path, location, category, person;
  bool operator==(const ItemState&) const = default;
};

class ProposalBatchApiTest : public ApiTest {
 protected:
  // Three library images of ada, each with a proposed image waiting in review; the proposals' ids.
  std::vector<int64_t> MakeThreeProposals() {
    auto ids = Ingest({"obama.jpg", "skimage_astronaut.jpg", "vladmandic_sample1.jpg", "biden.jpg",
                       "skimage_coffee.jpg", "Tom_Cruise_avp_2014_4.jpg"});
    std::vector<int64_t> proposals;
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(review_->Approve(ids[i], "ada", "bob", 100).ok());
      auto p = proposals_->Propose({ids[i], ids[i + 3], "manual", "bob"}, 200);
      EXPECT_TRUE(p.ok()) << p.status().ToString();
      proposals.push_back(p.ok() ? p->id : 0);
    }
    items_ = ids;
    return proposals;
  }
  std::vector<ItemState> Snapshot() {
    std::vector<ItemState> out;
    for (int64_t id : items_) {
      auto item = catalog_->GetItem(id);
      EXPECT_TRUE(item.ok());
      out.push_back({item->path, item->location, item->category, item->person});
    }
    return out;
  }
  static std::string Token(const httplib::Result& r) {
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    return Body(r).value("undo", "");
  }
  std::vector<int64_t> items_;
};

TEST_F(ProposalBatchApiTest, BatchApproveOfThreeIsUndoneAsOneAction) {
  auto proposals = MakeThreeProposals();
  const std::vector<ItemState> before = Snapshot();
  std::vector<std::string> review_codes;
  for (int i = 3; i < 6; ++i) review_codes.push_back(catalog_->PendingReview(items_[i])->reason_code);
  TestSession alice = Login("alice"), bob = Login("bob");
  auto r = Post("/api/proposals/batch", {{"action", "approve"}, {"ids", proposals}}, &bob);
  const std::string token = Token(r);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Body(r)["done"], 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(catalog_->GetItem(items_[i])->location, "archive");
    EXPECT_EQ(catalog_->GetItem(items_[i + 3])->location, "library");
  }
  // A user may not undo an admin's batch.
  auto refused = Post("/api/undo/" + token, json::object(), &alice);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_EQ(catalog_->GetItem(items_[0])->location, "archive");

  auto undone = Post("/api/undo/" + token, json::object(), &bob);
  ASSERT_TRUE(undone);
  ASSERT_EQ(undone->status, 200) << undone->body;
  EXPECT_EQ(Snapshot(), before);
  for (const ItemState& item : before) EXPECT_TRUE(fs::exists(root_ / item.path)) << item.path;
  for (int i = 0; i < 3; ++i) {
    auto p = proposals_->Get(proposals[i]);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->status, "pending");
    EXPECT_EQ(p->reviewed_by, "");
    EXPECT_EQ(p->applied_at, 0);
    auto entry = catalog_->PendingReview(items_[i + 3]);  // waiting in review again, with the reason it had
    ASSERT_TRUE(entry.ok());
    EXPECT_EQ(entry->reason_code, review_codes[i]);
    EXPECT_EQ(AuditOf(items_[i + 3]).front().action, "undo");
    EXPECT_EQ(AuditOf(items_[i]).front().action, "undo");
  }
  // Single use; and the proposals can be decided again.
  EXPECT_NE(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  auto again = Post("/api/proposals/" + std::to_string(proposals[1]) + "/approve", json::object(), &bob);
  EXPECT_EQ(again->status, 200) << again->body;
}

TEST_F(ProposalBatchApiTest, BatchDenyUndoneReopensOnlyWhatItDecided) {
  auto proposals = MakeThreeProposals();
  TestSession bob = Login("bob");
  ASSERT_EQ(Post("/api/proposals/" + std::to_string(proposals[2]) + "/archive", json::object(), &bob)->status, 200);
  // The archived one fails in the batch and is not part of its undo.
  auto r = Post("/api/proposals/batch", {{"action", "deny"}, {"ids", proposals}}, &bob);
  const std::string token = Token(r);
  EXPECT_EQ(Body(r)["done"], 2);
  EXPECT_EQ(Body(r)["failed"].size(), 1u);
  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  EXPECT_EQ(proposals_->Get(proposals[0])->status, "pending");
  EXPECT_EQ(proposals_->Get(proposals[1])->status, "pending");
  EXPECT_EQ(proposals_->Get(proposals[2])->status, "archived");
}

// A proposal named twice in a batch is one proposal: matched, decided and counted once.
TEST_F(ProposalBatchApiTest, AProposalNamedTwiceIsDecidedOnce) {
  auto proposals = MakeThreeProposals();
  TestSession bob = Login("bob");
  auto r =
      Post("/api/proposals/batch", {{"action", "deny"}, {"ids", {proposals[0], proposals[0], proposals[0]}}}, &bob);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["matched"], 1);
  EXPECT_EQ(Body(r)["done"], 1);
  EXPECT_EQ(Body(r)["failed"].size(), 0u);
}

// An id of no proposal is named back under not_found: it is not matched, and it did not fail (there was nothing).
TEST_F(ProposalBatchApiTest, IdsOfNoProposalAreReportedAsNotFoundAndNotCountedAsMatched) {
  auto proposals = MakeThreeProposals();
  TestSession bob = Login("bob");
  auto none = Post("/api/proposals/batch", {{"action", "approve"}, {"ids", {99999}}}, &bob);
  ASSERT_TRUE(none);
  ASSERT_EQ(none->status, 200) << none->body;
  EXPECT_EQ(Body(none)["matched"], 0) << none->body;
  EXPECT_EQ(Body(none)["done"], 0);
  EXPECT_EQ(Body(none)["not_found"], json::array({99999}));
  EXPECT_TRUE(Body(none)["failed"].empty()) << none->body;
  EXPECT_EQ(Body(none)["undo"], "");
  auto wrong = Post("/api/proposals/batch", {{"action", "deny"}, {"ids", {99999}}, {"without_flags", "yes"}}, &bob);
  EXPECT_EQ(wrong->status, 400) << wrong->body;
  EXPECT_EQ(Body(wrong)["message"], "without_flags: must be true or false (got \"yes\")");
  auto some = Post("/api/proposals/batch", {{"action", "deny"}, {"ids", {proposals[0], 99998, proposals[1]}}}, &bob);
  ASSERT_TRUE(some);
  ASSERT_EQ(some->status, 200) << some->body;
  EXPECT_EQ(Body(some)["matched"], 2) << some->body;
  EXPECT_EQ(Body(some)["done"], 2);
  EXPECT_EQ(Body(some)["not_found"], json::array({99998}));
  EXPECT_EQ(proposals_->Get(proposals[0])->status, "denied");
}

TEST_F(ProposalBatchApiTest, UndoIsRefusedWhenAPartChangedSinceAndNothingMoves) {
  auto proposals = MakeThreeProposals();
  TestSession bob = Login("bob");
  const std::string token =
      Token(Post("/api/proposals/batch", {{"action", "approve"}, {"ids", {proposals[0], proposals[1]}}}, &bob));
  ASSERT_EQ(Post("/api/proposals/" + std::to_string(proposals[1]) + "/revert", json::object(), &bob)->status, 200);
  const std::vector<ItemState> now = Snapshot();
  auto r = Post("/api/undo/" + token, json::object(), &bob);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_NE(Body(r)["message"].get<std::string>().find("reverted"), std::string::npos) << r->body;
  EXPECT_EQ(Snapshot(), now);
  EXPECT_EQ(proposals_->Get(proposals[0])->status, "approved");
  // A batch that decided nothing hands out no token.
  auto none = Post("/api/proposals/batch", {{"action", "deny"}, {"ids", {proposals[0]}}}, &bob);
  EXPECT_EQ(Token(none), "");
}

TEST_F(ProposalBatchApiTest, ApprovingOneOfTwoProposalsForASlotMakesTheOtherStaleAndUndoReopensIt) {
  auto ids = Ingest({"obama.jpg", "skimage_astronaut.jpg", "vladmandic_sample1.jpg"});
  ASSERT_TRUE(review_->Approve(ids[0], "ada", "bob", 100).ok());
  auto first = proposals_->Propose({ids[0], ids[1], "manual", "bob"}, 200);
  auto second = proposals_->Propose({ids[0], ids[2], "manual", "bob"}, 201);
  ASSERT_TRUE(first.ok() && second.ok());
  TestSession bob = Login("bob");
  const std::string token = Token(Post("/api/proposals/batch", {{"action", "approve"}, {"ids", {first->id}}}, &bob));
  ASSERT_FALSE(token.empty());
  // The slot's image went to the archive: the other proposal for it can no longer apply, and says why at once.
  auto other = proposals_->Get(second->id);
  EXPECT_EQ(other->status, "stale");
  EXPECT_EQ(other->review_notes.rfind("proposal " + std::to_string(first->id) + " was approved: ", 0), 0u)
      << other->review_notes;
  auto pending = Get("/api/proposals?status=pending", &bob);
  ASSERT_TRUE(pending);
  EXPECT_TRUE(Body(pending)["proposals"].empty()) << pending->body;
  EXPECT_TRUE(fs::exists(root_ / catalog_->GetItem(ids[2])->path));  // its image stays where it was

  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  EXPECT_EQ(proposals_->Get(first->id)->status, "pending");
  EXPECT_EQ(proposals_->Get(second->id)->status, "pending");
  auto approved = Post("/api/proposals/" + std::to_string(second->id) + "/approve", json::object(), &bob);
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(catalog_->GetItem(ids[2])->location, "library");
  EXPECT_EQ(proposals_->Get(first->id)->status, "stale");
}

}  // namespace
}  // namespace triage::server
