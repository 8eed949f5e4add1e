// The face embedding ResNet (dlib's metric-net layout) as an OpenCV DNN graph built from weights loaded elsewhere,
// so that it runs on OpenCV's optimised convolution kernels. No OpenCV type crosses this header.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "base/status.h"
#include "model/image.h"

namespace triage::vision {

// One convolution with its bias and per-channel affine already folded together: y = conv(x, filters) + bias.
struct ConvWeights {
  int kernel = 0;
  int cin = 0;
  int cout = 0;
  int stride = 1;
  bool same = true;            // TensorFlow SAME padding, else VALID
  std::vector<float> filters;  // HWIO, i.e. [kernel * kernel * cin, cout] row-major
  std::vector<float> bias;     // [cout]
};

// conv1 (+ReLU) -> conv2, added to the input, ReLU. A down block's conv1 is stride 2 VALID and its shortcut a 2x2
// stride-2 average pool with channels zero-padded to conv2's; a branch smaller than the shortcut is zero-padded at
// bottom/right.
struct ResidualBlockWeights {
  ConvWeights conv1;
  ConvWeights conv2;
  bool down = false;
};

struct MetricNetWeights {
  int chip_px = 150;                // square RGB input
  std::array<float, 3> mean_rgb{};  // subtracted from each channel ...
  float input_divisor = 1;          // ... then divided by this
  ConvWeights stem;                 // + ReLU, then a 3x3 stride-2 VALID max pool
  std::vector<ResidualBlockWeights> blocks;
  std::vector<float> fc;     // [last block's cout, embedding size] row-major, applied to the mean
  int embedding_size = 128;  //   over the last map; no bias
};

// The network as an OpenCV DNN graph. Immutable after Build; Embed is safe to call from several threads at once
// (each call borrows its own network instance from a small pool).
class MetricNetGraph {
 public:
  // kInvalidArgument when the weights' shapes do not chain (names the layer); kCorrupt when OpenCV refuses the
  // graph.
  static base::Result<std::unique_ptr<MetricNetGraph>> Build(const MetricNetWeights& weights);
  ~MetricNetGraph();
  MetricNetGraph(const MetricNetGraph&) = delete;
  MetricNetGraph& operator=(const MetricNetGraph&) = delete;

  // The embedding of one chip. kInvalidArgument when it is not a chip_px square RGB image; kCorrupt with OpenCV's
  // message when the forward pass fails. (Batching several chips into one pass measured no cheaper per face.)
  base::Result<std::vector<float>> Embed(const model::RgbImage& chip) const;

 private:
  struct Impl;
  explicit MetricNetGraph(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace triage::vision
