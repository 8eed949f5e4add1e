// Specification of face detection: counts on real photos, box geometry, limits, fallback and thread safety.
#include "vision/face_detector.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>

#include "vision/decode.h"

namespace triage::vision {
namespace {

std::string ModelDir() {
  const char* env = std::getenv("TRIAGE_MODEL_DIR");
  return env != nullptr && *env != '\0' ? env : std::string(TRIAGE_SOURCE_DIR) + "/.cache/npm";
}

BlazeFaceFiles BlazeFacePath() {
  return {ModelDir() + "/blazeface/ONNX/face_detection_back_256x256_barracuda.onnx",
          ModelDir() + "/blazeface/ONNX/face_detection_front_128x128_barracuda.onnx"};
}

model::RgbImage Fixture(const std::string& name) {
  base::Result<Decoded> decoded =
      DecodeImage(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/" + name, DecodeOptions{});
  EXPECT_TRUE(decoded.ok()) << name << ": " << decoded.status().ToString();
  return decoded.ok() ? decoded->image : model::RgbImage{};
}

std::unique_ptr<FaceDetector> OpenBlazeFace() {
  base::Result<std::unique_ptr<FaceDetector>> detector = FaceDetector::OpenBlazeFace(BlazeFacePath(), {});
  EXPECT_TRUE(detector.ok()) << detector.status().ToString() << " (run scripts/fetch_models.sh)";
  return detector.ok() ? std::move(detector.value()) : nullptr;
}

size_t CountFaces(const FaceDetector& detector, const std::string& fixture) {
  base::Result<std::vector<FaceDetection>> faces = detector.Detect(Fixture(fixture));
  EXPECT_TRUE(faces.ok()) << faces.status().ToString();
  return faces.ok() ? faces->size() : 0;
}

model::RgbImage Crop(const model::RgbImage& image, int x, int y, int width, int height) {
  model::RgbImage out{width, height, {}};
  for (int row = y; row < y + height; ++row) {
    const auto* begin = image.pixels.data() + (static_cast<size_t>(row) * image.width + x) * 3;
    out.pixels.insert(out.pixels.end(), begin, begin + static_cast<size_t>(width) * 3);
  }
  return out;
}

TEST(FaceDetectorTest, FindsTheSingleFaceOfAPortrait) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(CountFaces(*detector, "obama.jpg"), 1u);
  EXPECT_EQ(CountFaces(*detector, "biden2.jpg"), 1u);
  EXPECT_EQ(CountFaces(*detector, "Tom_Cruise_avp_2014_4.jpg"), 1u);
  EXPECT_EQ(CountFaces(*detector, "skimage_astronaut.jpg"), 1u);
}

TEST(FaceDetectorTest, FindsNoFaceInAPhotoWithoutPeople) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(CountFaces(*detector, "skimage_coffee.jpg"), 0u);
}

TEST(FaceDetectorTest, FindsEveryFaceOfAGroupPhoto) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(CountFaces(*detector, "vladmandic_sample1.jpg"), 3u);
  EXPECT_EQ(CountFaces(*detector, "vladmandic_sample4.jpg"), 4u);
}

TEST(FaceDetectorTest, BoxesContainTheEyesAndLieInsideTheImage) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  const model::RgbImage image = Fixture("obama.jpg");
  base::Result<std::vector<FaceDetection>> faces = detector->Detect(image);
  ASSERT_TRUE(faces.ok());
  ASSERT_EQ(faces->size(), 1u);
  const FaceDetection& face = faces->front();
  EXPECT_GE(face.score, 0.65f);
  EXPECT_GE(face.box.x, 0);
  EXPECT_GE(face.box.y, 0);
  EXPECT_LE(face.box.x + face.box.width, image.width);
  EXPECT_LE(face.box.y + face.box.height, image.height);
  ASSERT_EQ(face.keypoints.size(), 6u);
  for (int eye = 0; eye < 2; ++eye) {
    EXPECT_GT(face.keypoints[eye].x, face.box.x);
    EXPECT_LT(face.keypoints[eye].x, face.box.x + face.box.width);
    EXPECT_GT(face.keypoints[eye].y, face.box.y);
    EXPECT_LT(face.keypoints[eye].y, face.box.y + face.box.height / 2);
  }
}

TEST(FaceDetectorTest, FindsAFaceCroppedTightToTheFrame) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  const model::RgbImage image = Fixture("obama.jpg");
  base::Result<std::vector<FaceDetection>> faces = detector->Detect(image);
  ASSERT_TRUE(faces.ok());
  ASSERT_EQ(faces->size(), 1u);
  const model::Box& box = faces->front().box;
  const model::RgbImage tight = Crop(image, static_cast<int>(box.x), static_cast<int>(box.y),
                                     static_cast<int>(box.width), static_cast<int>(box.height));
  base::Result<std::vector<FaceDetection>> again = detector->Detect(tight);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 1u);
}

TEST(FaceDetectorTest, IgnoresFacesBelowTheMinimumSize) {
  FaceDetectorOptions options;
  options.min_face_size_px = 10000;
  base::Result<std::unique_ptr<FaceDetector>> detector = FaceDetector::OpenBlazeFace(BlazeFacePath(), options);
  ASSERT_TRUE(detector.ok()) << detector.status().ToString();
  EXPECT_EQ(CountFaces(**detector, "vladmandic_sample1.jpg"), 0u);
}

TEST(FaceDetectorTest, ReportsAMissingModelAsNotFoundNamingIt) {
  base::Result<std::unique_ptr<FaceDetector>> detector =
      FaceDetector::OpenBlazeFace({"/nonexistent/model.onnx", BlazeFacePath().front_onnx}, {});
  ASSERT_FALSE(detector.ok());
  EXPECT_EQ(detector.status().code(), base::Code::kNotFound);
  EXPECT_NE(detector.status().message().find("/nonexistent/model.onnx"), std::string::npos);
  detector = FaceDetector::OpenBlazeFace({BlazeFacePath().back_onnx, "/nonexistent/front.onnx"}, {});
  ASSERT_FALSE(detector.ok());
  EXPECT_EQ(detector.status().code(), base::Code::kNotFound);
  EXPECT_NE(detector.status().message().find("/nonexistent/front.onnx"), std::string::npos);
}

TEST(FaceDetectorTest, RefusesAFileThatIsNoBlazeFaceModelNamingIt) {
  const std::string path = ::testing::TempDir() + "/not_a_model.onnx";
  std::ofstream(path) << "not an onnx model";
  base::Result<std::unique_ptr<FaceDetector>> detector =
      FaceDetector::OpenBlazeFace({BlazeFacePath().back_onnx, path}, {});
  std::remove(path.c_str());
  ASSERT_FALSE(detector.ok());
  EXPECT_EQ(detector.status().code(), base::Code::kCorrupt);
  EXPECT_NE(detector.status().message().find(path), std::string::npos) << detector.status().ToString();
}

TEST(FaceDetectorTest, RejectsAnEmptyImage) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  EXPECT_EQ(detector->Detect(model::RgbImage{}).status().code(), base::Code::kInvalidArgument);
}

TEST(FaceDetectorTest, GivesTheSameAnswerFromSeveralThreadsAtOnce) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  const model::RgbImage image = Fixture("vladmandic_sample4.jpg");
  auto run = [&] { return detector->Detect(image); };
  std::vector<std::future<base::Result<std::vector<FaceDetection>>>> runs;
  for (int i = 0; i < 4; ++i) runs.push_back(std::async(std::launch::async, run));
  for (auto& r : runs) {
    base::Result<std::vector<FaceDetection>> faces = r.get();
    ASSERT_TRUE(faces.ok());
    EXPECT_EQ(faces->size(), 4u);
  }
}

// A network instance reallocates its buffers for every new input shape; photos of other sizes in between leave a
// photo's faces exactly as they were.
TEST(FaceDetectorTest, PhotosOfOtherSizesInBetweenLeaveTheAnswerExactlyAsItWas) {
  auto detector = OpenBlazeFace();
  ASSERT_NE(detector, nullptr);
  const model::RgbImage group = Fixture("vladmandic_sample4.jpg");
  base::Result<std::vector<FaceDetection>> first = detector->Detect(group);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 4u);
  for (const char* other : {"obama.jpg", "skimage_coffee.jpg", "vladmandic_sample1.jpg"}) {
    ASSERT_TRUE(detector->Detect(Fixture(other)).ok()) << other;
  }
  base::Result<std::vector<FaceDetection>> again = detector->Detect(group);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), first->size());
  for (size_t i = 0; i < first->size(); ++i) {
    EXPECT_FLOAT_EQ((*again)[i].box.x, (*first)[i].box.x);
    EXPECT_FLOAT_EQ((*again)[i].box.y, (*first)[i].box.y);
    EXPECT_FLOAT_EQ((*again)[i].box.width, (*first)[i].box.width);
    EXPECT_FLOAT_EQ((*again)[i].score, (*first)[i].score);
  }
}

TEST(FaceDetectorTest, HogFallbackFindsAPortraitFaceAndNoneInAStillLife) {
  base::Result<std::unique_ptr<FaceDetector>> detector = FaceDetector::OpenHog({});
  ASSERT_TRUE(detector.ok());
  EXPECT_STREQ((*detector)->name(), "hog");
  EXPECT_EQ(CountFaces(**detector, "obama.jpg"), 1u);
  EXPECT_EQ(CountFaces(**detector, "skimage_coffee.jpg"), 0u);
}

TEST(FaceDetectorTest, HaarCascadeOpensAndFindsAPortraitFace) {
  base::Result<std::unique_ptr<FaceDetector>> detector =
      FaceDetector::OpenHaar("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml", {});
  ASSERT_TRUE(detector.ok()) << detector.status().ToString();
  EXPECT_GE(CountFaces(**detector, "obama.jpg"), 1u);
  EXPECT_FALSE(FaceDetector::OpenHaar("/nonexistent.xml", {}).ok());
}

TEST(DetectionHelpersTest, IntersectionOverUnionOfBoxes) {
  EXPECT_FLOAT_EQ(IntersectionOverUnion({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0f);
  EXPECT_FLOAT_EQ(IntersectionOverUnion({0, 0, 10, 10}, {20, 20, 10, 10}), 0.0f);
  EXPECT_FLOAT_EQ(IntersectionOverUnion({0, 0, 10, 10}, {5, 0, 10, 10}), 50.0f / 150.0f);
  EXPECT_FLOAT_EQ(IntersectionOverUnion({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0f);
}

TEST(DetectionHelpersTest, SuppressionKeepsTheBestOfOverlappingBoxes) {
  std::vector<FaceDetection> in = {
      {{0, 0, 10, 10}, 0.7f, {}}, {{1, 1, 10, 10}, 0.9f, {}}, {{50, 50, 10, 10}, 0.8f, {}}};
  std::vector<FaceDetection> kept = SuppressOverlaps(in, 0.3f);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_FLOAT_EQ(kept[1].score, 0.8f);
}

TEST(DetectionHelpersTest, SuppressionDropsAPartOfAFaceInsideTheWholeFace) {
  std::vector<FaceDetection> in = {{{0, 0, 100, 100}, 0.9f, {}}, {{40, 40, 50, 50}, 0.8f, {}}};
  std::vector<FaceDetection> kept = SuppressOverlaps(in, 0.3f);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FLOAT_EQ(kept[0].box.width, 100);
}

TEST(DetectionHelpersTest, ABoxAroundABetterScoredFaceIsDropped) {
  std::vector<FaceDetection> found = {{{100, 100, 50, 50}, 0.93f, {}},  // a face
                                      {{75, 80, 103, 103}, 0.77f, {}},  // the region around it
                                      {{60, 60, 140, 140}, 0.95f, {}},  // a better box around: kept
                                      {{400, 100, 50, 50}, 0.80f, {}}};
  DropBoxesAroundBetterFaces(&found);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_FLOAT_EQ(found[0].box.width, 50);
  EXPECT_FLOAT_EQ(found[1].box.width, 140);
  EXPECT_FLOAT_EQ(found[2].box.x, 400);
}

TEST(DetectionHelpersTest, WhatWasKeptFirstWinsOverABetterScoredOverlap) {
  std::vector<FaceDetection> kept = {{{100, 100, 56, 56}, 0.95f, {}}};  // whole-image pass
  std::vector<FaceDetection> more = {{{101, 102, 53, 53}, 0.96f, {}}, {{300, 100, 40, 40}, 0.8f, {}}};  // tiles
  AddWithoutOverlaps(kept, more, 0.3f);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].box.width, 56);  // the first box stays although the tile scored higher
  EXPECT_FLOAT_EQ(kept[1].box.x, 300);     // a face only the tiles found is added
  // SuppressOverlaps itself keeps the best score.
  std::vector<FaceDetection> both = {{{100, 100, 56, 56}, 0.95f, {}}, {{101, 102, 53, 53}, 0.96f, {}}};
  EXPECT_FLOAT_EQ(SuppressOverlaps(both, 0.3f).front().box.width, 53);
}

TEST(DetectionHelpersTest, LimitsDropSmallAndUnsureDetections) {
  FaceDetectorOptions options;  // 32 px, 0.65
  ASSERT_EQ(options.min_face_size_px, 32);
  std::vector<FaceDetection> in = {{{0, 0, 31, 31}, 0.9f, {}}, {{0, 0, 80, 80}, 0.6f, {}}, {{0, 0, 32, 32}, 0.65f, {}}};
  std::vector<FaceDetection> kept = ApplyDetectionLimits(in, options);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_FLOAT_EQ(kept[0].box.width, 32);
}

}  // namespace
}  // namespace triage::vision
