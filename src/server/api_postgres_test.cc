// Specification of the web server on a PostgreSQL catalog (a database in the tests' own cluster): the review flow end
// to end (queue, decisions, undo), the gallery, proposals with votes, and naming a face cluster on the People page.
#include <thread>

#include "faces/cluster_test_support.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

class PostgresApiTest : public ApiTest {
 protected:
  std::string Backend() const override { return "postgres"; }

  std::string Token(const httplib::Result& r) {
    EXPECT_TRUE(r && r->status / 100 == 2) << (r ? r->body : "no response");
    return r ? Body(r).value("undo", "") : "";
  }
  std::vector<int64_t> QueueIds(const TestSession& s) {
    const json page = Body(Get("/api/review/queue", &s));  // outlives the loop (a temporary's member would not)
    std::vector<int64_t> out;
    for (const auto& item : page["items"]) out.push_back(item["id"]);
    return out;
  }
};

TEST_F(PostgresApiTest, ReviewQueueDecisionsAndUndoRunEndToEnd) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama.jpg"});  // the second obama.jpg is a duplicate
  ASSERT_EQ(ids.size(), 3u);
  TestSession s = Login("bob");  // an admin: the approval may add obama, and its undo forgets him
  json queue = Body(Get("/api/review/queue", &s));
  EXPECT_EQ(queue["total"], 3);
  EXPECT_EQ(queue["counts"]["duplicates"], 1);
  EXPECT_EQ(queue["counts"]["unidentified"], 2);
  EXPECT_EQ(QueueIds(s), ids);

  // Approve: the file moves to the person's folder; its undo puts it back where it was.
  const model::ItemRecord before = *catalog_->GetItem(ids[0]);
  std::string approved = Token(Post("/api/review/" + std::to_string(ids[0]) + "/approve", {{"person", "obama"}}, &s));
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "library");
  EXPECT_TRUE(fs::exists(root_ / catalog_->GetItem(ids[0])->path));
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 2);
  auto undone = Post("/api/undo/" + approved, json::object(), &s);
  ASSERT_TRUE(undone);
  ASSERT_EQ(undone->status, 200) << undone->body;
  EXPECT_EQ(catalog_->GetItem(ids[0])->path, before.path);
  EXPECT_TRUE(fs::exists(root_ / before.path));
  EXPECT_EQ(Post("/api/undo/" + approved, json::object(), &s)->status, 409) << "a token is used once";
  EXPECT_TRUE(catalog_->ListPersons()->empty()) << "the undone approval forgot the person it created";

  // Skip moves an item to the end of the queue; its undo puts it back in its place.
  std::string skipped = Token(Post("/api/review/" + std::to_string(ids[0]) + "/skip", json::object(), &s));
  ASSERT_EQ(QueueIds(s).size(), 3u);
  EXPECT_EQ(QueueIds(s).back(), ids[0]);
  ASSERT_EQ(Post("/api/undo/" + skipped, json::object(), &s)->status, 200);
  EXPECT_EQ(QueueIds(s), ids);

  // Reject goes to the trash, which the gallery never shows.
  Token(Post("/api/review/" + std::to_string(ids[2]) + "/reject", json::object(), &s));
  EXPECT_EQ(catalog_->GetItem(ids[2])->location, "trash");
  json gallery = Body(Get("/api/gallery?sort=date", &s));
  EXPECT_EQ(gallery["total"], 2);
  for (const auto& item : gallery["items"]) EXPECT_NE(item["id"], ids[2]);
  EXPECT_EQ(AuditOf(ids[2]).front().action, "reject");
  EXPECT_EQ(AuditOf(ids[0]).front().action, "undo");
}

TEST_F(PostgresApiTest, ProposalsVotesAndCoversWorkAsOnSqlite) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  ASSERT_TRUE(review_->Approve(ids[0], "ada", "bob", 100).ok());
  auto proposal = proposals_->Propose({ids[0], ids[1], "manual", "bob"}, 200);
  ASSERT_TRUE(proposal.ok()) << proposal.status().ToString();
  TestSession admin = Login("bob");
  json list = Body(Get("/api/proposals?status=pending", &admin))["proposals"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["current_item"]["id"], ids[0]);
  EXPECT_EQ(list[0]["proposed_item"]["id"], ids[1]);

  const std::string path = "/api/proposals/" + std::to_string(proposal->id);
  auto approved = Post(path + "/approve", {{"notes", "sharper"}}, &admin);
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "archive");
  EXPECT_EQ(catalog_->GetItem(ids[1])->person, "ada");
  EXPECT_TRUE(fs::exists(root_ / catalog_->GetItem(ids[1])->path));
  EXPECT_EQ(Post(path + "/approve", json::object(), &admin)->status, 409);
  auto reverted = Post(path + "/revert", json::object(), &admin);
  ASSERT_EQ(reverted->status, 200) << reverted->body;
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "library");

  ASSERT_EQ(Post("/api/items/" + std::to_string(ids[0]) + "/public", {{"public", true}}, &admin)->status, 200);
  auto vote = client_->Post("/api/votes", json{{"item_id", ids[0]}, {"vote", "up"}}.dump(), "application/json");
  ASSERT_TRUE(vote);
  ASSERT_EQ(vote->status, 200) << vote->body;
  EXPECT_EQ(Body(vote)["up"], 1);
  EXPECT_EQ(proposal_store_->TallyOf(ids[0])->up, 1);
  auto hidden = client_->Post("/api/votes", json{{"item_id", ids[1]}, {"vote", "up"}}.dump(), "application/json");
  EXPECT_EQ(hidden->status, 404) << "an image not marked public takes no votes";
}

TEST_F(PostgresApiTest, AClusterNamedOnThePeoplePageMovesItsPhotosAndUndoBringsThemBack) {
  faces::testing::PlantedFaces planted(9);
  auto anna = planted.Centre();
  std::vector<int64_t> items;
  for (int i = 0; i < 3; ++i) items.push_back(WaitingWithFaces({planted.FaceNear(anna)}));
  TestSession bob = Login("bob");
  json clusters = Body(Get("/api/clusters", &bob));
  ASSERT_EQ(clusters["clusters"].size(), 1u) << clusters.dump();
  EXPECT_EQ(clusters["clusters"][0]["size"], 3);
  auto named = Post("/api/clusters/" + clusters["clusters"][0]["id"].dump() + "/name", {{"person", "anna"}}, &bob);
  ASSERT_EQ(named->status, 200) << named->body;
  for (int64_t id : items) EXPECT_EQ(fs::path(catalog_->GetItem(id)->path).parent_path(), "faces/anna");
  auto undone = Post("/api/people/undo", {{"action_id", Body(named)["action_id"]}}, &bob);
  ASSERT_EQ(undone->status, 200) << undone->body;
  for (int64_t id : items) EXPECT_EQ(fs::path(catalog_->GetItem(id)->path).parent_path(), "review/unidentified");
  EXPECT_EQ(Body(Get("/api/people/actions", &bob))["actions"][0]["undone"], true);
}

TEST_F(PostgresApiTest, AWorkersCommitReachesALongPollThroughNotify) {
  TestSession s = Login("alice");
  // The counts are cached first, so that only the change feed can make the answer below fresh.
  ASSERT_EQ(Body(Get("/api/review/queue", &s))["total_pending"], 0);
  const int64_t since = Body(Get("/api/changes", &s))["version"];
  json answer;
  std::thread poll([&] {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(120, 0);
    auto r = client.Get("/api/changes?since=" + std::to_string(since) + "&wait=25", {{"Cookie", s.cookie}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    answer = Body(r);
  });
  AddToReviewElsewhere("from-a-worker.jpg");  // another connection, committing as a worker does
  poll.join();
  EXPECT_EQ(answer["changed"], true);
  EXPECT_EQ(answer["total_pending"], 1);
  EXPECT_EQ(answer["counts"]["unidentified"], 1);
}

}  // namespace
}  // namespace triage::server
