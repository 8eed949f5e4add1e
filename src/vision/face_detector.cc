// BlazeFace and Haar face detectors (OpenCV) and the detector-independent helpers: NMS and limits.
#include "vision/face_detector.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "vision/face_pool.h"
#include "vision/face_tiles.h"

namespace triage::vision {
namespace {

// BlazeFace back-camera model geometry: 256 px square input, 16x16 cells with 2 anchors and 8x8 cells with 6.
constexpr int kBlazeInputPx = 256;
constexpr int kBlazeKeypoints = 6;
constexpr int kBlazeValuesPerAnchor = 4 + 2 * kBlazeKeypoints;
constexpr float kBlazeNmsIou = 0.3f;
// Tight face crops (a face filling the frame) are outside what the model saw in training; when a first pass finds
// nothing, a second pass pads the image by this fraction of its long side on every side.
constexpr float kBlazeRetryMargin = 0.5f;
// ... and keeps only faces at least this share of the image's long side wide.
constexpr float kRetryMinFaceShare = 0.4f;
constexpr float kRetryMinScore = 0.75f;
// Tiles show the network many more candidate regions than the whole-image pass; their detections need this score.
constexpr double kTileMinScore = 0.75;
// A tile answers for faces up to its overlap (a quarter of its side) and, with some slack, twice that.
constexpr float kTileMaxFaceShare = 0.5f;
// ... and for faces the whole-image pass sees too small: one it shows at twice the size it finds reliably is that
// pass's to find, and a tile that alone "finds" it has mistaken something for a face (a 0.76 score on the windows of
// a painted building behind a portrait, 336 px wide in a 1480 px photo).
constexpr float kTileMaxWholeFace = 2.0f;

struct AnchorGrid {
  const char* scores_output;
  const char* boxes_output;
  int cells;
  int anchors_per_cell;
};
constexpr AnchorGrid kBlazeGrids[] = {{"Identity:0", "Identity_2:0", 16, 2}, {"Identity_1:0", "Identity_3:0", 8, 6}};
// The grids' outputs in kBlazeGrids order: scores then boxes of each.
const std::vector<cv::String> kBlazeOutputs = {"Identity:0", "Identity_2:0", "Identity_1:0", "Identity_3:0"};

cv::Mat WrapRgb(const model::RgbImage& image) {
  // cv::Mat has no const view; the pixels are only read.
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
}

base::Status CheckImage(const model::RgbImage& image) {
  if (image.empty() || image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3) {
    return base::Status::InvalidArgument("face detection: empty or inconsistent image");
  }
  return base::Status::Ok();
}

// NHWC float blob [1, 256, 256, 3] in [-1, 1] of `square` (the model rejects NCHW); parts of the square outside the
// image are black.
cv::Mat MakeBlazeInput(const model::RgbImage& image, const DetectionSquare& square) {
  const double scale = kBlazeInputPx / square.side;
  cv::Mat canvas(kBlazeInputPx, kBlazeInputPx, CV_8UC3, cv::Scalar(0, 0, 0));
  const int src_x0 = std::max(0, static_cast<int>(std::floor(square.x)));
  const int src_y0 = std::max(0, static_cast<int>(std::floor(square.y)));
  const int src_x1 = std::min(image.width, static_cast<int>(std::ceil(square.x + square.side)));
  const int src_y1 = std::min(image.height, static_cast<int>(std::ceil(square.y + square.side)));
  const int x0 = std::clamp(static_cast<int>(std::lround((src_x0 - square.x) * scale)), 0, kBlazeInputPx - 1);
  const int y0 = std::clamp(static_cast<int>(std::lround((src_y0 - square.y) * scale)), 0, kBlazeInputPx - 1);
  const int w = std::clamp(static_cast<int>(std::lround((src_x1 - src_x0) * scale)), 1, kBlazeInputPx - x0);
  const int h = std::clamp(static_cast<int>(std::lround((src_y1 - src_y0) * scale)), 1, kBlazeInputPx - y0);
  const cv::Mat source = WrapRgb(image)(cv::Rect(src_x0, src_y0, src_x1 - src_x0, src_y1 - src_y0));
  cv::resize(source, canvas(cv::Rect(x0, y0, w, h)), cv::Size(w, h), 0, 0,
             scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  const int dims[] = {1, kBlazeInputPx, kBlazeInputPx, 3};
  cv::Mat blob(4, dims, CV_32F);
  canvas.convertTo(cv::Mat(kBlazeInputPx, kBlazeInputPx, CV_32FC3, blob.ptr<float>()), CV_32F, 1.0 / 127.5, -1.0);
  return blob;
}

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Turns one anchor grid's raw outputs into detections in image pixels.
void DecodeGrid(const AnchorGrid& grid, const cv::Mat& scores, const cv::Mat& boxes, const DetectionSquare& square,
                float min_score, std::vector<FaceDetection>* out) {
  const float* score = scores.ptr<float>();
  const float* values = boxes.ptr<float>();
  const float to_px = square.side / kBlazeInputPx;  // network pixels -> image pixels
  int anchor = 0;
  for (int iy = 0; iy < grid.cells; ++iy) {
    for (int ix = 0; ix < grid.cells; ++ix) {
      for (int k = 0; k < grid.anchors_per_cell; ++k, ++anchor) {
        const float probability = Sigmoid(score[anchor]);
        if (probability < min_score) continue;
        const float* b = values + anchor * kBlazeValuesPerAnchor;
        const float ax = (ix + 0.5f) / grid.cells * kBlazeInputPx;
        const float ay = (iy + 0.5f) / grid.cells * kBlazeInputPx;
        FaceDetection d;
        d.score = probability;
        d.box.width = b[2] * to_px;
        d.box.height = b[3] * to_px;
        d.box.x = (ax + b[0]) * to_px - d.box.width / 2 + square.x;
        d.box.y = (ay + b[1]) * to_px - d.box.height / 2 + square.y;
        for (int p = 0; p < kBlazeKeypoints; ++p) {
          d.keypoints.push_back({(ax + b[4 + 2 * p]) * to_px + square.x, (ay + b[5 + 2 * p]) * to_px + square.y});
        }
        out->push_back(std::move(d));
      }
    }
  }
}

// The padded second pass exists for faces filling the frame; what it finds at a smaller scale the first pass has
// already rejected, and round objects filling the frame (a cup seen from above) score up to ~0.68, so keeping
// anything else would only add false positives.
bool FillsFrame(const FaceDetection& d, const model::RgbImage& image) {
  return d.box.width >= kRetryMinFaceShare * std::max(image.width, image.height) && d.score >= kRetryMinScore;
}

// True when `box` reaches across an edge of `tile` that lies inside the image (a face cut by the tile).
bool CrossesInnerEdge(const model::Box& box, const DetectionSquare& tile, const model::RgbImage& image) {
  const float right = tile.x + tile.side;
  const float bottom = tile.y + tile.side;
  return (tile.x > 0 && box.x < tile.x) || (tile.y > 0 && box.y < tile.y) ||
         (right < image.width && box.x + box.width > right) || (bottom < image.height && box.y + box.height > bottom);
}

// Cuts a box down to the image so that consumers never read outside it.
model::Box ClipToImage(const model::Box& box, int width, int height) {
  const float x0 = std::clamp(box.x, 0.0f, static_cast<float>(width));
  const float y0 = std::clamp(box.y, 0.0f, static_cast<float>(height));
  const float x1 = std::clamp(box.x + box.width, 0.0f, static_cast<float>(width));
  const float y1 = std::clamp(box.y + box.height, 0.0f, static_cast<float>(height));
  return {x0, y0, x1 - x0, y1 - y0};
}

class BlazeFaceDetector final : public FaceDetector {
 public:
  BlazeFaceDetector(std::vector<uchar> onnx, const FaceDetectorOptions& options)
      : onnx_(std::move(onnx)), options_(options), pool_([this] { return LoadNet(); }) {}

  // Builds one network from the ONNX bytes; throws cv::Exception when they are not a loadable model.
  std::unique_ptr<cv::dnn::Net> LoadNet() const {
    return std::make_unique<cv::dnn::Net>(cv::dnn::readNetFromONNX(onnx_));
  }

  // Runs the network once on a trial input so that a wrong model fails at open time, not on the first photo.
  base::Status Warm() {
    model::RgbImage probe{kBlazeInputPx, kBlazeInputPx, std::vector<uint8_t>(kBlazeInputPx * kBlazeInputPx * 3, 0)};
    std::vector<FaceDetection> ignored;
    return RunPass(probe, WholeImageSquare(kBlazeInputPx, kBlazeInputPx, 0), options_.min_score, &ignored);
  }

  base::Result<std::vector<FaceDetection>> Detect(const model::RgbImage& image) const override {
    TRIAGE_RETURN_IF_ERROR(CheckImage(image));
    std::vector<FaceDetection> found;
    TRIAGE_RETURN_IF_ERROR(RunPass(image, WholeImageSquare(image.width, image.height, 0), options_.min_score, &found));
    if (options_.tile_small_faces) {
      // A face the whole-image pass shows large enough to find reliably keeps that pass's box, whatever a tile
      // scored: the landmarks start from the box, and a tile's box a few pixels off once moved such a face's
      // embedding from 0.37 to 0.70 of its person. Smaller faces that pass found, and the tiles' faces, go by
      // score (there the whole-image box is the rough one).
      const float reliable_px = WholeImageMinFacePx(image.width, image.height, {});
      const auto small = std::stable_partition(found.begin(), found.end(),
                                               [&](const FaceDetection& d) { return d.box.width >= reliable_px; });
      std::vector<FaceDetection> rest(std::make_move_iterator(small), std::make_move_iterator(found.end()));
      found.erase(small, found.end());
      TRIAGE_RETURN_IF_ERROR(RunTiles(image, &rest));
      AddWithoutOverlaps(found, std::move(rest), kBlazeNmsIou);
    }
    found = SuppressOverlaps(std::move(found), kBlazeNmsIou);
    if (found.empty()) {
      TRIAGE_RETURN_IF_ERROR(
          RunPass(image, WholeImageSquare(image.width, image.height, kBlazeRetryMargin), options_.min_score, &found));
      found = SuppressOverlaps(std::move(found), kBlazeNmsIou);
      std::erase_if(found, [&](const FaceDetection& d) { return !FillsFrame(d, image); });
    }
    return ApplyDetectionLimits(std::move(found), options_);
  }

  const char* name() const override { return "blazeface"; }

 private:
  // Tiles at finer scales for faces smaller than the whole-image pass can see (face_tiles.h). A face cut by a tile's
  // inner edge is dropped there: it lies wholly inside a neighbouring tile or is large enough for a coarser scale.
  // So is a box filling much of a tile: a coarser scale sees such a face, and at this scale the network mistakes
  // dark textured regions for faces (a 0.86 score on a shadowed background in a face-api sample).
  base::Status RunTiles(const model::RgbImage& image, std::vector<FaceDetection>* found) const {
    const double min_score = std::max(options_.min_score, kTileMinScore);
    const int min_face_px =
        TiledMinFacePx(image.width, image.height, options_.min_face_size_px, options_.min_face_fraction);
    const float whole_finds_px = kTileMaxWholeFace * WholeImageMinFacePx(image.width, image.height, {});
    for (const DetectionSquare& tile : PlanFaceTiles(image.width, image.height, min_face_px, {})) {
      std::vector<FaceDetection> in_tile;
      TRIAGE_RETURN_IF_ERROR(RunPass(image, tile, min_score, &in_tile));
      std::erase_if(in_tile, [&](const FaceDetection& d) {
        return CrossesInnerEdge(d.box, tile, image) || d.box.width > kTileMaxFaceShare * tile.side ||
               d.box.width >= whole_finds_px;
      });
      found->insert(found->end(), std::make_move_iterator(in_tile.begin()), std::make_move_iterator(in_tile.end()));
    }
    return base::Status::Ok();
  }

  // Appends the faces the network finds in `square` (image pixels), suppressed within the square.
  base::Status RunPass(const model::RgbImage& image, const DetectionSquare& square, double min_score,
                       std::vector<FaceDetection>* out) const {
    std::vector<FaceDetection> found;
    try {
      auto net = pool_.Borrow();
      net->setInput(MakeBlazeInput(image, square));
      // One forward for all four outputs: a forward per grid would run the shared layers twice.
      std::vector<cv::Mat> outs;
      net->forward(outs, kBlazeOutputs);
      for (size_t g = 0; g < std::size(kBlazeGrids); ++g) {
        const AnchorGrid& grid = kBlazeGrids[g];
        const cv::Mat& scores = outs[2 * g];
        const cv::Mat& boxes = outs[2 * g + 1];
        const int anchors = grid.cells * grid.cells * grid.anchors_per_cell;
        if (scores.total() != static_cast<size_t>(anchors) ||
            boxes.total() != static_cast<size_t>(anchors) * kBlazeValuesPerAnchor) {
          return base::Status::Corrupt("BlazeFace model: unexpected output shapes for " +
                                       std::string(grid.scores_output));
        }
        DecodeGrid(grid, scores, boxes, square, static_cast<float>(min_score), &found);
      }
    } catch (const cv::Exception& e) {
      return base::Status::Corrupt(std::string("BlazeFace inference failed: ") + e.what());
    }
    found = SuppressOverlaps(std::move(found), kBlazeNmsIou);
    for (FaceDetection& d : found) d.box = ClipToImage(d.box, image.width, image.height);
    out->insert(out->end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    return base::Status::Ok();
  }

  const std::vector<uchar> onnx_;
  const FaceDetectorOptions options_;
  mutable WorkerPool<cv::dnn::Net> pool_;
};

class HaarDetector final : public FaceDetector {
 public:
  HaarDetector(std::string path, const FaceDetectorOptions& options)
      : path_(std::move(path)), options_(options), pool_([this] { return Load(); }) {}

  std::unique_ptr<cv::CascadeClassifier> Load() const {
    auto cascade = std::make_unique<cv::CascadeClassifier>();
    if (!cascade->load(path_)) cascade.reset();
    return cascade;
  }

  base::Result<std::vector<FaceDetection>> Detect(const model::RgbImage& image) const override {
    TRIAGE_RETURN_IF_ERROR(CheckImage(image));
    std::vector<cv::Rect> rects;
    try {
      cv::Mat gray;
      cv::cvtColor(WrapRgb(image), gray, cv::COLOR_RGB2GRAY);
      cv::equalizeHist(gray, gray);
      auto cascade = pool_.Borrow();
      if (!cascade) return base::Status::NotFound("cannot load Haar cascade " + path_);
      const int min_px = std::max(1, options_.min_face_size_px);
      cascade->detectMultiScale(gray, rects, 1.1, 3, 0, cv::Size(min_px, min_px));
    } catch (const cv::Exception& e) {
      return base::Status::Corrupt(std::string("Haar detection failed: ") + e.what());
    }
    std::vector<FaceDetection> found;
    for (const cv::Rect& r : rects) {
      FaceDetection d;
      d.box = {static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.width),
               static_cast<float>(r.height)};
      d.score = 1.0f;
      found.push_back(std::move(d));
    }
    return ApplyDetectionLimits(std::move(found), options_);
  }

  const char* name() const override { return "haar"; }

 private:
  const std::string path_;
  const FaceDetectorOptions options_;
  mutable WorkerPool<cv::CascadeClassifier> pool_;
};

base::Result<std::vector<uchar>> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::Status::NotFound("model file not found: " + path);
  std::vector<uchar> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return base::Status::Corrupt("model file is empty: " + path);
  return bytes;
}

}  // namespace

base::Result<std::unique_ptr<FaceDetector>> FaceDetector::OpenBlazeFace(const std::string& onnx_path,
                                                                        const FaceDetectorOptions& options) {
  base::Result<std::vector<uchar>> bytes = ReadBytes(onnx_path);
  if (!bytes.ok()) return bytes.status();
  auto detector = std::make_unique<BlazeFaceDetector>(std::move(bytes.value()), options);
  try {
    base::Status warm = detector->Warm();
    if (!warm.ok()) return warm.WithContext(onnx_path);
  } catch (const cv::Exception& e) {
    return base::Status::Corrupt("cannot load BlazeFace model " + onnx_path + ": " + e.what());
  }
  return std::unique_ptr<FaceDetector>(std::move(detector));
}

base::Result<std::unique_ptr<FaceDetector>> FaceDetector::OpenHaar(const std::string& cascade_path,
                                                                   const FaceDetectorOptions& options) {
  auto detector = std::make_unique<HaarDetector>(cascade_path, options);
  std::unique_ptr<cv::CascadeClassifier> first = detector->Load();
  if (!first) return base::Status::NotFound("cannot load Haar cascade " + cascade_path);
  return std::unique_ptr<FaceDetector>(std::move(detector));
}

namespace {

float IntersectionArea(const model::Box& a, const model::Box& b) {
  const float ix = std::max(0.0f, std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x));
  const float iy = std::max(0.0f, std::min(a.y + a.height, b.y + b.height) - std::max(a.y, b.y));
  return ix * iy;
}

// Share of `inner`'s area that lies inside `outer`.
float ContainedFraction(const model::Box& inner, const model::Box& outer) {
  const float area = inner.width * inner.height;
  return area > 0 ? IntersectionArea(inner, outer) / area : 0.0f;
}

// Close-ups make the network fire on parts of a face (an eye and a cheek) inside the whole face's box; faces of
// different people do not sit more than half inside one another.
constexpr float kMaxContained = 0.5f;

}  // namespace

float IntersectionOverUnion(const model::Box& a, const model::Box& b) {
  const float inter = IntersectionArea(a, b);
  const float uni = a.width * a.height + b.width * b.height - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

void AddWithoutOverlaps(std::vector<FaceDetection>& kept, std::vector<FaceDetection> more, float max_iou) {
  std::stable_sort(more.begin(), more.end(),
                   [](const FaceDetection& a, const FaceDetection& b) { return a.score > b.score; });
  for (FaceDetection& d : more) {
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const FaceDetection& k) {
      return IntersectionOverUnion(k.box, d.box) > max_iou || ContainedFraction(d.box, k.box) > kMaxContained;
    });
    if (!overlaps) kept.push_back(std::move(d));
  }
}

std::vector<FaceDetection> SuppressOverlaps(std::vector<FaceDetection> detections, float max_iou) {
  std::vector<FaceDetection> kept;
  AddWithoutOverlaps(kept, std::move(detections), max_iou);
  return kept;
}

std::vector<FaceDetection> ApplyDetectionLimits(std::vector<FaceDetection> detections,
                                                const FaceDetectorOptions& options) {
  std::erase_if(detections, [&](const FaceDetection& d) {
    return d.score < static_cast<float>(options.min_score) || d.box.width < options.min_face_size_px;
  });
  return detections;
}

}  // namespace triage::vision
