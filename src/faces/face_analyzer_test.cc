// Specification of whole-image face analysis on the fixture photos.
#include "faces/face_analyzer.h"

#include <gtest/gtest.h>

#include <future>

#include "decide/decide.h"
#include "faces/eye_aspect_ratio.h"
#include "faces/face_matcher.h"
#include "faces/faces_test_support.h"

namespace triage::faces {
namespace {

class FaceAnalyzerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto analyzer = FaceAnalyzer::Open({.model_dir = testing::ModelDir()});
    ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString() << " (run scripts/fetch_models.sh)";
    analyzer_ = analyzer->release();
  }
  static void TearDownTestSuite() { delete analyzer_; }

  static std::vector<model::Face> Analyze(const std::string& fixture) {
    const model::RgbImage image = testing::LoadFixture(fixture);
    EXPECT_FALSE(image.empty()) << fixture;
    auto faces = analyzer_->Analyze(image);
    EXPECT_TRUE(faces.ok()) << faces.status().ToString();
    return faces.ok() ? faces.value() : std::vector<model::Face>{};
  }

  static FaceAnalyzer* analyzer_;
};
FaceAnalyzer* FaceAnalyzerTest::analyzer_ = nullptr;

TEST_F(FaceAnalyzerTest, UsesBlazeFaceWhenItsModelIsPresent) { EXPECT_STREQ(analyzer_->detector_name(), "blazeface"); }

TEST_F(FaceAnalyzerTest, FindsNoFaceInAStillLife) { EXPECT_TRUE(Analyze("skimage_coffee.jpg").empty()); }

TEST_F(FaceAnalyzerTest, DescribesTheOneFaceOfAPortraitCompletely) {
  const std::vector<model::Face> faces = Analyze("obama.jpg");
  ASSERT_EQ(faces.size(), 1u);
  const model::Face& face = faces.front();
  EXPECT_GE(face.detection_score, 0.65f);
  EXPECT_GE(face.box.width, 40);
  EXPECT_EQ(face.landmarks.size(), 68u);
  for (const model::Point& p : face.landmarks) {
    EXPECT_GT(p.x, face.box.x - face.box.width * 0.2f);
    EXPECT_LT(p.x, face.box.x + face.box.width * 1.2f);
  }
  EXPECT_EQ(face.embedding.size(), 128u);
  EXPECT_GT(face.eye_aspect_ratio, kClosedEyeAspectRatio);  // eyes open in this portrait
  EXPECT_LT(face.eye_aspect_ratio, 0.5);
  EXPECT_EQ(face.match.person, "");
}

TEST_F(FaceAnalyzerTest, FindsEveryFaceOfGroupPhotos) {
  EXPECT_EQ(Analyze("vladmandic_sample1.jpg").size(), 3u);
  EXPECT_EQ(Analyze("vladmandic_sample4.jpg").size(), 4u);
}

TEST_F(FaceAnalyzerTest, RecognisesAnEnrolledPersonAndNotAStranger) {
  std::vector<Reference> references;
  for (const char* fixture : {"obama.jpg", "obama2.jpg"})
    references.push_back({"obama", Analyze(fixture)[0].embedding});
  references.push_back({"biden", Analyze("biden2.jpg")[0].embedding});
  const model::Policy policy;  // default thresholds
  const model::FaceMatch obama = NearestPersons(Analyze("obama3.jpg")[0].embedding, references);
  EXPECT_EQ(decide::ClassifyMatch(obama, policy), model::MatchKind::kKnown);
  EXPECT_EQ(obama.person, "obama");
  const model::FaceMatch biden = NearestPersons(Analyze("biden.jpg")[0].embedding, references);
  EXPECT_EQ(biden.person, "biden");
  EXPECT_NE(decide::ClassifyMatch(biden, policy), model::MatchKind::kUnknown);
  for (const char* stranger : {"Tom_Cruise_avp_2014_4.jpg", "skimage_astronaut.jpg"}) {
    EXPECT_EQ(decide::ClassifyMatch(NearestPersons(Analyze(stranger)[0].embedding, references), policy),
              model::MatchKind::kUnknown)
        << stranger;
  }
}

TEST_F(FaceAnalyzerTest, GivesTheSameFacesFromSeveralThreadsAtOnce) {
  const model::RgbImage image = testing::LoadFixture("vladmandic_sample1.jpg");
  const auto expected = analyzer_->Analyze(image);
  ASSERT_TRUE(expected.ok());
  std::vector<std::future<base::Result<std::vector<model::Face>>>> runs;
  for (int i = 0; i < 3; ++i) runs.push_back(std::async(std::launch::async, [&] { return analyzer_->Analyze(image); }));
  for (auto& run : runs) {
    auto faces = run.get();
    ASSERT_TRUE(faces.ok());
    ASSERT_EQ(faces->size(), expected->size());
    for (size_t i = 0; i < faces->size(); ++i) EXPECT_EQ((*faces)[i].embedding, (*expected)[i].embedding);
  }
}

TEST(FaceAnalyzerOpenTest, FallsBackToHogWhenTheBlazeFaceFileIsAbsent) {
  // A model folder holding only the embedding net.
  const auto dir = std::filesystem::temp_directory_path() / ("triage_hog_fallback_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "face-api/model");
  const ModelPaths real = ResolveModelPaths({.model_dir = testing::ModelDir()});
  std::filesystem::copy_file(real.embedding_manifest,
                             dir / "face-api/model/face_recognition_model-weights_manifest.json");
  std::filesystem::copy_file(real.embedding_weights, dir / "face-api/model/face_recognition_model.bin");
  auto analyzer = FaceAnalyzer::Open({.model_dir = dir.string()});
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  EXPECT_STREQ((*analyzer)->detector_name(), "hog");
  auto faces = (*analyzer)->Analyze(testing::LoadFixture("obama.jpg"));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(faces.ok());
  EXPECT_EQ(faces->size(), 1u);
}

TEST(FaceAnalyzerOpenTest, ReportsMissingModelsAndUnknownDetectors) {
  auto no_models = FaceAnalyzer::Open({.model_dir = "/nonexistent"});
  ASSERT_FALSE(no_models.ok());
  EXPECT_EQ(no_models.status().code(), base::Code::kNotFound);
  EXPECT_NE(no_models.status().message().find("face_recognition_model"), std::string::npos);
  auto bad_detector = FaceAnalyzer::Open({.model_dir = testing::ModelDir(), .detector = "yolo"});
  EXPECT_EQ(bad_detector.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ((*FaceAnalyzer::Open({.model_dir = testing::ModelDir(), .detector = "hog"}))->detector_name(),
            std::string("hog"));
}

}  // namespace
}  // namespace triage::faces
