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
#include "vision/onnx_conv_net.h"

namespace triage::vision {
namespace {

// BlazeFace back-camera model: trained on a 256 px square; two heads, one cell every 16 network px with 2 anchors
// and every 32 px with 6, each anchor's box and 6 keypoints as 16 values.
constexpr int kBlazeInputPx = 256;
constexpr int kBlazeKeypoints = 6;
constexpr int kBlazeValuesPerAnchor = 4 + 2 * kBlazeKeypoints;
// Network inputs are padded to a multiple of the coarsest head's cell.
constexpr int kBlazeCellPx = 32;
constexpr float kBlazeNmsIou = 0.3f;
// Tight face crops (a face filling the frame) are outside what the model saw in training; when a first pass finds
// nothing, a second pass pads the image by this fraction of its long side on every side.
constexpr float kBlazeRetryMargin = 0.5f;
// ... and keeps only faces at least this share of the image's long side wide.
constexpr float kRetryMinFaceShare = 0.4f;
constexpr float kRetryMinScore = 0.75f;
// Scaled passes show the network many more candidate regions than the whole-image pass; their detections need this
// score.
constexpr double kScaledMinScore = 0.75;
// ... and they answer for faces the whole-image pass sees too small: one it shows at twice the size it finds
// reliably is that pass's to find, and a scaled pass that alone "finds" it has mistaken something for a face (a
// 0.76 score on the windows of a painted building behind a portrait, 336 px wide in a 1480 px photo).
constexpr float kScaledMaxWholeFace = 2.0f;

// The model's outputs, scores then boxes of each head: graph outputs Identity:0 (16 px cells' scores),
// Identity_1:0 (32 px cells' scores), Identity_2:0 and Identity_3:0 (their boxes).
struct Head {
  int scores_output;
  int boxes_output;
  int anchors_per_cell;
};
constexpr Head kBlazeHeads[] = {{0, 2, 2}, {1, 3, 6}};
constexpr size_t kBlazeOutputs = 4;

// Where network pixels of one pass lie in the image: image = offset + network * px_per_net.
struct NetView {
  float offset_x = 0;
  float offset_y = 0;
  float px_per_net_x = 1;
  float px_per_net_y = 1;
};

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

// NCHW float blob [1, 3, rows, cols] in [-1, 1] of an RGB raster whose sides are multiples of kBlazeCellPx.
cv::Mat ToBlazeBlob(const cv::Mat& rgb) {
  return cv::dnn::blobFromImage(rgb, 1.0 / 127.5, cv::Size(), cv::Scalar(127.5, 127.5, 127.5), false, false, CV_32F);
}

int RoundUpToCell(int px) { return (px + kBlazeCellPx - 1) / kBlazeCellPx * kBlazeCellPx; }

// The 256 px square input of `square`; parts of the square outside the image are black.
cv::Mat MakeSquareInput(const model::RgbImage& image, const DetectionSquare& square) {
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
  return ToBlazeBlob(canvas);
}

// A window of the resized image, padded black at its right and bottom to whole cells.
cv::Mat MakeWindowInput(const cv::Mat& resized, const NetWindow& window) {
  cv::Mat canvas(RoundUpToCell(window.height), RoundUpToCell(window.width), CV_8UC3, cv::Scalar(0, 0, 0));
  resized(cv::Rect(window.x, window.y, window.width, window.height))
      .copyTo(canvas(cv::Rect(0, 0, window.width, window.height)));
  return ToBlazeBlob(canvas);
}

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Turns one head's raw outputs, NCHW maps of `input_rows` network rows, into detections in image pixels. kCorrupt
// when the maps do not have the head's shape.
base::Status DecodeHead(const Head& head, const cv::Mat& scores, const cv::Mat& boxes, int input_rows,
                        const NetView& view, float min_score, std::vector<FaceDetection>* out) {
  const int anchors = head.anchors_per_cell;
  if (scores.dims != 4 || boxes.dims != 4 || scores.size[1] != anchors ||
      boxes.size[1] != anchors * kBlazeValuesPerAnchor || scores.size[2] != boxes.size[2] ||
      scores.size[3] != boxes.size[3] || scores.size[2] <= 0 || input_rows % scores.size[2] != 0) {
    return base::Status::Corrupt("BlazeFace model: unexpected output shapes");
  }
  const int rows = scores.size[2], cols = scores.size[3];
  const size_t plane = static_cast<size_t>(rows) * cols;
  const float cell = static_cast<float>(input_rows / rows);  // network pixels per cell
  const float* score = scores.ptr<float>();
  const float* values = boxes.ptr<float>();
  for (int iy = 0; iy < rows; ++iy) {
    for (int ix = 0; ix < cols; ++ix) {
      const size_t at = static_cast<size_t>(iy) * cols + ix;
      for (int k = 0; k < anchors; ++k) {
        const float probability = Sigmoid(score[k * plane + at]);
        if (probability < min_score) continue;
        // Values of anchor k: channels k * 16 .. k * 16 + 15, in network pixels from the cell's centre.
        const auto b = [&](int j) { return values[(static_cast<size_t>(k) * kBlazeValuesPerAnchor + j) * plane + at]; };
        const float ax = (ix + 0.5f) * cell;
        const float ay = (iy + 0.5f) * cell;
        FaceDetection d;
        d.score = probability;
        d.box.width = b(2) * view.px_per_net_x;
        d.box.height = b(3) * view.px_per_net_y;
        d.box.x = view.offset_x + (ax + b(0)) * view.px_per_net_x - d.box.width / 2;
        d.box.y = view.offset_y + (ay + b(1)) * view.px_per_net_y - d.box.height / 2;
        for (int p = 0; p < kBlazeKeypoints; ++p) {
          d.keypoints.push_back({view.offset_x + (ax + b(4 + 2 * p)) * view.px_per_net_x,
                                 view.offset_y + (ay + b(5 + 2 * p)) * view.px_per_net_y});
        }
        out->push_back(std::move(d));
      }
    }
  }
  return base::Status::Ok();
}

// The padded second pass exists for faces filling the frame; what it finds at a smaller scale the first pass has
// already rejected, and round objects filling the frame (a cup seen from above) score up to ~0.68, so keeping
// anything else would only add false positives.
bool FillsFrame(const FaceDetection& d, const model::RgbImage& image) {
  return d.box.width >= kRetryMinFaceShare * std::max(image.width, image.height) && d.score >= kRetryMinScore;
}

// True when `box` (image pixels) reaches across an edge of `window` that lies inside the resized image: a face cut
// by the window, which lies wholly inside its neighbour.
bool CrossesInnerEdge(const model::Box& box, const NetWindow& window, const ScaledPass& pass) {
  const float left = window.x / pass.scale, top = window.y / pass.scale;
  const float right = (window.x + window.width) / pass.scale, bottom = (window.y + window.height) / pass.scale;
  return (window.x > 0 && box.x < left) || (window.y > 0 && box.y < top) ||
         (window.x + window.width < pass.width && box.x + box.width > right) ||
         (window.y + window.height < pass.height && box.y + box.height > bottom);
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
  BlazeFaceDetector(std::shared_ptr<const OnnxConvNet> graph, const FaceDetectorOptions& options)
      : graph_(std::move(graph)), options_(options), pool_([this] { return graph_->MakeNet(); }) {}

  // Runs the network once on a trial input so that a wrong model fails at open time, not on the first photo.
  base::Status Warm() {
    model::RgbImage probe{kBlazeInputPx, kBlazeInputPx, std::vector<uint8_t>(kBlazeInputPx * kBlazeInputPx * 3, 0)};
    std::vector<FaceDetection> ignored;
    return RunSquare(probe, WholeImageSquare(kBlazeInputPx, kBlazeInputPx, 0), options_.min_score, &ignored);
  }

  base::Result<std::vector<FaceDetection>> Detect(const model::RgbImage& image) const override {
    TRIAGE_RETURN_IF_ERROR(CheckImage(image));
    std::vector<FaceDetection> found;
    TRIAGE_RETURN_IF_ERROR(
        RunSquare(image, WholeImageSquare(image.width, image.height, 0), options_.min_score, &found));
    if (options_.tile_small_faces) {
      // A face the whole-image pass shows large enough to find reliably keeps that pass's box, whatever a scaled
      // pass scored: the landmarks start from the box, and a box a few pixels off once moved such a face's
      // embedding from 0.37 to 0.70 of its person. Smaller faces that pass found, and the scaled passes' faces, go
      // by score (there the whole-image box is the rough one).
      const float reliable_px = WholeImageMinFacePx(image.width, image.height, {});
      const auto small = std::stable_partition(found.begin(), found.end(),
                                               [&](const FaceDetection& d) { return d.box.width >= reliable_px; });
      std::vector<FaceDetection> rest(std::make_move_iterator(small), std::make_move_iterator(found.end()));
      found.erase(small, found.end());
      TRIAGE_RETURN_IF_ERROR(RunScaled(image, &rest));
      AddWithoutOverlaps(found, std::move(rest), kBlazeNmsIou);
    }
    found = SuppressOverlaps(std::move(found), kBlazeNmsIou);
    if (found.empty()) {
      TRIAGE_RETURN_IF_ERROR(
          RunSquare(image, WholeImageSquare(image.width, image.height, kBlazeRetryMargin), options_.min_score, &found));
      found = SuppressOverlaps(std::move(found), kBlazeNmsIou);
      std::erase_if(found, [&](const FaceDetection& d) { return !FillsFrame(d, image); });
    }
    return ApplyDetectionLimits(std::move(found), options_);
  }

  const char* name() const override { return "blazeface"; }

 private:
  // The image at finer scales for faces smaller than the whole-image pass can see (face_tiles.h), each scale in one
  // forward per window (one window up to 1024 network px). A face cut by a window's inner edge is dropped there: it
  // lies wholly inside the neighbouring window. So is a face wider than the scale answers for: a coarser scale or
  // the whole-image pass sees it, and at this scale the network mistakes dark textured regions for faces (a 0.86
  // score on a shadowed background in a face-api sample).
  base::Status RunScaled(const model::RgbImage& image, std::vector<FaceDetection>* found) const {
    const FaceTilingOptions tiling;
    const double min_score = std::max(options_.min_score, kScaledMinScore);
    const int min_face_px =
        TiledMinFacePx(image.width, image.height, options_.min_face_size_px, options_.min_face_fraction);
    const float whole_finds_px = kScaledMaxWholeFace * WholeImageMinFacePx(image.width, image.height, tiling);
    for (const ScaledPass& pass : PlanScaledPasses(image.width, image.height, min_face_px, tiling)) {
      cv::Mat resized;
      try {
        cv::resize(WrapRgb(image), resized, cv::Size(pass.width, pass.height), 0, 0,
                   pass.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
      } catch (const cv::Exception& e) {
        return base::Status::Corrupt(std::string("BlazeFace input: ") + e.what());
      }
      const float px_per_net_x = static_cast<float>(image.width) / pass.width;
      const float px_per_net_y = static_cast<float>(image.height) / pass.height;
      for (const NetWindow& window : pass.windows) {
        std::vector<FaceDetection> in_window;
        const NetView view{window.x * px_per_net_x, window.y * px_per_net_y, px_per_net_x, px_per_net_y};
        TRIAGE_RETURN_IF_ERROR(
            Forward([&] { return MakeWindowInput(resized, window); }, view, min_score, image, &in_window));
        std::erase_if(in_window, [&](const FaceDetection& d) {
          return CrossesInnerEdge(d.box, window, pass) || d.box.width * pass.scale > tiling.max_face_net_px ||
                 d.box.width >= whole_finds_px;
        });
        found->insert(found->end(), std::make_move_iterator(in_window.begin()),
                      std::make_move_iterator(in_window.end()));
      }
    }
    return base::Status::Ok();
  }

  // Appends the faces the network finds in `square` (image pixels) shown at 256 px, suppressed within the square.
  base::Status RunSquare(const model::RgbImage& image, const DetectionSquare& square, double min_score,
                         std::vector<FaceDetection>* out) const {
    const float px_per_net = square.side / kBlazeInputPx;
    return Forward([&] { return MakeSquareInput(image, square); }, {square.x, square.y, px_per_net, px_per_net},
                   min_score, image, out);
  }

  // Runs the network on the blob `make_input` builds and appends what it finds, suppressed within this input and
  // clipped to the image.
  template <typename MakeInput>
  base::Status Forward(const MakeInput& make_input, const NetView& view, double min_score, const model::RgbImage& image,
                       std::vector<FaceDetection>* out) const {
    std::vector<FaceDetection> found;
    try {
      const cv::Mat input = make_input();
      auto net = pool_.Borrow();
      net->setInput(input);
      std::vector<cv::Mat> outs;
      net->forward(outs, graph_->output_layers());
      if (outs.size() != kBlazeOutputs) return base::Status::Corrupt("BlazeFace model: expected four outputs");
      for (const Head& head : kBlazeHeads) {
        TRIAGE_RETURN_IF_ERROR(DecodeHead(head, outs[head.scores_output], outs[head.boxes_output], input.size[2], view,
                                          static_cast<float>(min_score), &found));
      }
    } catch (const cv::Exception& e) {
      return base::Status::Corrupt(std::string("BlazeFace inference failed: ") + e.what());
    }
    found = SuppressOverlaps(std::move(found), kBlazeNmsIou);
    for (FaceDetection& d : found) d.box = ClipToImage(d.box, image.width, image.height);
    out->insert(out->end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    return base::Status::Ok();
  }

  const std::shared_ptr<const OnnxConvNet> graph_;
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
  base::Result<OnnxGraph> graph = ParseOnnx(bytes.value());
  if (!graph.ok()) return graph.status().WithContext(onnx_path);
  base::Result<std::shared_ptr<const OnnxConvNet>> net = OnnxConvNet::FromGraph(graph.value());
  if (!net.ok()) return base::Status::Corrupt(net.status().message()).WithContext(onnx_path);
  if (net.value()->output_layers().size() != kBlazeOutputs) {
    return base::Status::Corrupt("BlazeFace model: expected four outputs").WithContext(onnx_path);
  }
  auto detector = std::make_unique<BlazeFaceDetector>(std::move(net.value()), options);
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
