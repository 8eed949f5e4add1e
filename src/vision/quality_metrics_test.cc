// Specification of the quality measures.
#include "vision/quality_metrics.h"

#include <gtest/gtest.h>

namespace triage::vision {
namespace {

model::RgbImage Checkerboard(int size, int cell, uint8_t lo, uint8_t hi) {
  model::RgbImage img{size, size, std::vector<uint8_t>(size_t(size) * size * 3)};
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      uint8_t v = ((x / cell + y / cell) % 2) ? hi : lo;
      for (int c = 0; c < 3; ++c) img.pixels[(size_t(y) * size + x) * 3 + c] = v;
    }
  }
  return img;
}

TEST(QualityMetricsTest, SharpEdgesScoreHigherThanFlat) {
  EXPECT_GT(MeasureQuality(Checkerboard(200, 4, 0, 255)).sharpness, 1000);
  EXPECT_DOUBLE_EQ(MeasureQuality(Checkerboard(200, 4, 128, 128)).sharpness, 0);
}

TEST(QualityMetricsTest, ExposureIsMeanLuminance) {
  EXPECT_NEAR(MeasureQuality(Checkerboard(100, 10, 255, 255)).exposure, 1.0, 1e-6);
  EXPECT_NEAR(MeasureQuality(Checkerboard(100, 10, 0, 0)).exposure, 0.0, 1e-6);
}

TEST(QualityMetricsTest, EmptyImageScoresZero) { EXPECT_EQ(MeasureQuality({}).sharpness, 0); }

}  // namespace
}  // namespace triage::vision
