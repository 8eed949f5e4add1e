// Specification of the near-duplicate check: each kind of near duplicate is accepted; other framings, mirror
// images, recoloured versions and smooth look-alikes whose perceptual hashes collide are rejected. Fixtures are
// made here (a textured synthetic photo, smooth gradients).
#include "vision/near_duplicate_check.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>

#include "vision/decode.h"

namespace triage::vision {
namespace {

model::RgbImage ToRgb(const cv::Mat& bgr) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  model::RgbImage out;
  out.width = rgb.cols;
  out.height = rgb.rows;
  out.pixels.assign(rgb.data, rgb.data + rgb.total() * 3);
  return out;
}

std::vector<uint8_t> SignatureOf(const cv::Mat& bgr) { return MakeSignature(ToRgb(bgr)); }

cv::Mat WithGrain(const cv::Mat& image, double sigma) {
  cv::Mat grain(image.size(), CV_16SC3), wide, out;
  cv::randn(grain, 0, sigma);
  image.convertTo(wide, CV_16SC3);
  wide += grain;
  wide.convertTo(out, CV_8UC3);
  return out;
}

// A photo-like picture: colour fields, overlapping shapes, a soft blur and grain.
cv::Mat Photo(uint64_t seed, int width = 900, int height = 600) {
  std::mt19937_64 rng(seed);
  cv::Mat coarse(4, 5, CV_8UC3);
  cv::randu(coarse, 30, 225);
  cv::Mat image;
  cv::resize(coarse, image, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);
  for (int i = 0; i < 40; ++i) {
    const cv::Point centre(static_cast<int>(rng() % width), static_cast<int>(rng() % height));
    const cv::Scalar colour(static_cast<double>(rng() % 256), static_cast<double>(rng() % 256),
                            static_cast<double>(rng() % 256));
    cv::circle(image, centre, 10 + static_cast<int>(rng() % 90), colour, cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(image, image, cv::Size(0, 0), 1.5);
  return WithGrain(image, 4);
}

cv::Mat Reencoded(const cv::Mat& image, const std::string& ext, int jpeg_quality = 60) {
  std::vector<uint8_t> bytes;
  cv::imencode(ext, image, bytes, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality});
  return cv::imdecode(bytes, cv::IMREAD_COLOR);
}

cv::Mat Half(const cv::Mat& image) {
  cv::Mat out;
  cv::resize(image, out, image.size() / 2, 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat Crop(const cv::Mat& image, double fraction_x, double fraction_y, double keep) {
  const int w = static_cast<int>(image.cols * keep), h = static_cast<int>(image.rows * keep);
  return image(cv::Rect(static_cast<int>(image.cols * fraction_x), static_cast<int>(image.rows * fraction_y), w, h))
      .clone();
}

cv::Mat Crop5(const cv::Mat& image) { return Crop(image, 0.025, 0.025, 0.95); }

cv::Mat Rotated(const cv::Mat& image, double degrees) {
  cv::Mat out;
  const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(image.cols / 2.0f, image.rows / 2.0f), degrees, 1.0);
  cv::warpAffine(image, out, m, image.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  return out;
}

// Turned by `degrees` and zoomed just enough to fill the frame again, as photo editors straighten a horizon.
cv::Mat RotatedFilled(const cv::Mat& image, double degrees) {
  const double a = std::abs(degrees) * CV_PI / 180,
               aspect = std::max(image.cols, image.rows) / static_cast<double>(std::min(image.cols, image.rows));
  cv::Mat out;
  const cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(image.cols / 2.0f, image.rows / 2.0f), degrees,
                                            std::cos(a) + aspect * std::sin(a));
  cv::warpAffine(image, out, m, image.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
  return out;
}

// Turned by `degrees` on a canvas grown to hold all of it, the corners white.
cv::Mat RotatedExpanded(const cv::Mat& image, double degrees) {
  const double a = std::abs(degrees) * CV_PI / 180;
  const int w = static_cast<int>(std::ceil(image.cols * std::cos(a) + image.rows * std::sin(a))),
            h = static_cast<int>(std::ceil(image.rows * std::cos(a) + image.cols * std::sin(a)));
  cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(image.cols / 2.0f, image.rows / 2.0f), degrees, 1.0);
  m.at<double>(0, 2) += (w - image.cols) / 2.0;
  m.at<double>(1, 2) += (h - image.rows) / 2.0;
  cv::Mat out;
  cv::warpAffine(image, out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(255));
  return out;
}

cv::Mat Brighter(const cv::Mat& image) {
  cv::Mat out;
  image.convertTo(out, -1, 1.10, 0);
  return out;
}

cv::Mat HueShifted(const cv::Mat& image, int degrees) {
  cv::Mat hsv;
  cv::cvtColor(image, hsv, cv::COLOR_BGR2HSV_FULL);
  hsv.forEach<cv::Vec3b>(
      [&](cv::Vec3b& p, const int*) { p[0] = static_cast<uint8_t>((p[0] + degrees * 256 / 360) & 255); });
  cv::Mat out;
  cv::cvtColor(hsv, out, cv::COLOR_HSV2BGR_FULL);
  return out;
}

// Turns the hue in Lab (a, b rotated), keeping lightness.
cv::Mat LabHueTurned(const cv::Mat& image, int degrees) {
  cv::Mat lab;
  cv::cvtColor(image, lab, cv::COLOR_BGR2Lab);
  const double c = std::cos(degrees * CV_PI / 180), s = std::sin(degrees * CV_PI / 180);
  lab.forEach<cv::Vec3b>([&](cv::Vec3b& p, const int*) {
    const double a = p[1] - 128.0, b = p[2] - 128.0;
    p[1] = cv::saturate_cast<uint8_t>(128 + c * a - s * b);
    p[2] = cv::saturate_cast<uint8_t>(128 + s * a + c * b);
  });
  cv::Mat out;
  cv::cvtColor(lab, out, cv::COLOR_Lab2BGR);
  return out;
}

// A vertical sky-like gradient from `top` to `bottom` (BGR), with profile t^bend and light grain.
cv::Mat Gradient(cv::Vec3d top, cv::Vec3d bottom, double bend) {
  cv::Mat out(600, 900, CV_8UC3);
  for (int y = 0; y < out.rows; ++y) {
    const double t = std::pow(static_cast<double>(y) / (out.rows - 1), bend);
    const cv::Vec3d c = top * (1 - t) + bottom * t;
    out.row(y).setTo(cv::Scalar(c[0], c[1], c[2]));
  }
  return WithGrain(out, 1.5);
}

int HashBits(const cv::Mat& a, const cv::Mat& b) {
  return std::popcount(PerceptualHash(ToRgb(a)) ^ PerceptualHash(ToRgb(b)));
}

struct Kind {
  const char* name;
  cv::Mat (*make)(const cv::Mat&);
};

const Kind kNearDuplicates[] = {
    {"re-encoded", [](const cv::Mat& m) { return Reencoded(m, ".jpg"); }},
    {"half size", [](const cv::Mat& m) { return Half(m); }},
    {"5% crop", [](const cv::Mat& m) { return Crop5(m); }},
    {"2 degree rotation", [](const cv::Mat& m) { return Rotated(m, 2); }},
    {"+10% brightness", [](const cv::Mat& m) { return Brighter(m); }},
    {"PNG", [](const cv::Mat& m) { return Reencoded(m, ".png"); }},
};

TEST(NearDuplicateCheckTest, SignatureHasItsFixedSize) {
  EXPECT_EQ(SignatureOf(Photo(1)).size(), kSignatureBytes);
  EXPECT_TRUE(MakeSignature(model::RgbImage()).empty());
}

// Intake takes both hashes and the signature from one shrunk copy of a large raster: they agree with those of the
// raster itself (the check accepts the pair) and with a copy decoded small, and the signature keeps the raster's size.
TEST(NearDuplicateCheckTest, FingerprintOfALargeRasterMatchesTheRasterAndItsSmallCopy) {
  const cv::Mat large = Photo(21, 1800, 1200);
  const ImageFingerprint f = FingerprintOf(ToRgb(large), 0.95);
  EXPECT_LE(std::popcount(f.phash ^ PerceptualHash(ToRgb(large))), 2);
  EXPECT_LE(std::popcount(f.phash_center ^ PerceptualHash(ToRgb(large), 0.95)), 2);
  EXPECT_LE(std::popcount(f.phash ^ PerceptualHash(ToRgb(Half(Half(large))))), 2);
  ASSERT_EQ(f.signature.size(), kSignatureBytes);
  EXPECT_EQ(f.signature[1] | f.signature[2] << 8, 1800);
  EXPECT_EQ(f.signature[3] | f.signature[4] << 8, 1200);
  EXPECT_TRUE(CheckNearDuplicate(f.signature, SignatureOf(large)).same);
  EXPECT_TRUE(CheckNearDuplicate(f.signature, SignatureOf(Half(large))).same);
  EXPECT_FALSE(CheckNearDuplicate(f.signature, SignatureOf(Photo(22, 1800, 1200))).same);
  // A raster no larger than the fingerprint side is used as it is.
  const cv::Mat small = Photo(23, 256, 170);
  const ImageFingerprint g = FingerprintOf(ToRgb(small), 0.95);
  EXPECT_EQ(g.phash, PerceptualHash(ToRgb(small)));
  EXPECT_EQ(g.phash_center, PerceptualHash(ToRgb(small), 0.95));
  EXPECT_EQ(g.signature, SignatureOf(small));
  EXPECT_TRUE(FingerprintOf(model::RgbImage(), 0.95).signature.empty());
}

TEST(NearDuplicateCheckTest, AcceptsEachKindOfNearDuplicateEitherWay) {
  for (uint64_t seed : {1, 2, 3}) {
    const cv::Mat original = Photo(seed);
    for (const Kind& kind : kNearDuplicates) {
      const auto a = SignatureOf(original), b = SignatureOf(kind.make(original));
      const NearDuplicateVerdict v = CheckNearDuplicate(b, a);
      EXPECT_TRUE(v.same) << kind.name << " (seed " << seed << "): " << v.reason << " correlation " << v.correlation
                          << " residual " << v.residual << " of " << v.allowed_residual << " chroma "
                          << v.chroma_difference;
      EXPECT_TRUE(CheckNearDuplicate(a, b).same) << kind.name << " as the query's original";
    }
  }
}

// A smooth scene (an underwater backdrop, a misty sky): its correlation hardly changes with scale or rotation.
cv::Mat SmoothScene(uint64_t seed) {
  cv::theRNG().state = seed;  // the grain
  cv::Mat smooth;
  cv::GaussianBlur(Photo(seed), smooth, cv::Size(0, 0), 100);
  return WithGrain(smooth, 1.5);
}

// ECC refining from the 5% crop's exact starting point can walk away to a worse fit: the starting point counts as an
// alignment.
TEST(NearDuplicateCheckTest, AcceptsEachKindOfNearDuplicateOfASmoothScene) {
  // Of seeds 1-40, these three failed (ECC went to a scale of 1.16); the other 37 passed either way.
  for (uint64_t seed : {4, 15, 25}) {
    const cv::Mat smooth = SmoothScene(seed);
    for (const Kind& kind : kNearDuplicates) {
      const auto a = SignatureOf(smooth), b = SignatureOf(kind.make(smooth));
      for (const auto& [query, candidate] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
        const NearDuplicateVerdict v = CheckNearDuplicate(*query, *candidate);
        EXPECT_TRUE(v.same) << kind.name << " (seed " << seed << "): " << v.reason << " correlation " << v.correlation
                            << " residual " << v.residual << " of " << v.allowed_residual << " scale " << v.scale;
      }
    }
  }
}

// A sky whose gradient runs at `angle` (radians) off the vertical, from `top` to `bottom` (BGR), profile t^bend.
cv::Mat TiltedSky(double angle, cv::Vec3d top, cv::Vec3d bottom, double bend) {
  cv::Mat out(600, 900, CV_8UC3);
  const double a = CV_PI / 2 + angle;
  for (int y = 0; y < out.rows; ++y) {
    for (int x = 0; x < out.cols; ++x) {
      const double t =
          std::pow(std::clamp((std::cos(a) * (x - 450) + std::sin(a) * (y - 300)) / 660.0 + 0.5, 0.0, 1.0), bend);
      const cv::Vec3d c = top * (1 - t) + bottom * t;
      out.at<cv::Vec3b>(y, x) = cv::Vec3b(cv::saturate_cast<uint8_t>(c[0]), cv::saturate_cast<uint8_t>(c[1]),
                                          cv::saturate_cast<uint8_t>(c[2]));
    }
  }
  return WithGrain(out, 1.5);
}

// A crop and a rotated copy of a tilted sky fit well enough as they stand, where the crop's mirror image (the tilt the
// other way) was refined by ECC and fitted better: the picture itself is refined too before the mirror test decides.
TEST(NearDuplicateCheckTest, AcceptsACropAndARotationOfATiltedSkyNotTakenForMirrorImages) {
  for (double angle : {-0.3, -0.2, -0.1, -0.05, 0.05, 0.1, 0.2, 0.3}) {
    for (double bend : {0.6, 1.0, 1.4}) {
      cv::theRNG().state = 7;
      const cv::Mat sky = TiltedSky(angle, {220, 150, 60}, {240, 215, 170}, bend);
      const auto crop = SignatureOf(Crop5(sky)), rotated = SignatureOf(Rotated(sky, 2)), half = SignatureOf(Half(sky));
      for (const auto& [query, candidate] : {std::pair{&crop, &rotated}, std::pair{&rotated, &crop},
                                             std::pair{&rotated, &half}, std::pair{&half, &rotated}}) {
        const NearDuplicateVerdict v = CheckNearDuplicate(*query, *candidate);
        EXPECT_TRUE(v.same) << "angle " << angle << " bend " << bend << ": " << v.reason << " residual " << v.residual;
      }
    }
  }
}

TEST(NearDuplicateCheckTest, AcceptsPairsOfTwoVariants) {
  const cv::Mat original = Photo(4);
  const auto crop = SignatureOf(Crop5(original));
  EXPECT_TRUE(CheckNearDuplicate(crop, SignatureOf(Rotated(original, 2))).same) << "crop vs rotation";
  EXPECT_TRUE(CheckNearDuplicate(crop, SignatureOf(Reencoded(original, ".png"))).same) << "crop vs PNG";
  EXPECT_TRUE(CheckNearDuplicate(crop, SignatureOf(Half(original))).same) << "crop vs half size";
  EXPECT_TRUE(CheckNearDuplicate(SignatureOf(Brighter(original)), SignatureOf(Half(original))).same);
}

TEST(NearDuplicateCheckTest, RejectsMirrorImage) {
  const cv::Mat original = Photo(5);
  cv::Mat mirrored;
  cv::flip(original, mirrored, 1);
  const NearDuplicateVerdict v = CheckNearDuplicate(SignatureOf(mirrored), SignatureOf(original));
  EXPECT_FALSE(v.same);
}

TEST(NearDuplicateCheckTest, RejectsRecolouredVersions) {
  const cv::Mat original = Photo(6);
  for (int degrees : {60, 120, 180}) {
    const NearDuplicateVerdict v =
        CheckNearDuplicate(SignatureOf(HueShifted(original, degrees)), SignatureOf(original));
    EXPECT_FALSE(v.same) << "hue shifted by " << degrees;
  }
  // Lightness (nearly) kept, hue turned.
  for (int degrees : {40, 90, 180}) {
    EXPECT_FALSE(CheckNearDuplicate(SignatureOf(LabHueTurned(original, degrees)), SignatureOf(original)).same)
        << "Lab hue turned by " << degrees;
  }
  cv::Mat sepia;
  cv::transform(original, sepia, cv::Matx33f(0.131f, 0.534f, 0.272f, 0.168f, 0.686f, 0.349f, 0.189f, 0.769f, 0.393f));
  EXPECT_FALSE(CheckNearDuplicate(SignatureOf(sepia), SignatureOf(original)).same) << "sepia";
}

// Brightening that adds light rather than multiplying it (a brightness slider, levels, gamma) shifts every channel
// alike: the colours' shares move as a recolouring would move them, until the candidate is brought to the query's
// brightness by the grey fit. Accepted; a desaturated or greyed version of the same picture still is not.
// Turned by about 2° on a canvas widened to keep the corners, filled white or black as image editors do.
TEST(NearDuplicateCheckTest, AcceptsASmallRotationOnAWidenedCanvas) {
  for (uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    cv::theRNG().state = 7919 * seed + 1;  // Photo's coarse colours, whatever ran before
    const cv::Mat original = Photo(seed);
    for (double degrees : {2.3, -2.4}) {
      const double r = std::abs(degrees) * CV_PI / 180;
      const int w = original.cols, h = original.rows;
      const cv::Size widened(static_cast<int>(w * std::cos(r) + h * std::sin(r)),
                             static_cast<int>(h * std::cos(r) + w * std::sin(r)));
      cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(w / 2.0f, h / 2.0f), degrees, 1.0);
      m.at<double>(0, 2) += (widened.width - w) / 2.0;
      m.at<double>(1, 2) += (widened.height - h) / 2.0;
      for (const cv::Scalar& fill : {cv::Scalar(255, 255, 255), cv::Scalar(0, 0, 0)}) {
        cv::Mat turned;
        cv::warpAffine(original, turned, m, widened, cv::INTER_LINEAR, cv::BORDER_CONSTANT, fill);
        const NearDuplicateVerdict v = CheckNearDuplicate(SignatureOf(turned), SignatureOf(original));
        EXPECT_TRUE(v.same) << degrees << "° on a widened canvas filled " << fill[0] << " (seed " << seed
                            << "): " << v.reason << " residual " << v.residual << " of " << v.allowed_residual
                            << ", turned " << v.rotation_deg << "°, scale " << v.scale << ", chroma "
                            << v.chroma_difference << ", colour residual " << v.colour_residual;
      }
    }
  }
}

TEST(NearDuplicateCheckTest, AcceptsBrighteningThatAddsLightButNotADesaturatedVersion) {
  for (uint64_t seed : {1, 2, 3, 6}) {
    const cv::Mat original = Photo(seed);
    cv::Mat added, gamma, grey, grey3, desaturated;
    original.convertTo(added, -1, 1.0, 25);  // +10% of the range, added
    cv::Mat lut(1, 256, CV_8U);
    for (int i = 0; i < 256; ++i) lut.at<uint8_t>(i) = cv::saturate_cast<uint8_t>(255 * std::pow(i / 255.0, 1 / 1.15));
    cv::LUT(original, lut, gamma);
    cv::cvtColor(original, grey, cv::COLOR_BGR2GRAY);
    cv::cvtColor(grey, grey3, cv::COLOR_GRAY2BGR);
    cv::addWeighted(original, 0.45, grey3, 0.55, 0, desaturated);
    for (const auto& [name, copy] : {std::pair{"+25 levels", &added}, std::pair{"gamma 1.15", &gamma}}) {
      const NearDuplicateVerdict v = CheckNearDuplicate(SignatureOf(*copy), SignatureOf(original));
      EXPECT_TRUE(v.same) << name << " (seed " << seed << "): " << v.reason << " chroma " << v.chroma_difference;
      EXPECT_TRUE(CheckNearDuplicate(SignatureOf(original), SignatureOf(*copy)).same) << name << " either way";
    }
    EXPECT_FALSE(CheckNearDuplicate(SignatureOf(desaturated), SignatureOf(original)).same) << "desaturated " << seed;
    EXPECT_FALSE(CheckNearDuplicate(SignatureOf(grey3), SignatureOf(original)).same) << "grey " << seed;
  }
}

// Lightness multiplied as in HSL (hue and saturation kept): ImageMagick's -modulate and other "brightness" sliders.
// Unlike a tone curve, it lifts a saturated colour's low channels more than a grey of the same level.
cv::Mat LightnessScaled(const cv::Mat& image, double factor) {
  cv::Mat hls;
  cv::cvtColor(image, hls, cv::COLOR_BGR2HLS_FULL);
  hls.forEach<cv::Vec3b>([&](cv::Vec3b& p, const int*) { p[1] = cv::saturate_cast<uint8_t>(p[1] * factor); });
  cv::Mat out;
  cv::cvtColor(hls, out, cv::COLOR_HLS2BGR_FULL);
  return out;
}

TEST(NearDuplicateCheckTest, AcceptsALightnessOrToneCurveChangeButNotAWhiteBalanceShift) {
  for (uint64_t seed : {1, 2, 3, 6}) {
    cv::theRNG().state = 7919 * seed + 1;
    const cv::Mat original = Photo(seed);
    // A curve that lifts the shadows and mid-tones and leaves the highlights (a "curves" brightening).
    cv::Mat lut(1, 256, CV_8U), curved;
    for (int i = 0; i < 256; ++i) {
      const double x = i / 255.0;
      lut.at<uint8_t>(i) = cv::saturate_cast<uint8_t>(255 * (x + 0.35 * x * (1 - x) * (1 - x)));
    }
    cv::LUT(original, lut, curved);
    cv::Mat lighter = LightnessScaled(original, 1.10), lighter5 = LightnessScaled(original, 1.05);
    for (const auto& [name, copy] : {std::pair{"HSL lightness x1.10", &lighter},
                                     std::pair{"HSL lightness x1.05", &lighter5}, std::pair{"curves", &curved}}) {
      const NearDuplicateVerdict v = CheckNearDuplicate(SignatureOf(*copy), SignatureOf(original));
      EXPECT_TRUE(v.same) << name << " (seed " << seed << "): " << v.reason << " chroma " << v.chroma_difference
                          << " colour residual " << v.colour_residual;
      EXPECT_TRUE(CheckNearDuplicate(SignatureOf(original), SignatureOf(*copy)).same) << name << " either way";
    }
    // White balance moved (warmer, cooler), the channels multiplied apart: the grey levels barely move, the colours do.
    for (const cv::Scalar& balance : {cv::Scalar(0.85, 1.0, 1.15), cv::Scalar(1.15, 1.0, 0.85)}) {
      cv::Mat shifted;
      cv::multiply(original, balance, shifted);
      for (const cv::Mat& copy : {shifted, LightnessScaled(shifted, 1.1)}) {
        const NearDuplicateVerdict v = CheckNearDuplicate(SignatureOf(copy), SignatureOf(original));
        EXPECT_FALSE(v.same) << "white balance B x" << balance[0] << " R x" << balance[2] << " (seed " << seed
                             << "): chroma " << v.chroma_difference;
      }
    }
  }
}

TEST(NearDuplicateCheckTest, RejectsOtherFramingsOfTheSameScene) {
  const cv::Mat scene = Photo(7, 1400, 900);
  const cv::Mat left = Crop(scene, 0.0, 0.1, 0.6), shifted = Crop(scene, 0.3, 0.1, 0.6);
  EXPECT_FALSE(CheckNearDuplicate(SignatureOf(shifted), SignatureOf(left)).same);
  EXPECT_FALSE(CheckNearDuplicate(SignatureOf(left), SignatureOf(scene)).same) << "a 60% window of the whole";
}

// A reframing close to a crop, on real photos: 85% of the picture (centred, scale 1.18) is another framing of the
// scene; 95% of it is a crop, a near duplicate.
TEST(NearDuplicateCheckTest, RejectsAReframingButNotACrop) {
  for (const char* name : {"skimage_coffee.jpg", "skimage_astronaut.jpg", "obama3.jpg", "vladmandic_sample1.jpg"}) {
    const cv::Mat photo = cv::imread(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/" + name);
    ASSERT_FALSE(photo.empty()) << name;
    const auto whole = SignatureOf(photo);
    const auto reframed = CheckNearDuplicate(SignatureOf(Crop(photo, 0.075, 0.075, 0.85)), whole);
    EXPECT_FALSE(reframed.same) << name << ": an 85% window, scale " << reframed.scale;
    EXPECT_TRUE(reframed.ShowsAnotherPicture()) << name << ": found to be another picture (" << reframed.reason << ")";
    const auto crop = CheckNearDuplicate(SignatureOf(Crop5(photo)), whole);
    EXPECT_TRUE(crop.same) << name << ": a 5% crop";
    EXPECT_FALSE(crop.ShowsAnotherPicture());
  }
}

// The line between a crop and another framing, on real photos: windows of 90% and 92% of the picture per side
// (scales 1.11 and 1.087) are other framings wherever they sit; a crop of 6% a side at a corner is a near duplicate,
// and so are copies turned by 2.5 degrees, zoomed to fill the frame or on a grown canvas, which show scales as large
// as the 92% window's.
TEST(NearDuplicateCheckTest, TellsAWindowOfNinetyTwoPercentFromACropOrATurnedCopy) {
  for (const char* name : {"skimage_coffee.jpg", "skimage_astronaut.jpg", "obama3.jpg", "vladmandic_sample1.jpg"}) {
    const cv::Mat photo = cv::imread(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/" + name);
    ASSERT_FALSE(photo.empty()) << name;
    const auto whole = SignatureOf(photo);
    for (const double keep : {0.90, 0.92}) {
      for (const auto& [x, y] : {std::pair{0.5, 0.5}, std::pair{0.0, 0.0}, std::pair{1.0, 1.0}, std::pair{1.0, 0.0}}) {
        const cv::Mat window = Crop(photo, x * (1 - keep), y * (1 - keep), keep);
        const auto v = CheckNearDuplicate(SignatureOf(window), whole);
        EXPECT_FALSE(v.same) << name << ": a " << keep << " window at (" << x << ", " << y << "), scale " << v.scale;
        EXPECT_FALSE(CheckNearDuplicate(whole, SignatureOf(window)).same) << name << ": either way";
      }
    }
    const auto corner_crop = CheckNearDuplicate(SignatureOf(Crop(photo, 0.06, 0.06, 0.94)), whole);
    EXPECT_TRUE(corner_crop.same) << name << ": a 6% crop at a corner, " << corner_crop.reason << " scale "
                                  << corner_crop.scale;
    for (const double degrees : {2.5, -2.5}) {
      const auto filled = CheckNearDuplicate(SignatureOf(RotatedFilled(photo, degrees)), whole);
      EXPECT_TRUE(filled.same) << name << ": turned " << degrees << " and zoomed to fill, " << filled.reason
                               << " scale " << filled.scale << " rotation " << filled.rotation_deg;
      const auto expanded = CheckNearDuplicate(SignatureOf(RotatedExpanded(photo, degrees)), whole);
      EXPECT_TRUE(expanded.same) << name << ": turned " << degrees << " on a grown canvas, " << expanded.reason
                                 << " scale " << expanded.scale << " rotation " << expanded.rotation_deg << " chroma "
                                 << expanded.chroma_difference << " colour residual " << expanded.colour_residual;
    }
  }
}

// Light added by a brightness slider (+9% of the range to every channel) moves the colour shares of dark pixels as
// much as a recolouring; it is taken back before colours are compared. A version darkened by more than two stops,
// with grain, into a night scene is an edit, another picture, however well it aligns.
TEST(NearDuplicateCheckTest, AcceptsAddedLightButNotAVersionDarkenedIntoNight) {
  for (const char* name : {"skimage_coffee.jpg", "skimage_astronaut.jpg", "obama3.jpg", "vladmandic_sample1.jpg"}) {
    const cv::Mat photo = cv::imread(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/" + name);
    ASSERT_FALSE(photo.empty()) << name;
    const auto whole = SignatureOf(photo);
    const cv::Mat lighter = photo + cv::Scalar::all(23);
    const auto added = CheckNearDuplicate(SignatureOf(lighter), whole);
    EXPECT_TRUE(added.same) << name << ": 23 levels added, " << added.reason << " chroma " << added.chroma_difference;
    EXPECT_TRUE(CheckNearDuplicate(whole, SignatureOf(lighter)).same) << name << ": either way";
    const auto turned = CheckNearDuplicate(SignatureOf(RotatedExpanded(lighter, 2)), whole);
    EXPECT_TRUE(turned.same) << name << ": lighter and turned on a grown canvas, " << turned.reason;

    cv::Mat night, grain(photo.size(), CV_16SC3);
    photo.convertTo(night, CV_16SC3, 0.22);
    cv::randn(grain, 0, 4);
    night += grain;
    night.convertTo(night, CV_8UC3);
    const auto v = CheckNearDuplicate(SignatureOf(night), whole);
    EXPECT_FALSE(v.same) << name << ": darkened into night, gain " << v.gain;
    EXPECT_EQ(v.reason, "brightness") << name;
    EXPECT_FALSE(CheckNearDuplicate(whole, SignatureOf(night)).same) << name << ": either way";
  }
}

// What tells another picture from one the check only could not confirm: a look-alike sky whose colours differ as
// they stand is another picture; a copy whose alignment or residual falls short is not (nothing was found about it).
TEST(NearDuplicateCheckTest, SaysWhenItFoundAnotherPictureRatherThanFailingToConfirm) {
  const cv::Mat sky = Gradient({220, 150, 60}, {245, 225, 190}, 1.0);
  const cv::Mat dusk = Gradient({90, 140, 170}, {170, 215, 240}, 1.0);
  EXPECT_TRUE(CheckNearDuplicate(SignatureOf(dusk), SignatureOf(sky)).ShowsAnotherPicture());
  NearDuplicateVerdict short_of_it;
  short_of_it.reason = "residual";
  short_of_it.correlation = 0.95;
  short_of_it.residual = 3;
  short_of_it.allowed_residual = 2;
  short_of_it.aligned = true;
  EXPECT_FALSE(short_of_it.ShowsAnotherPicture());
  NearDuplicateVerdict colour_once_aligned = short_of_it;
  colour_once_aligned.reason = "colour";
  EXPECT_FALSE(colour_once_aligned.ShowsAnotherPicture()) << "a colour measured after alignment can be a copy's";
  NearDuplicateVerdict misaligned = short_of_it;
  misaligned.reason = "geometry";
  EXPECT_FALSE(misaligned.ShowsAnotherPicture()) << "a scale measured on a poor fit says nothing";
  NearDuplicateVerdict framed = misaligned;
  framed.residual = 1.5;
  EXPECT_TRUE(framed.ShowsAnotherPicture());
}

TEST(NearDuplicateCheckTest, RejectsSmoothLookAlikesWhoseHashesCollide) {
  const cv::Mat sky = Gradient({220, 150, 60}, {245, 225, 190}, 1.0);            // BGR: deep blue to pale
  const cv::Mat other_colour = Gradient({90, 140, 170}, {170, 215, 240}, 1.0);   // a sepia-like dusk
  const cv::Mat other_profile = Gradient({220, 150, 60}, {245, 225, 190}, 1.8);  // same colours, another falloff
  ASSERT_LE(HashBits(sky, other_colour), 2) << "the fixtures must collide in pHash";
  ASSERT_LE(HashBits(sky, other_profile), 4);
  const NearDuplicateVerdict by_colour = CheckNearDuplicate(SignatureOf(other_colour), SignatureOf(sky));
  EXPECT_FALSE(by_colour.same);
  EXPECT_EQ(by_colour.reason, "colour") << "the grey rasters of the two gradients agree";
  EXPECT_FALSE(CheckNearDuplicate(SignatureOf(other_profile), SignatureOf(sky)).same);
  // ... while a copy of the smooth picture itself still matches.
  EXPECT_TRUE(CheckNearDuplicate(SignatureOf(Reencoded(sky, ".jpg")), SignatureOf(sky)).same);
  EXPECT_TRUE(CheckNearDuplicate(SignatureOf(Half(sky)), SignatureOf(sky)).same);
}

// A sky brightened until its blue clips, against another sky: with its blue clipped throughout, the two differ in
// red and green only, and in how those depart from grey. The brightened copy of the sky itself still matches.
TEST(NearDuplicateCheckTest, RejectsAnotherSkyBrightenedUntilItsBlueClips) {
  const cv::Mat sky = Gradient({225, 145, 80}, {237, 228, 206}, 1.0);     // BGR
  const cv::Mat other = Gradient({226, 160, 110}, {231, 212, 190}, 1.0);  // a paler blue, a greyer horizon
  const cv::Mat other_brighter = Brighter(other), sky_brighter = Brighter(sky);
  ASSERT_LE(HashBits(sky, other_brighter), 2) << "the fixtures must collide in pHash";
  cv::Mat blue;
  cv::extractChannel(other_brighter, blue, 0);
  ASSERT_GT(cv::countNonZero(blue >= 245), blue.total() * 9 / 10) << "the fixture's blue must clip";
  for (const auto& [query, candidate] : {std::pair{&sky, &other_brighter}, std::pair{&other_brighter, &sky}}) {
    const NearDuplicateVerdict v = CheckNearDuplicate(SignatureOf(*query), SignatureOf(*candidate));
    EXPECT_FALSE(v.same) << "correlation " << v.correlation << " residual " << v.residual << " of "
                         << v.allowed_residual << " chroma " << v.chroma_difference << " colour residual "
                         << v.colour_residual;
    EXPECT_EQ(v.reason, "colour");
  }
  const NearDuplicateVerdict same = CheckNearDuplicate(SignatureOf(sky_brighter), SignatureOf(sky));
  EXPECT_TRUE(same.same) << same.reason << " chroma " << same.chroma_difference << " colour residual "
                         << same.colour_residual;
  EXPECT_TRUE(CheckNearDuplicate(SignatureOf(sky), SignatureOf(sky_brighter)).same);
}

// Flat fields of pure colours have no channel left to compare (each is clipped or black): their colours as they are
// tell them apart, and a brightened copy of one still matches it.
TEST(NearDuplicateCheckTest, TellsFlatFieldsOfPureColoursApart) {
  const std::vector<cv::Scalar> colours = {{0, 0, 255},   {255, 0, 0},     {0, 255, 0},    {0, 255, 255},
                                           {255, 0, 255}, {128, 128, 128}, {255, 255, 255}};  // BGR
  for (size_t i = 0; i < colours.size(); ++i) {
    const cv::Mat a(600, 900, CV_8UC3, colours[i]);
    const auto sa = SignatureOf(a);
    EXPECT_TRUE(CheckNearDuplicate(SignatureOf(Reencoded(a, ".jpg")), sa).same) << "colour " << i << " re-encoded";
    EXPECT_TRUE(CheckNearDuplicate(SignatureOf(Brighter(a)), sa).same) << "colour " << i << " brightened";
    for (size_t j = 0; j < colours.size(); ++j) {
      if (j == i) continue;
      const NearDuplicateVerdict v = CheckNearDuplicate(SignatureOf(cv::Mat(600, 900, CV_8UC3, colours[j])), sa);
      EXPECT_FALSE(v.same) << "colour " << j << " against " << i;
    }
  }
}

TEST(NearDuplicateCheckTest, RejectsUnrelatedPictures) {
  EXPECT_FALSE(CheckNearDuplicate(SignatureOf(Photo(8)), SignatureOf(Photo(9))).same);
}

void ExpectSameVerdict(const NearDuplicateVerdict& a, const NearDuplicateVerdict& b, const std::string& what) {
  EXPECT_EQ(a.same, b.same) << what;
  EXPECT_EQ(a.reason, b.reason) << what;
  // Every measure exactly: the query made ready once computes what the check of the pair alone computes.
  EXPECT_EQ(a.start_correlation, b.start_correlation) << what;
  EXPECT_EQ(a.correlation, b.correlation) << what;
  EXPECT_EQ(a.residual, b.residual) << what;
  EXPECT_EQ(a.allowed_residual, b.allowed_residual) << what;
  EXPECT_EQ(a.chroma_difference, b.chroma_difference) << what;
  EXPECT_EQ(a.colour_residual, b.colour_residual) << what;
  EXPECT_EQ(a.scale, b.scale) << what;
  EXPECT_EQ(a.rotation_deg, b.rotation_deg) << what;
  EXPECT_EQ(a.shift, b.shift) << what;
  EXPECT_EQ(a.overlap, b.overlap) << what;
}

// Near duplicates of every kind, a mirror image, recoloured versions, other pictures, smooth look-alikes and malformed
// signatures: each outcome of the check.
std::vector<std::pair<std::string, std::vector<uint8_t>>> Assortment() {
  const cv::Mat original = Photo(11);
  std::vector<std::pair<std::string, std::vector<uint8_t>>> out = {{"original", SignatureOf(original)}};
  for (const Kind& kind : kNearDuplicates) out.emplace_back(kind.name, SignatureOf(kind.make(original)));
  cv::Mat mirrored;
  cv::flip(original, mirrored, 1);
  out.emplace_back("mirrored", SignatureOf(mirrored));
  out.emplace_back("hue shifted", SignatureOf(HueShifted(original, 120)));
  out.emplace_back("reframed", SignatureOf(Crop(original, 0.075, 0.075, 0.85)));
  out.emplace_back("another photo", SignatureOf(Photo(12)));
  out.emplace_back("portrait", SignatureOf(Photo(13, 600, 900)));
  out.emplace_back("sky", SignatureOf(Gradient({220, 150, 60}, {245, 225, 190}, 1.0)));
  out.emplace_back("other sky", SignatureOf(Gradient({220, 150, 60}, {245, 225, 190}, 1.8)));
  std::vector<uint8_t> bad = out[0].second;
  bad[0] = 99;
  out.emplace_back("unknown version", bad);
  out.emplace_back("empty", std::vector<uint8_t>());
  return out;
}

// One image checked against many: the query made ready once decides each candidate, whichever came before it, exactly
// as the check of that pair alone.
TEST(NearDuplicateCheckTest, AQueryMadeReadyOnceDecidesEachCandidateAsThePairAlone) {
  const auto signatures = Assortment();
  int same = 0;
  for (const auto& [query_name, query] : signatures) {
    const NearDuplicateQuery ready(query);
    for (bool reversed : {false, true}) {
      for (size_t k = 0; k < signatures.size(); ++k) {
        const auto& [name, candidate] = signatures[reversed ? signatures.size() - 1 - k : k];
        const NearDuplicateVerdict v = ready.Check(candidate);
        ExpectSameVerdict(v, CheckNearDuplicate(query, candidate), query_name + " vs " + name);
        same += v.same && !reversed;
      }
    }
  }
  EXPECT_GE(same, 30) << "the assortment must hold near duplicates as well as pictures the check rejects";
}

TEST(NearDuplicateCheckTest, AQueryMadeReadyKeepsItsOptions) {
  const cv::Mat original = Photo(14);
  const auto a = SignatureOf(original), b = SignatureOf(Reencoded(original, ".jpg")), c = SignatureOf(Crop5(original));
  NearDuplicateCheckOptions strict;
  strict.max_residual_base = 0;
  strict.max_residual_per_gradient = 0.01;
  strict.max_scale = 1.01;
  for (const auto* candidate : {&b, &c}) {
    ExpectSameVerdict(NearDuplicateQuery(a, strict).Check(*candidate), CheckNearDuplicate(a, *candidate, strict),
                      "strict");
    ExpectSameVerdict(NearDuplicateQuery(a).Check(*candidate), CheckNearDuplicate(a, *candidate), "default");
  }
  EXPECT_TRUE(NearDuplicateQuery(a).Check(b).same);
  EXPECT_FALSE(NearDuplicateQuery(a, strict).Check(b).same) << "no residual allowed";
  EXPECT_FALSE(NearDuplicateQuery(a, strict).Check(c).same) << "no crop allowed";
}

// The signature of `bgr` saved as a JPEG and decoded as a duplicates-only ingest decodes it: at 1/8 scale (DCT
// scaling) down to a 64 px long side, so a 1600 px photo gives a ~200 px raster.
std::vector<uint8_t> SignatureAsDecodedForDuplicatesOnly(const cv::Mat& bgr) {
  std::vector<uint8_t> bytes;
  cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
  auto decoded = DecodeImageBuffer(std::string(bytes.begin(), bytes.end()), {256, 250'000'000, 64});
  EXPECT_TRUE(decoded.ok());
  EXPECT_LT(decoded->image.width, 256) << "decoded at 1/8 scale";
  return FingerprintOf(decoded->image, 0.95).signature;
}

// A smooth photo and a window of 92% of it per side (another framing: 9% of zoom) fit within the residual allowed
// when seen through the 5% crop's zoom, only just. Taken as they stood, 31 of these 48 pairs passed; refined, the 9%
// zoom shows (with a slight turn ECC finds on smooth pictures). A 5% crop of the same photos still passes.
TEST(NearDuplicateCheckTest, RejectsAnotherFramingThatFitsOnlyJustThroughACropsZoom) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    for (double blur : {40.0, 60.0}) {
      cv::theRNG().state = 7919 * seed + 1;
      // Blurred at 1/8 of the size and enlarged again: the same smooth picture at a fraction of the cost.
      cv::Mat small, photo;
      cv::resize(Photo(seed, 1600, 1067), small, cv::Size(200, 133), 0, 0, cv::INTER_AREA);
      cv::GaussianBlur(small, small, cv::Size(0, 0), blur / 8);
      cv::resize(small, photo, cv::Size(1600, 1067), 0, 0, cv::INTER_CUBIC);
      const auto whole = SignatureAsDecodedForDuplicatesOnly(photo);
      const auto framed = SignatureAsDecodedForDuplicatesOnly(Crop(photo, 0.04, 0.04, 0.92));
      for (const auto& [query, candidate] : {std::pair{&whole, &framed}, std::pair{&framed, &whole}}) {
        const NearDuplicateVerdict v = CheckNearDuplicate(*query, *candidate);
        EXPECT_FALSE(v.same) << "seed " << seed << " blur " << blur << ": scale " << v.scale << " rotation "
                             << v.rotation_deg << " residual " << v.residual << " of " << v.allowed_residual;
        EXPECT_EQ(v.reason, "geometry") << "seed " << seed << " blur " << blur;
      }
      const auto crop = SignatureAsDecodedForDuplicatesOnly(Crop5(photo));
      EXPECT_TRUE(CheckNearDuplicate(whole, crop).same) << "5% crop, seed " << seed << " blur " << blur;
      EXPECT_TRUE(CheckNearDuplicate(crop, whole).same) << "5% crop, seed " << seed << " blur " << blur;
    }
  }
}

TEST(NearDuplicateCheckTest, MalformedSignatureIsNotTheSame) {
  const auto good = SignatureOf(Photo(10));
  std::vector<uint8_t> bad = good;
  bad[0] = 99;  // unknown version
  EXPECT_EQ(CheckNearDuplicate(good, bad).reason, "signature");
  EXPECT_EQ(CheckNearDuplicate({}, good).reason, "signature");
  EXPECT_EQ(CheckNearDuplicate(good, std::vector<uint8_t>(good.begin(), good.begin() + 100)).reason, "signature");
  EXPECT_EQ(NearDuplicateQuery(bad).Check(good).reason, "signature") << "a malformed query";
  EXPECT_EQ(NearDuplicateQuery(good).Check(bad).reason, "signature");
  EXPECT_TRUE(NearDuplicateQuery(good).Check(good).same);
}

}  // namespace
}  // namespace triage::vision
