// Where a face network looks in an image: the whole image as one square at the network's input size, plus the
// image at finer scales when faces of the smallest wanted size would be too small for the network in the whole view.
// Pure geometry, no OpenCV: the detector crops and scales the image itself.
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
  int network_px = 256;              // the whole-image pass's square input side
  float whole_min_face_net_px = 24;  // narrowest face the whole-image pass's network finds reliably, network pixels
  // The scaled passes' network (BlazeFace's front model): the narrowest face it finds reliably and the widest a
  // scaled pass answers for, in its network pixels. Each face of the face-api samples shown at a given width: 22/22
  // found from 24 to 72 px (boxes 0.86-1.26 of the annotated width), 21/22 at 22 px, 20/22 at 18-20 px; the back
  // model shown the same way found 18/22 at 24 px and 21/22 at 28-40 px.
  float min_face_net_px = 24;
  float max_face_net_px = 80;
  int window_net_px = 1024;  // a scaled pass shows the network windows of at most this side (bounds memory)
  float max_upscale = 2.0f;  // scaled passes never magnify the image more than this
  // ... nor resize it to more network pixels than this (48 MP: 144 MB of RGB per detecting thread). Only a raster
  // decoded larger than the defaults and searched for faces of a few pixels reaches it; its smallest face is then
  // larger than asked.
  double max_pass_pixels = 48e6;
};

// A rectangle of the resized image, in its (network) pixels.
struct NetWindow {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

// The image resized by `scale` and shown to the network whole, or in windows that overlap by max_face_net_px
// when it is larger than window_net_px: every face up to that width lies wholly inside one window. The network is
// fully convolutional, so one window costs what its pixels cost, with no overlap to pay for in a picture of up to
// window_net_px (a 1600 x 1200 raster looked at from 40 px faces is one 960 x 720 window).
struct ScaledPass {
  float scale = 1;  // network pixels per image pixel
  int width = 0;    // the resized image, rounded
  int height = 0;
  std::vector<NetWindow> windows;
};

// The whole image as one square, centred (the letterbox), grown by `margin` times the long side on every side.
DetectionSquare WholeImageSquare(int width, int height, float margin);

// The passes that find faces `min_face_px` wide (image pixels) and up, where the whole-image square would show
// them below `options.min_face_net_px`; empty when it does not. Scales go from the finest (min_face_px at
// min_face_net_px, capped by max_upscale) down by max_face_net_px / min_face_net_px until a pass sees every face
// the whole-image square shows too small. REQUIRES: width, height, min_face_px > 0.
std::vector<ScaledPass> PlanScaledPasses(int width, int height, int min_face_px, const FaceTilingOptions& options);

// The narrowest face (image pixels) the scaled passes look for in a width x height image: `min_face_px`, or
// `min_face_fraction` of the long side when that is larger (rounded up), so that small rasters keep their smallest
// faces while large ones are not searched for faces that are a tiny share of the picture. REQUIRES: fraction >= 0.
int TiledMinFacePx(int width, int height, int min_face_px, double min_face_fraction);

// The narrowest face (image pixels) the whole-image square shows at `options.whole_min_face_net_px` network pixels.
float WholeImageMinFacePx(int width, int height, const FaceTilingOptions& options);

}  // namespace triage::vision
