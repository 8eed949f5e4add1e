// Specification of the undo API: every decision answers with a token; POST /api/undo/{token} reverts it once, for
// its author (or an admin), until it expires; a token whose item moved since is a 409 that changes nothing.
#include <fstream>

#include "catalog/sqlite/sqlite_catalog.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

using UndoApiTest = ApiTest;

std::string Token(const httplib::Result& r) {
  EXPECT_TRUE(r);
  if (!r) return "";
  EXPECT_EQ(r->status / 100, 2) << r->body;
  json body = json::parse(r->body, nullptr, false);
  EXPECT_TRUE(body.contains("undo") && body["undo"].is_string()) << r->body;
  return body.value("undo", "");
}

TEST_F(UndoApiTest, EachDecisionAnswersWithATokenThatPutsTheItemBackOnce) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama2.jpg", "obama3.jpg"});
  TestSession s = Login("bob");  // an admin: the approval may add obama, and its undo forgets him
  struct Case {
    const char* action;
    json body;
  };
  const Case cases[] = {{"approve", {{"person", "obama"}}}, {"reject", json::object()}, {"keep", json::object()}};
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(cases[i].action);
    const model::ItemRecord before = *catalog_->GetItem(ids[i]);
    const model::ReviewEntry entry = *catalog_->PendingReview(ids[i]);
    std::string token = Token(Post("/api/review/" + std::to_string(ids[i]) + "/" + cases[i].action, cases[i].body, &s));
    ASSERT_FALSE(token.empty());
    EXPECT_FALSE(fs::exists(root_ / before.path));
    auto r = Post("/api/undo/" + token, json::object(), &s);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(Body(r)["kind"], cases[i].action);
    const model::ItemRecord after = *catalog_->GetItem(ids[i]);
    EXPECT_EQ(after.path, before.path);
    EXPECT_EQ(after.location, "review");
    EXPECT_EQ(after.category, before.category);
    EXPECT_TRUE(fs::exists(root_ / before.path));
    EXPECT_EQ(catalog_->PendingReview(ids[i])->reason, entry.reason);
    EXPECT_EQ(catalog_->PendingReview(ids[i])->reason_code, entry.reason_code);
    EXPECT_EQ(AuditOf(ids[i])[0].action, "undo");
    EXPECT_EQ(AuditOf(ids[i])[0].actor, "bob");
    // Single use: the second try is a conflict and changes nothing.
    r = Post("/api/undo/" + token, json::object(), &s);
    EXPECT_EQ(r->status, 409) << r->body;
    EXPECT_EQ(catalog_->GetItem(ids[i])->path, before.path);
  }
  EXPECT_TRUE(catalog_->ListPersons()->empty());  // the approval created obama; its undo forgot him
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 4);
  // Skip and bulk answer with tokens too.
  std::string skip = Token(Post("/api/review/" + std::to_string(ids[3]) + "/skip", json::object(), &s));
  EXPECT_EQ(Post("/api/undo/" + skip, json::object(), &s)->status, 200);
  auto bulk = Post("/api/review/bulk", {{"ids", {ids[0], ids[1]}}, {"action", "reject"}}, &s);
  std::string token = Token(bulk);
  EXPECT_EQ(Post("/api/undo/" + token, json::object(), &s)->status, 200);
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "review");
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "review");
}

TEST_F(UndoApiTest, AnotherUsersTokenIsRefusedUnlessTheRoleAllows) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession alice = Login("alice"), bob = Login("bob"), carol = Login("carol");
  std::string bobs = Token(Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &bob));
  auto r = Post("/api/undo/" + bobs, json::object(), &alice);  // a user may not undo an admin's decision
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(Body(r)["error"], "forbidden");  // the name every 403 has, as a route's refusal
  EXPECT_NE(Body(r)["message"].get<std::string>().find("bob"), std::string::npos);
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "trash");
  EXPECT_EQ(Post("/api/undo/" + bobs, json::object(), &carol)->status, 200);  // a superadmin may
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "review");
  std::string alices = Token(Post("/api/review/" + std::to_string(ids[1]) + "/reject", json::object(), &alice));
  EXPECT_EQ(Post("/api/undo/" + alices, json::object(), &bob)->status, 200);  // and an admin
  // Without a login or the CSRF token, nothing.
  EXPECT_EQ(Post("/api/undo/" + alices, json::object(), nullptr)->status, 401);
}

TEST_F(UndoApiTest, AnExpiredOrUnknownTokenIsNotFound) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  std::string token = Token(Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &s));
  {
    auto& sqlite = dynamic_cast<catalog::sqlite::SqliteCatalog&>(*catalog_);
    auto lock = sqlite.Lock();  // as if a day had passed
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(sqlite.handle(), "UPDATE undo_tokens SET expires_at = 1", nullptr, nullptr, &error),
              SQLITE_OK);
  }
  auto r = Post("/api/undo/" + token, json::object(), &s);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_NE(Body(r)["message"].get<std::string>().find("expired"), std::string::npos);
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "trash");
  EXPECT_EQ(Post("/api/undo/0123456789abcdef", json::object(), &s)->status, 404);
}

TEST_F(UndoApiTest, AnItemThatMovedSinceIs409AndNothingChanges) {
  auto ids = Ingest({"obama.jpg"});
  TestSession alice = Login("alice"), bob = Login("bob");
  std::string token = Token(Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &alice));
  ASSERT_EQ(Post("/api/trash/" + std::to_string(ids[0]) + "/restore", json::object(), &bob)->status, 200);
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/approve", {{"person", "obama"}}, &bob)->status, 200);
  const model::ItemRecord now = *catalog_->GetItem(ids[0]);
  const size_t audit_entries = AuditOf(ids[0]).size();
  auto r = Post("/api/undo/" + token, json::object(), &alice);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_NE(Body(r)["message"].get<std::string>().find("moved since"), std::string::npos);
  EXPECT_EQ(catalog_->GetItem(ids[0])->path, now.path);
  EXPECT_TRUE(fs::exists(root_ / now.path));
  EXPECT_EQ(AuditOf(ids[0]).size(), audit_entries);
}

TEST_F(UndoApiTest, OlderTokensStayRedeemableUnlessALaterDecisionChangedTheSamePhoto) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama2.jpg"});
  TestSession s = Login("alice");
  auto decide = [&](int64_t id, const std::string& action) {
    return Token(Post("/api/review/" + std::to_string(id) + "/" + action, json::object(), &s));
  };
  const std::string kept = decide(ids[0], "keep");
  const std::string rejected = decide(ids[1], "reject");
  const std::string skipped = decide(ids[2], "skip");
  const std::string kept_after_skip = decide(ids[2], "keep");
  // The oldest decision goes back while the later ones, on other photos, stand.
  auto r = Post("/api/undo/" + kept, json::object(), &s);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "review");
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "trash");
  // The skip is older than the keep of the same photo: refused, saying why, and nothing changes.
  const model::ItemRecord kept_item = *catalog_->GetItem(ids[2]);
  r = Post("/api/undo/" + skipped, json::object(), &s);
  ASSERT_EQ(r->status, 409) << r->body;
  EXPECT_NE(Body(r)["message"].get<std::string>().find("decided since"), std::string::npos) << r->body;
  EXPECT_EQ(catalog_->GetItem(ids[2])->path, kept_item.path);
  // Newest first, everything goes back.
  EXPECT_EQ(Post("/api/undo/" + kept_after_skip, json::object(), &s)->status, 200);
  EXPECT_EQ(Post("/api/undo/" + skipped, json::object(), &s)->status, 200);
  EXPECT_EQ(Post("/api/undo/" + rejected, json::object(), &s)->status, 200);
  for (int64_t id : ids) EXPECT_EQ(catalog_->GetItem(id)->location, "review") << id;
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 3);
}

TEST_F(UndoApiTest, AReferenceFaceIsListedRemovedAndPutBack) {
  auto ids = Ingest({"obama.jpg"});
  ASSERT_TRUE(
      persons_
          ->Enroll("obama", {{std::vector<float>(128, 0.25f), "item:" + std::to_string(ids[0]), {}}}, true, "carol", 1)
          .ok());
  TestSession alice = Login("alice"), bob = Login("bob");
  json listed = Body(Get("/api/persons/obama/references", &alice));
  ASSERT_EQ(listed["references"].size(), 1u) << listed.dump();
  const int64_t ref = listed["references"][0]["id"];
  EXPECT_EQ(listed["references"][0]["item"]["id"], ids[0]);
  EXPECT_EQ(Get("/api/persons/nobody/references", &alice)->status, 404);
  const std::string remove = "/api/persons/obama/references/" + std::to_string(ref) + "/remove";
  EXPECT_EQ(Post(remove, json::object(), &alice)->status, 403);  // a user may not edit persons
  EXPECT_EQ(Post("/api/persons/obama/references/999/remove", json::object(), &bob)->status, 404);
  std::string token = Token(Post(remove, json::object(), &bob));
  EXPECT_TRUE(Body(Get("/api/persons/obama/references", &alice))["references"].empty());
  auto audit = catalog_->ListAudit(0, "bob", 1, 0);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->front().action, "reference");
  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  listed = Body(Get("/api/persons/obama/references", &alice));
  ASSERT_EQ(listed["references"].size(), 1u);
  EXPECT_EQ(listed["references"][0]["id"], ref);
}

TEST_F(UndoApiTest, ListEditsAndNewPersonsAreUndoable) {
  TestSession bob = Login("bob");
  std::string token = Token(Put("/api/config/whitelist", {{"names", {"penny"}}}, &bob));
  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  EXPECT_TRUE(config_->Current()->policy.whitelist.empty());
  token = Token(Post("/api/persons", {{"name", "Leonard"}}, &bob));
  fs::create_directories(root_ / "faces/leonard");  // a photo filed there and taken back since leaves it empty
  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  EXPECT_TRUE(catalog_->ListPersons()->empty());
  EXPECT_FALSE(fs::exists(root_ / "faces/leonard"));
  // A folder with something in it stays: only an empty one goes with the person.
  token = Token(Post("/api/persons", {{"name", "Sheldon"}}, &bob));
  fs::create_directories(root_ / "faces/sheldon");
  std::ofstream(root_ / "faces/sheldon/notes.txt") << "mine";
  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  EXPECT_TRUE(fs::exists(root_ / "faces/sheldon/notes.txt"));
}

}  // namespace
}  // namespace triage::server
