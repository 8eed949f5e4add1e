// Specification of the review API: the queue, one item, approve / reject / skip, bulk, stats, export.
#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <map>

#include "server/api_test_support.h"

namespace triage::server {
namespace {

using ReviewApiTest = ApiTest;

TEST_F(ReviewApiTest, QueueListsPendingItemsWithCountsAndPages) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama.jpg"});  // the second obama.jpg is a duplicate
  TestSession s = Login("alice");
  auto r = Get("/api/review/queue?per_page=2&page=1", &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json page = Body(r);
  EXPECT_EQ(page["total"], 3);
  EXPECT_EQ(page["pages"], 2);
  EXPECT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["counts"]["duplicates"], 1);
  EXPECT_EQ(page["counts"]["unidentified"], 2);
  EXPECT_EQ(page["items"][0]["id"], ids[0]);
  EXPECT_FALSE(page["items"][0]["reason"].get<std::string>().empty());
  EXPECT_EQ(page["items"][0]["thumbnail_url"], "/api/items/" + std::to_string(ids[0]) + "/thumbnail");
  auto newest = Body(Get("/api/review/queue?sort=newest", &s));
  EXPECT_EQ(newest["items"][0]["id"], ids[2]);
}

TEST_F(ReviewApiTest, QueueByCategoryFiltersAndRefusesUnknownCategories) {
  Ingest({"obama.jpg", "obama.jpg"});
  TestSession s = Login("alice");
  json dups = Body(Get("/api/review/queue/duplicates", &s));
  EXPECT_EQ(dups["total"], 1);
  EXPECT_EQ(dups["items"][0]["category"], "duplicates");
  EXPECT_EQ(Body(Get("/api/review/queue?category=duplicates", &s))["total"], 1);
  for (const char* bad : {"/api/review/queue/nonsense", "/api/review/queue?category=x", "/api/review/queue?page=0",
                          "/api/review/queue?per_page=5000", "/api/review/queue?sort=random"}) {
    SCOPED_TRACE(bad);
    auto r = Get(bad, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(Body(r)["error"], "invalid_argument");
    EXPECT_FALSE(Body(r)["message"].get<std::string>().empty());
  }
  // The duplicate decision names a keep of the wrong type as such, not as missing.
  const std::string dup = std::to_string(dups["items"][0]["id"].get<int64_t>());
  TestSession bob = Login("bob");
  auto wrong = Post("/api/review/" + dup + "/duplicate", {{"keep", 1}}, &bob);
  EXPECT_EQ(wrong->status, 400);
  EXPECT_EQ(Body(wrong)["message"], "keep: must be a string: new, existing or both");
  auto missing = Post("/api/review/" + dup + "/duplicate", json::object(), &bob);
  EXPECT_EQ(Body(missing)["message"], "keep (new, existing or both) is required");
}

TEST_F(ReviewApiTest, ReviewItemShowsTheDuplicateForSideBySide) {
  auto ids = Ingest({"obama.jpg", "obama.jpg"});
  TestSession s = Login("alice");
  auto r = Get("/api/review/" + std::to_string(ids[1]), &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = Body(r);
  EXPECT_EQ(j["item"]["category"], "duplicates");
  EXPECT_EQ(j["review"]["reason_code"], "duplicate_sha256");
  EXPECT_EQ(j["duplicate_of"]["id"], ids[0]);
  EXPECT_GT(j["duplicate_of"]["width"].get<int>(), 0);
  EXPECT_EQ(Get("/api/review/999999", &s)->status, 404);
  EXPECT_EQ(Get("/api/review/abc", &s)->status, 400);
}

// Kept beside an original that waits in review, a copy waits as a photo of its own: its card no longer offers the
// comparison it was decided on (which would bring the same decision back).
TEST_F(ReviewApiTest, KeepBothBesideAnOriginalInReviewLeavesAPhotoOfItsOwn) {
  auto ids = Ingest({"obama.jpg", "obama.jpg"});
  TestSession s = Login("alice");
  auto kept = Post("/api/review/" + std::to_string(ids[1]) + "/duplicate", {{"keep", "both"}}, &s);
  ASSERT_EQ(kept->status, 200) << kept->body;
  json j = Body(Get("/api/review/" + std::to_string(ids[1]), &s));
  EXPECT_EQ(j["item"]["location"], "review");
  EXPECT_EQ(j["item"]["category"], "unidentified");
  EXPECT_TRUE(j["duplicate_of"].is_null()) << j.dump();
  json queue = Body(Get("/api/review/queue", &s));
  EXPECT_EQ(queue["counts"].value("duplicates", 0), 0);
  EXPECT_EQ(queue["counts"]["unidentified"], 2);
  auto again = Post("/api/review/" + std::to_string(ids[1]) + "/duplicate", {{"keep", "existing"}}, &s);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "review");
}

// Once the original is in the trash, the copy's card is a photo's own: no comparison with a photo that is not there
// (whose keep buttons would all be refused), but where the original went, and it is approved like any photo.
TEST_F(ReviewApiTest, ACopyWhoseOriginalIsInTheTrashIsShownAndDecidedAsAPhotoOfItsOwn) {
  auto ids = Ingest({"obama.jpg", "obama.jpg"});
  TestSession s = Login("bob");
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &s)->status, 200);
  json j = Body(Get("/api/review/" + std::to_string(ids[1]), &s));
  EXPECT_TRUE(j["duplicate_of"].is_null()) << j.dump();
  EXPECT_EQ(j["original_gone"], (json{{"id", ids[0]}, {"where", "trash"}}));
  auto approved = Post("/api/review/" + std::to_string(ids[1]) + "/approve", {{"person", "Barack Obama"}}, &s);
  EXPECT_EQ(approved->status, 200) << approved->body;
}

// An original an approved proposal took out of the library (into the archive) stands for nothing any more: its copy
// is a photo of its own, as when the original is in the trash. Keeping the copy "in the original's place" filed it
// into the hidden archive, out of every list.
TEST_F(ReviewApiTest, ACopyWhoseOriginalWasArchivedByAProposalIsAPhotoOfItsOwn) {
  auto ids = Ingest({"obama.jpg", "obama.jpg"});
  TestSession s = Login("bob");
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/approve", {{"person", "Barack Obama"}}, &s)->status, 200);
  auto made = Post("/api/proposals", {{"current_item_id", ids[0]}}, &s);
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string approve = "/api/proposals/" + std::to_string(Body(made)["id"].get<int64_t>()) + "/approve";
  ASSERT_EQ(Post(approve, json::object(), &s)->status, 200);
  ASSERT_EQ(catalog_->GetItem(ids[0])->location, "archive");
  json j = Body(Get("/api/review/" + std::to_string(ids[1]), &s));
  EXPECT_TRUE(j["duplicate_of"].is_null()) << j.dump();
  EXPECT_EQ(j["original_gone"], (json{{"id", ids[0]}, {"where", "archive"}}));
  for (const char* keep : {"new", "both"}) {
    auto kept = Post("/api/review/" + std::to_string(ids[1]) + "/duplicate", {{"keep", keep}}, &s);
    EXPECT_EQ(kept->status, 409) << keep << ": " << kept->body;
    EXPECT_NE(Body(kept)["message"].get<std::string>().find("archive"), std::string::npos) << kept->body;
  }
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "review");
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "archive");
  auto kept = Post("/api/review/" + std::to_string(ids[1]) + "/keep", json::object(), &s);
  ASSERT_EQ(kept->status, 200) << kept->body;
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "library");
}

// Two cards of two copies of one library photo (two tabs, two reviewers): "keep new" on the first puts that copy in
// the original's place. The second card still shows the original; its keep was decided against that photo, and
// taking it against the copy now there would trash the copy the first reviewer chose.
TEST_F(ReviewApiTest, AKeepDecidedAgainstAPhotoAnotherKeepReplacedIsRefused) {
  auto ids = Ingest({"obama.jpg", "obama.jpg", "obama.jpg"});
  TestSession s = Login("bob");
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/approve", {{"person", "Barack Obama"}}, &s)->status, 200);
  for (int64_t copy : {ids[1], ids[2]}) {
    EXPECT_EQ(Body(Get("/api/review/" + std::to_string(copy), &s))["duplicate_of"]["id"], ids[0]);
  }
  auto first = Post("/api/review/" + std::to_string(ids[1]) + "/duplicate", {{"keep", "new"}, {"against", ids[0]}}, &s);
  ASSERT_EQ(first->status, 200) << first->body;
  auto second =
      Post("/api/review/" + std::to_string(ids[2]) + "/duplicate", {{"keep", "new"}, {"against", ids[0]}}, &s);
  EXPECT_EQ(second->status, 409) << second->body;
  const std::string message = Body(second)["message"].get<std::string>();
  EXPECT_NE(message.find(fmt::format("was compared with item {}", ids[0])), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("(item {}, in faces/", ids[1])), std::string::npos) << message;
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "library") << "the copy the first keep chose stays";
  EXPECT_EQ(catalog_->GetItem(ids[2])->location, "review");
  auto bad = Post("/api/review/" + std::to_string(ids[2]) + "/duplicate", {{"keep", "new"}, {"against", "x"}}, &s);
  EXPECT_EQ(bad->status, 400) << bad->body;
  // An item it was never compared with (itself): refused, without claiming that anything was kept meanwhile.
  auto self =
      Post("/api/review/" + std::to_string(ids[2]) + "/duplicate", {{"keep", "existing"}, {"against", ids[2]}}, &s);
  EXPECT_EQ(self->status, 409) << self->body;
  EXPECT_NE(Body(self)["message"].get<std::string>().find(fmt::format("not item {}", ids[2])), std::string::npos)
      << self->body;
  EXPECT_EQ(Body(self)["message"].get<std::string>().find("meanwhile"), std::string::npos) << self->body;
  // Looked at again: the card compares with the copy now in place, and a keep goes ahead ("against": null is not said).
  EXPECT_EQ(Body(Get("/api/review/" + std::to_string(ids[2]), &s))["duplicate_of"]["id"], ids[1]);
  auto again =
      Post("/api/review/" + std::to_string(ids[2]) + "/duplicate", {{"keep", "existing"}, {"against", nullptr}}, &s);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(catalog_->GetItem(ids[2])->location, "trash");
}

// A file deleted by hand: the card says so (file_missing) and the item is forgotten with POST .../forget, which is
// refused while a file is there.
TEST_F(ReviewApiTest, AnItemWhoseFileIsGoneIsShownSoAndForgotten) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("bob");
  const std::string one = "/api/review/" + std::to_string(ids[0]);
  EXPECT_EQ(Body(Get(one, &s))["file_missing"], false);
  auto kept = Post("/api/items/" + std::to_string(ids[0]) + "/forget", json::object(), &s);
  EXPECT_EQ(kept->status, 409) << kept->body;
  EXPECT_EQ(Body(kept)["message"].get<std::string>().find(root_.string()), std::string::npos) << kept->body;
  fs::remove(root_ / catalog_->GetItem(ids[0])->path);
  EXPECT_EQ(Body(Get(one, &s))["file_missing"], true);
  auto forgot = Post("/api/items/" + std::to_string(ids[0]) + "/forget", json::object(), &s);
  ASSERT_EQ(forgot->status, 200) << forgot->body;
  EXPECT_EQ(Body(forgot)["forgotten"], true);
  EXPECT_EQ(Get(one, &s)->status, 404);
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 1);
  EXPECT_EQ(Post("/api/items/" + std::to_string(ids[0]) + "/forget", json::object(), &s)->status, 404);
}

TEST_F(ReviewApiTest, ApproveMovesTheFileToThePersonAndAudits) {
  auto ids = Ingest({"obama.jpg"});
  std::string before = catalog_->GetItem(ids[0])->path;
  TestSession s = Login("bob");  // an admin: approving as somebody new adds them
  auto r = Post("/api/review/" + std::to_string(ids[0]) + "/approve", {{"person", "Barack Obama"}}, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json item = Body(r)["item"];
  EXPECT_EQ(item["location"], "library");
  EXPECT_EQ(item["person"], "barack_obama");
  EXPECT_FALSE(fs::exists(root_ / before));
  EXPECT_TRUE(fs::exists(root_ / item["path"].get<std::string>()));
  EXPECT_EQ(fs::path(item["path"].get<std::string>()).parent_path(), fs::path("faces/barack_obama"));
  auto audit = AuditOf(ids[0]);
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].action, "approve");
  EXPECT_EQ(audit[0].actor, "bob");
  EXPECT_EQ(audit[0].from_state, "review/unidentified");
  EXPECT_EQ(audit[0].to_state, "faces/barack_obama");
  // It is no longer pending: approving again is a conflict (it exists, decided meanwhile), and the queue is empty.
  EXPECT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/approve", {{"person", "x"}}, &s)->status, 409);
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 0);
}

// A role that may not manage persons approves as an enrolled person only: a new name would add somebody.
TEST_F(ReviewApiTest, AUserApprovesAsAnEnrolledPersonButAddsNobody) {
  auto ids = Ingest({"obama.jpg", "obama2.jpg"});
  ASSERT_TRUE(catalog_->AddPerson("obama", 0).ok());
  TestSession alice = Login("alice");
  const std::string url = "/api/review/" + std::to_string(ids[0]) + "/approve";
  auto refused = Post(url, {{"person", "Zed Newman"}}, &alice);
  ASSERT_EQ(refused->status, 403) << refused->body;
  EXPECT_NE(refused->body.find("nobody called zed_newman is enrolled"), std::string::npos) << refused->body;
  auto bulk = Post("/api/review/bulk", {{"ids", {ids[0], ids[1]}}, {"action", "approve"}, {"person", "zed"}}, &alice);
  EXPECT_EQ(bulk->status, 403) << bulk->body;
  EXPECT_EQ(catalog_->ListPersons()->size(), 1u);
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "review");
  EXPECT_FALSE(fs::exists(root_ / "faces/zed_newman"));
  // An enrolled person, in any spelling of their name, is fine.
  auto approved = Post(url, {{"person", "OBAMA"}}, &alice);
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(Body(approved)["item"]["person"], "obama");
}

// A name typed as someone new (the web UI's "new person…" box sends "new_person": true) that is someone enrolled —
// by folder, as their name is written, or transliterated — files nothing: `Obama ` filed an unknown face under obama
// and taught him that face. The answer names the person; the same name without the flag files as before.
TEST_F(ReviewApiTest, ANewPersonWhoIsEnrolledAlreadyFilesNothing) {
  auto ids = Ingest({"biden.jpg", "biden2.jpg"});
  ASSERT_TRUE(catalog_->AddPerson("obama", 0).ok());
  ASSERT_TRUE(catalog_->AddPerson("joe", 0).ok());
  ASSERT_TRUE(catalog_->SetPersonDisplayName("joe", "Joseph Biden").ok());
  TestSession s = Login("bob");
  const std::string url = "/api/review/" + std::to_string(ids[0]) + "/approve";
  for (const auto& [typed, folder] : std::vector<std::pair<std::string, std::string>>{
           {"Obama ", "obama"}, {"Обама", "obama"}, {"joseph biden", "joe"}}) {
    auto refused = Post(url, {{"person", typed}, {"new_person", true}}, &s);
    ASSERT_EQ(refused->status, 409) << typed << ": " << refused->body;
    EXPECT_EQ(Body(refused)["error"], "already_exists");
    EXPECT_EQ(Body(refused)["person"], folder) << typed;
    EXPECT_NE(Body(refused)["message"].get<std::string>().find("nothing was filed"), std::string::npos);
  }
  auto bulk = Post("/api/review/bulk",
                   {{"ids", {ids[0], ids[1]}}, {"action", "approve"}, {"person", "OBAMA"}, {"new_person", true}}, &s);
  ASSERT_EQ(bulk->status, 409) << bulk->body;
  EXPECT_EQ(Body(bulk)["person"], "obama");
  for (int64_t id : ids) EXPECT_EQ(catalog_->GetItem(id)->location, "review") << id;
  EXPECT_EQ(catalog_->AllReferences()->size(), 0u) << "nobody learnt a face";
  EXPECT_EQ(Post(url, {{"person", "x"}, {"new_person", "yes"}}, &s)->status, 400);
  // Someone new indeed, or the enrolled person chosen as such: filed.
  auto added = Post(url, {{"person", "Jill"}, {"new_person", true}}, &s);
  ASSERT_EQ(added->status, 200) << added->body;
  auto chosen = Post("/api/review/" + std::to_string(ids[1]) + "/approve", {{"person", "joe"}}, &s);
  ASSERT_EQ(chosen->status, 200) << chosen->body;
  EXPECT_EQ(Body(chosen)["item"]["person"], "joe");
}

TEST_F(ReviewApiTest, ApproveNeedsAValidPerson) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("bob");
  std::string url = "/api/review/" + std::to_string(ids[0]) + "/approve";
  EXPECT_EQ(Post(url, json::object(), &s)->status, 400);
  EXPECT_EQ(Post(url, {{"person", "../etc"}}, &s)->status, 400);
  EXPECT_EQ(Post(url, {{"person", 42}}, &s)->status, 400);
  EXPECT_EQ(Post("/api/review/424242/approve", {{"person", "x"}}, &s)->status, 404);
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "review");
}

TEST_F(ReviewApiTest, ApproveAsANameTooLongForAFolderIsABadRequestAndMovesNothing) {
  auto ids = Ingest({"obama.jpg"});
  std::string before = catalog_->GetItem(ids[0])->path;
  TestSession s = Login("alice");
  auto r = Post("/api/review/" + std::to_string(ids[0]) + "/approve", {{"person", std::string(300, 'x')}}, &s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("too long"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find(root_.string()), std::string::npos) << "no server path in the message: " << r->body;
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "review");
  EXPECT_TRUE(fs::exists(root_ / before));
  EXPECT_TRUE(Body(Get("/api/persons", &s))["persons"].empty()) << "nobody was enrolled under the refused name";
}

TEST_F(ReviewApiTest, RejectMovesTheFileToTrashAndAudits) {
  auto ids = Ingest({"biden.jpg"});
  std::string before = catalog_->GetItem(ids[0])->path;
  TestSession s = Login("alice");
  auto r = Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json item = Body(r)["item"];
  EXPECT_EQ(item["location"], "trash");
  EXPECT_FALSE(fs::exists(root_ / before));
  EXPECT_TRUE(fs::exists(root_ / item["path"].get<std::string>()));
  EXPECT_EQ(AuditOf(ids[0])[0].action, "reject");
  EXPECT_EQ(AuditOf(ids[0])[0].actor, "alice");
  EXPECT_EQ(Post("/api/review/424242/reject", json::object(), &s)->status, 404);
  EXPECT_EQ(Post("/api/review/x/reject", json::object(), &s)->status, 400);
  // Rejecting it again: it exists but is in the trash, so 409 naming where it is (404 is for an id that is not there).
  auto again = Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;
  EXPECT_EQ(Body(again)["error"], "conflict") << again->body;
  EXPECT_NE(Body(again)["message"].get<std::string>().find("is not waiting for review: it is in the trash"),
            std::string::npos)
      << again->body;
  for (const char* action : {"keep", "skip"}) {
    EXPECT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/" + action, json::object(), &s)->status, 409) << action;
  }
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "trash");
}

TEST_F(ReviewApiTest, SkipKeepsTheItemPendingAndAudits) {
  auto ids = Ingest({"biden.jpg"});
  TestSession s = Login("alice");
  auto r = Post("/api/review/" + std::to_string(ids[0]) + "/skip", json::object(), &s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(catalog_->GetItem(ids[0])->location, "review");
  EXPECT_EQ(AuditOf(ids[0])[0].action, "skip");
  EXPECT_EQ(Post("/api/review/424242/skip", json::object(), &s)->status, 404);
  EXPECT_EQ(Post("/api/review/0/skip", json::object(), &s)->status, 400);
}

TEST_F(ReviewApiTest, BulkApproveMovesEveryFileAndReportsEachOutcome) {
  auto ids = Ingest({"obama.jpg", "obama2.jpg", "obama3.jpg"});
  ASSERT_TRUE(catalog_->AddPerson("obama", 0).ok());
  TestSession s = Login("alice");
  json body = {{"ids", {ids[0], ids[1], ids[2], 777777}}, {"action", "approve"}, {"person", "obama"}};
  auto r = Post("/api/review/bulk", body, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json out = Body(r);
  EXPECT_EQ(out["succeeded"], 3);
  EXPECT_EQ(out["failed"], 1);
  EXPECT_EQ(out["results"][3]["ok"], false);
  for (int64_t id : ids) {
    auto item = catalog_->GetItem(id);
    EXPECT_EQ(item->location, "library");
    EXPECT_TRUE(fs::exists(root_ / item->path));
    EXPECT_EQ(fs::path(item->path).parent_path(), fs::path("faces/obama"));
    EXPECT_EQ(AuditOf(id)[0].action, "approve");
  }
  // A name as typed comes back as its folder names it, for the reviewer's message.
  auto more = Ingest({"biden.jpg"});
  ASSERT_TRUE(catalog_->AddPerson("joe_biden", 0).ok());
  r = Post("/api/review/bulk", {{"ids", {more[0]}}, {"action", "approve"}, {"person", "Joe Biden"}}, &s);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["person"], "joe_biden");
  EXPECT_EQ(fs::path(catalog_->GetItem(more[0])->path).parent_path(), fs::path("faces/joe_biden"));
  EXPECT_TRUE(Body(Post("/api/review/bulk", {{"ids", {777777}}, {"action", "skip"}}, &s))["person"].is_null());
}

TEST_F(ReviewApiTest, BulkRejectMovesToTrash) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  auto r = Post("/api/review/bulk", {{"ids", ids}, {"action", "reject"}}, &s);
  ASSERT_TRUE(r);
  EXPECT_EQ(Body(r)["succeeded"], 2);
  for (int64_t id : ids) EXPECT_EQ(catalog_->GetItem(id)->location, "trash");
}

TEST_F(ReviewApiTest, BulkRefusesBadInput) {
  TestSession s = Login("alice");
  const json bad[] = {json::object(),
                      {{"ids", json::array()}, {"action", "reject"}},
                      {{"ids", {1, 2}}, {"action", "burn"}},
                      {{"ids", {1, "two"}}, {"action", "reject"}},
                      {{"ids", {1}}, {"action", "approve"}}};
  for (const json& b : bad) {
    SCOPED_TRACE(b.dump());
    auto r = Post("/api/review/bulk", b, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
  }
  // A body that is not JSON says where and why it does not parse (a number too large for one included).
  const std::pair<std::string, std::string> unparsed[] = {
      {R"({"action":"reject","ids":[1e400]})", "the request body is not valid JSON (number overflow parsing '1e400')"},
      {R"({"action":"reject","ids":[1,]})",
       "the request body is not valid JSON (line 1, column 29: syntax error while parsing value - unexpected ']'; "
       "expected '[', '{', or a literal)"}};
  for (const auto& [text, message] : unparsed) {
    auto r =
        client_->Post("/api/review/bulk", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, text, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(Body(r)["message"], message);
  }
}

// A decision names where the client saw the item; once it is elsewhere (moved by someone else meanwhile), the
// server answers 409 and changes nothing.
TEST_F(ReviewApiTest, DecisionOnAnItemThatMovedMeanwhileIs409AndChangesNothing) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  for (const char* name : {"obama", "biden"}) ASSERT_TRUE(catalog_->AddPerson(name, 0).ok());
  TestSession alice = Login("alice");
  TestSession bob = Login("bob");
  std::string id = std::to_string(ids[0]);
  json queued = Body(Get("/api/review/queue", &alice))["items"][0];
  ASSERT_EQ(queued["id"], ids[0]);
  const std::string seen = queued["folder"];
  EXPECT_EQ(seen, "review/unidentified");
  // Bob decides first.
  ASSERT_EQ(Post("/api/review/" + id + "/approve", {{"person", "obama"}, {"from", seen}}, &bob)->status, 200);
  const model::ItemRecord approved = *catalog_->GetItem(ids[0]);
  const size_t audit_entries = AuditOf(ids[0]).size();
  for (const char* action : {"reject", "skip", "approve"}) {
    SCOPED_TRACE(action);
    auto r = Post("/api/review/" + id + "/" + action, {{"person", "biden"}, {"from", seen}}, &alice);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 409) << r->body;
    EXPECT_EQ(Body(r)["error"], "conflict");
    const std::string message = Body(r)["message"];
    EXPECT_NE(message.find("no longer in review/unidentified: it was moved to faces/obama meanwhile"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(std::filesystem::path(approved.path).filename().string() + " (item " + id + ")"),
              std::string::npos)
        << message;
  }
  auto after = catalog_->GetItem(ids[0]);
  EXPECT_EQ(after->path, approved.path);
  EXPECT_EQ(after->person, "obama");
  EXPECT_TRUE(fs::exists(root_ / approved.path));
  EXPECT_EQ(AuditOf(ids[0]).size(), audit_entries);
  // Bulk: the moved item is a conflict, the other goes through.
  json bulk = {{"ids", {ids[0], ids[1]}}, {"action", "reject"}, {"from", {{id, seen}, {std::to_string(ids[1]), seen}}}};
  json out = Body(Post("/api/review/bulk", bulk, &alice));
  EXPECT_EQ(out["succeeded"], 1);
  EXPECT_EQ(out["results"][0]["conflict"], true);
  EXPECT_EQ(catalog_->GetItem(ids[0])->path, approved.path);
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "trash");
  // A wrong folder is a conflict too, and a malformed one a 400.
  auto ids2 = Ingest({"obama2.jpg"});
  std::string id2 = std::to_string(ids2[0]);
  EXPECT_EQ(Post("/api/review/" + id2 + "/reject", {{"from", "review/duplicates"}}, &alice)->status, 409);
  EXPECT_EQ(Post("/api/review/" + id2 + "/reject", {{"from", 7}}, &alice)->status, 400);
  EXPECT_EQ(
      Post("/api/review/bulk", {{"ids", {ids2[0]}}, {"action", "reject"}, {"from", {{"x", "review"}}}}, &alice)->status,
      400);
  EXPECT_EQ(catalog_->GetItem(ids2[0])->location, "review");
}

TEST_F(ReviewApiTest, RestoreBringsARejectedItemBackToItsReviewFolderAndPurgeDeletesIt) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  const model::ItemRecord before = *catalog_->GetItem(ids[0]);
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &s)->status, 200);
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[1]) + "/reject", json::object(), &s)->status, 200);
  auto r = Post("/api/trash/" + std::to_string(ids[0]) + "/restore", json::object(), &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto restored = catalog_->GetItem(ids[0]);
  EXPECT_EQ(restored->path, before.path);
  EXPECT_EQ(restored->location, "review");
  EXPECT_EQ(restored->category, before.category);
  EXPECT_EQ(restored->reasons.front().code, before.reasons.front().code);
  EXPECT_TRUE(fs::exists(root_ / before.path));
  EXPECT_EQ(catalog_->PendingReview(ids[0])->category, before.category);
  EXPECT_EQ(AuditOf(ids[0])[0].action, "restore");
  EXPECT_EQ(AuditOf(ids[0])[0].actor, "alice");
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 1);
  // Restoring again, or purging an item that is not in the trash, is a conflict and changes nothing.
  EXPECT_EQ(Post("/api/trash/" + std::to_string(ids[0]) + "/restore", json::object(), &s)->status, 409);
  EXPECT_EQ(Post("/api/trash/" + std::to_string(ids[0]) + "/purge", json::object(), &s)->status, 409);
  EXPECT_TRUE(fs::exists(root_ / before.path));
  EXPECT_EQ(Post("/api/trash/424242/restore", json::object(), &s)->status, 404);
  // Purge deletes the trashed file and its entry.
  std::string trashed = catalog_->GetItem(ids[1])->path;
  ASSERT_TRUE(fs::exists(root_ / trashed));
  ASSERT_EQ(Post("/api/trash/" + std::to_string(ids[1]) + "/purge", json::object(), &s)->status, 200);
  EXPECT_FALSE(fs::exists(root_ / trashed));
  EXPECT_EQ(catalog_->GetItem(ids[1]).status().code(), base::Code::kNotFound);
  // The audit log keeps the purged item's lines and says it is gone, so the page offers no dead link.
  json audit = Body(Get("/api/audit?item_id=" + std::to_string(ids[1]), &s));
  ASSERT_FALSE(audit["entries"].empty());
  for (const auto& e : audit["entries"]) EXPECT_EQ(e["item_location"], "deleted");
  audit = Body(Get("/api/audit?item_id=" + std::to_string(ids[0]), &s));
  ASSERT_FALSE(audit["entries"].empty());
  for (const auto& e : audit["entries"]) EXPECT_EQ(e["item_location"], "review");
}

// A user culled a library photo, kept its copy in its place and purged the original: a photo the library held was
// replaced for good by a role that may not replace library photos. Purging what was taken out of the library is for
// the roles that decide proposals; the user's deletion stays in the trash, restorable.
TEST_F(ReviewApiTest, APhotoTakenOutOfTheLibraryIsPurgedOnlyByThoseWhoDecideWhatItKeeps) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession alice = Login("alice"), bob = Login("bob");
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/keep", json::object(), &alice)->status, 200);
  ASSERT_EQ(Post("/api/items/" + std::to_string(ids[0]) + "/trash", json::object(), &alice)->status, 200);
  const std::string path = catalog_->GetItem(ids[0])->path;
  auto refused = Post("/api/trash/" + std::to_string(ids[0]) + "/purge", json::object(), &alice);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_NE(refused->body.find("was taken out of the library"), std::string::npos) << refused->body;
  EXPECT_TRUE(fs::exists(root_ / path));
  json listed = Body(Get("/api/items?location=trash&per_page=200", &alice));
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["may_purge"], false);
  // Restored since, it is not in the trash: said as that (409), not as a refusal of the role (403).
  ASSERT_EQ(Post("/api/trash/" + std::to_string(ids[0]) + "/restore", json::object(), &bob)->status, 200);
  auto restored = Post("/api/trash/" + std::to_string(ids[0]) + "/purge", json::object(), &alice);
  EXPECT_EQ(restored->status, 409) << restored->body;
  EXPECT_NE(restored->body.find("is not in the trash"), std::string::npos) << restored->body;
  ASSERT_EQ(Post("/api/items/" + std::to_string(ids[0]) + "/trash", json::object(), &bob)->status, 200);
  // A photo of review the user deleted is theirs to purge; the library's, an admin's.
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[1]) + "/reject", json::object(), &alice)->status, 200);
  EXPECT_EQ(Post("/api/trash/" + std::to_string(ids[1]) + "/purge", json::object(), &alice)->status, 200);
  EXPECT_EQ(Post("/api/trash/" + std::to_string(ids[0]) + "/purge", json::object(), &bob)->status, 200);
  EXPECT_FALSE(fs::exists(root_ / path));
}

// Purging cannot be undone: a user purges what they moved to the trash themselves; another user's deletion only a role
// that may undo others' changes purges (the user may restore it).
TEST_F(ReviewApiTest, AUserPurgesTheirOwnDeletionsButNotAnotherUsers) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession alice = Login("alice"), bob = Login("bob");
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/reject", json::object(), &bob)->status, 200);
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[1]) + "/reject", json::object(), &alice)->status, 200);
  const std::string bobs = catalog_->GetItem(ids[0])->path;
  auto refused = Post("/api/trash/" + std::to_string(ids[0]) + "/purge", json::object(), &alice);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_NE(refused->body.find("moved to the trash by bob"), std::string::npos) << refused->body;
  EXPECT_NE(refused->body.find("undo_others"), std::string::npos) << refused->body;
  EXPECT_NE(refused->body.find("Restore it instead, or purge only the photos nobody but you moved to the trash."),
            std::string::npos)
      << refused->body;
  EXPECT_TRUE(fs::exists(root_ / bobs));
  // The trash listing says as much before anyone asks: whose each photo is, and whether this caller may purge it.
  auto listed = Get("/api/items?location=trash&per_page=200", &alice);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  std::map<int64_t, std::pair<std::string, bool>> seen;
  const json doc = json::parse(listed->body);
  for (const auto& i : doc["items"]) {
    seen[i["id"].get<int64_t>()] = {i["trashed_by"].get<std::string>(), i["may_purge"].get<bool>()};
  }
  EXPECT_EQ(seen[ids[0]], std::make_pair(std::string("bob"), false));
  EXPECT_EQ(seen[ids[1]], std::make_pair(std::string("alice"), true));
  EXPECT_EQ(Post("/api/trash/" + std::to_string(ids[1]) + "/purge", json::object(), &alice)->status, 200);
  EXPECT_EQ(Post("/api/trash/" + std::to_string(ids[0]) + "/purge", json::object(), &bob)->status, 200);
  EXPECT_FALSE(fs::exists(root_ / bobs));
}

// Restoring another's deletion and rejecting the photo again does not make that deletion the user's: the purge is
// still refused, naming who moved it to the trash before; the trash listing agrees.
TEST_F(ReviewApiTest, AUserCannotMakeAnothersDeletionTheirsByRestoringAndRejectingIt) {
  auto ids = Ingest({"obama.jpg"});
  const std::string id = std::to_string(ids[0]);
  TestSession alice = Login("alice"), bob = Login("bob");
  ASSERT_EQ(Post("/api/review/" + id + "/reject", json::object(), &bob)->status, 200);
  ASSERT_EQ(Post("/api/trash/" + id + "/restore", json::object(), &alice)->status, 200);
  ASSERT_EQ(Post("/api/review/" + id + "/reject", json::object(), &alice)->status, 200);
  auto refused = Post("/api/trash/" + id + "/purge", json::object(), &alice);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_NE(refused->body.find("moved to the trash by bob before"), std::string::npos) << refused->body;
  ASSERT_TRUE(catalog_->GetItem(ids[0]).ok());
  EXPECT_TRUE(fs::exists(root_ / catalog_->GetItem(ids[0])->path));
  const json listed = json::parse(Get("/api/items?location=trash", &alice)->body)["items"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["trashed_by"], "alice");
  EXPECT_EQ(listed[0]["may_purge"], false);
  // Whoever may undo others' changes still purges it.
  EXPECT_EQ(Post("/api/trash/" + id + "/purge", json::object(), &bob)->status, 200);
}

TEST_F(ReviewApiTest, KeepFilesAPhotoWithoutAPersonUnderPhotosYearMonth) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  const model::ItemRecord before = *catalog_->GetItem(ids[0]);
  auto r = Post("/api/review/" + std::to_string(ids[0]) + "/keep", {{"from", "review/unidentified"}}, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto kept = catalog_->GetItem(ids[0]);
  EXPECT_EQ(kept->location, "library");
  EXPECT_EQ(kept->person, "");
  // The fixture has no capture date: photos/undated, the folder intake uses for such photos too.
  EXPECT_EQ(fs::path(kept->path).parent_path(), fs::path("photos/undated"));
  EXPECT_TRUE(fs::exists(root_ / kept->path));
  EXPECT_FALSE(fs::exists(root_ / before.path));
  EXPECT_EQ(AuditOf(ids[0])[0].action, "keep");
  // The audit log says where the photo went (not "faces/" with no person).
  EXPECT_EQ(AuditOf(ids[0])[0].from_state, "review/unidentified");
  EXPECT_EQ(AuditOf(ids[0])[0].to_state, "photos/undated");
  EXPECT_EQ(Post("/api/review/" + std::to_string(ids[0]) + "/keep", {{"from", "review/unidentified"}}, &s)->status,
            409);
  json bulk = Body(Post("/api/review/bulk", {{"ids", {ids[1]}}, {"action", "keep"}}, &s));
  EXPECT_EQ(bulk["succeeded"], 1);
  EXPECT_EQ(catalog_->GetItem(ids[1])->location, "library");
}

TEST_F(ReviewApiTest, StatsCountPendingByCategory) {
  Ingest({"obama.jpg", "obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  json stats = Body(Get("/api/review/stats", &s));
  EXPECT_EQ(stats["total"], 3);
  EXPECT_EQ(stats["by_category"]["duplicates"], 1);
  EXPECT_EQ(stats["by_category"]["unidentified"], 2);
}

TEST_F(ReviewApiTest, ExportIsCsvOfTheQueueOrASelection) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  auto all = Get("/api/review/export", &s);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->status, 200);
  EXPECT_EQ(all->get_header_value("Content-Type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(std::count(all->body.begin(), all->body.end(), '\n'), 3);  // header + 2 rows
  auto one = Get("/api/review/export?ids=" + std::to_string(ids[1]), &s);
  EXPECT_EQ(std::count(one->body.begin(), one->body.end(), '\n'), 2);
  EXPECT_NE(one->body.find("biden"), std::string::npos);
  EXPECT_EQ(Get("/api/review/export?ids=1,x", &s)->status, 400);
  EXPECT_EQ(Get("/api/review/export?category=nope", &s)->status, 400);
  EXPECT_EQ(Get("/api/review/export?ids=999999", &s)->status, 404);
}

}  // namespace
}  // namespace triage::server
