// Specification of the eye aspect ratio.
#include "faces/eye_aspect_ratio.h"

#include <gtest/gtest.h>

namespace triage::faces {
namespace {

// 68 points with both eyes drawn as hexagons of the given width and lid opening.
std::vector<model::Point> FaceWithEyes(float width, float opening) {
  std::vector<model::Point> points(68, model::Point{50, 50});
  for (int first : {36, 42}) {
    const float x0 = first == 36 ? 20.0f : 60.0f;
    points[first] = {x0, 40};
    points[first + 1] = {x0 + width / 3, 40 - opening / 2};
    points[first + 2] = {x0 + 2 * width / 3, 40 - opening / 2};
    points[first + 3] = {x0 + width, 40};
    points[first + 4] = {x0 + 2 * width / 3, 40 + opening / 2};
    points[first + 5] = {x0 + width / 3, 40 + opening / 2};
  }
  return points;
}

TEST(EyeAspectRatioTest, IsOpeningOverWidth) {
  EXPECT_NEAR(EyeAspectRatio(FaceWithEyes(30, 9)), 0.3, 1e-6);
  EXPECT_NEAR(EyeAspectRatio(FaceWithEyes(30, 1.5)), 0.05, 1e-6);
}

TEST(EyeAspectRatioTest, SeparatesOpenFromClosedEyes) {
  EXPECT_GT(EyeAspectRatio(FaceWithEyes(30, 9)), kClosedEyeAspectRatio);
  EXPECT_LT(EyeAspectRatio(FaceWithEyes(30, 2)), kClosedEyeAspectRatio);
  // Lids that dlib leaves a little apart on a closed eye (0.18) count as closed; a squinting smile (0.24) as open.
  EXPECT_LT(EyeAspectRatio(FaceWithEyes(30, 5.4f)), kClosedEyeAspectRatio);
  EXPECT_GT(EyeAspectRatio(FaceWithEyes(30, 7.2f)), kClosedEyeAspectRatio);
}

TEST(EyeAspectRatioTest, IsZeroWithoutSixtyEightLandmarks) {
  EXPECT_EQ(EyeAspectRatio({}), 0);
  EXPECT_EQ(EyeAspectRatio(std::vector<model::Point>(5)), 0);
  EXPECT_EQ(EyeAspectRatio(FaceWithEyes(0, 0)), 0);
}

}  // namespace
}  // namespace triage::faces
