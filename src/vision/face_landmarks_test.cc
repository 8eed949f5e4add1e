// Specification of landmark location and chip alignment.
#include "vision/face_landmarks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "vision/decode.h"
#include "vision/face_detector.h"

namespace triage::vision {
namespace {

constexpr char kShapePredictor[] = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

model::RgbImage Fixture(const std::string& name) {
  base::Result<Decoded> decoded =
      DecodeImage(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/" + name, DecodeOptions{});
  EXPECT_TRUE(decoded.ok()) << name << ": " << decoded.status().ToString();
  return decoded.ok() ? decoded->image : model::RgbImage{};
}

model::Point Mean(const std::vector<model::Point>& points, int first, int last) {
  model::Point mean;
  for (int i = first; i <= last; ++i) {
    mean.x += points[i].x / (last - first + 1);
    mean.y += points[i].y / (last - first + 1);
  }
  return mean;
}

// Finds the one face of a portrait with the HOG detector (needs no downloaded weights).
model::Box PortraitBox(const model::RgbImage& image) {
  auto detector = FaceDetector::OpenHog({});
  EXPECT_TRUE(detector.ok());
  auto faces = (*detector)->Detect(image);
  EXPECT_TRUE(faces.ok() && faces->size() == 1u);
  return faces.ok() && !faces->empty() ? faces->front().box : model::Box{};
}

TEST(FaceLandmarkerTest, PlacesSixtyEightPointsWithEyesAboveMouthInsideTheFace) {
  auto landmarker = FaceLandmarker::Open(kShapePredictor);
  ASSERT_TRUE(landmarker.ok()) << landmarker.status().ToString();
  const model::RgbImage image = Fixture("obama.jpg");
  const model::Box box = PortraitBox(image);
  auto faces = (*landmarker)->Align(image, {box});
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_EQ(faces->size(), 1u);
  const std::vector<model::Point>& points = faces->front().landmarks;
  ASSERT_EQ(points.size(), 68u);
  const model::Point left_eye = Mean(points, 36, 41);
  const model::Point right_eye = Mean(points, 42, 47);
  const model::Point mouth = Mean(points, 48, 67);
  EXPECT_LT(left_eye.x, right_eye.x);  // image left is the person's right eye, dlib's points 36..41
  EXPECT_LT(left_eye.y, mouth.y);
  EXPECT_LT(right_eye.y, mouth.y);
  for (const model::Point& p : {left_eye, right_eye, mouth}) {
    EXPECT_GT(p.x, box.x);
    EXPECT_LT(p.x, box.x + box.width);
  }
}

TEST(FaceLandmarkerTest, CutsALevelChipOfTheStandardSize) {
  auto landmarker = FaceLandmarker::Open(kShapePredictor);
  ASSERT_TRUE(landmarker.ok());
  const model::RgbImage image = Fixture("obama2.jpg");
  auto faces = (*landmarker)->Align(image, {PortraitBox(image)});
  ASSERT_TRUE(faces.ok());
  ASSERT_EQ(faces->size(), 1u);
  const model::RgbImage& chip = faces->front().chip;
  ASSERT_EQ(chip.width, kFaceChipSizePx);
  ASSERT_EQ(chip.height, kFaceChipSizePx);
  ASSERT_EQ(chip.pixels.size(), 150u * 150u * 3u);
  // Landmarks found again on the chip: eyes level and where dlib's alignment template puts them.
  auto on_chip = (*landmarker)->Align(chip, {model::Box{0, 0, 150, 150}});
  ASSERT_TRUE(on_chip.ok());
  const model::Point left_eye = Mean(on_chip->front().landmarks, 36, 41);
  const model::Point right_eye = Mean(on_chip->front().landmarks, 42, 47);
  EXPECT_NEAR(left_eye.y, right_eye.y, 4.0);
  EXPECT_NEAR((left_eye.x + right_eye.x) / 2, 75.0, 6.0);
  EXPECT_NEAR(right_eye.x - left_eye.x, 50.0, 10.0);
}

TEST(FaceLandmarkerTest, ReportsAMissingModelAsNotFound) {
  auto landmarker = FaceLandmarker::Open("/nonexistent/shape_predictor.dat");
  ASSERT_FALSE(landmarker.ok());
  EXPECT_EQ(landmarker.status().code(), base::Code::kNotFound);
}

TEST(FaceLandmarkerTest, ReportsAGarbledModelAsCorrupt) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "triage_garbled_predictor.dat";
  std::ofstream(path) << "this is not a shape predictor";
  auto landmarker = FaceLandmarker::Open(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(landmarker.ok());
  EXPECT_EQ(landmarker.status().code(), base::Code::kCorrupt);
}

TEST(FaceLandmarkerTest, RejectsAnEmptyImage) {
  auto landmarker = FaceLandmarker::Open(kShapePredictor);
  ASSERT_TRUE(landmarker.ok());
  EXPECT_EQ((*landmarker)->Align(model::RgbImage{}, {}).status().code(), base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace triage::vision
