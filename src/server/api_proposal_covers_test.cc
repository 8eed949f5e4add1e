// Specification of cover proposals: a library photo of a person proposed as the person's cover (slot
// "cover:<person>"), approved by an admin (the Persons answer shows the cover, no file moves), reverted (the
// previous cover back), stale when the cover changed meanwhile, and undone with a batch.
#include "server/api_test_support.h"

namespace triage::server {
namespace {

class ProposalCoversApiTest : public ApiTest {
 protected:
  // Three library photos of ada.
  void SetUp() override {
    ApiTest::SetUp();
    ids_ = Ingest({"obama.jpg", "obama2.jpg", "vladmandic_sample1.jpg"});
    for (int64_t id : ids_) ASSERT_TRUE(review_->Approve(id, "ada", "bob", 100).ok());
    admin_ = Login("bob");
  }
  int64_t ProposeCover(int64_t item) {
    auto r = Post("/api/proposals", {{"cover_person", "ada"}, {"proposed_item_id", item}}, &admin_);
    EXPECT_TRUE(r);
    if (!r) return 0;
    EXPECT_EQ(r->status, 201) << r->body;
    return Body(r).value("id", int64_t{0});
  }
  httplib::Result Decide(int64_t proposal, const std::string& verb) {
    return Post("/api/proposals/" + std::to_string(proposal) + "/" + verb, json::object(), &admin_);
  }
  // ada's cover in GET /api/persons: its item id, 0 when none.
  int64_t CoverShown() {
    const json persons = Body(Get("/api/persons", &admin_))["persons"];
    for (const json& p : persons) {
      if (p["name"] == "ada") return p["cover"].is_null() ? 0 : p["cover"]["item_id"].get<int64_t>();
    }
    ADD_FAILURE() << "ada is not listed";
    return -1;
  }
  std::vector<std::string> Paths() {
    std::vector<std::string> out;
    for (int64_t id : ids_) out.push_back(catalog_->GetItem(id)->path);
    return out;
  }
  std::vector<int64_t> ids_;
  TestSession admin_;
};

TEST_F(ProposalCoversApiTest, ApprovingSetsTheCoverAndRevertingPutsThePreviousBack) {
  const std::vector<std::string> paths = Paths();
  EXPECT_EQ(CoverShown(), 0);
  TestSession alice = Login("alice");
  EXPECT_EQ(Post("/api/proposals", {{"cover_person", "ada"}, {"proposed_item_id", ids_[0]}}, &alice)->status, 403);
  const int64_t first = ProposeCover(ids_[0]);
  json shown = Body(Get("/api/proposals/" + std::to_string(first), &admin_));
  EXPECT_EQ(shown["slot"], "cover:ada");
  EXPECT_TRUE(shown["current_item"].is_null());  // no cover yet
  EXPECT_EQ(Decide(first, "approve")->status, 200);
  EXPECT_EQ(CoverShown(), ids_[0]);
  EXPECT_EQ(AuditOf(ids_[0]).front().action, "cover");

  const int64_t second = ProposeCover(ids_[1]);
  EXPECT_EQ(Body(Get("/api/proposals/" + std::to_string(second), &admin_))["current_item"]["id"], ids_[0]);
  auto approved = Decide(second, "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(Body(approved)["status"], "approved");
  EXPECT_EQ(CoverShown(), ids_[1]);
  EXPECT_EQ(Paths(), paths);  // a cover moves no file
  auto reverted = Decide(second, "revert");
  ASSERT_EQ(reverted->status, 200) << reverted->body;
  EXPECT_EQ(Body(reverted)["status"], "reverted");
  EXPECT_EQ(CoverShown(), ids_[0]);
  EXPECT_EQ(Decide(second, "revert")->status, 409);
  EXPECT_EQ(Decide(second, "approve")->status, 409);  // applied at most once
  EXPECT_EQ(Paths(), paths);
}

TEST_F(ProposalCoversApiTest, BadCoverProposalsAreRefusedNamingWhy) {
  auto other = Ingest({"biden.jpg"})[0];  // waiting in review, nobody's photo
  for (const json& body : {json{{"cover_person", "ada"}, {"proposed_item_id", other}},
                           json{{"cover_person", "zed"}, {"proposed_item_id", ids_[0]}}, json{{"cover_person", "ada"}},
                           json{{"cover_person", "ada"}, {"proposed_item_id", ids_[0]}, {"reason", "prettier"}}}) {
    auto r = Post("/api/proposals", body, &admin_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body.dump() << " " << r->body;
  }
  EXPECT_EQ(Post("/api/proposals", {{"cover_person", "ada"}, {"proposed_item_id", 999999}}, &admin_)->status, 404);
  EXPECT_TRUE(proposals_->List({})->empty());
  EXPECT_EQ(Decide(ProposeCover(ids_[0]), "approve")->status, 200);
  auto again = Post("/api/proposals", {{"cover_person", "ada"}, {"proposed_item_id", ids_[0]}}, &admin_);
  EXPECT_EQ(again->status, 400);
  EXPECT_NE(Body(again)["message"].get<std::string>().find("cover already"), std::string::npos);
}

TEST_F(ProposalCoversApiTest, AProposalMadeForAnEarlierCoverIsStale) {
  const int64_t a = ProposeCover(ids_[0]), b = ProposeCover(ids_[1]);
  EXPECT_EQ(Decide(a, "approve")->status, 200);
  auto stale = Decide(b, "approve");  // made when ada had no cover
  ASSERT_EQ(stale->status, 409) << stale->body;
  EXPECT_EQ(proposals_->Get(b)->status, "stale");
  EXPECT_EQ(CoverShown(), ids_[0]);
}

TEST_F(ProposalCoversApiTest, ABatchApprovalOfCoversIsUndoneAsOneAction) {
  const int64_t a = ProposeCover(ids_[0]);
  auto r = Post("/api/proposals/batch", {{"action", "approve"}, {"ids", {a}}}, &admin_);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(CoverShown(), ids_[0]);
  const std::string token = Body(r)["undo"];
  auto undone = Post("/api/undo/" + token, json::object(), &admin_);
  ASSERT_EQ(undone->status, 200) << undone->body;
  EXPECT_EQ(CoverShown(), 0);
  EXPECT_EQ(proposals_->Get(a)->status, "pending");
}

}  // namespace
}  // namespace triage::server
