// Specification of status, enable / disable, config (validated like the CLI, persisted, audited), persons,
// statistics and the audit log.
#include <algorithm>
#include <set>

#include "base/files.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

using ControlApiTest = ApiTest;

json SavedConfig(const fs::path& root) { return json::parse(*base::ReadFile(root / "triage.json")); }

TEST_F(ControlApiTest, DisableAndEnableArePersistedAuditedAndReported) {
  TestSession s = Login("bob");
  EXPECT_EQ(Body(Get("/api/status", &s))["auto_sort_enabled"], true);
  auto r = Post("/api/disable", json::object(), &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(Get("/api/status", &s))["auto_sort_enabled"], false);
  EXPECT_FALSE(config_->Current()->policy.auto_sort_enabled);  // the live config the pipeline reads
  EXPECT_EQ(SavedConfig(root_)["auto_sort"]["enabled"], false);
  auto audit = catalog_->ListAudit(0, "bob", 10, 0);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ((*audit)[0].action, "config");
  EXPECT_EQ(Post("/api/enable", json::object(), &s)->status, 200);
  EXPECT_TRUE(config_->Current()->policy.auto_sort_enabled);
}

TEST_F(ControlApiTest, WhitelistIsValidatedPersistedAndAudited) {
  TestSession s = Login("bob");
  auto r = Put("/api/config/whitelist", {{"names", {"Alice Smith", "bob"}}}, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["whitelist"], json({"alice_smith", "bob"}));
  EXPECT_EQ(SavedConfig(root_)["whitelist"], json({"alice_smith", "bob"}));
  EXPECT_EQ(config_->Current()->policy.whitelist, (std::vector<std::string>{"alice_smith", "bob"}));
  EXPECT_EQ(Body(Get("/api/config", &s))["whitelist"], json({"alice_smith", "bob"}));
  auto audit = catalog_->ListAudit(0, "bob", 10, 0);
  EXPECT_EQ((*audit)[0].to_state, R"(["alice_smith","bob"])");
  for (const json& bad : {json::object(), json{{"names", "alice"}}, json{{"names", {"../x"}}}, json{{"names", {7}}}}) {
    SCOPED_TRACE(bad.dump());
    auto b = Put("/api/config/whitelist", bad, &s);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->status, 400);
  }
  EXPECT_EQ(SavedConfig(root_)["whitelist"], json({"alice_smith", "bob"}));
}

// Every role reads the settings; none reads the catalog's password (a user could otherwise log in to the database).
TEST_F(ControlApiTest, TheSettingsShowNoCatalogPassword) {
  ASSERT_TRUE(config_
                  ->Update([](json& doc) {
                    doc["catalog"]["url"] = "postgresql://triage:S3cretPw@db.example:5432/triage?sslmode=require";
                    return base::Status::Ok();
                  })
                  .ok());
  TestSession s = Login("alice");  // role user
  auto r = Get("/api/config", &s);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body.find("S3cretPw"), std::string::npos) << r->body;
  const std::string shown = Body(r)["catalog"]["url"];
  EXPECT_NE(shown.find("db.example:5432/triage"), std::string::npos) << shown;
}

TEST_F(ControlApiTest, BlacklistReplacesTheList) {
  TestSession s = Login("carol");
  ASSERT_EQ(Put("/api/config/blacklist", {{"names", {"Mallory"}}}, &s)->status, 200);
  EXPECT_EQ(config_->Current()->policy.blacklist, std::vector<std::string>{"mallory"});
  EXPECT_EQ(Put("/api/config/blacklist", {{"names", {"a/b"}}}, &s)->status, 400);
}

// A person is on one list at most: the page's two switches once left somebody on both, showing neither.
TEST_F(ControlApiTest, APersonPutOnOneListLeavesTheOther) {
  TestSession s = Login("carol");
  ASSERT_EQ(Put("/api/config/whitelist", {{"names", {"biden", "obama"}}}, &s)->status, 200);
  auto moved = Put("/api/config/blacklist", {{"names", {"Biden"}}}, &s);
  ASSERT_EQ(moved->status, 200) << moved->body;
  EXPECT_EQ(config_->Current()->policy.blacklist, std::vector<std::string>{"biden"});
  EXPECT_EQ(config_->Current()->policy.whitelist, std::vector<std::string>{"obama"});
  // The answer gives both lists as they are now, and each list's change is audited on its own line.
  EXPECT_EQ(Body(moved)["whitelist"], json::array({"obama"}));
  auto audit = catalog_->ListAudit(0, "carol", 10, 0);
  ASSERT_TRUE(audit.ok());
  ASSERT_GE(audit->size(), 2u);
  const model::AuditEntry& left = (*audit)[0].reason == "whitelist changed" ? (*audit)[0] : (*audit)[1];
  EXPECT_EQ(left.reason, "whitelist changed");
  EXPECT_EQ(json::parse(left.from_state), json({"biden", "obama"}));
  EXPECT_EQ(json::parse(left.to_state), json::array({"obama"}));
  ASSERT_EQ(Put("/api/config/whitelist", {{"names", {"obama", "biden"}}}, &s)->status, 200);
  EXPECT_TRUE(config_->Current()->policy.blacklist.empty());
}

TEST_F(ControlApiTest, ThresholdsAreMergedAndValidatedLikeTheCli) {
  TestSession s = Login("bob");
  auto r = Put("/api/config/thresholds", {{"min_confidence", 0.8}}, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_DOUBLE_EQ(config_->Current()->policy.min_confidence, 0.8);
  EXPECT_EQ(SavedConfig(root_)["thresholds"]["max_faces_per_image"], 1);
  auto out_of_range = Put("/api/config/thresholds", {{"min_confidence", 3}}, &s);
  ASSERT_TRUE(out_of_range);
  EXPECT_EQ(out_of_range->status, 400);
  EXPECT_NE(Body(out_of_range)["message"].get<std::string>().find("thresholds.min_confidence"), std::string::npos);
  EXPECT_EQ(Put("/api/config/thresholds", {{"bogus", 1}}, &s)->status, 400);
  EXPECT_EQ(Put("/api/config/thresholds", json::object(), &s)->status, 400);
  EXPECT_DOUBLE_EQ(config_->Current()->policy.min_confidence, 0.8);
}

// The audit log records the thresholds that changed, each before and after, not the whole section; saving the same
// values again (a second click on Save) changes nothing and records nothing.
TEST_F(ControlApiTest, AChangeOfThresholdsIsAuditedByTheKeysThatChanged) {
  TestSession s = Login("bob");
  const double before = config_->Current()->policy.min_confidence;
  ASSERT_NE(before, 0.75);
  ASSERT_EQ(Put("/api/config/thresholds", {{"min_confidence", 0.75}, {"match_distance", 0.6}}, &s)->status, 200);
  auto audit = catalog_->ListAudit(0, "bob", 10, 0);
  ASSERT_TRUE(audit.ok());
  const size_t entries = audit->size();
  ASSERT_GE(entries, 1u);
  EXPECT_EQ((*audit)[0].action, "config");
  EXPECT_EQ(json::parse((*audit)[0].from_state), json({{"min_confidence", before}}));
  EXPECT_EQ(json::parse((*audit)[0].to_state), json({{"min_confidence", 0.75}}))
      << "match_distance was 0.6 already: not named";
  ASSERT_EQ(Put("/api/config/thresholds", {{"min_confidence", 0.75}}, &s)->status, 200);
  EXPECT_EQ(catalog_->ListAudit(0, "bob", 10, 0)->size(), entries) << "the same values saved again";
}

// The CLI (another process) writes triage.json; the running server reads it on its next request, and its own next
// save keeps the CLI's edit instead of writing back its older copy.
TEST_F(ControlApiTest, ServerAndCliDoNotUndoEachOthersEdits) {
  TestSession s = Login("bob");
  ASSERT_EQ(Body(Get("/api/config", &s))["thresholds"]["min_confidence"], 0.6);
  json doc = SavedConfig(root_);
  doc["blacklist"] = json::array({"mallory"});
  doc["thresholds"]["min_sharpness"] = 25.0;
  ASSERT_TRUE(config::SaveConfigJson(root_, doc).ok());  // what `triage person set mallory --blacklist` does
  EXPECT_EQ(Body(Get("/api/config", &s))["blacklist"], json({"mallory"}));
  ASSERT_EQ(Put("/api/config/thresholds", {{"min_confidence", 0.7}}, &s)->status, 200);
  json saved = SavedConfig(root_);
  EXPECT_EQ(saved["blacklist"], json({"mallory"}));
  EXPECT_EQ(saved["thresholds"]["min_sharpness"], 25.0);
  EXPECT_EQ(saved["thresholds"]["min_confidence"], 0.7);
  EXPECT_EQ(Body(Get("/api/persons", &s))["persons"].size(), 0u);
}

TEST_F(ControlApiTest, PersonsAreListedWithListMembershipAndEnrolledByAdmins) {
  TestSession s = Login("bob");
  auto r = Post("/api/persons", {{"name", "Ada Lovelace"}}, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(Body(r)["person"]["name"], "ada_lovelace");
  EXPECT_EQ(Post("/api/persons", {{"name", "ada lovelace"}}, &s)->status, 409);
  EXPECT_EQ(Post("/api/persons", {{"name", "///"}}, &s)->status, 400);
  auto blank = Post("/api/persons", {{"name", "   "}}, &s);  // nothing typed is asked for, not quoted as ""
  EXPECT_EQ(blank->status, 400);
  EXPECT_EQ(Body(blank)["message"], "a person's name is needed: type it with at least one letter or digit");
  ASSERT_EQ(Put("/api/config/whitelist", {{"names", {"ada_lovelace"}}}, &s)->status, 200);
  json persons = Body(Get("/api/persons", &s))["persons"];
  ASSERT_EQ(persons.size(), 1u);
  EXPECT_EQ(persons[0]["whitelisted"], true);
  EXPECT_EQ(persons[0]["blacklisted"], false);
  auto audit = *catalog_->ListAudit(0, "bob", 10, 0);
  EXPECT_TRUE(std::any_of(audit.begin(), audit.end(), [](const model::AuditEntry& e) {
    return e.action == "person" && e.to_state == "ada_lovelace";
  }));
}

// A name in another script is enrolled: Cyrillic and Greek under their Latin spelling, others under a generated key;
// the name as typed is shown, and may be rewritten in the same letters.
TEST_F(ControlApiTest, NamesInOtherScriptsAreEnrolledAndShownAsTyped) {
  TestSession bob = Login("bob");
  auto olga = Post("/api/persons", {{"name", "Ольга"}}, &bob);
  ASSERT_EQ(olga->status, 201) << olga->body;
  EXPECT_EQ(Body(olga)["person"]["name"], "olga");
  EXPECT_EQ(Body(olga)["person"]["display_name"], "Ольга");
  auto nikos = Post("/api/persons", {{"name", "Νίκος"}}, &bob);
  ASSERT_EQ(nikos->status, 201) << nikos->body;
  EXPECT_EQ(Body(nikos)["person"]["name"], "nikos");
  auto bruce = Post("/api/persons", {{"name", "李小龍"}}, &bob);
  ASSERT_EQ(bruce->status, 201) << bruce->body;
  const std::string key = Body(bruce)["person"]["name"];
  EXPECT_EQ(key.rfind("person_", 0), 0u) << key;
  EXPECT_EQ(Body(bruce)["person"]["display_name"], "李小龍");
  auto faye = Post("/api/persons", {{"name", "王菲"}}, &bob);
  ASSERT_EQ(faye->status, 201) << faye->body;
  EXPECT_NE(Body(faye)["person"]["name"], key);
  EXPECT_EQ(Post("/api/persons", {{"name", "李小龍"}}, &bob)->status, 409) << "the same name is the same person";
  auto shown = Put("/api/persons/" + key, {{"display_name", " 李小龍 "}}, &bob);
  ASSERT_EQ(shown->status, 200) << shown->body;
  EXPECT_EQ(Body(shown)["person"]["display_name"], "李小龍");
  auto upper = Put("/api/persons/olga", {{"display_name", "ОЛЬГА"}}, &bob);
  ASSERT_EQ(upper->status, 200) << upper->body;
  EXPECT_EQ(Body(upper)["person"]["display_name"], "ОЛЬГА");
  EXPECT_EQ(Put("/api/persons/" + key, {{"display_name", "王菲"}}, &bob)->status, 400) << "another person's name";
}

TEST_F(ControlApiTest, APersonIsShownByTheNameAsTypedAndAdminsMayRewriteIt) {
  TestSession bob = Login("bob");
  TestSession alice = Login("alice");
  auto r = Post("/api/persons", {{"name", "  Zoë   Ångström "}}, &bob);
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(Body(r)["person"]["name"], "zoe_angstrom") << "the folder name and the key stay";
  EXPECT_EQ(Body(r)["person"]["display_name"], "Zoë Ångström");
  ASSERT_EQ(Post("/api/persons", {{"name", "obama"}}, &bob)->status, 201);
  json persons = Body(Get("/api/persons", &alice))["persons"];
  ASSERT_EQ(persons.size(), 2u);
  EXPECT_EQ(persons[0]["display_name"], "obama") << "typed as its folder name: shown as it";
  EXPECT_EQ(persons[1]["display_name"], "Zoë Ångström");

  auto changed = Put("/api/persons/zoe_angstrom", {{"display_name", "ZOË ÅNGSTRÖM"}}, &bob);
  ASSERT_EQ(changed->status, 200) << changed->body;
  EXPECT_EQ(Body(changed)["person"]["display_name"], "ZOË ÅNGSTRÖM");
  EXPECT_EQ(Body(Get("/api/persons", &alice))["persons"][1]["display_name"], "ZOË ÅNGSTRÖM");
  auto other = Put("/api/persons/zoe_angstrom", {{"display_name", "Zoe Smith"}}, &bob);
  EXPECT_EQ(other->status, 400) << "another name would be another person's folder";
  EXPECT_NE(other->body.find("zoe_smith"), std::string::npos) << other->body;
  EXPECT_EQ(Put("/api/persons/nobody", {{"display_name", "Nobody"}}, &bob)->status, 404);
  EXPECT_EQ(Put("/api/persons/zoe_angstrom", {{"display_name", 3}}, &bob)->status, 400);
  EXPECT_EQ(Put("/api/persons/zoe_angstrom", {{"display_name", "Zoe Angstrom"}}, &alice)->status, 403)
      << "a reviewer may not rename people";
  ASSERT_EQ(Put("/api/persons/zoe_angstrom", {{"display_name", ""}}, &bob)->status, 200);
  EXPECT_EQ(Body(Get("/api/persons", &alice))["persons"][1]["display_name"], "zoe_angstrom") << "back to the folder";
  auto audit = *catalog_->ListAudit(0, "bob", 10, 0);
  EXPECT_TRUE(std::any_of(audit.begin(), audit.end(), [](const model::AuditEntry& e) {
    return e.action == "person" && e.from_state == "ZOË ÅNGSTRÖM" && e.to_state == "zoe_angstrom";
  }));
}

// An admin removes a person as `triage person remove` does: off the lists, out of the persons list, undoable.
TEST_F(ControlApiTest, AdminsRemoveAPersonAndTheUndoTokenBringsThemBack) {
  TestSession bob = Login("bob");
  TestSession alice = Login("alice");
  ASSERT_EQ(Post("/api/persons", {{"name", "Ada Lovelace"}}, &bob)->status, 201);
  ASSERT_EQ(Put("/api/config/whitelist", {{"names", {"ada_lovelace"}}}, &bob)->status, 200);

  EXPECT_EQ(Delete("/api/persons/ada_lovelace", &alice)->status, 403) << "a reviewer may not remove people";
  EXPECT_EQ(Delete("/api/persons/ada_lovelace", &bob, false)->status, 403) << "without the CSRF token";
  EXPECT_EQ(Delete("/api/persons/ada_lovelace", nullptr)->status, 401);
  auto unknown = Delete("/api/persons/nobody", &bob);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(Body(unknown)["message"].get<std::string>().find("nobody"), std::string::npos) << unknown->body;
  ASSERT_EQ(Body(Get("/api/persons", &bob))["persons"].size(), 1u) << "refusals remove nobody";

  auto r = Delete("/api/persons/Ada%20Lovelace", &bob);  // the name as typed finds its folder name
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["removed"], "ada_lovelace");
  const std::string token = Body(r)["undo"];
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(Body(Get("/api/persons", &bob))["persons"].size(), 0u);
  EXPECT_TRUE(config_->Current()->policy.whitelist.empty()) << "off the whitelist too";
  EXPECT_EQ(Delete("/api/persons/ada_lovelace", &bob)->status, 404) << "removed already";
  auto audit = *catalog_->ListAudit(0, "bob", 10, 0);
  EXPECT_TRUE(std::any_of(audit.begin(), audit.end(), [](const model::AuditEntry& e) {
    return e.action == "person" && e.reason == "ada_lovelace removed";
  }));

  ASSERT_EQ(Post("/api/undo/" + token, json::object(), &bob)->status, 200);
  json persons = Body(Get("/api/persons", &bob))["persons"];
  ASSERT_EQ(persons.size(), 1u);
  EXPECT_EQ(persons[0]["name"], "ada_lovelace");
  EXPECT_EQ(persons[0]["whitelisted"], true) << "back on the list they were on";
}

TEST_F(ControlApiTest, StatsTodayAndSummaryByDay) {
  Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  json today = Body(Get("/api/stats/today", &s));
  EXPECT_EQ(today["total"], 2);
  EXPECT_EQ(today["in_review"], 2);
  json summary = Body(Get("/api/stats/summary?days=7", &s));
  ASSERT_EQ(summary["days"].size(), 7u);
  EXPECT_EQ(summary["days"][6]["ingested"], 2);
  EXPECT_EQ(summary["totals"]["total"], 2);
  EXPECT_EQ(Get("/api/stats/summary?days=0", &s)->status, 400);
}

TEST_F(ControlApiTest, AuditFiltersByItemAndActor) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  ASSERT_EQ(Post("/api/review/" + std::to_string(ids[1]) + "/reject", json::object(), &s)->status, 200);
  json by_item = Body(Get("/api/audit?item_id=" + std::to_string(ids[1]), &s));
  ASSERT_EQ(by_item["entries"].size(), 2u);
  EXPECT_EQ(by_item["entries"][0]["action"], "reject");
  json by_actor = Body(Get("/api/audit?actor=alice", &s));
  for (const auto& e : by_actor["entries"]) EXPECT_EQ(e["actor"], "alice");
  // By action, over the whole log (not only one page of it): the one reject among the ingests and the login.
  json rejects = Body(Get("/api/audit?action=reject&per_page=1", &s));
  ASSERT_EQ(rejects["entries"].size(), 1u);
  EXPECT_EQ(rejects["entries"][0]["item_id"], ids[1]);
  json ingests = Body(Get("/api/audit?action=ingest", &s));
  ASSERT_EQ(ingests["entries"].size(), 2u);
  for (const auto& e : ingests["entries"]) EXPECT_EQ(e["action"], "ingest");
  EXPECT_TRUE(Body(Get("/api/audit?action=ingest&actor=alice", &s))["entries"].empty());
  EXPECT_TRUE(Body(Get("/api/audit?action=no_such_action", &s))["entries"].empty());
  EXPECT_EQ(Get("/api/audit?item_id=x", &s)->status, 400);
  EXPECT_EQ(Get("/api/audit?per_page=100000", &s)->status, 400);
}

// Culling: a library photo goes to the trash and comes back, by undo or from the trash, to its library folder; a photo
// still waiting for review, or seen in another folder, is refused and left where it is.
TEST_F(ControlApiTest, ALibraryPhotoGoesToTheTrashAndComesBackToItsFolder) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  const std::string kept = std::to_string(ids[0]), waiting = std::to_string(ids[1]);
  ASSERT_EQ(Post("/api/review/" + kept + "/keep", json::object(), &s)->status, 200);
  const json before = Body(Get("/api/items/" + kept, &s))["item"];
  const std::string path = before["path"];
  ASSERT_EQ(before["location"], "library") << before.dump();

  auto stale = Post("/api/items/" + kept + "/trash", {{"from", "review/unidentified"}}, &s);
  EXPECT_EQ(stale->status, 409) << stale->body;
  auto pending = Post("/api/items/" + waiting + "/trash", json::object(), &s);
  EXPECT_EQ(pending->status, 409);
  EXPECT_NE(Body(pending)["message"].get<std::string>().find("decided on the Review page"), std::string::npos)
      << pending->body;
  EXPECT_EQ(Post("/api/items/999999/trash", json::object(), &s)->status, 404);
  EXPECT_EQ(Post("/api/items/" + kept + "/trash", json::object(), nullptr)->status, 401);

  // A path on the server is no folder of the library; the folder with a trailing slash is the folder.
  EXPECT_EQ(Post("/api/items/" + kept + "/trash", {{"from", (root_ / "photos").string()}}, &s)->status, 400);
  EXPECT_EQ(Post("/api/items/" + kept + "/trash", {{"from", "../photos"}}, &s)->status, 400);
  auto trashed = Post("/api/items/" + kept + "/trash", {{"from", before["folder"].get<std::string>() + "/"}}, &s);
  ASSERT_EQ(trashed->status, 200) << trashed->body;
  EXPECT_EQ(Body(trashed)["item"]["location"], "trash");
  EXPECT_FALSE(fs::exists(root_ / path));
  EXPECT_EQ(Body(Get("/api/audit?item_id=" + kept, &s))["entries"][0]["action"], "discard");
  EXPECT_EQ(Post("/api/items/" + kept + "/trash", json::object(), &s)->status, 409) << "in the trash already";

  ASSERT_EQ(Post("/api/undo/" + Body(trashed)["undo"].get<std::string>(), json::object(), &s)->status, 200);
  EXPECT_TRUE(fs::exists(root_ / path));
  EXPECT_EQ(Body(Get("/api/items/" + kept, &s))["item"]["location"], "library");

  ASSERT_EQ(Post("/api/items/" + kept + "/trash", json::object(), &s)->status, 200);
  auto restored = Post("/api/trash/" + kept + "/restore", json::object(), &s);
  ASSERT_EQ(restored->status, 200) << restored->body;
  EXPECT_EQ(Body(restored)["item"]["path"], path);
  EXPECT_TRUE(fs::exists(root_ / path));
}

// Each line about a photo names its file as it is now, not only its number; a photo deleted for good has no name left.
TEST_F(ControlApiTest, AuditEntriesNameTheirItemsFile) {
  auto ids = Ingest({"obama.jpg", "biden.jpg"});
  TestSession s = Login("alice");
  json ingests = Body(Get("/api/audit?action=ingest", &s))["entries"];
  ASSERT_EQ(ingests.size(), 2u);
  std::set<std::string> names;
  for (const auto& e : ingests) {
    const json item = Body(Get("/api/items/" + std::to_string(e["item_id"].get<int64_t>()), &s))["item"];
    EXPECT_EQ(e["item_file_name"], item["file_name"]) << e.dump();
    names.insert(e["item_file_name"].get<std::string>());
  }
  ASSERT_EQ(names.size(), 2u);
  EXPECT_TRUE(std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.ends_with("obama.jpg"); }));

  const std::string gone = std::to_string(ids[1]);
  ASSERT_EQ(Post("/api/review/" + gone + "/reject", json::object(), &s)->status, 200);
  ASSERT_EQ(Post("/api/trash/" + gone + "/purge", json::object(), &s)->status, 200);
  json purged = Body(Get("/api/audit?item_id=" + gone, &s))["entries"];
  ASSERT_FALSE(purged.empty());
  for (const auto& e : purged) {
    EXPECT_EQ(e["item_location"], "deleted");
    EXPECT_TRUE(e["item_file_name"].is_null()) << e.dump();
  }
}

}  // namespace
}  // namespace triage::server
