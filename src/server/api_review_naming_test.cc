// Specification of naming faces from the review page: many single-face photos named as one person in one request
// (bulk name_face, one undo token for all, per-photo refusals), and a face named in review reaching the face clusters
// (the People page shows it under its person, a re-cluster keeps it, undo puts it back), and a named face marked "not
// tracked" leaving its person's cluster.
#include "faces/cluster_test_support.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

class ReviewNamingApiTest : public ApiTest {
 protected:
  int64_t Waiting(const std::vector<std::vector<float>>& embeddings) { return WaitingWithFaces(embeddings); }
  catalog::FaceRecord FaceRecordOf(int64_t item) {
    catalog::FaceFilter f;
    f.item_id = item;
    return face_store_->ListFaces(f)->at(0);
  }
  std::string FolderOf(int64_t item) { return fs::path(catalog_->GetItem(item)->path).parent_path().generic_string(); }
  // The person of the cluster `face` is listed under in GET /api/clusters ("" when unnamed, "-" when in none).
  std::string ListedUnder(int64_t face, const TestSession& s) {
    json clusters = Body(Get("/api/clusters", &s));
    for (const json& c : clusters["clusters"]) {
      for (const json& f : c["faces"]) {
        if (f["id"] == face) return c["person"].is_null() ? "" : c["person"].get<std::string>();
      }
    }
    return "-";
  }
  faces::testing::PlantedFaces planted_{21};
};

TEST_F(ReviewNamingApiTest, BulkNamingNamesEverySingleFacePhotoAndOneUndoRevertsThemAll) {
  auto anna = planted_.Centre();
  const int64_t one = Waiting({planted_.FaceNear(anna)});
  const int64_t two = Waiting({planted_.FaceNear(anna)});
  const int64_t none = Waiting({});
  const int64_t group = Waiting({planted_.FaceNear(anna), planted_.Centre()});
  ASSERT_TRUE(catalog_->AddPerson("anna", 1).ok());
  TestSession alice = Login("alice");
  const json ids = {one, two, none, group};
  json from = json::object();
  for (int64_t id : {one, two, none, group}) from[std::to_string(id)] = "review/unidentified";

  auto unknown = Post("/api/review/bulk", {{"ids", ids}, {"action", "name_face"}, {"person", "annna"}}, &alice);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(Body(unknown)["message"].get<std::string>().find("enrolled: anna"), std::string::npos) << unknown->body;
  EXPECT_EQ(Post("/api/review/bulk", {{"ids", ids}, {"action", "name_face"}}, &alice)->status, 400);
  for (int64_t id : {one, two, none, group}) EXPECT_EQ(FolderOf(id), "review/unidentified");

  auto named =
      Post("/api/review/bulk", {{"ids", ids}, {"action", "name_face"}, {"person", "anna"}, {"from", from}}, &alice);
  ASSERT_EQ(named->status, 200) << named->body;
  json out = Body(named);
  EXPECT_EQ(out["succeeded"], 2);
  EXPECT_EQ(out["failed"], 2);
  EXPECT_EQ(out["results"][0]["ok"], true);
  EXPECT_EQ(out["results"][1]["ok"], true);
  EXPECT_NE(out["results"][2]["error"].get<std::string>().find("no detected face"), std::string::npos);
  EXPECT_NE(out["results"][3]["error"].get<std::string>().find("has 2 faces"), std::string::npos);
  EXPECT_EQ(FolderOf(one), "faces/anna");
  EXPECT_EQ(FolderOf(two), "faces/anna");
  EXPECT_EQ(catalog_->FacesOf(one)->at(0).label.named_as, "anna");
  EXPECT_EQ(FolderOf(none), "review/unidentified");
  EXPECT_EQ(FolderOf(group), "review/unidentified");
  EXPECT_EQ(catalog_->FacesOf(group)->at(0).label.named_as, "");
  EXPECT_EQ(AuditOf(one).front().action, "name-face");

  // A photo seen elsewhere than it is: a conflict for that photo only.
  auto again = Post("/api/review/bulk",
                    {{"ids", {one}},
                     {"action", "name_face"},
                     {"person", "anna"},
                     {"from", {{std::to_string(one), "review/unidentified"}}}},
                    &alice);
  ASSERT_EQ(again->status, 200);
  EXPECT_EQ(Body(again)["results"][0]["conflict"], true);

  auto undone = Post("/api/undo/" + out["undo"].get<std::string>(), json::object(), &alice);
  ASSERT_EQ(undone->status, 200) << undone->body;
  for (int64_t id : {one, two}) {
    EXPECT_EQ(FolderOf(id), "review/unidentified");
    EXPECT_EQ(catalog_->FacesOf(id)->at(0).label.named_as, "");
    EXPECT_TRUE(catalog_->PendingReview(id).ok());
  }
  EXPECT_EQ(Post("/api/undo/" + out["undo"].get<std::string>(), json::object(), &alice)->status, 409);  // single use
}

TEST_F(ReviewNamingApiTest, AFaceNamedInReviewJoinsItsPersonsClusterKeepsItThroughAReclusterAndUndoPutsItBack) {
  auto stranger = planted_.Centre();
  std::vector<int64_t> items;
  for (int i = 0; i < 3; ++i) items.push_back(Waiting({planted_.FaceNear(stranger)}));
  TestSession alice = Login("alice");
  const catalog::FaceRecord before = FaceRecordOf(items[0]);
  ASSERT_NE(before.cluster_id, 0);  // three close faces make an unnamed cluster
  EXPECT_EQ(ListedUnder(before.id, alice), "");

  // Approving a single-face photo as a (new) person: an admin's decision (a user approves as enrolled persons only).
  TestSession bob = Login("bob");
  auto approved = Post("/api/review/" + std::to_string(items[0]) + "/approve", {{"person", "Ben"}}, &bob);
  ASSERT_EQ(approved->status, 200) << approved->body;
  catalog::FaceRecord after = FaceRecordOf(items[0]);
  EXPECT_EQ(after.person, "ben");
  EXPECT_EQ(after.match_kind, "named");
  EXPECT_TRUE(after.pinned);
  EXPECT_EQ(face_store_->GetCluster(after.cluster_id)->person, "ben");
  EXPECT_EQ(ListedUnder(before.id, alice), "ben");
  auto reclustered = clustering_->Recluster({}, 0.6, 200);
  ASSERT_TRUE(reclustered.ok()) << reclustered.status().ToString();
  EXPECT_EQ(ListedUnder(before.id, alice), "ben");
  EXPECT_EQ(FaceRecordOf(items[0]).person, "ben");

  // Naming one face on the card does the same (a stranger's face, in no cluster before).
  const int64_t lone = Waiting({planted_.Centre()});
  const catalog::FaceRecord lone_before = FaceRecordOf(lone);
  EXPECT_EQ(ListedUnder(lone_before.id, alice), "-");
  auto face_named = Post("/api/review/" + std::to_string(lone) + "/faces/0", {{"person", "ben"}}, &alice);
  ASSERT_EQ(face_named->status, 200) << face_named->body;
  EXPECT_EQ(FaceRecordOf(lone).person, "ben");
  EXPECT_EQ(ListedUnder(lone_before.id, alice), "ben");
  auto undo_face = Post("/api/undo/" + Body(face_named)["undo"].get<std::string>(), json::object(), &alice);
  ASSERT_EQ(undo_face->status, 200) << undo_face->body;
  EXPECT_EQ(FaceRecordOf(lone).person, lone_before.person);
  EXPECT_EQ(FaceRecordOf(lone).match_kind, lone_before.match_kind);
  EXPECT_EQ(FaceRecordOf(lone).cluster_id, lone_before.cluster_id);
  EXPECT_EQ(ListedUnder(lone_before.id, alice), "-");

  // Undoing the approval takes the face out of ben's cluster again, as it was before.
  auto undone = Post("/api/undo/" + Body(approved)["undo"].get<std::string>(), json::object(), &bob);
  ASSERT_EQ(undone->status, 200) << undone->body;
  const catalog::FaceRecord restored = FaceRecordOf(items[0]);
  EXPECT_EQ(restored.person, before.person);
  EXPECT_EQ(restored.match_kind, before.match_kind);
  EXPECT_NE(ListedUnder(before.id, alice), "ben");
}

TEST_F(ReviewNamingApiTest, AFaceNamedThenMarkedNotTrackedLeavesItsPersonsClusterAndUndoPutsItBack) {
  ASSERT_TRUE(catalog_->AddPerson("ben", 1).ok());
  const int64_t group = Waiting({planted_.Centre(), planted_.Centre()});
  TestSession alice = Login("alice");
  const std::string face0 = "/api/review/" + std::to_string(group) + "/faces/0";
  auto named = Post(face0, {{"person", "ben"}}, &alice);
  ASSERT_EQ(named->status, 200) << named->body;
  const catalog::FaceRecord as_ben = FaceRecordOf(group);
  ASSERT_EQ(ListedUnder(as_ben.id, alice), "ben");

  auto untracked = Post(face0, {{"untracked", true}}, &alice);
  ASSERT_EQ(untracked->status, 200) << untracked->body;
  const catalog::FaceRecord released = FaceRecordOf(group);
  EXPECT_EQ(released.person, "");
  EXPECT_EQ(released.cluster_id, 0);
  EXPECT_EQ(ListedUnder(as_ben.id, alice), "-");
  EXPECT_EQ(catalog_->FacesOf(group)->at(0).label.untracked, true);
  auto reclustered = clustering_->Recluster({}, 0.6, 200);  // it stays out until placed by hand
  ASSERT_TRUE(reclustered.ok()) << reclustered.status().ToString();
  EXPECT_EQ(ListedUnder(as_ben.id, alice), "-");

  auto undone = Post("/api/undo/" + Body(untracked)["undo"].get<std::string>(), json::object(), &alice);
  ASSERT_EQ(undone->status, 200) << undone->body;
  const catalog::FaceRecord back = FaceRecordOf(group);
  EXPECT_EQ(back.person, "ben");
  EXPECT_EQ(back.match_kind, "named");
  EXPECT_EQ(back.cluster_id, as_ben.cluster_id);
  EXPECT_EQ(ListedUnder(as_ben.id, alice), "ben");
  EXPECT_EQ(catalog_->FacesOf(group)->at(0).label.named_as, "ben");
}

}  // namespace
}  // namespace triage::server

namespace triage::server {
namespace {

// A group photo's face whose cluster the People page named: the card shows that name on the face (still to confirm),
// and naming another face of the photo as the same person is refused.
TEST_F(ReviewNamingApiTest, AFaceNamedOnThePeoplePageShowsOnTheCardAndItsPersonIsNotNamedTwice) {
  auto howard = planted_.Centre(), other = planted_.Centre();
  for (int i = 0; i < 2; ++i) Waiting({planted_.FaceNear(howard)});
  const int64_t group = Waiting({planted_.FaceNear(howard), planted_.FaceNear(other)});
  const int64_t cluster = FaceRecordOf(group).cluster_id;
  ASSERT_NE(cluster, 0);
  TestSession bob = Login("bob");
  auto named = Post("/api/clusters/" + std::to_string(cluster) + "/name", {{"person", "howard"}}, &bob);
  ASSERT_EQ(named->status, 200) << named->body;
  json card = Body(Get("/api/review/" + std::to_string(group), &bob));
  ASSERT_EQ(card["faces"].size(), 2u);
  EXPECT_EQ(card["faces"][0]["cluster_person"], "howard");
  EXPECT_TRUE(card["faces"][0]["named_as"].is_null());
  EXPECT_TRUE(card["faces"][1]["cluster_person"].is_null());
  const std::string face = "/api/review/" + std::to_string(group) + "/faces/";
  auto twice = Post(face + "1", {{"person", "howard"}}, &bob);
  EXPECT_EQ(twice->status, 409) << twice->body;
  EXPECT_NE(twice->body.find("named on the People page"), std::string::npos) << twice->body;
  EXPECT_EQ(catalog_->FacesOf(group)->at(1).label.named_as, "");
  auto confirmed = Post(face + "0", {{"person", "howard"}}, &bob);
  ASSERT_EQ(confirmed->status, 200) << confirmed->body;
  EXPECT_EQ(Body(confirmed)["faces"][0]["named_as"], "howard");
  EXPECT_TRUE(Body(confirmed)["faces"][0]["cluster_person"].is_null());  // decided on the card now
}

}  // namespace
}  // namespace triage::server
