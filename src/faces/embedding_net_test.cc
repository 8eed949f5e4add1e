// Specification of the embedding network on the real weights: same person near, different people far.
#include "faces/embedding_net.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "faces/face_analyzer.h"
#include "faces/faces_test_support.h"
#include "vision/face_detector.h"
#include "vision/face_landmarks.h"

namespace triage::faces {
namespace {

TEST(EmbeddingNetTest, LoadsTheRealWeightsAndRefusesAChipOfTheWrongSize) {
  auto net = EmbeddingNet::Load(ResolveModelPaths({.model_dir = testing::ModelDir()}).embedding_manifest);
  ASSERT_TRUE(net.ok()) << net.status().ToString() << " (run scripts/fetch_models.sh)";
  const model::RgbImage small{100, 100, std::vector<uint8_t>(100 * 100 * 3, 128)};
  EXPECT_EQ((*net)->Embed(small).status().code(), base::Code::kInvalidArgument);
  const model::RgbImage grey{150, 150, std::vector<uint8_t>(150 * 150 * 3, 128)};
  auto embedding = (*net)->Embed(grey);
  ASSERT_TRUE(embedding.ok());
  EXPECT_EQ(embedding->size(), 128u);
}

// The aligned chips of every face BlazeFace finds in the fixtures, as the analyzer cuts them.
std::vector<model::RgbImage> FixtureChips(const std::vector<std::string>& fixtures) {
  const ModelPaths paths = ResolveModelPaths({.model_dir = testing::ModelDir()});
  auto detector = vision::FaceDetector::OpenBlazeFace({paths.blazeface_onnx, paths.blazeface_front_onnx}, {});
  auto landmarker = vision::FaceLandmarker::Open(paths.landmarks);
  EXPECT_TRUE(detector.ok() && landmarker.ok());
  std::vector<model::RgbImage> chips;
  if (!detector.ok() || !landmarker.ok()) return chips;
  for (const std::string& name : fixtures) {
    const model::RgbImage image = testing::LoadFixture(name);
    auto found = (*detector)->Detect(image);
    EXPECT_TRUE(found.ok()) << name;
    std::vector<model::Box> boxes;
    for (const vision::FaceDetection& d : found.value()) boxes.push_back(d.box);
    auto aligned = (*landmarker)->Align(image, boxes);
    EXPECT_TRUE(aligned.ok()) << name;
    for (vision::AlignedFace& face : aligned.value()) chips.push_back(std::move(face.chip));
  }
  return chips;
}

float MaxAbsDifference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

TEST(EmbeddingNetTest, GraphEqualsTheReferenceForwardOnRealFaces) {
  auto net = EmbeddingNet::Load(ResolveModelPaths({.model_dir = testing::ModelDir()}).embedding_manifest);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  std::vector<model::RgbImage> chips = FixtureChips({"obama.jpg", "biden2.jpg", "vladmandic_sample1.jpg"});
  ASSERT_GE(chips.size(), 5u);
  // A flat chip and a noisy one take the network far from the faces it was trained on.
  chips.push_back({150, 150, std::vector<uint8_t>(150 * 150 * 3, 200)});
  model::RgbImage noise{150, 150, std::vector<uint8_t>(150 * 150 * 3)};
  for (size_t i = 0; i < noise.pixels.size(); ++i) noise.pixels[i] = static_cast<uint8_t>((i * 2654435761u) >> 24);
  chips.push_back(noise);
  for (size_t i = 0; i < chips.size(); ++i) {
    auto reference = (*net)->EmbedReference(chips[i]);
    auto graph = (*net)->Embed(chips[i]);
    ASSERT_TRUE(reference.ok() && graph.ok());
    EXPECT_LT(MaxAbsDifference(*graph, *reference), 1e-4f) << "chip " << i;
  }
}

TEST(EmbeddingNetTest, BothForwardsRefuseAChipOfTheWrongSizeNamingIt) {
  auto net = EmbeddingNet::Load(ResolveModelPaths({.model_dir = testing::ModelDir()}).embedding_manifest);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  const model::RgbImage bad{150, 149, std::vector<uint8_t>(150 * 149 * 3, 90)};
  for (const auto& refused : {(*net)->Embed(bad), (*net)->EmbedReference(bad)}) {
    EXPECT_EQ(refused.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(refused.status().ToString().find("150x149"), std::string::npos) << refused.status().ToString();
  }
}

// Embeds the single (largest) face of each fixture through the whole analyzer.
class EmbeddingDistanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto analyzer = FaceAnalyzer::Open({.model_dir = testing::ModelDir()});
    ASSERT_TRUE(analyzer.ok()) << analyzer.status().ToString();
    analyzer_ = analyzer->release();
  }
  static void TearDownTestSuite() { delete analyzer_; }

  static std::vector<float> Embed(const std::string& fixture) {
    auto faces = analyzer_->Analyze(testing::LoadFixture(fixture));
    EXPECT_TRUE(faces.ok() && faces->size() == 1u) << fixture;
    return faces.ok() && !faces->empty() ? faces->front().embedding : std::vector<float>(128, 0.0f);
  }

  static FaceAnalyzer* analyzer_;
};
FaceAnalyzer* EmbeddingDistanceTest::analyzer_ = nullptr;

TEST_F(EmbeddingDistanceTest, EmbeddingsAreNotUnitLength) {
  const std::vector<float> e = Embed("obama.jpg");
  double norm = 0;
  for (float v : e) norm += v * v;
  EXPECT_GT(std::sqrt(norm), 1.1);
  EXPECT_LT(std::sqrt(norm), 1.9);
}

TEST_F(EmbeddingDistanceTest, SamePersonIsWithinMatchDistanceAndCloserThanOthers) {
  const auto obama = Embed("obama.jpg");
  const auto obama2 = Embed("obama2.jpg");
  const auto obama3 = Embed("obama3.jpg");
  const auto biden = Embed("biden.jpg");
  const auto biden2 = Embed("biden2.jpg");
  const auto cruise = Embed("Tom_Cruise_avp_2014_4.jpg");
  const auto astronaut = Embed("skimage_astronaut.jpg");
  for (const auto* same : {&obama2, &obama3}) EXPECT_LT(EmbeddingDistance(obama, *same), 0.6);
  EXPECT_LT(EmbeddingDistance(biden, biden2), 0.6);
  for (const auto* other : {&biden, &biden2, &cruise, &astronaut}) {
    EXPECT_GT(EmbeddingDistance(obama, *other), 0.6);
    EXPECT_GT(EmbeddingDistance(obama3, *other), EmbeddingDistance(obama3, obama));
  }
  EXPECT_GT(EmbeddingDistance(biden, cruise), 0.6);
  EXPECT_GT(EmbeddingDistance(biden2, astronaut), 0.6);
}

}  // namespace
}  // namespace triage::faces
