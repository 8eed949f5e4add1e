// BlazeFace and Haar face detectors (OpenCV) and the detector-independent helpers: NMS and limits.
#include "vision/face_detector.h"

#include <algorithm>
#include <array>
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
#include "vision/resample.h"

namespace triage::vision {
namespace {

// BlazeFace back-camera model: trained on a 256 px square; two heads, one cell every 16 network px with 2 anchors
// and every 32 px with 6, each anchor's box and 6 keypoints as 16 values. It looks at the whole image.
constexpr int kBlazeInputPx = 256;
constexpr int kBlazeKeypoints = 6;
constexpr int kBlazeValuesPerAnchor = 4 + 2 * kBlazeKeypoints;
// The front-camera model was trained on a 128 px square: cells every 8 and 16 network px, the same outputs
// otherwise. It looks at the image at finer scales: run over a whole picture, it found each face of the face-api
// samples from 24 network px (22/22; the back model 18/22 at 24 px, 21/22 at 28-40 px) and costs ~0.6 of the back
// model's CPU per network pixel (67 against 116 ms for 960 x 704, one thread).
// Network inputs are padded to whole cells of the coarsest head: 32 px for the back model, 16 px for the front one.
constexpr int kBackCellPx = 32;
constexpr int kFrontCellPx = 16;
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
// A scaled pass's face scoring below kConfirmBelow is looked at again, closer: the front model shown a square
// kConfirmInputPx wide around it, where the face spans kConfirmFaceNetPx, must find it again (IoU >= 0.3) scoring
// kConfirmMinScore or more. On the development sets the false faces that reached the scaled passes' bar (a round
// badge at 0.80, a wine glass at 0.82, a shirt at 0.76) scored 0.57-0.63 there and the true faces 0.73 and up (111
// faces of group photos, 89 of the face-api samples at four sizes); faces scoring kConfirmBelow or more were true.
constexpr float kConfirmBelow = 0.86f;
constexpr int kConfirmInputPx = 256;
constexpr float kConfirmFaceNetPx = 64;
constexpr float kConfirmMinScore = 0.68f;
constexpr float kConfirmIou = 0.3f;
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

// NCHW float blob in [-1, 1] for an input of rows x cols: `rgb` (8-bit RGB) with its top-left corner at (x0, y0),
// black elsewhere, and around it the zeros `pad` asks of the caller (the network's first padding). Written directly:
// blobFromImage over a padded copy took 6.5 ms of CPU for 960 x 768.
cv::Mat ToBlazeBlob(const cv::Mat& rgb, int rows, int cols, const InputPadding& pad, int x0 = 0, int y0 = 0) {
  static const std::array<float, 256> kValue = [] {
    std::array<float, 256> v{};
    for (int i = 0; i < 256; ++i) v[i] = (static_cast<float>(i) - 127.5f) / 127.5f;
    return v;
  }();
  const int stride = pad.left + cols + pad.right;
  const int padded_rows = pad.top + rows + pad.bottom;
  cv::Mat blob(std::vector<int>{1, 3, padded_rows, stride}, CV_32F, cv::Scalar(0.0));
  const size_t plane = static_cast<size_t>(padded_rows) * stride;
  float* const red = blob.ptr<float>() + static_cast<size_t>(pad.top) * stride + pad.left;
  float* const green = red + plane;
  float* const blue = green + plane;
  const int width = std::min(rgb.cols, cols - x0), height = std::min(rgb.rows, rows - y0);
  // In bands of rows on OpenCV's threads for a large input (960 x 720: 1.25 ms of one core).
  const int bands = std::clamp(rows * cols / 200'000, 1, 8);
  const auto fill_rows = [&](const cv::Range& band) {
    for (float* channel : {red, green, blue}) {
      for (int y = band.start; y < band.end; ++y) std::fill_n(channel + static_cast<size_t>(y) * stride, cols, -1.0f);
    }
    for (int y = std::max(band.start - y0, 0); y < std::min(band.end - y0, height); ++y) {
      const uint8_t* in = rgb.ptr<uint8_t>(y);
      const size_t at = static_cast<size_t>(y0 + y) * stride + x0;
      for (int x = 0; x < width; ++x, in += 3) {
        red[at + x] = kValue[in[0]];
        green[at + x] = kValue[in[1]];
        blue[at + x] = kValue[in[2]];
      }
    }
  };
  if (bands == 1) {
    fill_rows(cv::Range(0, rows));  // not worth waking the thread pool
  } else {
    cv::parallel_for_(cv::Range(0, rows), fill_rows, bands);
  }
  return blob;
}

int RoundUpToCell(int px, int cell_px) { return (px + cell_px - 1) / cell_px * cell_px; }

// The `input_px` square input of `square`; parts of the square outside the image are black.
cv::Mat MakeSquareInput(const model::RgbImage& image, const DetectionSquare& square, int input_px,
                        const InputPadding& pad) {
  const double scale = input_px / square.side;
  const int src_x0 = std::max(0, static_cast<int>(std::floor(square.x)));
  const int src_y0 = std::max(0, static_cast<int>(std::floor(square.y)));
  const int src_x1 = std::min(image.width, static_cast<int>(std::ceil(square.x + square.side)));
  const int src_y1 = std::min(image.height, static_cast<int>(std::ceil(square.y + square.side)));
  const int x0 = std::clamp(static_cast<int>(std::lround((src_x0 - square.x) * scale)), 0, input_px - 1);
  const int y0 = std::clamp(static_cast<int>(std::lround((src_y0 - square.y) * scale)), 0, input_px - 1);
  const int w = std::clamp(static_cast<int>(std::lround((src_x1 - src_x0) * scale)), 1, input_px - x0);
  const int h = std::clamp(static_cast<int>(std::lround((src_y1 - src_y0) * scale)), 1, input_px - y0);
  const cv::Mat source = WrapRgb(image)(cv::Rect(src_x0, src_y0, src_x1 - src_x0, src_y1 - src_y0));
  cv::Mat resized;
  // Shrunk by triage's area averaging, which OpenCV's INTER_AREA equals within a grey level (the same boxes and
  // scores to four decimals on the face sets) in less time: with INTER_AREA, the whole-image square of a 1600 x 1200
  // raster took 3.6 ms of one core to build.
  if (scale < 1 && w <= source.cols && h <= source.rows) {
    resized = internal::AreaResize(source, cv::Size(w, h));
  } else {
    cv::resize(source, resized, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  return ToBlazeBlob(resized, input_px, input_px, pad, x0, y0);
}

// A window of the resized image, padded black at its right and bottom to whole cells.
cv::Mat MakeWindowInput(const cv::Mat& resized, const NetWindow& window, int cell_px, const InputPadding& pad) {
  return ToBlazeBlob(resized(cv::Rect(window.x, window.y, window.width, window.height)),
                     RoundUpToCell(window.height, cell_px), RoundUpToCell(window.width, cell_px), pad);
}

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

// One BlazeFace network: its graph, a pool of instances for concurrent callers, and the cell its inputs are padded
// to. An instance reallocates its buffers when its input shape changes; with freed memory kept for reuse
// (base/memory.h) that costs next to nothing (a 960 x 704 and a 288 x 224 input in turn: 73 + 6 ms of CPU, as each
// alone), without it the page faults doubled the cost (116 + 17 ms).
class BlazeNet {
 public:
  BlazeNet(std::shared_ptr<const OnnxConvNet> graph, int cell_px)
      : graph_(std::move(graph)), cell_px_(cell_px), pool_([this] { return graph_->MakeNet(); }) {}

  int cell_px() const { return cell_px_; }
  const InputPadding& padding() const { return graph_->input_padding(); }

  // The four output maps for `input`, an NCHW blob. May throw cv::Exception.
  std::vector<cv::Mat> Run(const cv::Mat& input) const {
    auto net = pool_.Borrow();
    net->setInput(input);
    std::vector<cv::Mat> outs;
    net->forward(outs, graph_->output_layers());
    return outs;
  }

 private:
  const std::shared_ptr<const OnnxConvNet> graph_;
  const int cell_px_;
  mutable WorkerPool<cv::dnn::Net> pool_;
};

class BlazeFaceDetector final : public FaceDetector {
 public:
  BlazeFaceDetector(std::shared_ptr<const OnnxConvNet> back, std::shared_ptr<const OnnxConvNet> front,
                    const FaceDetectorOptions& options)
      : back_(std::move(back), kBackCellPx), front_(std::move(front), kFrontCellPx), options_(options) {}

  // Runs the network once on a trial input so that a wrong model fails at open time, not on the first photo.
  base::Status Warm() {
    model::RgbImage probe{kBlazeInputPx, kBlazeInputPx, std::vector<uint8_t>(kBlazeInputPx * kBlazeInputPx * 3, 0)};
    std::vector<FaceDetection> ignored;
    TRIAGE_RETURN_IF_ERROR(
        RunSquare(probe, WholeImageSquare(kBlazeInputPx, kBlazeInputPx, 0), options_.min_score, &ignored));
    const cv::Mat black(kBlazeInputPx, kBlazeInputPx, CV_8UC3, cv::Scalar(0, 0, 0));
    return Forward(
        front_,
        [&] {
          return MakeWindowInput(black, {0, 0, kBlazeInputPx, kBlazeInputPx}, kFrontCellPx, front_.padding());
        },
        {}, options_.min_score, probe, &ignored);
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
  // forward of the front model per window (one window up to 1024 network px). A face cut by a window's inner edge is
  // dropped there: it lies wholly inside the neighbouring window. So is a face wider than the scale answers for: a
  // coarser scale or the whole-image pass sees it, and at this scale the network mistakes dark textured regions for
  // faces (a 0.86 score on a shadowed background in a face-api sample).
  base::Status RunScaled(const model::RgbImage& image, std::vector<FaceDetection>* found) const {
    const FaceTilingOptions tiling;
    const double min_score = std::max(options_.min_score, kScaledMinScore);
    const int min_face_px =
        TiledMinFacePx(image.width, image.height, options_.min_face_size_px, options_.min_face_fraction);
    const float whole_finds_px = kScaledMaxWholeFace * WholeImageMinFacePx(image.width, image.height, tiling);
    for (const ScaledPass& pass : PlanScaledPasses(image.width, image.height, min_face_px, tiling)) {
      cv::Mat resized;
      try {
        // triage's area averaging (resample.h): OpenCV's INTER_AREA took 5.7-11.8 ms of one core for 1600 x 1200 to
        // 960 x 720.
        resized = internal::ResampleTo(WrapRgb(image), cv::Size(pass.width, pass.height));
      } catch (const cv::Exception& e) {
        return base::Status::Corrupt(std::string("BlazeFace input: ") + e.what());
      }
      const float px_per_net_x = static_cast<float>(image.width) / pass.width;
      const float px_per_net_y = static_cast<float>(image.height) / pass.height;
      for (const NetWindow& window : pass.windows) {
        std::vector<FaceDetection> in_window;
        const NetView view{window.x * px_per_net_x, window.y * px_per_net_y, px_per_net_x, px_per_net_y};
        TRIAGE_RETURN_IF_ERROR(Forward(
            front_, [&] { return MakeWindowInput(resized, window, front_.cell_px(), front_.padding()); }, view,
            min_score, image, &in_window));
        std::erase_if(in_window, [&](const FaceDetection& d) {
          return CrossesInnerEdge(d.box, window, pass) || d.box.width * pass.scale > tiling.max_face_net_px ||
                 d.box.width >= whole_finds_px;
        });
        for (FaceDetection& d : in_window) {
          if (d.score < kConfirmBelow) {
            base::Result<bool> confirmed = ConfirmedCloser(image, d);
            if (!confirmed.ok()) return confirmed.status();
            if (!confirmed.value()) continue;
          }
          found->push_back(std::move(d));
        }
      }
    }
    DropBoxesAroundBetterFaces(found);
    return base::Status::Ok();
  }

  // True when the front model, shown the region around `face` closer (kConfirmInputPx, the face at
  // kConfirmFaceNetPx), finds the face there again scoring kConfirmMinScore or more.
  base::Result<bool> ConfirmedCloser(const model::RgbImage& image, const FaceDetection& face) const {
    const float side = face.box.width * kConfirmInputPx / kConfirmFaceNetPx;
    const DetectionSquare square{face.box.x + face.box.width / 2 - side / 2,
                                 face.box.y + face.box.height / 2 - side / 2, side};
    const float px_per_net = side / kConfirmInputPx;
    std::vector<FaceDetection> there;
    TRIAGE_RETURN_IF_ERROR(Forward(
        front_, [&] { return MakeSquareInput(image, square, kConfirmInputPx, front_.padding()); },
        {square.x, square.y, px_per_net, px_per_net}, kConfirmMinScore, image, &there));
    return std::any_of(there.begin(), there.end(),
                       [&](const FaceDetection& d) { return IntersectionOverUnion(d.box, face.box) >= kConfirmIou; });
  }

  // Appends the faces the back model finds in `square` (image pixels) shown at `input_px`, suppressed within the
  // square.
  base::Status RunSquare(const model::RgbImage& image, const DetectionSquare& square, double min_score,
                         std::vector<FaceDetection>* out, int input_px = kBlazeInputPx) const {
    const float px_per_net = square.side / input_px;
    return Forward(
        back_, [&] { return MakeSquareInput(image, square, input_px, back_.padding()); },
        {square.x, square.y, px_per_net, px_per_net}, min_score, image, out);
  }

  // Runs `net` on the blob `make_input` builds and appends what it finds, suppressed within this input and clipped
  // to the image.
  template <typename MakeInput>
  base::Status Forward(const BlazeNet& net, const MakeInput& make_input, const NetView& view, double min_score,
                       const model::RgbImage& image, std::vector<FaceDetection>* out) const {
    std::vector<FaceDetection> found;
    try {
      const cv::Mat input = make_input();
      const std::vector<cv::Mat> outs = net.Run(input);
      if (outs.size() != kBlazeOutputs) return base::Status::Corrupt("BlazeFace model: expected four outputs");
      const int input_rows = input.size[2] - net.padding().top - net.padding().bottom;
      for (const Head& head : kBlazeHeads) {
        TRIAGE_RETURN_IF_ERROR(DecodeHead(head, outs[head.scores_output], outs[head.boxes_output], input_rows, view,
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

  const BlazeNet back_;   // the whole-image passes
  const BlazeNet front_;  // the scaled passes
  const FaceDetectorOptions options_;
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

namespace {

// One BlazeFace ONNX file as a network graph. kNotFound when the file is missing; kCorrupt naming it when it is not
// a BlazeFace model.
base::Result<std::shared_ptr<const OnnxConvNet>> LoadBlazeGraph(const std::string& onnx_path) {
  base::Result<std::vector<uchar>> bytes = ReadBytes(onnx_path);
  if (!bytes.ok()) return bytes.status();
  base::Result<OnnxGraph> graph = ParseOnnx(bytes.value());
  if (!graph.ok()) return graph.status().WithContext(onnx_path);
  base::Result<std::shared_ptr<const OnnxConvNet>> net = OnnxConvNet::FromGraph(graph.value());
  if (!net.ok()) return base::Status::Corrupt(net.status().message()).WithContext(onnx_path);
  if (net.value()->output_layers().size() != kBlazeOutputs) {
    return base::Status::Corrupt("BlazeFace model: expected four outputs").WithContext(onnx_path);
  }
  return net;
}

}  // namespace

base::Result<std::unique_ptr<FaceDetector>> FaceDetector::OpenBlazeFace(const BlazeFaceFiles& files,
                                                                        const FaceDetectorOptions& options) {
  base::Result<std::shared_ptr<const OnnxConvNet>> back = LoadBlazeGraph(files.back_onnx);
  if (!back.ok()) return back.status();
  base::Result<std::shared_ptr<const OnnxConvNet>> front = LoadBlazeGraph(files.front_onnx);
  if (!front.ok()) return front.status();
  auto detector = std::make_unique<BlazeFaceDetector>(std::move(back.value()), std::move(front.value()), options);
  try {
    base::Status warm = detector->Warm();
    if (!warm.ok()) return warm.WithContext(files.back_onnx + ", " + files.front_onnx);
  } catch (const cv::Exception& e) {
    return base::Status::Corrupt("cannot load BlazeFace models " + files.back_onnx + ", " + files.front_onnx + ": " +
                                 e.what());
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

float IntersectionOverUnion(const model::Box& a, const model::Box& b) {
  const float inter = IntersectionArea(a, b);
  const float uni = a.width * a.height + b.width * b.height - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

void DropBoxesAroundBetterFaces(std::vector<FaceDetection>* found) {
  const std::vector<FaceDetection> all = *found;
  std::erase_if(*found, [&](const FaceDetection& d) {
    return std::any_of(all.begin(), all.end(), [&](const FaceDetection& k) {
      return k.score > d.score && ContainedFraction(k.box, d.box) > kMaxContained;
    });
  });
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
