// Specification of the eye measures (contrast, edge ratio), on drawn eyes with known answers.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "vision/quality_internal.h"

namespace triage::vision::internal {
namespace {

// A skin-grey face, 68 points with both eyes 30 px wide at y = 100 (opening 6 px, as a squint) and each eye drawn
// open (white sclera, dark iris) or closed (skin with a line of lashes).
struct DrawnFace {
  cv::Mat grey = cv::Mat(200, 200, CV_8U, cv::Scalar(150));
  std::vector<model::Point> points = std::vector<model::Point>(68, model::Point{100, 150});
};

DrawnFace Face(bool open) {
  DrawnFace f;
  for (int first : {36, 42}) {
    const float x0 = first == 36 ? 50.0f : 120.0f, y = 100;
    f.points[first] = {x0, y};
    f.points[first + 1] = {x0 + 10, y - 3};
    f.points[first + 2] = {x0 + 20, y - 3};
    f.points[first + 3] = {x0 + 30, y};
    f.points[first + 4] = {x0 + 20, y + 3};
    f.points[first + 5] = {x0 + 10, y + 3};
    if (open) {
      cv::ellipse(f.grey, cv::Point(int(x0 + 15), int(y)), cv::Size(15, 4), 0, 0, 360, cv::Scalar(230), cv::FILLED);
      cv::circle(f.grey, cv::Point(int(x0 + 15), int(y)), 5, cv::Scalar(40), cv::FILLED);
    } else {
      cv::line(f.grey, cv::Point(int(x0 + 2), int(y + 1)), cv::Point(int(x0 + 28), int(y + 1)), cv::Scalar(60), 1);
    }
  }
  return f;
}

TEST(EyeMeasuresTest, IrisOnScleraIsHighContrastAndHorizontalStepsAClosedLidNeither) {
  const DrawnFace open = Face(true), closed = Face(false);
  const EyeMeasures o = MeasureEyes(open.grey, open.points, 1.0), c = MeasureEyes(closed.grey, closed.points, 1.0);
  EXPECT_GT(o.contrast, 0.30);  // the default blink_open_contrast
  EXPECT_GT(c.contrast, 0);
  EXPECT_LT(c.contrast, 0.30);
  // An iris's sides make horizontal steps, a line of lashes vertical ones.
  EXPECT_GT(o.edge_ratio, 0.45);  // the default blink_open_edge_ratio
  EXPECT_GE(c.edge_ratio, 0);
  EXPECT_LT(c.edge_ratio, 0.45);
  // An even patch has no steps at all.
  DrawnFace even;
  EXPECT_NEAR(MeasureEyes(even.grey, open.points, 1.0).edge_ratio, 0, 1e-9);
}

TEST(EyeMeasuresTest, DoesNotDependOnTheRasterScale) {
  const DrawnFace open = Face(true);
  cv::Mat half;
  cv::resize(open.grey, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
  EXPECT_NEAR(MeasureEyes(half, open.points, 0.5).contrast, MeasureEyes(open.grey, open.points, 1.0).contrast, 0.08);
}

TEST(EyeMeasuresTest, AreMinusOneWithoutLandmarksOrForTinyEyes) {
  const DrawnFace open = Face(true);
  for (const EyeMeasures& m : {MeasureEyes(open.grey, {}, 1.0), MeasureEyes(cv::Mat(), open.points, 1.0),
                               MeasureEyes(open.grey, open.points, 0.1)}) {  // the last: 3 px wide eyes
    EXPECT_EQ(m.contrast, -1);
    EXPECT_EQ(m.edge_ratio, -1);
  }
}

}  // namespace
}  // namespace triage::vision::internal
