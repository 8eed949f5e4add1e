// Specification of the quality measures, on generated rasters with known answers.
#include "vision/quality_metrics.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <random>

namespace triage::vision {
namespace {

model::RgbImage Flat(int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  model::RgbImage img{w, h, std::vector<uint8_t>(size_t(w) * h * 3)};
  for (size_t i = 0; i < img.pixels.size(); i += 3) img.pixels[i] = r, img.pixels[i + 1] = g, img.pixels[i + 2] = b;
  return img;
}

// Smooth colour gradients with random discs: a stand-in for a photo with edges and colour.
model::RgbImage Scene(int w, int h, unsigned seed = 7) {
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x)
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(uint8_t(40 + 150 * x / w), uint8_t(60 + 120 * y / h), 90);
  }
  std::mt19937 rng(seed);
  for (int i = 0; i < 60; ++i) {
    cv::circle(m, {int(rng() % w), int(rng() % h)}, int(5 + rng() % 40),
               cv::Scalar(rng() % 256, rng() % 256, rng() % 256), cv::FILLED, cv::LINE_AA);
  }
  return {w, h, std::vector<uint8_t>(m.data, m.data + m.total() * 3)};
}

cv::Mat View(model::RgbImage& img) { return cv::Mat(img.height, img.width, CV_8UC3, img.pixels.data()); }

TEST(QualityMetricsTest, FlatGreyHasNoSharpnessNoNoiseAndIsMonochrome) {
  model::QualityMetrics q = MeasureQuality(Flat(300, 200, 128, 128, 128));
  ASSERT_TRUE(q.measured);
  EXPECT_DOUBLE_EQ(q.sharpness, 0);
  EXPECT_DOUBLE_EQ(q.tenengrad, 0);
  EXPECT_DOUBLE_EQ(q.noise_sigma, 0);
  EXPECT_DOUBLE_EQ(q.mean_saturation, 0);
  EXPECT_DOUBLE_EQ(q.colourfulness, 0);
  EXPECT_NEAR(q.mean_luminance, 128 / 255.0, 1e-6);
  EXPECT_DOUBLE_EQ(q.dynamic_range_stops, 0);
}

TEST(QualityMetricsTest, ClippingIsTheShareOfPureBlackAndPureWhitePixels) {
  // Top 30% white, bottom 20% black, the rest mid grey.
  model::RgbImage img = Flat(100, 100, 128, 128, 128);
  cv::Mat m = View(img);
  m(cv::Rect(0, 0, 100, 30)).setTo(cv::Scalar(255, 255, 255));
  m(cv::Rect(0, 80, 100, 20)).setTo(cv::Scalar(0, 0, 0));
  model::QualityMetrics q = MeasureQuality(img);
  EXPECT_NEAR(q.highlight_clip_percent, 30, 1e-9);
  EXPECT_NEAR(q.shadow_clip_percent, 20, 1e-9);
}

TEST(QualityMetricsTest, NoiseSigmaEstimatesAddedGaussianNoise) {
  model::RgbImage img = Flat(400, 300, 120, 120, 120);
  cv::Mat noise(300, 400, CV_8UC3), m = View(img);
  cv::randn(noise, 0, 10);
  cv::Mat f;
  m.convertTo(f, CV_32FC3);
  cv::Mat n32(300, 400, CV_32FC3);
  cv::randn(n32, cv::Scalar::all(0), cv::Scalar::all(10));
  f += n32;
  f.convertTo(m, CV_8UC3);
  double sigma = MeasureQuality(img).noise_sigma;
  // Grey is the mean of three channels' independent noise; the 10% strongest responses are skipped.
  EXPECT_GT(sigma, 3);
  EXPECT_LT(sigma, 10);
}

TEST(QualityMetricsTest, BlurLowersSharpnessAndTenengrad) {
  model::RgbImage sharp = Scene(800, 600), blurred = sharp;
  cv::Mat b = View(blurred);
  cv::GaussianBlur(b, b, cv::Size(), 2);
  model::QualityMetrics qs = MeasureQuality(sharp), qb = MeasureQuality(blurred);
  EXPECT_GT(qs.sharpness, 2 * qb.sharpness);
  EXPECT_GT(qs.tenengrad, qb.tenengrad);
}

TEST(QualityMetricsTest, SharpnessComparesAcrossDecodedSizes) {
  // The same scene decoded at 2048 and at 1024 px is measured on the same working raster.
  model::RgbImage big = Scene(2048, 1536), small;
  cv::Mat s;
  cv::resize(View(big), s, cv::Size(1024, 768), 0, 0, cv::INTER_AREA);
  small = {1024, 768, std::vector<uint8_t>(s.data, s.data + s.total() * 3)};
  double a = MeasureQuality(big).sharpness, b = MeasureQuality(small).sharpness;
  EXPECT_NEAR(a / b, 1.0, 0.05);
}

TEST(QualityMetricsTest, GreyPictureIsUnsaturatedAndColourfulOneIsNot) {
  model::RgbImage colour = Scene(400, 300), grey = colour;
  cv::Mat g = View(grey), one;
  cv::cvtColor(g, one, cv::COLOR_RGB2GRAY);
  cv::cvtColor(one, g, cv::COLOR_GRAY2RGB);
  EXPECT_LT(MeasureQuality(grey).mean_saturation, 0.01);
  EXPECT_GT(MeasureQuality(colour).mean_saturation, 0.2);
  EXPECT_GT(MeasureQuality(colour).colourfulness, 20);
}

TEST(QualityMetricsTest, BrisqueIsMeasuredWhenTheModelIsInstalled) {
  double b = MeasureQuality(Scene(400, 300)).brisque;
  if (BrisqueAvailable()) {
    EXPECT_GE(b, 0);
    EXPECT_LE(b, 100);
  } else {
    EXPECT_EQ(b, -1);
  }
}

TEST(QualityMetricsTest, TiltedHorizonIsFound) {
  model::RgbImage img = Flat(800, 600, 200, 200, 230);
  cv::Mat m = View(img);
  // Dark ground below a line rising 5 degrees to the right.
  double rise = std::tan(5 * M_PI / 180) * 800;
  std::vector<cv::Point> ground = {{0, 400}, {800, int(400 - rise)}, {800, 600}, {0, 600}};
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{ground}, cv::Scalar(40, 80, 40));
  model::QualityMetrics q = MeasureQuality(img);
  ASSERT_TRUE(q.has_horizon);
  EXPECT_NEAR(std::abs(q.horizon_tilt_deg), 5, 1.5);
}

TEST(QualityMetricsTest, EmptyImageIsNotMeasured) { EXPECT_FALSE(MeasureQuality({}).measured); }

}  // namespace
}  // namespace triage::vision
