// Where the face network looks: scales from the smallest wanted face up to the whole-image view.
#include "vision/face_tiles.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace triage::vision {
namespace {

// Window origins along one axis of `length` network pixels: windows of at most `side` stepping by side - overlap,
// the last one flush with the far edge.
std::vector<std::pair<int, int>> Spans(int length, int side, int overlap) {
  if (length <= side) return {{0, length}};
  std::vector<std::pair<int, int>> out;
  const int stride = side - overlap;
  for (int at = 0; at + side < length; at += stride) out.emplace_back(at, side);
  out.emplace_back(length - side, side);
  return out;
}

}  // namespace

DetectionSquare WholeImageSquare(int width, int height, float margin) {
  const float side = static_cast<float>(std::max(width, height)) * (1 + 2 * margin);
  return {(width - side) / 2, (height - side) / 2, side};
}

int TiledMinFacePx(int width, int height, int min_face_px, double min_face_fraction) {
  const double share_px = std::ceil(min_face_fraction * std::max(width, height) - 1e-9);
  return std::max(min_face_px, static_cast<int>(share_px));
}

float WholeImageMinFacePx(int width, int height, const FaceTilingOptions& options) {
  return options.whole_min_face_net_px * static_cast<float>(std::max(width, height)) / options.network_px;
}

std::vector<ScaledPass> PlanScaledPasses(int width, int height, int min_face_px, const FaceTilingOptions& options) {
  std::vector<ScaledPass> passes;
  if (min_face_px >= WholeImageMinFacePx(width, height, options)) return passes;
  // Network pixels per image pixel at the finest scale, and the step between scales: a pass answers for faces from
  // min_face_net_px to max_face_net_px, so the next coarser one must see faces of that size at min_face_net_px. The
  // last pass is the first whose widest face the whole-image square shows at whole_min_face_net_px or more.
  const float largest = static_cast<float>(std::sqrt(options.max_pass_pixels / (static_cast<double>(width) * height)));
  const float finest = std::min({options.min_face_net_px / min_face_px, options.max_upscale, largest});
  const float step = options.max_face_net_px / options.min_face_net_px;
  const float whole = static_cast<float>(options.network_px) / std::max(width, height);
  const int overlap = static_cast<int>(std::ceil(options.max_face_net_px));
  for (float scale = finest;; scale /= step) {
    ScaledPass pass;
    pass.scale = scale;
    pass.width = std::max(1, static_cast<int>(std::lround(width * scale)));
    pass.height = std::max(1, static_cast<int>(std::lround(height * scale)));
    for (const auto& [y, h] : Spans(pass.height, options.window_net_px, overlap)) {
      for (const auto& [x, w] : Spans(pass.width, options.window_net_px, overlap)) pass.windows.push_back({x, y, w, h});
    }
    passes.push_back(std::move(pass));
    if (scale <= whole * options.max_face_net_px / options.whole_min_face_net_px) break;
  }
  return passes;
}

}  // namespace triage::vision
