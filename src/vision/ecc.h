// Affine image alignment by maximising the enhanced correlation coefficient (ECC; Evangelidis and Psarakis, 2008),
// the near-duplicate check's alignment of two 64 px rasters. Internal to vision/ (OpenCV types).
#pragma once

#include <opencv2/core.hpp>

namespace triage::vision::internal {

// Refines the affine `warp` (2x3 CV_32F, `templ` coordinates -> `input` coordinates, as cv::findTransformECC with
// MOTION_AFFINE, no mask and no Gaussian pre-filtering) for at most `max_iterations` iterations, or until an
// iteration raises the correlation coefficient by less than `epsilon`. The same algorithm and the same sampling as
// OpenCV 4's findTransformECC (bilinear at 1/32 px, zero outside `input`, central-difference gradients), in a few
// fused passes over the pixels with no per-iteration allocation: on 64 px rasters most of OpenCV's time is the
// dispatch and allocation of its ~40 matrix operations per iteration. Returns the final correlation coefficient, or
// a negative number when the images cannot be aligned (no overlap, no contrast, or an update that would minimise
// the correlation: where OpenCV throws); `warp` is then left as it was given.
// REQUIRES: `templ` and `input` CV_32F, single channel, not empty; `warp` 2x3 CV_32F.
double RefineAffineEcc(const cv::Mat& templ, const cv::Mat& input, cv::Mat& warp, int max_iterations, double epsilon);

// `input` seen through `warp` (2x3 CV_32F, `out` coordinates -> `input` coordinates) into `out` (CV_32F, `size`):
// pixel for pixel what cv::warpAffine gives with INTER_LINEAR | WARP_INVERSE_MAP and BORDER_CONSTANT zero, the
// sampling RefineAffineEcc aligns by, without warpAffine's per-call set-up.
// REQUIRES: `input` CV_32F, single channel; `warp` 2x3 CV_32F.
void WarpLinear(const cv::Mat& input, const cv::Mat& warp, cv::Size size, cv::Mat& out);

}  // namespace triage::vision::internal
