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

// The layer type of a depthwise convolution padded unevenly (TensorFlow's "same" padding of a stride-2 convolution:
// one row and column more at the bottom and right), which OpenCV 4.6's convolution refuses, so that a Padding layer
// had to copy the whole map first (2.8 ms for 28 channels of 480 x 360 on two cores, the convolution 1.1 ms more).
// Params: kernel_size, stride, pad_t, pad_l, pad_b, pad_r. Blobs: W [c, 1, k, k] and b [1, c]. Input and output
// [n, c, h, w].
inline constexpr char kDepthwiseLayer[] = "TriageDepthwise";

// The layer type of a 2x2 max pooling of stride 2 without padding (BlazeFace's shortcut across a stride-2 block):
// OpenCV 4.6's pooling layer took 1.8 ms for 28 channels of 480 x 360 on two cores, twice what reading the map costs.
// Input [n, c, h, w], output [n, c, h / 2, w / 2] (an odd last row or column is left out).
inline constexpr char kMaxPool2x2Layer[] = "TriageMaxPool2x2";

// Registers the layers above with OpenCV's layer factory (once per process; thread-safe).
void RegisterFusedLayers();

// The instruction set the layers' kernels run with on this machine: "avx2" (with FMA) or "baseline".
std::string FusedLayersIsa();

// What the pointwise layer computes, into `out` (allocated by the caller as [n, cout, h, w]); `baseline` runs the
// kernel compiled for the baseline instruction set even where AVX2 is present (so that tests cover both).
void PointwiseAddRelu(const cv::Mat& x, const cv::Mat& r, const cv::Mat& weights, const cv::Mat& bias, cv::Mat& out,
                      bool baseline = false);

// What the pooling layer computes, into `out` (allocated by the caller as [n, c, h / 2, w / 2]).
void MaxPool2x2(const cv::Mat& x, cv::Mat& out, bool baseline = false);

// Where the depthwise layer's output rows and columns are: (size + pads - kernel) / stride + 1.
int DepthwiseOutputSize(int size, int kernel, int stride, int pad_before, int pad_after);

// What the depthwise layer computes, into `out` (allocated by the caller as [n, c, oh, ow]).
struct DepthwiseGeometry {
  int kernel = 3;
  int stride = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};
void Depthwise(const cv::Mat& x, const cv::Mat& weights, const cv::Mat& bias, const DepthwiseGeometry& geometry,
               cv::Mat& out, bool baseline = false);

}  // namespace triage::vision::internal
