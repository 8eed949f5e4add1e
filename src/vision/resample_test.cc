#include "vision/resample.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace triage::vision::internal {
namespace {

// Largest difference, in grey levels, between two rasters of the same size and type.
double MaxDifference(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  double max = 0;
  cv::minMaxLoc(diff.reshape(1), nullptr, &max);
  return max;
}

cv::Mat Noise(cv::Size size, int type) {
  cv::Mat m(size, type);
  cv::RNG rng(7);
  rng.fill(m, cv::RNG::UNIFORM, 0, 256);
  return m;
}

TEST(AreaResizeTest, EqualsOpenCvAreaAveragingWithinOneLevel) {
  for (int type : {CV_8UC1, CV_8UC3}) {
    const cv::Mat src = Noise({1600, 1130}, type);
    for (cv::Size size : {cv::Size(1024, 723), cv::Size(999, 701), cv::Size(512, 362), cv::Size(256, 181),
                          cv::Size(16, 16), cv::Size(1, 1), cv::Size(1600, 1), cv::Size(1600, 1130)}) {
      cv::Mat expected;
      cv::resize(src, expected, size, 0, 0, cv::INTER_AREA);
      const cv::Mat got = AreaResize(src, size);
      ASSERT_EQ(got.size(), size);
      ASSERT_EQ(got.type(), type);
      EXPECT_LE(MaxDifference(got, expected), 1) << size << " channels " << CV_MAT_CN(type);
    }
  }
}

TEST(AreaResizeTest, KeepsAFlatRasterFlatAndAveragesAStep) {
  const cv::Mat flat(300, 400, CV_8UC1, cv::Scalar(77));
  EXPECT_EQ(MaxDifference(AreaResize(flat, {123, 97}), cv::Mat(97, 123, CV_8UC1, cv::Scalar(77))), 0);
  // Left half 0, right half 200; three columns to two: the middle source column is shared.
  cv::Mat step(1, 4, CV_8UC1, cv::Scalar(0));
  step.colRange(2, 4).setTo(200);
  const cv::Mat two = AreaResize(step, {2, 1});
  EXPECT_EQ(two.at<uint8_t>(0, 0), 0);
  EXPECT_EQ(two.at<uint8_t>(0, 1), 200);
  cv::Mat three(1, 3, CV_8UC1);
  three.at<uint8_t>(0, 0) = 0, three.at<uint8_t>(0, 1) = 90, three.at<uint8_t>(0, 2) = 180;
  const cv::Mat halves = AreaResize(three, {2, 1});  // each output: 2/3 of an end pixel + 1/3 of the middle one
  EXPECT_EQ(halves.at<uint8_t>(0, 0), 30);
  EXPECT_EQ(halves.at<uint8_t>(0, 1), 150);
}

TEST(AreaResizeTest, RefusesToEnlarge) {
  const cv::Mat src = Noise({40, 30}, CV_8UC1);
  EXPECT_THROW(AreaResize(src, {41, 30}), cv::Exception);
  EXPECT_THROW(AreaResize(src, {0, 30}), cv::Exception);
}

TEST(ResampleTest, ShrinksThroughHalvingStepsToTheRequestedSize) {
  // A picture without pixel-level detail: halving first changes which source pixels share an output pixel's edge,
  // which on noise alone moves values far, on a picture by a few levels at most and under half a level on average.
  cv::Mat src = Noise({4000, 3000}, CV_8UC1);
  cv::GaussianBlur(src, src, cv::Size(0, 0), 6);
  cv::normalize(src, src, 0, 255, cv::NORM_MINMAX);
  const cv::Mat out = Resample(src, 1024.0 / 4000);
  EXPECT_EQ(out.size(), cv::Size(1024, 768));
  cv::Mat expected;
  cv::resize(src, expected, out.size(), 0, 0, cv::INTER_AREA);
  EXPECT_LE(MaxDifference(out, expected), 6);
  EXPECT_LT(cv::norm(out, expected, cv::NORM_L1) / double(out.total()), 0.5);
  EXPECT_EQ(Resample(src, 1.0).data, src.data);  // nothing to do: the same raster
  EXPECT_EQ(Resample(src, 0.5).size(), cv::Size(2000, 1500));
  EXPECT_EQ(Resample(Noise({100, 50}, CV_8UC3), 2.0).size(), cv::Size(200, 100));
}

// Enlarging (what a face pass does to show small faces larger) is OpenCV's bilinear resize, to exactly the size asked.
TEST(ResampleTest, EnlargesBilinearlyToTheRequestedSize) {
  const cv::Mat src = Noise({101, 67}, CV_8UC3);
  const cv::Mat out = ResampleTo(src, {203, 135});
  ASSERT_EQ(out.size(), cv::Size(203, 135));
  cv::Mat expected;
  cv::resize(src, expected, out.size(), 0, 0, cv::INTER_LINEAR);
  EXPECT_EQ(MaxDifference(out, expected), 0);
}

}  // namespace
}  // namespace triage::vision::internal
