// Where a fixed-size face network looks in an image: the whole image as one square, plus overlapping square tiles
// at finer scales when faces of the smallest wanted size would be too small for the network in the whole view.
// Pure geometry, no OpenCV: the detector crops and scales each square itself.
#pragma once

#include <vector>

namespace triage::vision {

// A square region of the image, in image pixels; it may reach past the image's edges (the outside reads as black).
struct DetectionSquare {
  float x = 0;  // left edge (negative when the square is padded on the left)
  float y = 0;  // top edge
  float side = 0;
};

struct FaceTilingOptions {
  int network_px = 256;        // the network's square input side
  float min_face_net_px = 24;  // narrowest face the network finds reliably, in network pixels
  // Overlap of neighbouring tiles as a share of the tile side: a face up to this share of a tile lies wholly
  // inside at least one tile.
  float overlap = 0.25f;
  float max_upscale = 2.0f;  // tiles never magnify the image more than this
};

// The whole image as one square, centred (the letterbox), grown by `margin` times the long side on every side.
DetectionSquare WholeImageSquare(int width, int height, float margin);

// Tiles so that a face `min_face_px` wide (image pixels) spans at least `options.min_face_net_px` network pixels;
// empty when the whole-image square already achieves that. Scales go from the finest (min_face_px at
// min_face_net_px, capped by max_upscale) up by a factor chosen so that every face between min_face_px and what the
// whole-image square sees fits wholly inside a tile of some scale. Tiles of one scale cover the image with the
// given overlap, the last row and column flush with the image's right and bottom edges.
// REQUIRES: width, height, min_face_px > 0.
std::vector<DetectionSquare> PlanFaceTiles(int width, int height, int min_face_px, const FaceTilingOptions& options);

// The narrowest face (image pixels) the tiles look for in a width x height image: `min_face_px`, or
// `min_face_fraction` of the long side when that is larger (rounded up), so that small rasters keep their smallest
// faces while large ones are not searched for faces that are a tiny share of the picture. REQUIRES: fraction >= 0.
int TiledMinFacePx(int width, int height, int min_face_px, double min_face_fraction);

// The narrowest face (image pixels) the whole-image square shows at `options.min_face_net_px` network pixels.
float WholeImageMinFacePx(int width, int height, const FaceTilingOptions& options);

}  // namespace triage::vision
