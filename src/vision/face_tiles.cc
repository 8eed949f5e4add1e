// Tile plan for the face network: scales from the smallest wanted face up to the whole-image view.
#include "vision/face_tiles.h"

#include <algorithm>
#include <cmath>

namespace triage::vision {
namespace {

// Tile origins along one axis: `side` wide squares stepping by `stride`, the last one flush with the far edge.
std::vector<float> Origins(int length, float side, float stride) {
  if (side >= length) return {(length - side) / 2};  // one tile, centred (padded on both sides)
  std::vector<float> out;
  for (float at = 0; at + side < length; at += stride) out.push_back(at);
  out.push_back(length - side);
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
  return options.min_face_net_px * static_cast<float>(std::max(width, height)) / options.network_px;
}

std::vector<DetectionSquare> PlanFaceTiles(int width, int height, int min_face_px, const FaceTilingOptions& options) {
  std::vector<DetectionSquare> tiles;
  const float whole_min_px = WholeImageMinFacePx(width, height, options);
  if (min_face_px >= whole_min_px) return tiles;
  // Network pixels per image pixel at the finest scale, and the largest step between scales: a tile of one scale
  // holds faces from min_face_net_px up to overlap * network_px wholly, so the next coarser scale must see faces of
  // that size.
  const float finest = std::min(options.min_face_net_px / min_face_px, options.max_upscale);
  const float step = options.overlap * options.network_px / options.min_face_net_px;
  const float whole = static_cast<float>(options.network_px) / std::max(width, height);
  for (float scale = finest;; scale /= step) {
    const float side = options.network_px / scale;
    const float stride = side * (1 - options.overlap);
    for (float y : Origins(height, side, stride)) {
      for (float x : Origins(width, side, stride)) tiles.push_back({x, y, side});
    }
    if (scale <= whole * step) break;  // the whole-image square sees every face too large for these tiles
  }
  return tiles;
}

}  // namespace triage::vision
