// Specification of small-face tiling: the tile plan covers every face size the whole-image pass cannot see, and a
// face found in a tile lands where it lies in the image, once.
#include "vision/face_tiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "vision/decode.h"
#include "vision/face_detector.h"

namespace triage::vision {
namespace {

bool Holds(const DetectionSquare& tile, float x, float y, float size) {
  return x >= tile.x && y >= tile.y && x + size <= tile.x + tile.side && y + size <= tile.y + tile.side;
}

TEST(FaceTilesTest, NoTilesWhenTheWholeImageShowsTheSmallestFaceLargeEnough) {
  const FaceTilingOptions options;
  EXPECT_FLOAT_EQ(WholeImageMinFacePx(512, 300, options), 48);
  EXPECT_TRUE(PlanFaceTiles(512, 300, 48, options).empty());
  EXPECT_TRUE(PlanFaceTiles(512, 300, 200, options).empty());
  EXPECT_FALSE(PlanFaceTiles(512, 300, 47, options).empty());
}

TEST(FaceTilesTest, EveryFaceTooSmallForTheWholeImageLiesWhollyInATileThatShowsItLargeEnough) {
  const FaceTilingOptions options;
  const int width = 1600, height = 1200, min_face = 40;
  const std::vector<DetectionSquare> tiles = PlanFaceTiles(width, height, min_face, options);
  ASSERT_FALSE(tiles.empty());
  const float whole_min = WholeImageMinFacePx(width, height, options);
  for (float size = min_face; size <= whole_min; size *= 1.15f) {
    for (float y = 0; y + size <= height; y += 37) {
      for (float x = 0; x + size <= width; x += 37) {
        const bool seen = std::any_of(tiles.begin(), tiles.end(), [&](const DetectionSquare& t) {
          return Holds(t, x, y, size) && size * options.network_px / t.side >= options.min_face_net_px - 0.01f;
        });
        ASSERT_TRUE(seen) << "face of " << size << " px at " << x << "," << y;
      }
    }
  }
}

TEST(FaceTilesTest, TilesLookForTheLargerOfTheMinimumSizeAndTheShareOfTheLongSide) {
  EXPECT_EQ(TiledMinFacePx(1600, 1200, 40, 0.025), 40);   // the default raster keeps its 40 px
  EXPECT_EQ(TiledMinFacePx(500, 375, 40, 0.025), 40);     // a small raster too
  EXPECT_EQ(TiledMinFacePx(1200, 3000, 40, 0.025), 75);   // portrait: the long side counts
  EXPECT_EQ(TiledMinFacePx(1600, 1200, 40, 0.0301), 49);  // rounded up
  EXPECT_EQ(TiledMinFacePx(4000, 3000, 40, 0), 40);       // 0 = off
  const FaceTilingOptions options;
  EXPECT_LT(PlanFaceTiles(3000, 2000, TiledMinFacePx(3000, 2000, 40, 0.025), options).size(),
            PlanFaceTiles(3000, 2000, 40, options).size() / 3);
}

TEST(FaceTilesTest, TilesStayInsideAnImageLargerThanThemAndNeverMagnifyBeyondTheCap) {
  const FaceTilingOptions options;
  const std::vector<DetectionSquare> tiles = PlanFaceTiles(1600, 900, 10, options);
  ASSERT_FALSE(tiles.empty());
  for (const DetectionSquare& t : tiles) {
    if (t.side <= 1600) {
      EXPECT_TRUE(t.x >= 0 && t.x + t.side <= 1600.01f) << t.x << " " << t.side;
    }
    if (t.side <= 900) {
      EXPECT_TRUE(t.y >= 0 && t.y + t.side <= 900.01f) << t.y << " " << t.side;
    } else {
      EXPECT_FLOAT_EQ(t.y, (900 - t.side) / 2);  // taller than the image: centred
    }
    EXPECT_GE(t.side, options.network_px / options.max_upscale - 0.01f);
  }
  EXPECT_FLOAT_EQ(tiles.front().side, options.network_px / options.max_upscale);
}

// --- with the network: obama.jpg's face pasted small into a large plain canvas ---

std::string BlazeFacePath() {
  const char* env = std::getenv("TRIAGE_MODEL_DIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : std::string(TRIAGE_SOURCE_DIR) + "/.cache/npm";
  return dir + "/blazeface/ONNX/face_detection_back_256x256_barracuda.onnx";
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

TEST(FaceTilesTest, AFaceAcrossATileEdgeOrInsideTheOverlapIsFoundOnce) {
  auto tiled = Open(true), whole = Open(false);
  ASSERT_TRUE(tiled && whole);
  const FaceDetectorOptions defaults;
  const std::vector<DetectionSquare> tiles =
      PlanFaceTiles(1600, 1200, TiledMinFacePx(1600, 1200, defaults.min_face_size_px, defaults.min_face_fraction), {});
  ASSERT_GE(tiles.size(), 2u);
  const DetectionSquare& first = tiles[0];  // top-left tile; its right neighbour starts at tiles[1].x
  ASSERT_GT(tiles[1].x, first.x);
  const float overlap_left = tiles[1].x, overlap_right = first.x + first.side;
  ASSERT_GT(overlap_right - overlap_left, 60);
  // Cut by the first tile's right edge; in the middle of both tiles' overlap; cut by the second tile's left edge.
  for (const float centre : {overlap_right, (overlap_left + overlap_right) / 2, overlap_left}) {
    const Pasted pasted = PasteFace(*whole, 1600, 1200, 50, centre - 25, 200);
    base::Result<std::vector<FaceDetection>> found = tiled->Detect(pasted.canvas);
    ASSERT_TRUE(found.ok());
    ASSERT_EQ(found->size(), 1u) << "face centred at x=" << centre;
    ExpectNear(found->front().box, pasted.face, 6);
  }
}

}  // namespace
}  // namespace triage::vision
