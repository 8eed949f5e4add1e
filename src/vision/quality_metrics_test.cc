// Specification of the quality measures, on generated rasters with known answers.
#include "vision/quality_metrics.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
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

// A raster of twice the working size or more is halved in colour first and turned grey only where pixel-level measures
// read it (centre square, sampled rows): it measures as the same scene decoded at half size does.
TEST(QualityMetricsTest, TwelveMegapixelRasterMeasuresAsItsHalfSizeDecode) {
  model::RgbImage big = Scene(4000, 3000, 11);
  cv::Mat b = View(big);
  b(cv::Rect(0, 0, 4000, 600)).setTo(cv::Scalar(255, 255, 255));  // 20% blown out
  b(cv::Rect(0, 2850, 4000, 150)).setTo(cv::Scalar(0, 0, 0));     // 5% crushed
  cv::Mat h;
  cv::resize(b, h, cv::Size(2000, 1500), 0, 0, cv::INTER_AREA);
  const model::RgbImage half{2000, 1500, std::vector<uint8_t>(h.data, h.data + h.total() * 3)};
  const model::QualityMetrics qb = MeasureQuality(big), qh = MeasureQuality(half);
  ASSERT_TRUE(qb.measured);
  EXPECT_EQ(qb.working_width, 1024);
  EXPECT_EQ(qb.working_height, 768);
  EXPECT_NEAR(qb.sharpness / qh.sharpness, 1.0, 0.05);
  EXPECT_NEAR(qb.highlight_clip_percent, 20, 0.5);
  EXPECT_NEAR(qb.shadow_clip_percent, 5, 0.5);
  EXPECT_NEAR(qb.mean_luminance, qh.mean_luminance, 0.01);
  EXPECT_NEAR(qb.colourfulness, qh.colourfulness, 0.02 * qh.colourfulness);
  EXPECT_NEAR(qb.mean_saturation, qh.mean_saturation, 0.01);
  EXPECT_NEAR(qb.dynamic_range_stops, qh.dynamic_range_stops, 0.1);
  EXPECT_NEAR(qb.thirds, qh.thirds, 0.05);
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

// Grass below the same horizon: blocks of grain up to 96 grey levels, whose edges cover the ground. The lines are
// searched among the strongest edges, so the horizon is found and the grain makes no leading lines. (Among all the
// edges, the grain's rows made a level "horizon" and diagonal lines of 0.24.)
TEST(QualityMetricsTest, TiltedHorizonIsFoundAboveGrassAndTheGrassMakesNoLines) {
  model::RgbImage img = Flat(800, 600, 200, 200, 230);
  cv::Mat m = View(img);
  double rise = std::tan(5 * M_PI / 180) * 800;
  std::vector<cv::Point> ground = {{0, 400}, {800, int(400 - rise)}, {800, 600}, {0, 600}};
  cv::Mat grain(600, 800, CV_8UC3), coarse(150, 200, CV_8UC3);
  cv::theRNG().state = 7;
  cv::randu(coarse, cv::Scalar::all(0), cv::Scalar::all(96));
  cv::resize(coarse, grain, grain.size(), 0, 0, cv::INTER_NEAREST);  // blades 4 px wide
  cv::Mat mask = cv::Mat::zeros(600, 800, CV_8U);
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{ground}, cv::Scalar(255));
  cv::Mat grass = cv::Mat(600, 800, CV_8UC3, cv::Scalar(20, 50, 20)) + grain;
  grass.copyTo(m, mask);
  model::QualityMetrics q = MeasureQuality(img);
  ASSERT_TRUE(q.has_horizon);
  EXPECT_NEAR(std::abs(q.horizon_tilt_deg), 5, 1.5);
  EXPECT_LT(q.leading_lines, 0.05);
}

model::RgbImage FromMat(const cv::Mat& m) {
  return {m.cols, m.rows, std::vector<uint8_t>(m.data, m.data + m.total() * 3)};
}

// A textured scene: the discs plus fine noise-like detail, as a photo's surfaces have.
model::RgbImage TexturedScene(int w, int h) {
  model::RgbImage img = Scene(w, h);
  cv::Mat m = View(img), grain(h, w, CV_8UC3);
  cv::randu(grain, cv::Scalar::all(0), cv::Scalar::all(24));
  m += grain;
  return img;
}

model::RgbImage JpegCopy(model::RgbImage img, int quality) {
  std::vector<uint8_t> bytes;
  cv::imencode(".jpg", View(img), bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
  return FromMat(cv::imdecode(bytes, cv::IMREAD_COLOR));  // channel order does not matter here
}

TEST(QualityMetricsTest, JpegAtQuality15IsBlockierThanTheOriginal) {
  model::RgbImage original = TexturedScene(800, 600);
  double clean = MeasureQuality(original).blockiness, q15 = MeasureQuality(JpegCopy(original, 15)).blockiness;
  EXPECT_LT(clean, 1.1);
  EXPECT_GT(q15, 1.5);
  EXPECT_GT(q15, MeasureQuality(JpegCopy(original, 90)).blockiness);
}

TEST(QualityMetricsTest, BlocksAreFoundInARasterDecodedSmaller) {
  // A 1600 px JPEG at quality 15 decoded at 800 px: its 8 px blocks repeat every 4 px of the raster.
  model::RgbImage q15 = JpegCopy(TexturedScene(1600, 1200), 15), original = TexturedScene(1600, 1200);
  cv::Mat half;
  cv::resize(View(q15), half, cv::Size(800, 600), 0, 0, cv::INTER_AREA);
  cv::Mat clean_half;
  cv::resize(View(original), clean_half, cv::Size(800, 600), 0, 0, cv::INTER_AREA);
  EXPECT_GT(MeasureQuality(FromMat(half), {}, 2.0).blockiness, 1.3);
  EXPECT_LT(MeasureQuality(FromMat(clean_half), {}, 2.0).blockiness, 1.1);
}

TEST(QualityMetricsTest, BlocksAreFoundInAJpegShrunkToHalfAfterItWasSaved) {
  // The same half-size raster as a file of its own (decoded at full size): its blocks still repeat every 4 px.
  model::RgbImage q15 = JpegCopy(TexturedScene(1600, 1200), 15), original = TexturedScene(1600, 1200);
  cv::Mat half, clean_half;
  cv::resize(View(q15), half, cv::Size(800, 600), 0, 0, cv::INTER_AREA);
  cv::resize(View(original), clean_half, cv::Size(800, 600), 0, 0, cv::INTER_AREA);
  EXPECT_GT(MeasureQuality(FromMat(half)).blockiness, 1.3);
  EXPECT_LT(MeasureQuality(FromMat(clean_half)).blockiness, 1.1);
}

TEST(QualityMetricsTest, StretchedTonesArePosterizedAndTheOriginalIsNot) {
  model::RgbImage original = TexturedScene(800, 600), pushed = original;
  cv::Mat p = View(pushed);
  p.convertTo(p, CV_8UC3, 1.6);  // levels 0..159 spread over 0..255: about 3 in 8 levels stay empty
  EXPECT_LT(MeasureQuality(original).posterized_percent, 2);
  EXPECT_NEAR(MeasureQuality(pushed).posterized_percent, 37.5, 4);
}

TEST(QualityMetricsTest, DownscaledCopyIsLessSharpAtTheWorkingSize) {
  model::RgbImage original = TexturedScene(1600, 1200);
  cv::Mat half;
  cv::resize(View(original), half, cv::Size(800, 600), 0, 0, cv::INTER_AREA);
  model::QualityMetrics full = MeasureQuality(original), small = MeasureQuality(FromMat(half));
  EXPECT_EQ(full.working_width, small.working_width);
  EXPECT_GT(full.sharpness, 1.5 * small.sharpness);
}

void AddNoise(model::RgbImage& img, double sigma) {
  cv::Mat m = View(img), f, noise(img.height, img.width, CV_32FC3);
  m.convertTo(f, CV_32FC3);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(sigma));
  cv::Mat(f + noise).convertTo(m, CV_8UC3);
}

TEST(QualityMetricsTest, IsolationIsHighForOneSharpPartAndSurvivesNoise) {
  // A blurred scene with one sharp patch in the middle.
  model::RgbImage img = TexturedScene(1200, 900), plain = TexturedScene(1200, 900);
  cv::Mat m = View(img), sharp = m(cv::Rect(450, 340, 300, 220)).clone();
  cv::GaussianBlur(m, m, cv::Size(), 8);
  sharp.copyTo(m(cv::Rect(450, 340, 300, 220)));
  const double isolated = MeasureQuality(img).isolation;
  EXPECT_GT(isolated, 60);
  EXPECT_LT(MeasureQuality(plain).isolation, 10);
  // Under strong grain (what it adds to each tile taken out) it stays apart from a picture sharp all over.
  AddNoise(img, 10);
  AddNoise(plain, 10);
  EXPECT_GT(MeasureQuality(img).isolation, 2 * MeasureQuality(plain).isolation);
}

TEST(QualityMetricsTest, NoiseDoesNotLiftCrushedBlackOutOfTheClippedShare) {
  model::RgbImage img = Scene(800, 600);
  cv::Mat m = View(img);
  m(cv::Rect(0, 0, 800, 180)).setTo(cv::Scalar::all(0));  // 30% pure black
  double clean = MeasureQuality(img).shadow_clip_percent;
  AddNoise(img, 6);
  EXPECT_NEAR(clean, 30, 0.5);
  EXPECT_GT(MeasureQuality(img).shadow_clip_percent, 24);
}

TEST(QualityMetricsTest, EmptyImageIsNotMeasured) { EXPECT_FALSE(MeasureQuality({}).measured); }

}  // namespace
}  // namespace triage::vision
