// Specification of the proposals and votes API: the queue, decisions by admins only, batch, the public voting page
// (only public images, nothing private reachable), one vote per session, rate limits.
#include "server/api_test_support.h"

namespace triage::server {
namespace {

class ProposalsApiTest : public ApiTest {
 protected:
  // A library image of ada (obama.jpg) and a proposed image waiting in review (biden.jpg); the proposal's id.
  int64_t MakeProposal() {
    auto ids = Ingest({"obama.jpg", "biden.jpg"});
    current_ = ids[0];
    proposed_ = ids[1];
    EXPECT_TRUE(review_->Approve(current_, "ada", "bob", 100).ok());
    auto p = proposals_->Propose({current_, proposed_, "manual", "bob"}, 200);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? p->id : 0;
  }
  std::string ProposalPath(int64_t id, const std::string& verb = "") {
    return "/api/proposals/" + std::to_string(id) + (verb.empty() ? "" : "/" + verb);
  }
  // An anonymous vote with `cookie` ("" for none); the response.
  httplib::Result Vote(const json& body, const std::string& cookie) {
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    return client_->Post("/api/votes", h, body.dump(), "application/json");
  }
  static std::string VoterCookie(const httplib::Result& r) {
    std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  }
  int64_t current_ = 0;
  int64_t proposed_ = 0;
};

TEST_F(ProposalsApiTest, QueueShowsBothImagesAndRefusesUnknownFilters) {
  int64_t id = MakeProposal();
  TestSession s = Login("alice");
  auto r = Get("/api/proposals?status=pending&sort=score", &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json list = Body(r)["proposals"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], id);
  EXPECT_EQ(list[0]["current_item"]["id"], current_);
  EXPECT_EQ(list[0]["proposed_item"]["id"], proposed_);
  EXPECT_EQ(list[0]["current"]["width"], list[0]["current_item"]["width"]);
  EXPECT_EQ(list[0]["current_item"]["votes"]["up"], 0);
  EXPECT_TRUE(Body(Get("/api/proposals?status=denied", &s))["proposals"].empty());
  for (const char* bad : {"/api/proposals?status=done", "/api/proposals?reason=pretty", "/api/proposals?sort=size"}) {
    EXPECT_EQ(Get(bad, &s)->status, 400) << bad;
  }
  EXPECT_EQ(Get(ProposalPath(id), &s)->status, 200);
  EXPECT_EQ(Get(ProposalPath(999), &s)->status, 404);
}

// Sorted by person, a slot whose photo has none (kept in photos/: its person is null) answered 500: it comes last.
TEST_F(ProposalsApiTest, SortedByPersonASlotWithoutAPersonComesLast) {
  MakeProposal();
  auto kept = Ingest({"obama2.jpg"})[0];
  ASSERT_TRUE(review_->Keep(kept, "bob", 300).ok());
  auto removal = proposals_->Propose({kept, 0, "manual", "bob"}, 400);
  ASSERT_TRUE(removal.ok()) << removal.status().ToString();
  TestSession s = Login("alice");
  auto r = Get("/api/proposals?sort=person", &s);
  ASSERT_EQ(r->status, 200) << r->body;
  json list = Body(r)["proposals"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["current_item"]["person"], "ada");
  EXPECT_TRUE(list[1]["current_item"]["person"].is_null()) << list[1].dump();
}

TEST_F(ProposalsApiTest, OnlyAdminsDecideAndApproveMovesFilesAndAudits) {
  int64_t id = MakeProposal();
  TestSession user = Login("alice");
  TestSession admin = Login("bob");
  for (const char* verb : {"approve", "deny", "archive", "revert"}) {
    auto r = Post(ProposalPath(id, verb), json::object(), &user);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << verb;
  }
  EXPECT_EQ(Post("/api/proposals", {{"current_item_id", current_}}, &user)->status, 403);
  EXPECT_EQ(Post("/api/proposals/batch", {{"action", "deny"}, {"ids", {id}}}, &user)->status, 403);
  const std::string old_path = catalog_->GetItem(current_)->path;
  auto r = Post(ProposalPath(id, "approve"), {{"notes", "sharper"}}, &admin);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json p = Body(r);
  EXPECT_EQ(p["status"], "approved");
  EXPECT_EQ(p["review_notes"], "sharper");
  EXPECT_EQ(p["proposed_item"]["person"], "ada");
  EXPECT_FALSE(fs::exists(root_ / old_path));
  EXPECT_TRUE(fs::exists(root_ / catalog_->GetItem(current_)->path));
  EXPECT_EQ(catalog_->GetItem(current_)->location, "archive");
  EXPECT_EQ(AuditOf(proposed_).front().action, "replaced");
  EXPECT_EQ(AuditOf(proposed_).front().actor, "bob");
  auto twice = Post(ProposalPath(id, "approve"), json::object(), &admin);
  EXPECT_EQ(twice->status, 409);
  auto reverted = Post(ProposalPath(id, "revert"), json::object(), &admin);
  ASSERT_EQ(reverted->status, 200) << reverted->body;
  EXPECT_EQ(Body(reverted)["status"], "reverted");
  EXPECT_EQ(catalog_->GetItem(current_)->location, "library");
}

// The toast's Undo after one approval puts everything back as it was: the proposal pending, the library photo in its
// slot, the proposed photo in its review folder waiting again (Revert left it in the archive, out of every list).
TEST_F(ProposalsApiTest, AnApprovalIsUndoneWithItsTokenAndBothPhotosGoBack) {
  int64_t id = MakeProposal();
  TestSession admin = Login("bob");
  const std::string slot = catalog_->GetItem(current_)->path, waiting = catalog_->GetItem(proposed_)->path;
  auto r = Post(ProposalPath(id, "approve"), json::object(), &admin);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string token = Body(r)["undo"];
  ASSERT_FALSE(token.empty()) << r->body;
  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &admin)->status, 200);
  EXPECT_EQ(Body(Get(ProposalPath(id), &admin))["status"], "pending");
  EXPECT_EQ(catalog_->GetItem(current_)->path, slot);
  EXPECT_EQ(catalog_->GetItem(proposed_)->path, waiting);
  EXPECT_EQ(catalog_->GetItem(proposed_)->location, "review");
  EXPECT_TRUE(fs::exists(root_ / slot));
  EXPECT_TRUE(fs::exists(root_ / waiting));
  auto denied = Post(ProposalPath(id, "deny"), json::object(), &admin);
  ASSERT_EQ(denied->status, 200) << denied->body;
  ASSERT_EQ(Post("/api/undo/" + Body(denied)["undo"].get<std::string>(), json::object(), &admin)->status, 200);
  EXPECT_EQ(Body(Get(ProposalPath(id), &admin))["status"], "pending");
  // Denied, then its photo archived by another proposal: the undo brings it back stale, not as a second pending
  // proposal for a slot that is gone.
  denied = Post(ProposalPath(id, "deny"), json::object(), &admin);
  ASSERT_EQ(denied->status, 200) << denied->body;
  auto removal = proposals_->Propose({current_, 0, "manual", "bob"}, 300);
  ASSERT_TRUE(removal.ok()) << removal.status().ToString();
  ASSERT_EQ(Post(ProposalPath(removal->id, "approve"), json::object(), &admin)->status, 200);
  ASSERT_EQ(catalog_->GetItem(current_)->location, "archive");
  ASSERT_EQ(Post("/api/undo/" + Body(denied)["undo"].get<std::string>(), json::object(), &admin)->status, 200);
  EXPECT_EQ(Body(Get(ProposalPath(id), &admin))["status"], "stale");
}

TEST_F(ProposalsApiTest, ManualProposalAndBatchReportCounts) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama2.jpg"});
  ASSERT_TRUE(review_->Approve(ids[0], "ada", "bob", 100).ok());
  TestSession admin = Login("bob");
  auto made = Post("/api/proposals", {{"current_item_id", ids[0]}, {"proposed_item_id", ids[1]}}, &admin);
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(Body(made)["proposed_by"], "bob");
  EXPECT_EQ(Body(made)["reason"], "manual");
  auto second = Post("/api/proposals", {{"current_item_id", ids[0]}, {"proposed_item_id", ids[2]}}, &admin);
  ASSERT_EQ(second->status, 201);
  EXPECT_EQ(Post("/api/proposals", {{"current_item_id", ids[1]}}, &admin)->status, 400);  // in review: no slot
  EXPECT_EQ(Post("/api/proposals", {{"current_item_id", "x"}}, &admin)->status, 400);
  // Ids past 2^63 - 1, sent as unsigned numbers, are no ids (they wrapped to -1 and to -2^63 and answered 404).
  auto huge = Post("/api/proposals", {{"current_item_id", 18446744073709551615ULL}}, &admin);
  EXPECT_EQ(huge->status, 400);
  EXPECT_EQ(Body(huge)["message"], "current_item_id: 18446744073709551615 is not an item id (a positive whole number)");
  auto past =
      Post("/api/proposals", {{"current_item_id", ids[0]}, {"proposed_item_id", 9223372036854775808ULL}}, &admin);
  EXPECT_EQ(past->status, 400) << past->body;
  EXPECT_EQ(
      Post("/api/proposals", {{"cover_person", "ada"}, {"proposed_item_id", 9223372036854775808ULL}}, &admin)->status,
      400);
  EXPECT_EQ(Body(Post("/api/proposals", json::object(), &admin))["message"],
            "current_item_id (an item id) is required");
  auto batch = Post("/api/proposals/batch",
                    {{"action", "archive"}, {"ids", {Body(made)["id"], Body(second)["id"], 4242}}}, &admin);
  ASSERT_EQ(batch->status, 200) << batch->body;
  EXPECT_EQ(Body(batch)["matched"], 2);  // 4242 is no proposal: named apart, neither matched nor failed
  EXPECT_EQ(Body(batch)["done"], 2);
  EXPECT_EQ(Body(batch)["failed"].size(), 0u);
  EXPECT_EQ(Body(batch)["not_found"], json::array({4242}));
  EXPECT_EQ(Post("/api/proposals/batch", {{"action", "explode"}}, &admin)->status, 400);
  EXPECT_EQ(Post("/api/proposals/batch", {{"action", "deny"}, {"min_score", 200}}, &admin)->status, 400);
}

// A signed-in visitor votes as their user: without the session's CSRF token (another site's form posting with the
// visitor's cookie) the vote is refused; the list of public images hands the page the token.
TEST_F(ProposalsApiTest, ASignedInVoteNeedsTheSessionsCsrfToken) {
  MakeProposal();
  TestSession admin = Login("bob");
  ASSERT_EQ(Post("/api/items/" + std::to_string(current_) + "/public", {{"public", true}}, &admin)->status, 200);
  auto forged = Vote({{"item_id", current_}, {"vote", "flag"}, {"reason", "wrong_person"}}, admin.cookie);
  ASSERT_EQ(forged->status, 403) << forged->body;
  EXPECT_EQ(Body(forged)["error"], "csrf_failed");
  httplib::Headers with_cookie{{"Cookie", admin.cookie}};
  json listed = Body(client_->Get("/api/public/images", with_cookie));
  EXPECT_EQ(listed["csrf_token"], admin.csrf);
  EXPECT_EQ(listed["images"][0]["flags"], 0);
  EXPECT_TRUE(Body(client_->Get("/api/public/images"))["csrf_token"].is_null());
  httplib::Headers signed_in{{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}};
  auto vote =
      client_->Post("/api/votes", signed_in, json{{"item_id", current_}, {"vote", "up"}}.dump(), "application/json");
  ASSERT_EQ(vote->status, 200) << vote->body;
  EXPECT_EQ(Body(vote)["mine"], "up");
}

TEST_F(ProposalsApiTest, AnonymousVotesCountOncePerSessionAndShowOnTheAdminPage) {
  int64_t id = MakeProposal();
  TestSession admin = Login("bob");
  ASSERT_EQ(Post("/api/items/" + std::to_string(current_) + "/public", {{"public", true}}, &admin)->status, 200);
  auto first = Vote({{"item_id", current_}, {"vote", "up"}}, "");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const std::string cookie = VoterCookie(first);
  ASSERT_EQ(cookie.rfind("triage_voter=", 0), 0u) << cookie;
  EXPECT_NE(first->get_header_value("Set-Cookie").find("HttpOnly"), std::string::npos);
  EXPECT_EQ(Body(first)["up"], 1);
  auto second = Vote({{"item_id", current_}, {"vote", "down"}}, cookie);  // replaces the first
  EXPECT_EQ(Body(second)["up"], 0);
  EXPECT_EQ(Body(second)["down"], 1);
  EXPECT_TRUE(second->get_header_value("Set-Cookie").empty());
  auto other = Vote({{"item_id", current_}, {"vote", "flag"}, {"reason", "wrong_person"}}, "");
  EXPECT_EQ(Body(other)["flags"], 1);
  EXPECT_DOUBLE_EQ(Body(other)["score"].get<double>(), -1.5 - 3.0);
  json shown = Body(Get(ProposalPath(id), &admin));
  EXPECT_EQ(shown["current_item"]["votes"]["down"], 1);
  EXPECT_EQ(shown["current_item"]["votes"]["flags"], 1);
  // Both sessions came from this one address: one contributor (as in the tallies), with a vote and a flag.
  json board = Body(client_->Get("/api/votes/leaderboard"));
  ASSERT_EQ(board["contributors"].size(), 1u) << board.dump();
  EXPECT_EQ(board["contributors"][0]["name"], "anonymous");
  EXPECT_EQ(board["contributors"][0]["votes"], 2);
  for (const json& bad : {json{{"item_id", current_}, {"vote", "sideways"}}, json{{"vote", "up"}},
                          json{{"item_id", current_}, {"vote", "flag"}, {"reason", "ugly"}}}) {
    EXPECT_EQ(Vote(bad, cookie)->status, 400) << bad.dump();
  }
  // A field of the wrong type is a bad request naming it (the page is public: never a server error).
  const std::vector<std::pair<json, std::string>> wrong_types = {
      {{{"item_id", current_}, {"vote", 1}}, "vote: must be a string (got 1)"},
      {{{"item_id", current_}, {"vote", "flag"}, {"reason", 5}}, "reason: must be a string (got 5)"},
      {{{"item_id", current_}, {"vote", "flag"}, {"reason", "other"}, {"details", 5}},
       "details: must be a string (got 5)"},
      {{{"item_id", current_}, {"vote", "up"}, {"details", {1}}}, "details: must be a string (got [1])"}};
  for (const auto& [bad, message] : wrong_types) {
    auto r = Vote(bad, cookie);
    EXPECT_EQ(r->status, 400) << bad.dump() << r->body;
    EXPECT_EQ(Body(r)["message"], message);
  }
  EXPECT_EQ(Body(Get(ProposalPath(id), &admin))["current_item"]["votes"]["flags"], 1) << "nothing was counted";
}

// The pressed button pressed again takes the vote back ("none"): that voter's vote only, and their flag stays.
TEST_F(ProposalsApiTest, AVoterTakesBackTheirVoteWithNone) {
  MakeProposal();
  TestSession admin = Login("bob");
  ASSERT_EQ(Post("/api/items/" + std::to_string(current_) + "/public", {{"public", true}}, &admin)->status, 200);
  auto first = Vote({{"item_id", current_}, {"vote", "up"}}, "");
  ASSERT_EQ(first->status, 200) << first->body;
  const std::string cookie = VoterCookie(first);
  ASSERT_EQ(Vote({{"item_id", current_}, {"vote", "up"}}, "")->status, 200);  // another voter
  ASSERT_EQ(Vote({{"item_id", current_}, {"vote", "flag"}, {"reason", "poor_quality"}}, cookie)->status, 200);

  auto withdrawn = Vote({{"item_id", current_}, {"vote", "none"}}, cookie);
  ASSERT_TRUE(withdrawn);
  ASSERT_EQ(withdrawn->status, 200) << withdrawn->body;
  EXPECT_TRUE(Body(withdrawn)["mine"].is_null());
  EXPECT_EQ(Body(withdrawn)["up"], 1) << "the other voter's vote stays";
  EXPECT_EQ(Body(withdrawn)["flags"], 1) << "a flag is not a vote: it stays";
  httplib::Headers mine{{"Cookie", cookie}};
  EXPECT_TRUE(Body(client_->Get("/api/public/images", mine))["images"][0]["mine"].is_null()) << "after a reload too";
  auto again = Vote({{"item_id", current_}, {"vote", "none"}}, cookie);
  ASSERT_EQ(again->status, 200) << "nothing left to take back is no error";
  EXPECT_EQ(Body(again)["up"], 1);
  EXPECT_EQ(Vote({{"item_id", proposed_}, {"vote", "none"}}, cookie)->status, 404) << "not public: as if absent";
}

TEST_F(ProposalsApiTest, TheVotersOwnFlagAndVoteComeBackWithThePublicImages) {
  MakeProposal();
  TestSession admin = Login("bob");
  ASSERT_EQ(Post("/api/items/" + std::to_string(current_) + "/public", {{"public", true}}, &admin)->status, 200);
  auto listed = client_->Get("/api/public/images");
  ASSERT_EQ(listed->status, 200);
  EXPECT_TRUE(Body(listed)["images"][0]["my_flag"].is_null());
  const std::string cookie = VoterCookie(listed);
  auto flagged =
      Vote({{"item_id", current_}, {"vote", "flag"}, {"reason", "poor_quality"}, {"details", "soft"}}, cookie);
  ASSERT_EQ(flagged->status, 200) << flagged->body;
  EXPECT_EQ(Body(flagged)["my_flag"], json({{"reason", "poor_quality"}, {"details", "soft"}}));
  ASSERT_EQ(Vote({{"item_id", current_}, {"vote", "up"}}, cookie)->status, 200);
  // What a reload of the page asks: the same voter sees their flag and their vote, another voter neither.
  httplib::Headers mine{{"Cookie", cookie}};
  json image = Body(client_->Get("/api/public/images", mine))["images"][0];
  EXPECT_EQ(image["my_flag"], json({{"reason", "poor_quality"}, {"details", "soft"}}));
  EXPECT_EQ(image["mine"], "up");
  EXPECT_EQ(image["flags"], 1);
  json other = Body(client_->Get("/api/public/images"))["images"][0];
  EXPECT_TRUE(other["my_flag"].is_null());
  EXPECT_TRUE(other["mine"].is_null());
}

TEST_F(ProposalsApiTest, NothingPrivateIsReachableFromThePublicPage) {
  MakeProposal();
  TestSession admin = Login("bob");
  ASSERT_EQ(Post("/api/items/" + std::to_string(current_) + "/public", {{"public", true}}, &admin)->status, 200);
  // An image in review is refused (only library images are shown), and the answer says where it is.
  auto refused = Post("/api/items/" + std::to_string(proposed_) + "/public", {{"public", true}}, &admin);
  ASSERT_EQ(refused->status, 400) << refused->body;
  EXPECT_NE(Body(refused)["message"].get<std::string>().find("is in review, not in the library"), std::string::npos);
  auto r = client_->Get("/api/public/images");
  ASSERT_EQ(r->status, 200);
  json images = Body(r)["images"];
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0]["id"], current_);
  const std::string path = catalog_->GetItem(current_)->path;
  for (const std::string& secret :
       {path, std::string("faces/"), std::string("ada"), std::string(".jpg"), std::string("review/"), root_.string()}) {
    EXPECT_EQ(r->body.find(secret), std::string::npos) << "the public page shows " << secret;
  }
  EXPECT_EQ(client_->Get(images[0]["thumbnail"].get<std::string>())->status, 200);
  const std::string hidden = "/api/public/images/" + std::to_string(proposed_) + "/thumbnail";
  EXPECT_EQ(client_->Get(hidden)->status, 404);
  for (const char* probe : {"/api/public/images/999/thumbnail", "/api/public/images/..%2F..%2Fcatalog.db/thumbnail",
                            "/api/public/images/-1/thumbnail", "/api/items/1/original", "/api/items/1/thumbnail",
                            "/api/proposals", "/api/audit"}) {
    auto p = client_->Get(probe);
    ASSERT_TRUE(p) << probe;
    EXPECT_TRUE(p->status == 400 || p->status == 401 || p->status == 404) << probe << " " << p->status;
    EXPECT_EQ(p->get_header_value("Content-Type").find("image/"), std::string::npos) << probe;
  }
  // A public photo damaged or gone on disk is said without its path, file name or person (and a signed-in user's
  // thumbnail names it by its place in the library, not by the server's folders).
  {
    const fs::path file = root_ / path;
    const std::string bytes = *base::ReadFile(file);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "not an image";
    // (sizes not asked for yet: a thumbnail made before the damage is served from the cache)
    for (const std::string& url : {"/api/public/images/" + std::to_string(current_) + "/thumbnail?size=640",
                                   "/api/items/" + std::to_string(current_) + "/thumbnail?size=1280"}) {
      auto damaged = url.find("public") != std::string::npos ? client_->Get(url) : Get(url, &admin);
      ASSERT_TRUE(damaged);
      EXPECT_EQ(damaged->status, 422) << url << damaged->body;
      EXPECT_EQ(damaged->body.find(root_.string()), std::string::npos) << damaged->body;
      if (url.find("public") != std::string::npos) {
        for (const std::string& secret : {path, std::string("faces/"), std::string("ada"), std::string(".jpg")}) {
          EXPECT_EQ(damaged->body.find(secret), std::string::npos) << damaged->body;
        }
      }
    }
    fs::remove(file);
    auto gone = client_->Get("/api/public/images/" + std::to_string(current_) + "/thumbnail?size=160");
    EXPECT_EQ(gone->status, 404);
    EXPECT_EQ(gone->body.find(path), std::string::npos) << gone->body;
    std::ofstream(file, std::ios::binary) << bytes;
  }
  EXPECT_EQ(Vote({{"item_id", proposed_}, {"vote", "up"}}, "")->status, 404);  // not public: as if absent
  EXPECT_EQ(Vote({{"item_id", 999}, {"vote", "up"}}, "")->status, 404);
  EXPECT_EQ(Post("/api/items/" + std::to_string(current_) + "/public", {{"public", false}}, &admin)->status, 200);
  EXPECT_TRUE(Body(client_->Get("/api/public/images"))["images"].empty());
  EXPECT_EQ(client_->Get("/api/public/images/" + std::to_string(current_) + "/thumbnail")->status, 404);
}

TEST_F(ProposalsApiTest, VotesBeyondTheLimitAre429WithRetryAfter) {
  StopServer();
  ASSERT_TRUE(config_
                  ->Update([](json& doc) {
                    doc["votes"] = {{"max_per_minute_per_session", 3}, {"max_per_minute_per_address", 5}};
                    return base::Status::Ok();
                  })
                  .ok());
  StartServer();
  MakeProposal();
  TestSession admin = Login("bob");
  ASSERT_EQ(Post("/api/items/" + std::to_string(current_) + "/public", {{"public", true}}, &admin)->status, 200);
  auto first = Vote({{"item_id", current_}, {"vote", "up"}}, "");
  const std::string cookie = VoterCookie(first);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Vote({{"item_id", current_}, {"vote", "up"}}, cookie)->status, 200);
  auto limited = Vote({{"item_id", current_}, {"vote", "down"}}, cookie);
  ASSERT_EQ(limited->status, 429);
  EXPECT_GT(std::stoi(limited->get_header_value("Retry-After")), 0);
  EXPECT_EQ(Body(limited)["error"], "rate_limited");
  EXPECT_EQ(proposal_store_->TallyOf(current_)->down, 0);  // the refused vote changed nothing
  // A new session from the same address gets two more, then the address limit (5) answers.
  auto fresh = Vote({{"item_id", current_}, {"vote", "up"}}, "");
  EXPECT_EQ(fresh->status, 200);
  EXPECT_EQ(Vote({{"item_id", current_}, {"vote", "up"}}, VoterCookie(fresh))->status, 200);
  EXPECT_EQ(Vote({{"item_id", current_}, {"vote", "up"}}, "")->status, 429);
}

TEST_F(ProposalsApiTest, ReviewCardAndScorePanelShowTheCommunityScoreWithTheConfiguredWeights) {
  const int64_t proposal = MakeProposal();  // proposed_ waits in review
  for (const char* voter : {"session:a", "session:b"}) {
    ASSERT_TRUE(
        proposal_store_->CastVote({proposed_, voter, "127.0.0.1", std::string(voter) == "session:a" ? 1 : -1, 300})
            .ok());
  }
  ASSERT_TRUE(proposal_store_->AddFlag({proposed_, "session:c", "127.0.0.1", "wrong_person", "", 300}).ok());
  TestSession alice = Login("alice");
  const std::string id = std::to_string(proposed_);
  json card = Body(Get("/api/review/" + id, &alice))["votes"];
  EXPECT_EQ(card["up"], 1);
  EXPECT_EQ(card["down"], 1);
  EXPECT_EQ(card["flags"], 1);
  EXPECT_DOUBLE_EQ(card["score"].get<double>(), 1.0 - 1.5 - 3.0);
  json panel = Body(Get("/api/items/" + id + "/score", &alice))["votes"];
  EXPECT_EQ(panel, card);
  EXPECT_EQ(Body(Get(ProposalPath(proposal), &alice))["proposed_item"]["votes"], card);
  // The weights come from the config, read at each request, the same for every page.
  ASSERT_TRUE(config_
                  ->Update([](json& doc) {
                    doc["proposals"]["flag_weight"] = -5.0;
                    return base::Status::Ok();
                  })
                  .ok());
  EXPECT_DOUBLE_EQ(Body(Get("/api/review/" + id, &alice))["votes"]["score"].get<double>(), 1.0 - 1.5 - 5.0);
  EXPECT_DOUBLE_EQ(Body(Get("/api/items/" + id + "/score", &alice))["votes"]["score"].get<double>(), -5.5);
  EXPECT_EQ(Get("/api/review/999999", &alice)->status, 404);
}

}  // namespace
}  // namespace triage::server
