// Shrinking rasters by area averaging, the resampling every measure and fingerprint of vision/ starts from. Internal to
// vision/ (OpenCV types).
#pragma once

#include <opencv2/core.hpp>

namespace triage::vision::internal {

// `src` (8-bit, any number of channels) resampled to `size` by area averaging: each output pixel is the mean of the
// source area it covers, weighted by overlap, as OpenCV's INTER_AREA (equal within one grey level). Separable, in two
// passes with precomputed weights; for shrink factors that are not integers it takes about a third to a half of the
// time of OpenCV's INTER_AREA, whose non-integer path is not vectorised. REQUIRES: `size` no larger than `src` in
// either direction, and not empty.
cv::Mat AreaResize(const cv::Mat& src, cv::Size size);

// `m` halved in both directions by OpenCV's exact 2x2 averaging (an odd last row or column is cut).
cv::Mat HalfSize(const cv::Mat& m);

// `m` resampled to `size`: shrunk by area averaging (halved while `size` is at most half of what is left, then one
// AreaResize), or enlarged bilinearly when `size` is larger in either direction. REQUIRES: `size` not empty.
cv::Mat ResampleTo(const cv::Mat& m, cv::Size size);

// `m` scaled by `f`: enlarged bilinearly, shrunk by area averaging. A shrink by half or more first halves the raster by
// HalfSize until less than half is left, which costs a fraction of a general area step; the rest is one AreaResize.
cv::Mat Resample(const cv::Mat& m, double f);

}  // namespace triage::vision::internal
