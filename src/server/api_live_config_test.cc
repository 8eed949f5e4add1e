// Specification: a threshold saved in the web UI routes the very next upload, without a restart — the policy's
// thresholds (decide) and the detector's limits (face stage) alike. Uses the real face models.
#include "base/files.h"
#include "server/api_test_support.h"
#include "vision/decode.h"

namespace triage::server {
namespace {

class LiveConfigApiTest : public ApiTest {
 protected:
  bool WithFaces() const override { return true; }

  void Enroll(const std::string& person, const std::vector<std::string>& photos) {
    std::vector<review::NewReference> refs;
    for (const auto& photo : photos) {
      auto decoded = vision::DecodeImage(Fixture(photo), vision::DecodeOptions{});
      ASSERT_TRUE(decoded.ok());
      auto face = faces_->SingleFace(decoded->image, *config_->Current());
      ASSERT_TRUE(face.ok()) << face.status().ToString();
      refs.push_back({face->embedding, photo, {}});
    }
    ASSERT_TRUE(persons_->Enroll(person, refs, true, "test", 1).ok());
    ASSERT_TRUE(faces_->LoadReferences(*catalog_).ok());
  }

  json Upload(const TestSession& s, const std::string& fixture) {
    httplib::MultipartFormDataItems form = {{"files", *base::ReadFile(Fixture(fixture)), fixture, "image/jpeg"}};
    auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return Body(r)["items"][0];
  }
};

TEST_F(LiveConfigApiTest, AThresholdSavedInTheWebUiRoutesTheNextUpload) {
  Enroll("obama", {"obama.jpg"});
  TestSession s = Login("bob");
  json first = Upload(s, "obama2.jpg");
  ASSERT_EQ(first["decision"]["destination"], "library") << first.dump();
  EXPECT_EQ(first["decision"]["person"], "obama");

  ASSERT_EQ(Put("/api/config/thresholds", {{"min_confidence", 0.999}}, &s)->status, 200);
  json second = Upload(s, "obama3.jpg");
  EXPECT_EQ(second["decision"]["category"], "low_confidence") << second.dump();
}

TEST_F(LiveConfigApiTest, ADetectorLimitSavedInTheWebUiAppliesToTheNextUpload) {
  TestSession s = Login("bob");
  ASSERT_EQ(Put("/api/config/thresholds", {{"min_face_size", 4000}}, &s)->status, 200);
  json upload = Upload(s, "biden.jpg");
  EXPECT_EQ(upload["decision"]["reasons"][0]["code"], "no_faces_detected") << upload.dump();
  ASSERT_EQ(Put("/api/config/thresholds", {{"min_face_size", 40}}, &s)->status, 200);
  json again = Upload(s, "biden2.jpg");
  EXPECT_EQ(again["decision"]["reasons"][0]["code"], "unknown_person") << again.dump();
}

// Face analysis switched off in triage.json while the server runs (the models loaded): the next upload is taken
// without it, as the file says, not recognised by the models still in memory.
TEST_F(LiveConfigApiTest, FaceAnalysisTurnedOffInTheFileAppliesToTheNextUpload) {
  Enroll("obama", {"obama.jpg"});
  TestSession s = Login("bob");
  ASSERT_TRUE(config_
                  ->Update([](json& d) {
                    d["analysis"]["faces"] = false;
                    return base::Status::Ok();
                  })
                  .ok());
  json upload = Upload(s, "obama2.jpg");
  EXPECT_EQ(upload["decision"]["destination"], "review") << upload.dump();
  EXPECT_EQ(upload["decision"]["reasons"][0]["code"], "faces_not_analysed") << upload.dump();
}

// The settings page's preview: what saving would move, computed from the stored analyses, nothing moved.
TEST_F(LiveConfigApiTest, SimulationPreviewsAThresholdChangeWithoutMovingAnything) {
  Enroll("obama", {"obama.jpg"});
  TestSession s = Login("bob");
  json sorted = Upload(s, "obama2.jpg");
  ASSERT_EQ(sorted["decision"]["destination"], "library");
  auto r = Post("/api/config/thresholds/simulate", {{"min_confidence", 0.999}}, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json report = Body(r);
  EXPECT_EQ(report["total"], 1);
  EXPECT_EQ(report["changed"], 1);
  ASSERT_EQ(report["moves"].size(), 1u);
  EXPECT_EQ(report["moves"][0]["from"], "faces/obama");
  EXPECT_EQ(report["moves"][0]["to"], "review/low_confidence");
  EXPECT_EQ(report["moves"][0]["sample_ids"][0], sorted["item_id"]);
  EXPECT_EQ(catalog_->GetItem(sorted["item_id"])->location, "library");
  EXPECT_DOUBLE_EQ(config_->Current()->policy.min_confidence, 0.6);
  EXPECT_EQ(report["changed_under_saved"], 0) << "under the saved settings, the photo stays where it is";
  // Once that bar is saved, the photo sorted before would move under the saved settings already: the preview of the
  // same thresholds says so, rather than passing the move off as theirs.
  ASSERT_EQ(Put("/api/config/thresholds", {{"min_confidence", 0.999}}, &s)->status, 200);
  report = Body(Post("/api/config/thresholds/simulate", {{"min_confidence", 0.999}}, &s));
  EXPECT_EQ(report["changed"], 1);
  EXPECT_EQ(report["changed_under_saved"], 1);
  EXPECT_EQ(Post("/api/config/thresholds/simulate", {{"min_confidence", 5}}, &s)->status, 400);
  TestSession user = Login("alice");
  EXPECT_EQ(Post("/api/config/thresholds/simulate", {{"min_confidence", 0.9}}, &user)->status, 403);
}

// After a change of thresholds, the settings page re-sorts what waits in review under the saved policy: a photo held
// back as low confidence goes to its person once the bar is lowered again.
TEST_F(LiveConfigApiTest, ApplyingThePolicyReSortsWhatWaitsInReview) {
  Enroll("obama", {"obama.jpg"});
  TestSession s = Login("bob");
  ASSERT_EQ(Put("/api/config/thresholds", {{"min_confidence", 0.999}}, &s)->status, 200);
  json held = Upload(s, "obama2.jpg");
  ASSERT_EQ(held["decision"]["category"], "low_confidence") << held.dump();
  TestSession user = Login("alice");
  EXPECT_EQ(Post("/api/policy/apply", json::object(), &user)->status, 403);
  EXPECT_EQ(catalog_->GetItem(held["item_id"])->location, "review");

  ASSERT_EQ(Put("/api/config/thresholds", {{"min_confidence", 0.6}}, &s)->status, 200);
  auto r = Post("/api/policy/apply", json::object(), &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json report = Body(r);
  EXPECT_EQ(report["considered"], 1);
  EXPECT_EQ(report["moved"], 1);
  EXPECT_EQ(report["failed"], 0);
  ASSERT_EQ(report["moves"].size(), 1u);
  EXPECT_EQ(report["moves"][0]["from"], "review/low_confidence");
  EXPECT_EQ(report["moves"][0]["to"], "faces/obama");
  auto item = catalog_->GetItem(held["item_id"]);
  EXPECT_EQ(item->location, "library");
  EXPECT_EQ(item->person, "obama");
  EXPECT_TRUE(std::filesystem::exists(config_->Current()->library / item->path));
  // Again: nothing waits in review, nothing moves, and there is nothing to undo.
  json again = Body(Post("/api/policy/apply", json::object(), &s));
  EXPECT_EQ(again["considered"], 0);
  EXPECT_EQ(again["moved"], 0);
  EXPECT_EQ(again["undo"], "");
  // The re-sort is taken back like any decision: the photo waits again where it waited, with its reason.
  const std::string token = report["undo"];
  ASSERT_FALSE(token.empty()) << report.dump();
  auto undone = Post("/api/undo/" + token, json::object(), &s);
  ASSERT_EQ(undone->status, 200) << undone->body;
  auto back = catalog_->GetItem(held["item_id"]);
  EXPECT_EQ(back->location, "review");
  EXPECT_EQ(back->category, "low_confidence");
  EXPECT_TRUE(std::filesystem::exists(config_->Current()->library / back->path));
  EXPECT_EQ(Body(Get("/api/review/queue", &s))["total"], 1);
  EXPECT_EQ(Post("/api/undo/" + token, json::object(), &s)->status, 409) << "undone once";
}

}  // namespace
}  // namespace triage::server
