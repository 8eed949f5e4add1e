// Specification of the small-face search: the scaled passes cover every face size the whole-image pass cannot see,
// and a face found in a window lands where it lies in the image, once.
#include "vision/face_tiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <tuple>

#include "vision/decode.h"
#include "vision/face_detector.h"

namespace triage::vision {
namespace {

// True when a face `size` px wide at (x, y) of a width x height image lies wholly inside `window` of `pass` (the
// resized image's sides are rounded, so each axis has its own exact scale).
bool Holds(const ScaledPass& pass, const NetWindow& window, int width, int height, float x, float y, float size) {
  const float sx = static_cast<float>(pass.width) / width, sy = static_cast<float>(pass.height) / height;
  return x * sx >= window.x - 0.01f && y * sy >= window.y - 0.01f &&
         (x + size) * sx <= window.x + window.width + 0.01f && (y + size) * sy <= window.y + window.height + 0.01f;
}

long NetworkPixels(const std::vector<ScaledPass>& passes) {
  long px = 0;
  for (const ScaledPass& pass : passes) {
    for (const NetWindow& w : pass.windows) px += static_cast<long>(w.width) * w.height;
  }
  return px;
}

TEST(FaceTilesTest, NoScaledPassWhenTheWholeImageShowsTheSmallestFaceLargeEnough) {
  const FaceTilingOptions options;
  EXPECT_FLOAT_EQ(WholeImageMinFacePx(512, 300, options), 48);
  EXPECT_TRUE(PlanScaledPasses(512, 300, 48, options).empty());
  EXPECT_TRUE(PlanScaledPasses(512, 300, 200, options).empty());
  EXPECT_FALSE(PlanScaledPasses(512, 300, 47, options).empty());
}

// Every face between the smallest wanted and what the whole-image pass sees lies wholly inside a window of a pass
// that shows it at a width that pass answers for; on a raster too large for one window, across window edges too.
TEST(FaceTilesTest, EveryFaceTooSmallForTheWholeImageLiesWhollyInAWindowThatShowsItLargeEnough) {
  const FaceTilingOptions options;
  for (const auto& [width, height, min_face] :
       {std::tuple{1600, 1200, 40}, std::tuple{4000, 3000, 40}, std::tuple{500, 375, 32}, std::tuple{3000, 800, 14}}) {
    const std::vector<ScaledPass> passes = PlanScaledPasses(width, height, min_face, options);
    ASSERT_FALSE(passes.empty());
    const float whole_min = WholeImageMinFacePx(width, height, options);
    const float stride = std::max(7.0f, width / 150.0f);
    for (float size = min_face; size <= whole_min; size *= 1.15f) {
      for (float y = 0; y + size <= height; y += stride) {
        for (float x = 0; x + size <= width; x += stride) {
          const bool seen = std::any_of(passes.begin(), passes.end(), [&](const ScaledPass& pass) {
            const float net = size * pass.scale;
            if (net < options.min_face_net_px - 0.01f || net > options.max_face_net_px) return false;
            return std::any_of(pass.windows.begin(), pass.windows.end(),
                               [&](const NetWindow& w) { return Holds(pass, w, width, height, x, y, size); });
          });
          ASSERT_TRUE(seen) << width << "x" << height << ": face of " << size << " px at " << x << "," << y;
        }
      }
    }
  }
}

// The default raster is looked at in one forward of 960 x 720 network pixels (0.69 million, where 256 px tiles
// overlapping by a quarter needed 24 forwards: 1.57 million) and one small forward for the faces between what it
// answers for (up to 80 network px: 133 px) and what the whole-image pass sees (150 px and up). Letting the first
// pass answer for faces up to 90 network px instead lost one face of the samples at 1600 px and one of a group photo.
TEST(FaceTilesTest, TheDefaultRasterIsOneWindowAndASmallCoarserPass) {
  const std::vector<ScaledPass> passes = PlanScaledPasses(1600, 1200, 40, {});
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_FLOAT_EQ(passes[0].scale, 0.6f);
  ASSERT_EQ(passes[0].windows.size(), 1u);
  EXPECT_EQ(passes[0].windows[0].width, 960);
  EXPECT_EQ(passes[0].windows[0].height, 720);
  ASSERT_EQ(passes[1].windows.size(), 1u);
  EXPECT_LT(NetworkPixels({passes[1]}), 0.1 * NetworkPixels({passes[0]}));
}

TEST(FaceTilesTest, ScaledPassesLookForTheLargerOfTheMinimumSizeAndTheShareOfTheLongSide) {
  EXPECT_EQ(TiledMinFacePx(1600, 1200, 40, 0.025), 40);   // the default raster keeps its 40 px
  EXPECT_EQ(TiledMinFacePx(500, 375, 40, 0.025), 40);     // a small raster too
  EXPECT_EQ(TiledMinFacePx(1200, 3000, 40, 0.025), 75);   // portrait: the long side counts
  EXPECT_EQ(TiledMinFacePx(1600, 1200, 40, 0.0301), 49);  // rounded up
  EXPECT_EQ(TiledMinFacePx(4000, 3000, 40, 0), 40);       // 0 = off
  const FaceTilingOptions options;
  EXPECT_LT(NetworkPixels(PlanScaledPasses(3000, 2000, TiledMinFacePx(3000, 2000, 40, 0.025), options)),
            NetworkPixels(PlanScaledPasses(3000, 2000, 40, options)) / 3);
}

// A large raster searched for the smallest faces is not blown up beyond the pixel cap (8192 x 8192 at 12 px would
// be 16384 x 16384 network pixels, 805 MB of RGB per thread).
TEST(FaceTilesTest, AHugeRasterSearchedForTinyFacesStaysUnderThePixelCap) {
  const FaceTilingOptions options;
  const std::vector<ScaledPass> passes = PlanScaledPasses(8192, 8192, 12, options);
  ASSERT_FALSE(passes.empty());
  EXPECT_LE(static_cast<double>(passes.front().width) * passes.front().height, options.max_pass_pixels * 1.001);
  EXPECT_LT(passes.front().scale, 1.0f);
  EXPECT_FLOAT_EQ(PlanScaledPasses(1600, 1200, 12, options).front().scale, options.max_upscale);  // 7.7 MP: uncapped
}

TEST(FaceTilesTest, WindowsStayInsideTheResizedImageBoundedAndNeverMagnifyBeyondTheCap) {
  const FaceTilingOptions options;
  const std::vector<ScaledPass> passes = PlanScaledPasses(1600, 900, 10, options);
  ASSERT_FALSE(passes.empty());
  EXPECT_FLOAT_EQ(passes.front().scale, options.max_upscale);
  EXPECT_GT(passes.front().windows.size(), 1u);  // 3200 x 1800 network pixels: more than one window
  for (const ScaledPass& pass : passes) {
    EXPECT_LE(pass.scale, options.max_upscale);
    for (const NetWindow& w : pass.windows) {
      EXPECT_TRUE(w.x >= 0 && w.y >= 0 && w.x + w.width <= pass.width && w.y + w.height <= pass.height);
      EXPECT_LE(w.width, options.window_net_px);
      EXPECT_LE(w.height, options.window_net_px);
    }
  }
}

// --- with the network: obama.jpg's face pasted small into a large plain canvas ---

BlazeFaceFiles BlazeFacePath() {
  const char* env = std::getenv("TRIAGE_MODEL_DIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : std::string(TRIAGE_SOURCE_DIR) + "/.cache/npm";
  return {dir + "/blazeface/ONNX/face_detection_back_256x256_barracuda.onnx",
          dir + "/blazeface/ONNX/face_detection_front_128x128_barracuda.onnx"};
}

std::unique_ptr<FaceDetector> Open(bool tiles, double min_face_fraction = FaceDetectorOptions{}.min_face_fraction) {
  FaceDetectorOptions options;
  options.tile_small_faces = tiles;
  options.min_face_fraction = min_face_fraction;
  base::Result<std::unique_ptr<FaceDetector>> detector = FaceDetector::OpenBlazeFace(BlazeFacePath(), options);
  EXPECT_TRUE(detector.ok()) << detector.status().ToString();
  return detector.ok() ? std::move(detector.value()) : nullptr;
}

cv::Mat View(const model::RgbImage& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
}

struct Pasted {
  model::RgbImage canvas;
  model::Box face;  // where the portrait's face lands, from its detection in the portrait
};

// A photo without people (skimage's coffee cup) stretched to `width` x `height`: real clutter around a pasted face.
model::RgbImage Background(int width, int height) {
  base::Result<Decoded> coffee =
      DecodeImage(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/skimage_coffee.jpg", {});
  EXPECT_TRUE(coffee.ok());
  model::RgbImage out{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  cv::Mat target = View(out);
  cv::resize(View(coffee->image), target, target.size(), 0, 0, cv::INTER_LINEAR);
  return out;
}

// The portrait scaled so that its face is `face_px` wide, its face's top-left corner put at (x, y) of Background().
Pasted PasteFace(const FaceDetector& detector, int width, int height, float face_px, float x, float y) {
  base::Result<Decoded> portrait = DecodeImage(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/obama.jpg", {});
  EXPECT_TRUE(portrait.ok());
  base::Result<std::vector<FaceDetection>> found = detector.Detect(portrait->image);
  EXPECT_TRUE(found.ok() && found->size() == 1u);
  const model::Box face = found->front().box;
  const double scale = face_px / face.width;
  cv::Mat small;
  cv::resize(View(portrait->image), small, cv::Size(), scale, scale, cv::INTER_AREA);
  Pasted out{Background(width, height), {}};
  const int left = static_cast<int>(std::lround(x - face.x * scale));
  const int top = static_cast<int>(std::lround(y - face.y * scale));
  small.copyTo(View(out.canvas)(cv::Rect(left, top, small.cols, small.rows)));
  out.face = {static_cast<float>(left + face.x * scale), static_cast<float>(top + face.y * scale),
              static_cast<float>(face.width * scale), static_cast<float>(face.height * scale)};
  return out;
}

model::RgbImage Crop(const model::RgbImage& image, int x, int y, int side) {
  model::RgbImage out{side, side, std::vector<uint8_t>(static_cast<size_t>(side) * side * 3)};
  cv::Mat target = View(out);
  View(image)(cv::Rect(x, y, side, side)).copyTo(target);
  return out;
}

void ExpectNear(const model::Box& a, const model::Box& b, float tolerance_px) {
  EXPECT_NEAR(a.x, b.x, tolerance_px);
  EXPECT_NEAR(a.y, b.y, tolerance_px);
  EXPECT_NEAR(a.width, b.width, tolerance_px);
  EXPECT_NEAR(a.height, b.height, tolerance_px);
}

TEST(FaceTilesTest, TilesFindASmallFaceTheWholeImagePassMissesWhereItLies) {
  auto tiled = Open(true), whole = Open(false);
  ASSERT_TRUE(tiled && whole);
  const Pasted pasted = PasteFace(*whole, 1600, 1200, 50, 700, 500);
  base::Result<std::vector<FaceDetection>> missed = whole->Detect(pasted.canvas);
  ASSERT_TRUE(missed.ok());
  EXPECT_TRUE(missed->empty());

  base::Result<std::vector<FaceDetection>> found = tiled->Detect(pasted.canvas);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  // The same region cut out and detected on its own (the whole-image pass at its own scale) lands on the same box.
  const int left = 700 - 100, top = 500 - 100;
  base::Result<std::vector<FaceDetection>> alone = whole->Detect(Crop(pasted.canvas, left, top, 256));
  ASSERT_TRUE(alone.ok());
  ASSERT_EQ(alone->size(), 1u);
  const model::Box& a = alone->front().box;
  ExpectNear(found->front().box, {a.x + left, a.y + top, a.width, a.height}, 4);
  ExpectNear(found->front().box, pasted.face, 6);
}

TEST(FaceTilesTest, ALargeRasterIsSearchedOnlyForFacesAboveTheShareOfItsLongSide) {
  auto by_default = Open(true), by_share = Open(true, 0.09), whole = Open(false);
  ASSERT_TRUE(by_default && by_share && whole);
  // A 42 px face: the default (0.025 of 1600 px = 40 px) looks for it; 0.09 (144 px) does not.
  const Pasted pasted = PasteFace(*whole, 1600, 1200, 42, 700, 500);
  base::Result<std::vector<FaceDetection>> found = by_default->Detect(pasted.canvas);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  ExpectNear(found->front().box, pasted.face, 6);
  base::Result<std::vector<FaceDetection>> skipped = by_share->Detect(pasted.canvas);
  ASSERT_TRUE(skipped.ok());
  EXPECT_TRUE(skipped->empty());
}

// Group photos of ~500 px hold faces from ~35 px: the default minimum (32 px) finds them; 40 px, the earlier
// default, dropped them.
TEST(FaceTilesTest, ASmallPhotoIsSearchedForFacesDownToTheDefault32Px) {
  auto tiled = Open(true), whole = Open(false);
  ASSERT_TRUE(tiled && whole);
  EXPECT_EQ(FaceDetectorOptions{}.min_face_size_px, 32);
  const Pasted pasted = PasteFace(*whole, 500, 375, 35, 260, 150);
  base::Result<std::vector<FaceDetection>> found = tiled->Detect(pasted.canvas);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  ExpectNear(found->front().box, pasted.face, 5);
  FaceDetectorOptions earlier;
  earlier.min_face_size_px = 40;
  base::Result<std::unique_ptr<FaceDetector>> at_40 = FaceDetector::OpenBlazeFace(BlazeFacePath(), earlier);
  ASSERT_TRUE(at_40.ok());
  base::Result<std::vector<FaceDetection>> dropped = (*at_40)->Detect(pasted.canvas);
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(dropped->empty());
}

// A raster too large for one window (4000 x 3000 searched from 40 px: 2400 x 1800 network pixels in windows of
// 1024 overlapping by 80): a face cut by one window's edge, in the overlap, or cut by the next window's edge is
// found once, where it lies.
TEST(FaceTilesTest, AFaceAcrossAWindowEdgeOrInsideTheOverlapIsFoundOnce) {
  FaceDetectorOptions options;
  options.min_face_size_px = 40;
  options.min_face_fraction = 0;
  base::Result<std::unique_ptr<FaceDetector>> scaled = FaceDetector::OpenBlazeFace(BlazeFacePath(), options);
  auto whole = Open(false);
  ASSERT_TRUE(scaled.ok() && whole);
  const std::vector<ScaledPass> passes = PlanScaledPasses(4000, 3000, 40, {});
  ASSERT_FALSE(passes.empty());
  ASSERT_GE(passes[0].windows.size(), 2u);
  const NetWindow& first = passes[0].windows[0];  // top-left window; its right neighbour starts at windows[1].x
  ASSERT_GT(passes[0].windows[1].x, first.x);
  const float overlap_left = passes[0].windows[1].x / passes[0].scale;
  const float overlap_right = (first.x + first.width) / passes[0].scale;
  ASSERT_GT(overlap_right - overlap_left, 2 * 60);
  for (const float centre : {overlap_right, (overlap_left + overlap_right) / 2, overlap_left}) {
    const Pasted pasted = PasteFace(*whole, 4000, 3000, 60, centre - 30, 400);
    base::Result<std::vector<FaceDetection>> found = (*scaled)->Detect(pasted.canvas);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), 1u) << "face centred at x=" << centre;
    ExpectNear(found->front().box, pasted.face, 6);
  }
}

}  // namespace
}  // namespace triage::vision
