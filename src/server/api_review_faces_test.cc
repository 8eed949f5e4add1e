// Specification of per-face naming: each face of a group photo in review is named (an enrolled person) or marked as
// nobody tracked on its own; once every face is decided the photo goes where the policy sends it. Uses the real face
// models on the committed group photo (tests/fixtures/faces/vladmandic_sample1.jpg).
#include <algorithm>

#include "server/api_test_support.h"

namespace triage::server {
namespace {

class FacesApiTest : public ApiTest {
 protected:
  bool WithFaces() const override { return true; }

  // The group photo, waiting in review/multiple_faces, with `persons` enrolled (no reference faces needed to name).
  int64_t GroupPhoto(const std::vector<std::string>& persons = {"ada", "grace"}) {
    for (const auto& p : persons) EXPECT_TRUE(catalog_->AddPerson(p, 1).ok());
    auto ids = Ingest({"vladmandic_sample1.jpg"});
    EXPECT_EQ(ids.size(), 1u);
    const model::ItemRecord item = *catalog_->GetItem(ids[0]);
    EXPECT_EQ(item.category, "multiple_faces") << item.path;
    faces_ = static_cast<int>(catalog_->FacesOf(ids[0])->size());
    EXPECT_GE(faces_, 2);
    return ids[0];
  }
  httplib::Result Name(int64_t id, const std::string& face, const json& body, const TestSession& s) {
    return Post("/api/review/" + std::to_string(id) + "/faces/" + face, body, &s);
  }
  json NameOk(int64_t id, int face, const json& body, const TestSession& s) {
    auto r = Name(id, std::to_string(face), body, s);
    EXPECT_TRUE(r);
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return Body(r);
  }
  // Every reference as (id, person, source), to compare catalogs before and after.
  std::vector<std::tuple<int64_t, std::string, std::string>> References() {
    std::vector<std::tuple<int64_t, std::string, std::string>> out;
    const auto refs = catalog_->AllReferences();
    for (const auto& r : *refs) out.emplace_back(r.id, r.person, r.source);
    return out;
  }
  static json Untracked() { return {{"untracked", true}, {"from", "review/multiple_faces"}}; }
  static json Person(const std::string& name) { return {{"person", name}, {"from", "review/multiple_faces"}}; }
  int faces_ = 0;
};

TEST_F(FacesApiTest, TheReviewItemListsEachFaceWithItsBoxAndNearestPersons) {
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  json detail = Body(Get("/api/review/" + std::to_string(id), &s));
  ASSERT_EQ(detail["faces"].size(), static_cast<size_t>(faces_));
  for (const json& f : detail["faces"]) {
    EXPECT_GT(f["box"]["w"].get<double>(), 0);
    EXPECT_LE(f["box"]["x"].get<double>() + f["box"]["w"].get<double>(), detail["item"]["width"].get<double>() + 1);
    EXPECT_TRUE(f["named_as"].is_null());
    EXPECT_FALSE(f["untracked"].get<bool>());
    EXPECT_TRUE(f["nearest"].is_array());
  }
  EXPECT_EQ(detail["faces"][1]["index"], 1);
}

TEST_F(FacesApiTest, NamingEachFaceOneByOneFilesTheSingleTrackedPersonUnderFaces) {
  const int64_t id = GroupPhoto();
  const model::ItemRecord before = *catalog_->GetItem(id);
  TestSession s = Login("alice");
  json first = NameOk(id, 0, Person("ada"), s);
  EXPECT_EQ(first["open"], faces_ - 1);
  EXPECT_FALSE(first["filed"].get<bool>());
  EXPECT_EQ(first["faces"][0]["named_as"], "ada");
  EXPECT_FALSE(first["undo"].get<std::string>().empty());
  EXPECT_EQ(catalog_->GetItem(id)->path, before.path);  // nothing moves while faces are open
  EXPECT_EQ(AuditOf(id)[0].action, "name-face");
  EXPECT_EQ(AuditOf(id)[0].actor, "alice");
  // The named face joined ada's references (review.learn_from_approvals is on by default), as that face.
  auto refs = *catalog_->AllReferences();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].person, "ada");
  EXPECT_EQ(refs[0].source, "item:" + std::to_string(id) + ":face:0");
  EXPECT_TRUE(first["learnt"].get<bool>());  // and the answer says so, for the reviewer to be told
  json last;
  for (int f = 1; f < faces_; ++f) last = NameOk(id, f, Untracked(), s);
  EXPECT_FALSE(last["learnt"].get<bool>());  // a face marked as nobody tracked teaches nothing
  EXPECT_EQ(last["open"], 0);
  EXPECT_TRUE(last["filed"].get<bool>());
  const model::ItemRecord after = *catalog_->GetItem(id);
  EXPECT_EQ(after.location, "library");
  EXPECT_EQ(after.person, "ada");
  EXPECT_FALSE(after.auto_sorted);
  EXPECT_EQ(fs::path(after.path).parent_path(), "faces/ada");
  EXPECT_TRUE(fs::exists(root_ / after.path));
  EXPECT_FALSE(fs::exists(root_ / before.path));
  EXPECT_EQ(last["item"]["path"], after.path);
  EXPECT_NE(last["summary"].get<std::string>().find("faces/ada"), std::string::npos) << last["summary"];
  EXPECT_EQ(catalog_->AllReferences()->size(), 1u);  // dismissed faces teach nobody
  EXPECT_EQ(catalog_->PendingReview(id).status().code(), base::Code::kNotFound);
}

TEST_F(FacesApiTest, ASecondFaceOfThePhotoCannotBeNamedAsTheSamePerson) {
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  NameOk(id, 0, Person("ada"), s);
  auto refused = Name(id, "1", Person("Ada"), s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409) << refused->body;
  EXPECT_NE(refused->body.find("face 1 of"), std::string::npos) << refused->body;
  EXPECT_NE(refused->body.find("one person cannot be in a photo twice"), std::string::npos) << refused->body;
  EXPECT_EQ(catalog_->FacesOf(id)->at(1).label.named_as, "");  // nothing changed
  EXPECT_EQ(catalog_->AllReferences()->size(), 1u);
  NameOk(id, 0, Person("ada"), s);  // the same face again is no second face
  NameOk(id, 0, Person("grace"), s);
  NameOk(id, 1, Person("ada"), s);  // once face 1 is somebody else, face 2 may be ada
}

// A face named on the card teaches its person a reference face, which that face then matches at distance 0: the card's
// suggestion for the whole photo must not become that person ("likely ada · distance 0.00", and keys 1, a filed the
// group photo under her).
TEST_F(FacesApiTest, AFaceNamedOnTheCardIsNoEvidenceForThePhotosSuggestion) {
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  NameOk(id, 0, Person("ada"), s);
  ASSERT_EQ(catalog_->AllReferences()->size(), 1u);
  json shown = Body(Get("/api/review/" + std::to_string(id), &s));
  const json& suggestion = shown["suggestion"];
  if (!suggestion.is_null() && suggestion["person"] == "ada") {
    EXPECT_FALSE(suggestion["within_match_distance"].get<bool>()) << suggestion.dump();
    EXPECT_TRUE(suggestion["distance"].is_null() || suggestion["distance"].get<double>() > 0.05) << suggestion.dump();
  }
}

// A face named on the card whose cluster is renamed on the People page: the card shows the new name, and the old
// name keeps no reference of that face.
TEST_F(FacesApiTest, AFaceNamedOnTheCardFollowsItsClusterRenamedOnThePeoplePage) {
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  NameOk(id, 0, Person("ada"), s);
  int64_t cluster = 0;
  const json clusters = Body(Get("/api/clusters", &s));
  for (const json& c : clusters["clusters"])
    if (c["person"] == "ada") cluster = c["id"].get<int64_t>();
  ASSERT_NE(cluster, 0) << clusters.dump();
  TestSession bob = Login("bob");  // an admin: persons are managed on the People page
  auto renamed =
      Post("/api/clusters/" + std::to_string(cluster) + "/name", {{"person", "adele"}, {"rename", true}}, &bob);
  ASSERT_TRUE(renamed);
  ASSERT_EQ(renamed->status, 200) << renamed->body;
  json detail = Body(Get("/api/review/" + std::to_string(id), &s));
  EXPECT_EQ(detail["faces"][0]["named_as"], "adele");
  EXPECT_TRUE(detail["faces"][1]["named_as"].is_null());
  for (const auto& [ref, person, source] : References()) EXPECT_EQ(person, "adele") << source;
  // The other faces dismissed, the photo is filed under the name its face has now.
  json last;
  for (int f = 1; f < faces_; ++f) last = NameOk(id, f, Untracked(), s);
  EXPECT_TRUE(last["filed"].get<bool>()) << last.dump();
  EXPECT_EQ(catalog_->GetItem(id)->person, "adele");
  EXPECT_EQ(fs::path(catalog_->GetItem(id)->path).parent_path(), "faces/adele");
}

TEST_F(FacesApiTest, SeveralTrackedPersonsFollowTheMultipleFacesRule) {
  const int64_t id = GroupPhoto();
  const model::ItemRecord before = *catalog_->GetItem(id);
  TestSession s = Login("bob");
  NameOk(id, 0, Person("ada"), s);
  NameOk(id, 1, Person("Grace"), s);  // the folder spelling of an enrolled name is found
  json last;
  for (int f = 2; f < faces_; ++f) last = NameOk(id, f, Untracked(), s);
  if (faces_ == 2) last = NameOk(id, 1, Person("grace"), s);
  // Two tracked persons are more than thresholds.max_faces_per_image (1): the policy keeps it for review.
  EXPECT_EQ(last["open"], 0);
  EXPECT_FALSE(last["filed"].get<bool>());
  EXPECT_EQ(catalog_->GetItem(id)->path, before.path);
  EXPECT_EQ(catalog_->GetItem(id)->location, "review");
  EXPECT_NE(last["summary"].get<std::string>().find("stays in review/multiple_faces"), std::string::npos)
      << last["summary"];
  // Approved as a whole it is filed only as one of the persons its faces are: somebody else is refused, naming
  // each face, and nothing moves; ada (named on face 1) is taken.
  auto other = Post("/api/review/" + std::to_string(id) + "/approve", {{"person", "obama"}}, &s);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 409) << other->body;
  EXPECT_NE(other->body.find("none is obama (face 1 is ada, face 2 is grace"), std::string::npos) << other->body;
  EXPECT_EQ(catalog_->GetItem(id)->path, before.path);
  EXPECT_TRUE(catalog_->ListPersons()->size() == 2u);  // obama was not added
  // Allowing two faces per photo, the largest named face decides: re-naming one face re-decides.
  ASSERT_TRUE(config_
                  ->Update([](json& d) {
                    d["thresholds"]["max_faces_per_image"] = 2;
                    return base::Status::Ok();
                  })
                  .ok());
  json again = NameOk(id, faces_ - 1, Untracked(), s);
  if (faces_ == 2) again = NameOk(id, 1, Person("grace"), s);
  EXPECT_TRUE(again["filed"].get<bool>()) << again.dump();
  const model::ItemRecord filed = *catalog_->GetItem(id);
  EXPECT_EQ(filed.location, "library");
  EXPECT_TRUE(filed.person == "ada" || filed.person == "grace") << filed.person;
  EXPECT_EQ(fs::path(filed.path).parent_path(), "faces/" + filed.person);
}

TEST_F(FacesApiTest, UndoingTheLastNamingPutsFileCatalogAndReferencesBackExactly) {
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  for (int f = 0; f + 1 < faces_; ++f) NameOk(id, f, f == 0 ? Person("ada") : Untracked(), s);
  const model::ItemRecord before = *catalog_->GetItem(id);
  const model::ReviewEntry entry = *catalog_->PendingReview(id);
  const auto refs_before = References();
  // The last face decided files the photo under ada; its undo takes all of that back.
  json last = NameOk(id, faces_ - 1, Untracked(), s);
  ASSERT_TRUE(last["filed"].get<bool>());
  auto r = Post("/api/undo/" + last["undo"].get<std::string>(), json::object(), &s);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Body(r)["kind"], "name_face");
  const model::ItemRecord back = *catalog_->GetItem(id);
  EXPECT_EQ(back.path, before.path);
  EXPECT_EQ(back.location, "review");
  EXPECT_EQ(back.category, "multiple_faces");
  EXPECT_EQ(back.person, before.person);
  EXPECT_TRUE(fs::exists(root_ / before.path));
  EXPECT_FALSE(fs::exists(root_ / last["item"]["path"].get<std::string>()));
  EXPECT_EQ(catalog_->PendingReview(id)->reason, entry.reason);
  EXPECT_EQ(catalog_->PendingReview(id)->reason_code, entry.reason_code);
  EXPECT_EQ(References(), refs_before);
  EXPECT_FALSE(catalog_->FacesOf(id)->back().label.Decided());
  EXPECT_EQ(catalog_->FacesOf(id)->front().label.named_as, "ada");
  EXPECT_EQ(AuditOf(id)[0].action, "undo");
  // An earlier naming's token still works: ada's face forgets its label and the reference it taught.
  json renamed = NameOk(id, 0, Person("grace"), s);  // naming a face again replaces its label and reference
  auto refs = *catalog_->AllReferences();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].person, "grace");
  ASSERT_EQ(Post("/api/undo/" + renamed["undo"].get<std::string>(), json::object(), &s)->status, 200);
  EXPECT_EQ(References(), refs_before);  // ada's reference is back under its id
  EXPECT_EQ(catalog_->FacesOf(id)->front().label.named_as, "ada");
}

// A person enrolled after photos of them came in (added from the review queue, say) left those photos "matching
// nobody": the card kept the intake's match and apply-policy replayed it. Both match against the persons enrolled
// now; a face refused as the person still never matches them.
TEST_F(FacesApiTest, APersonEnrolledLaterIsSuggestedAndFiledForThePhotosWaiting) {
  auto ids = Ingest({"biden.jpg", "biden2.jpg"});
  ASSERT_EQ(ids.size(), 2u);
  for (int64_t id : ids) ASSERT_EQ(catalog_->GetItem(id)->category, "unidentified");
  TestSession s = Login("bob");
  const std::string card = "/api/review/" + std::to_string(ids[0]);
  EXPECT_TRUE(Body(Get(card, &s))["suggestion"].is_null()) << "nobody enrolled yet";

  ASSERT_TRUE(catalog_->AddPerson("biden", 2).ok());
  const auto taught = catalog_->FacesOf(ids[1]);
  ASSERT_EQ(taught->size(), 1u);
  ASSERT_TRUE(catalog_->AddReference({0, "biden", taught->front().embedding, "biden2.jpg"}).ok());
  json detail = Body(Get(card, &s));
  ASSERT_FALSE(detail["suggestion"].is_null()) << detail.dump();
  EXPECT_EQ(detail["suggestion"]["person"], "biden");
  EXPECT_EQ(detail["suggestion"]["within_match_distance"], true) << detail.dump();
  EXPECT_EQ(detail["suggestion"]["since_intake"], true) << "the reason says it matched nobody: the card says it is "
                                                           "the intake's"
                                                        << detail.dump();
  EXPECT_EQ(detail["faces"][0]["nearest"][0]["person"], "biden") << detail["faces"].dump();
  // A photo of somebody else that came in after: nobody matched then, nobody matches now (biden is only nearest).
  auto later = Ingest({"obama.jpg"});
  ASSERT_EQ(later.size(), 1u);
  json unchanged = Body(Get("/api/review/" + std::to_string(later[0]), &s));
  ASSERT_FALSE(unchanged["suggestion"].is_null()) << unchanged.dump();
  EXPECT_EQ(unchanged["suggestion"]["person"], "biden");
  EXPECT_EQ(unchanged["suggestion"]["since_intake"], false) << unchanged.dump();

  json report = Body(Post("/api/policy/apply", json::object(), &s));
  EXPECT_EQ(report["moved"], 2) << report.dump();
  for (int64_t id : ids) {
    auto item = catalog_->GetItem(id);
    EXPECT_EQ(item->location, "library") << id;
    EXPECT_EQ(item->person, "biden") << id;
  }
}

TEST_F(FacesApiTest, WithoutLearningNoReferenceIsAdded) {
  ASSERT_TRUE(config_
                  ->Update([](json& d) {
                    d["review"]["learn_from_approvals"] = false;
                    return base::Status::Ok();
                  })
                  .ok());
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  NameOk(id, 0, Person("ada"), s);
  EXPECT_TRUE(catalog_->AllReferences()->empty());
}

TEST_F(FacesApiTest, AnItemThatMovedMeanwhileIsAConflictThatChangesNothing) {
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  auto r = Name(id, "0", {{"person", "ada"}, {"from", "review/unidentified"}}, s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(Body(r)["error"], "conflict");
  EXPECT_FALSE(catalog_->FacesOf(id)->front().label.Decided());
  EXPECT_TRUE(catalog_->AllReferences()->empty());
  // Decided as a whole meanwhile (trashed): naming a face of it is refused too.
  ASSERT_EQ(Post("/api/review/" + std::to_string(id) + "/reject", json::object(), &s)->status, 200);
  r = Name(id, "0", Person("ada"), s);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(catalog_->GetItem(id)->location, "trash");
  EXPECT_FALSE(catalog_->FacesOf(id)->front().label.Decided());
}

TEST_F(FacesApiTest, BadFacesAndUnknownPersonsAreRefusedNamingWhatIsWrong) {
  const int64_t id = GroupPhoto();
  TestSession s = Login("alice");
  struct Case {
    std::string face;
    json body;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"abc", Person("ada"), 400, "face \"abc\""},
      {"-1", Person("ada"), 400, "face \"-1\""},
      {"99", Person("ada"), 404, "has no face at index 99 (indexes count from 0"},
      {"0", Person("zed"), 404, "no enrolled person \"zed\" (enrolled: ada, grace)"},
      {"0", json::object(), 400, "either person"},
      {"0", {{"person", "ada"}, {"untracked", true}}, 400, "either person"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.face + " " + c.body.dump());
    auto r = Name(id, c.face, c.body, s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << r->body;
    EXPECT_NE(Body(r)["message"].get<std::string>().find(c.says), std::string::npos) << r->body;
  }
  EXPECT_EQ(Name(999999, "0", Person("ada"), s)->status, 404);
  EXPECT_EQ(Post("/api/review/" + std::to_string(id) + "/faces/0", Person("ada"), nullptr)->status, 401);
  const auto faces = catalog_->FacesOf(id);
  for (const auto& f : *faces) EXPECT_FALSE(f.label.Decided());
  EXPECT_TRUE(catalog_->AllReferences()->empty());
  EXPECT_EQ(catalog_->GetItem(id)->category, "multiple_faces");
}

}  // namespace
}  // namespace triage::server
