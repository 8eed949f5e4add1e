// Specification of the faces API: clusters, naming (admins only) with the waiting photos moved and undo, face crops,
// a person's faces by distance from their centre, bulk face actions and their input checks.
#include <algorithm>
#include <fstream>

#include "faces/cluster_test_support.h"
#include "server/api_test_support.h"
#include "vision/decode.h"

namespace triage::server {
namespace {

class FacesApiTest : public ApiTest {
 protected:
  // A photo waiting in review/unidentified with one face of this embedding, clustered.
  int64_t Waiting(const std::vector<float>& embedding) { return WaitingWithFaces({embedding}); }
  int64_t FaceOf(int64_t item) {
    catalog::FaceFilter f;
    f.item_id = item;
    return face_store_->ListFaces(f)->at(0).id;
  }
  faces::testing::PlantedFaces planted_{9};
};

TEST_F(FacesApiTest, AdminNamesAClusterItsPhotosMoveAndUndoBringsThemBack) {
  auto anna = planted_.Centre();
  std::vector<int64_t> items;
  for (int i = 0; i < 3; ++i) items.push_back(Waiting(planted_.FaceNear(anna)));
  TestSession alice = Login("alice"), bob = Login("bob");
  json clusters = Body(Get("/api/clusters", &alice));
  ASSERT_EQ(clusters["clusters"].size(), 1u);
  const int64_t cluster = clusters["clusters"][0]["id"];
  EXPECT_EQ(clusters["clusters"][0]["size"], 3);
  EXPECT_EQ(clusters["clusters"][0]["faces"].size(), 3u);
  const std::string name_url = "/api/clusters/" + std::to_string(cluster) + "/name";
  EXPECT_EQ(Post(name_url, {{"person", "anna"}}, &alice)->status, 403);  // users do not manage persons
  EXPECT_EQ(Post(name_url, json::object(), &bob)->status, 400);
  // A field of the wrong type is a bad request naming it, not a server error.
  for (const json& rename : {json("true"), json(nullptr), json(0)}) {
    auto wrong = Post(name_url, {{"person", "Anna"}, {"rename", rename}}, &bob);
    EXPECT_EQ(wrong->status, 400) << wrong->body;
    EXPECT_EQ(Body(wrong)["message"], "rename: must be true or false (got " + rename.dump() + ")");
  }
  auto named = Post(name_url, {{"person", "Anna"}}, &bob);
  ASSERT_EQ(named->status, 200) << named->body;
  json outcome = Body(named);
  EXPECT_EQ(outcome["person"], "anna");
  EXPECT_EQ(outcome["moved_items"].size(), 3u);
  for (int64_t id : items) {
    EXPECT_EQ(fs::path(catalog_->GetItem(id)->path).parent_path(), "faces/anna");
    EXPECT_EQ(AuditOf(id).front().action, "name-cluster");
  }
  // Its references are its faces, each shown cut out of its photo (and one of them as the person's picture).
  json refs = Body(Get("/api/persons/anna/references", &alice));
  ASSERT_FALSE(refs["references"].empty());
  for (const auto& r : refs["references"]) {
    EXPECT_EQ(r["source"].get<std::string>().rfind("face:", 0), 0u) << r.dump();
    ASSERT_TRUE(r["item"].is_object()) << r.dump();
    EXPECT_NE(std::find(items.begin(), items.end(), r["item"]["id"].get<int64_t>()), items.end());
    ASSERT_TRUE(r["box"].is_object()) << r.dump();
    EXPECT_GT(r["box"]["w"].get<double>(), 0);
  }
  EXPECT_TRUE(Body(Get("/api/persons", &alice))["persons"][0]["avatar"].is_object());
  const int64_t person_id = catalog_->ListPersons()->at(0).id;
  json theirs = Body(Get("/api/persons/" + std::to_string(person_id) + "/faces", &alice));
  ASSERT_EQ(theirs["faces"].size(), 3u);
  EXPECT_GE(theirs["faces"][0]["distance"].get<double>(), theirs["faces"][2]["distance"].get<double>());
  EXPECT_EQ(Get("/api/persons/4242/faces", &alice)->status, 404);

  EXPECT_EQ(Post("/api/people/undo", {{"action_id", outcome["action_id"]}}, &alice)->status, 403);
  auto undone = Post("/api/people/undo", {{"action_id", outcome["action_id"]}}, &bob);
  ASSERT_EQ(undone->status, 200) << undone->body;
  EXPECT_EQ(Body(undone)["restored_items"].size(), 3u);
  for (int64_t id : items) EXPECT_EQ(fs::path(catalog_->GetItem(id)->path).parent_path(), "review/unidentified");
  EXPECT_EQ(Post("/api/people/undo", {{"action_id", outcome["action_id"]}}, &bob)->status, 409);
  json actions = Body(Get("/api/people/actions", &alice));
  EXPECT_EQ(actions["actions"][0]["kind"], "name");
  EXPECT_EQ(actions["actions"][0]["undone"], true);
}

TEST_F(FacesApiTest, ClustersReplyCountsTheFacesInNoClusterOutsideTheTrash) {
  TestSession alice = Login("alice");
  EXPECT_EQ(Body(Get("/api/clusters", &alice))["unclustered"], 0) << "no faces yet";
  auto anna = planted_.Centre();
  for (int i = 0; i < 3; ++i) Waiting(planted_.FaceNear(anna));
  Waiting(planted_.Centre());                                                      // a stranger seen once
  const int64_t group = WaitingWithFaces({planted_.Centre(), planted_.Centre()});  // two more, on one photo
  json clusters = Body(Get("/api/clusters", &alice));
  ASSERT_EQ(clusters["clusters"].size(), 1u);
  EXPECT_EQ(clusters["unclustered"], 3) << "a face seen once forms no cluster";
  auto rejected = Post("/api/review/" + std::to_string(group) + "/reject", json::object(), &alice);
  ASSERT_EQ(rejected->status, 200) << rejected->body;
  EXPECT_EQ(Body(Get("/api/clusters", &alice))["unclustered"], 1) << "faces of a photo in the trash are not counted";
  TestSession bob = Login("bob");
  const std::string hide = "/api/clusters/" + clusters["clusters"][0]["id"].dump() + "/hide";
  ASSERT_EQ(Post(hide, {{"hidden", true}}, &bob)->status, 200);
  clusters = Body(Get("/api/clusters", &alice));
  EXPECT_TRUE(clusters["clusters"].empty());
  EXPECT_EQ(clusters["unclustered"], 1) << "the faces of a hidden cluster are in a cluster";
}

TEST_F(FacesApiTest, APhotoInTheTrashLeavesItsClusterAndTheFaceLists) {
  TestSession alice = Login("alice");
  auto anna = planted_.Centre();
  std::vector<int64_t> items;
  for (int i = 0; i < 4; ++i) items.push_back(Waiting(planted_.FaceNear(anna)));
  json clusters = Body(Get("/api/clusters", &alice));
  ASSERT_EQ(clusters["clusters"].size(), 1u);
  ASSERT_EQ(clusters["clusters"][0]["size"], 4);
  const std::string cluster = clusters["clusters"][0]["id"].dump();
  auto rejected = Post("/api/review/" + std::to_string(items[0]) + "/reject", json::object(), &alice);
  ASSERT_EQ(rejected->status, 200) << rejected->body;
  clusters = Body(Get("/api/clusters", &alice));
  ASSERT_EQ(clusters["clusters"].size(), 1u);
  EXPECT_EQ(clusters["clusters"][0]["size"], 3) << "the deleted photo no longer counts";
  for (const auto& f : clusters["clusters"][0]["faces"]) EXPECT_NE(f["item_id"], items[0]) << f.dump();
  EXPECT_EQ(Body(Get("/api/faces?cluster=" + cluster, &alice))["faces"].size(), 3u);
  EXPECT_EQ(Body(Get("/api/faces?cluster=" + cluster + "&trash=1", &alice))["faces"].size(), 4u);
  EXPECT_EQ(Body(Get("/api/faces?item=" + std::to_string(items[0]), &alice))["faces"].size(), 1u)
      << "asked for by its photo, a face in the trash is listed";
  auto restored = Post("/api/trash/" + std::to_string(items[0]) + "/restore", json::object(), &alice);
  ASSERT_EQ(restored->status, 200) << restored->body;
  EXPECT_EQ(Body(Get("/api/clusters", &alice))["clusters"][0]["size"], 4) << "restored, it counts again";
}

TEST_F(FacesApiTest, AReferenceEnrolledFromAFileIsShownByTheFaceCutOutOfIt) {
  // obama.jpg's face, roughly where the detector puts it; and a reference without a box (nothing to cut out).
  const fs::path photo = Fixture("obama.jpg");
  ASSERT_TRUE(
      persons_->Enroll("obama", {{planted_.Centre(), photo.string(), {110, 60, 120, 140}}}, true, "test", 1).ok());
  ASSERT_TRUE(persons_->Enroll("biden", {{planted_.Centre(), "elsewhere/biden.jpg", {}}}, true, "test", 1).ok());
  TestSession alice = Login("alice");
  json refs = Body(Get("/api/persons/obama/references", &alice))["references"];
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_TRUE(refs[0]["item"].is_null());
  EXPECT_EQ(refs[0]["source"], "obama.jpg") << "the file's name, never its path on the server";
  const std::string url = refs[0].value("crop_url", "");
  ASSERT_EQ(url, "/api/references/" + refs[0]["id"].dump() + "/crop") << refs.dump();
  auto crop = Get(url, &alice);
  ASSERT_EQ(crop->status, 200) << crop->body;
  EXPECT_EQ(crop->get_header_value("Content-Type"), "image/jpeg");
  auto picture = vision::DecodeImageBuffer(crop->body, vision::DecodeOptions{});
  ASSERT_TRUE(picture.ok()) << picture.status().ToString();
  EXPECT_EQ(std::max(picture->info.width, picture->info.height), 224) << "the box and 30% around it, at full size";
  httplib::Headers again = {{"Cookie", alice.cookie}, {"If-None-Match", crop->get_header_value("ETag")}};
  EXPECT_EQ(client_->Get(url, again)->status, 304);
  json persons = Body(Get("/api/persons", &alice))["persons"];
  for (const auto& p : persons) {
    if (p["name"] == "obama") {
      EXPECT_EQ(p["avatar"].value("crop_url", ""), url) << p.dump();
    } else {
      EXPECT_TRUE(p["avatar"].is_null()) << "nothing to show: " << p.dump();
    }
  }
  json biden = Body(Get("/api/persons/biden/references", &alice))["references"];
  EXPECT_FALSE(biden[0].contains("crop_url"));
  EXPECT_EQ(Get("/api/references/" + biden[0]["id"].dump() + "/crop", &alice)->status, 404);
  EXPECT_EQ(Get("/api/references/9999/crop", &alice)->status, 404);
  auto bad = Get("/api/references/abc/crop", &alice);
  EXPECT_EQ(bad->status, 400);
  // The refusal names what the id is of, here and on the other collections.
  EXPECT_EQ(Body(bad)["message"], "\"abc\" is not a reference id (a positive whole number)");
  EXPECT_EQ(Body(Get("/api/faces/0/crop", &alice))["message"], "\"0\" is not a face id (a positive whole number)");
  EXPECT_EQ(Body(Get("/api/items/-3", &alice))["message"], "\"-3\" is not an item id (a positive whole number)");
  EXPECT_EQ(client_->Get(url)->status, 401) << "not without a session";
  TestSession bob = Login("bob");
  auto removed = Post("/api/persons/obama/references/" + refs[0]["id"].dump() + "/remove", json::object(), &bob);
  ASSERT_EQ(removed->status, 200) << removed->body;
  EXPECT_EQ(Get(url, &alice)->status, 404) << "a removed reference's picture is not served";
  ASSERT_EQ(Post("/api/undo/" + Body(removed)["undo"].get<std::string>(), json::object(), &bob)->status, 200);
  EXPECT_EQ(Get(url, &alice)->status, 200) << "an undone removal shows it again";
}

TEST_F(FacesApiTest, FaceCropIsAJpegOfTheFaceCachedByETag) {
  const int64_t face = FaceOf(Waiting(planted_.Centre()));
  TestSession s = Login("alice");
  const std::string url = "/api/faces/" + std::to_string(face) + "/crop?size=96";
  auto r = Get(url, &s);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(static_cast<unsigned char>(r->body[0]), 0xFF);
  auto again = client_->Get(url.c_str(), {{"Cookie", s.cookie}, {"If-None-Match", r->get_header_value("ETag")}});
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(Get("/api/faces/" + std::to_string(face) + "/crop?size=333", &s)->status, 400);
  EXPECT_EQ(Get("/api/faces/987654/crop", &s)->status, 404);
  json listed = Body(Get("/api/faces?cluster=0", &s));
  ASSERT_EQ(listed["faces"].size(), 1u);
  EXPECT_EQ(listed["faces"][0]["id"], face);
  EXPECT_EQ(Get("/api/faces?limit=0", &s)->status, 400);
}

TEST_F(FacesApiTest, MergeSplitAndBulkActionsCheckTheirInput) {
  auto x = planted_.Centre(), y = planted_.Centre();
  std::vector<int64_t> xs, ys;
  for (int i = 0; i < 3; ++i) xs.push_back(Waiting(planted_.FaceNear(x)));
  for (int i = 0; i < 3; ++i) ys.push_back(Waiting(planted_.FaceNear(y)));
  TestSession bob = Login("bob");
  const int64_t cx = face_store_->GetFace(FaceOf(xs[0]))->cluster_id;
  const int64_t cy = face_store_->GetFace(FaceOf(ys[0]))->cluster_id;
  const std::string base = "/api/clusters/" + std::to_string(cy);
  EXPECT_EQ(Post(base + "/merge", {{"into", 999999}}, &bob)->status, 404);
  EXPECT_EQ(Post(base + "/merge", {{"into", "x"}}, &bob)->status, 400);
  auto merged = Post(base + "/merge", {{"into", cx}}, &bob);
  ASSERT_EQ(merged->status, 200) << merged->body;
  EXPECT_EQ(face_store_->GetCluster(cx)->size, 6);
  auto split = Post("/api/clusters/" + std::to_string(cx) + "/split", {{"face_ids", {FaceOf(ys[0])}}}, &bob);
  ASSERT_EQ(split->status, 200) << split->body;
  EXPECT_NE(face_store_->GetFace(FaceOf(ys[0]))->cluster_id, cx);
  auto bad = Post("/api/faces/bulk", {{"action", "delete"}, {"face_ids", {FaceOf(xs[0])}}}, &bob);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(Body(bad)["message"].get<std::string>().find("delete"), std::string::npos);
  EXPECT_EQ(Post("/api/faces/bulk", {{"action", "remove"}}, &bob)->status, 400);
  for (const json& action : {json(true), json(nullptr), json::array({"remove"})}) {
    auto wrong = Post("/api/faces/bulk", {{"action", action}, {"face_ids", {FaceOf(xs[0])}}}, &bob);
    EXPECT_EQ(wrong->status, 400) << wrong->body;
    EXPECT_EQ(Body(wrong)["message"], "action: must be a string (got " + action.dump() + ")");
  }
  EXPECT_EQ(Post("/api/faces/bulk", {{"action", "remove"}, {"face_ids", {-3}}}, &bob)->status, 400);
  // A face named twice is one face, counted once.
  auto removed = Post("/api/faces/bulk", {{"action", "remove"}, {"face_ids", {FaceOf(xs[1]), FaceOf(xs[1])}}}, &bob);
  ASSERT_EQ(removed->status, 200) << removed->body;
  EXPECT_EQ(Body(removed)["faces"], 1) << removed->body;
  EXPECT_EQ(face_store_->GetFace(FaceOf(xs[1]))->cluster_id, 0);
  // Nothing given to a person: "not this person" has nobody to refuse.
  EXPECT_EQ(Post("/api/faces/bulk", {{"action", "not_this_person"}, {"face_ids", {FaceOf(xs[2])}}}, &bob)->status, 400);
}

}  // namespace
}  // namespace triage::server
