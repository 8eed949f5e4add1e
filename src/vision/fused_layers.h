// OpenCV DNN layers of triage's own for the steps of BlazeFace's residual blocks that OpenCV 4.6 runs as separate
// layers, each a pass over a map of megabytes. Private to vision/ (onnx_conv_net.cc builds them into its graphs).
#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace triage::vision::internal {

// The layer type of a 1x1 convolution whose result is added to a residual map and clipped at zero, in one pass:
// out = max(0, W x + b + r). Inputs: x [n, cin, h, w] and r [n, cr, h, w] with cr <= cout (a residual narrower than
// the output is added to its first channels: BlazeFace widens its shortcut with zero channels). Blobs: W [cout, cin,
// 1, 1] and b [1, cout]. OpenCV's 1x1 convolution took 3.5 ms for 24 -> 24 channels of a 480 x 360 map and the
// Eltwise sum 1.6 ms more (two cores), most of it moving the maps through memory.
inline constexpr char kPointwiseAddReluLayer[] = "TriagePointwiseAddRelu";

// Registers the layers above with OpenCV's layer factory (once per process; thread-safe).
void RegisterFusedLayers();

// The instruction set the layers' kernels run with on this machine: "avx2" (with FMA) or "baseline".
std::string FusedLayersIsa();

// What the pointwise layer computes, into `out` (allocated by the caller as [n, cout, h, w]); `baseline` runs the
// kernel compiled for the baseline instruction set even where AVX2 is present (so that tests cover both).
void PointwiseAddRelu(const cv::Mat& x, const cv::Mat& r, const cv::Mat& weights, const cv::Mat& bias, cv::Mat& out,
                      bool baseline = false);

}  // namespace triage::vision::internal
