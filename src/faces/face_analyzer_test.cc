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

// A photo on its side (EXIF orientation lost, or a head leaning far): the face is turned upright around the
// detector's eye points before its landmarks are found, so it gives the embedding of the same person, and its
// landmarks lie on the face in the photo's own pixels.
TEST_F(FaceAnalyzerTest, AFaceOnItsSideIsRecognisedAsTheSamePerson) {
  const model::RgbImage upright = testing::LoadFixture("obama.jpg");
  const std::vector<model::Face> reference = Analyze("obama.jpg");
  ASSERT_EQ(reference.size(), 1u);
  for (int quarter_turns : {1, 3}) {
    SCOPED_TRACE(quarter_turns * 90);
    model::RgbImage turned;  // turned clockwise by 90° (1) or 270° (3)
    turned.width = upright.height;
    turned.height = upright.width;
    turned.pixels.resize(upright.pixels.size());
    for (int y = 0; y < upright.height; ++y) {
      for (int x = 0; x < upright.width; ++x) {
        const int tx = quarter_turns == 1 ? upright.height - 1 - y : y;
        const int ty = quarter_turns == 1 ? x : upright.width - 1 - x;
        for (int c = 0; c < 3; ++c)
          turned.pixels[(size_t(ty) * turned.width + tx) * 3 + c] =
              upright.pixels[(size_t(y) * upright.width + x) * 3 + c];
      }
    }
    auto faces = analyzer_->Analyze(turned);
    ASSERT_TRUE(faces.ok()) << faces.status().ToString();
    ASSERT_EQ(faces->size(), 1u);
    const model::FaceMatch match = NearestPersons((*faces)[0].embedding, {{"obama", reference[0].embedding}});
    EXPECT_LT(match.distance, 0.4) << "the same photo, turned";
    const model::Box& box = (*faces)[0].box;
    for (const model::Point& p : (*faces)[0].landmarks) {
      EXPECT_GT(p.x, box.x - box.width * 0.3f);
      EXPECT_LT(p.x, box.x + box.width * 1.3f);
      EXPECT_GT(p.y, box.y - box.height * 0.3f);
      EXPECT_LT(p.y, box.y + box.height * 1.3f);
    }
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

// BlazeFace needs both of its models (the back one for the whole image, the front one for small faces): with one of
// them, as with none, faces are found by HOG.
TEST(FaceAnalyzerOpenTest, FallsBackToHogWhenOneOfTheBlazeFaceFilesIsAbsent) {
  const auto dir = std::filesystem::temp_directory_path() / ("triage_hog_half_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "face-api/model");
  std::filesystem::create_directories(dir / "blazeface/ONNX");
  const ModelPaths real = ResolveModelPaths({.model_dir = testing::ModelDir()});
  std::filesystem::copy_file(real.embedding_manifest,
                             dir / "face-api/model/face_recognition_model-weights_manifest.json");
  std::filesystem::copy_file(real.embedding_weights, dir / "face-api/model/face_recognition_model.bin");
  std::filesystem::copy_file(real.blazeface_onnx, dir / "blazeface/ONNX/face_detection_back_256x256_barracuda.onnx");
  auto analyzer = FaceAnalyzer::Open({.model_dir = dir.string()});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  EXPECT_STREQ((*analyzer)->detector_name(), "hog");
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
