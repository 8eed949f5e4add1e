// The embedding ResNet: weights loaded from TF.js files with bias and the per-channel affine "scale" layer folded
// into each convolution, run as an OpenCV DNN graph (vision/metric_net.h). The reference forward kept beside it does
// each convolution as im2col followed by one sgemm against the HWIO filter viewed as [kh*kw*Cin, Cout].
#include "faces/embedding_net.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "vision/metric_net.h"

// OpenBLAS's own entry point for stopping its threads (it calls it before a fork); not in its headers. Weak: a
// single-threaded OpenBLAS (Debian's libopenblas0-serial, chosen by update-alternatives) has no such function.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

namespace triage::faces {

void UseOneBlasThread() {
  openblas_set_num_threads(1);
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
}

namespace {

// Per-channel mean of the training chips, subtracted before dividing by 256 (the network's input convention).
constexpr float kMeanRgb[3] = {122.782f, 117.001f, 104.298f};
constexpr float kInputDivisor = 256.0f;
constexpr int kFinalChannels = 256;

// An activation map, NHWC with N = 1.
struct Activation {
  int h = 0;
  int w = 0;
  int c = 0;
  std::vector<float> data;
  void Resize(int height, int width, int channels) {
    h = height;
    w = width;
    c = channels;
    data.assign(static_cast<size_t>(h) * w * c, 0.0f);
  }
};

using Conv = vision::ConvWeights;  // bias = conv bias * scale + scale bias
using Block = vision::ResidualBlockWeights;

}  // namespace

struct EmbeddingNet::Layers {
  vision::MetricNetWeights weights;  // stem, blocks and fc [256, 128] with the scale folded in
  std::unique_ptr<vision::MetricNetGraph> graph;
};

namespace {

base::Result<Conv> LoadConv(const TfjsWeights& weights, const std::string& prefix, int kernel, int cin, int cout,
                            int stride, bool same) {
  auto filters = weights.Get(prefix + "/conv/filters", {kernel, kernel, cin, cout});
  auto bias = weights.Get(prefix + "/conv/bias", {cout});
  auto scale = weights.Get(prefix + "/scale/weights", {cout});
  auto scale_bias = weights.Get(prefix + "/scale/biases", {cout});
  for (const auto* t : {&filters, &bias, &scale, &scale_bias}) {
    if (!t->ok()) return t->status();
  }
  Conv conv{kernel, cin, cout, stride, same, (*filters)->values, std::vector<float>(cout)};
  const std::vector<float>& s = (*scale)->values;
  for (size_t i = 0; i < conv.filters.size(); ++i) conv.filters[i] *= s[i % cout];
  for (int c = 0; c < cout; ++c) conv.bias[c] = (*bias)->values[c] * s[c] + (*scale_bias)->values[c];
  return conv;
}

// Fills `cols` with one row per output pixel holding its kernel window (ky, kx, c order); zeros outside the input.
void Im2Col(const Activation& in, const Conv& conv, int out_h, int out_w, int pad_top, int pad_left,
            std::vector<float>* cols) {
  const size_t row_len = static_cast<size_t>(conv.kernel) * conv.kernel * in.c;
  cols->resize(row_len * out_h * out_w);
  float* dst = cols->data();
  for (int oy = 0; oy < out_h; ++oy) {
    for (int ox = 0; ox < out_w; ++ox) {
      for (int ky = 0; ky < conv.kernel; ++ky) {
        const int iy = oy * conv.stride - pad_top + ky;
        for (int kx = 0; kx < conv.kernel; ++kx, dst += in.c) {
          const int ix = ox * conv.stride - pad_left + kx;
          if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) {
            std::fill(dst, dst + in.c, 0.0f);
          } else {
            std::memcpy(dst, in.data.data() + (static_cast<size_t>(iy) * in.w + ix) * in.c, in.c * sizeof(float));
          }
        }
      }
    }
  }
}

void RunConv(const Conv& conv, const Activation& in, bool relu, Activation* out, std::vector<float>* cols) {
  int out_h = 0, out_w = 0, pad_top = 0, pad_left = 0;
  if (conv.same) {
    out_h = (in.h + conv.stride - 1) / conv.stride;
    out_w = (in.w + conv.stride - 1) / conv.stride;
    pad_top = std::max((out_h - 1) * conv.stride + conv.kernel - in.h, 0) / 2;
    pad_left = std::max((out_w - 1) * conv.stride + conv.kernel - in.w, 0) / 2;
  } else {
    out_h = (in.h - conv.kernel) / conv.stride + 1;
    out_w = (in.w - conv.kernel) / conv.stride + 1;
  }
  Im2Col(in, conv, out_h, out_w, pad_top, pad_left, cols);
  out->Resize(out_h, out_w, conv.cout);
  const int rows = out_h * out_w;
  const int depth = conv.kernel * conv.kernel * conv.cin;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, conv.cout, depth, 1.0f, cols->data(), depth,
              conv.filters.data(), conv.cout, 0.0f, out->data.data(), conv.cout);
  for (int r = 0; r < rows; ++r) {
    float* px = out->data.data() + static_cast<size_t>(r) * conv.cout;
    for (int c = 0; c < conv.cout; ++c) {
      const float v = px[c] + conv.bias[c];
      px[c] = relu ? std::max(v, 0.0f) : v;
    }
  }
}

// Pools size x size windows at stride 2 without padding; max or mean.
void Pool(const Activation& in, int size, bool max, Activation* out) {
  out->Resize((in.h - size) / 2 + 1, (in.w - size) / 2 + 1, in.c);
  for (int oy = 0; oy < out->h; ++oy) {
    for (int ox = 0; ox < out->w; ++ox) {
      float* dst = out->data.data() + (static_cast<size_t>(oy) * out->w + ox) * in.c;
      for (int c = 0; c < in.c; ++c) dst[c] = max ? -INFINITY : 0.0f;
      for (int ky = 0; ky < size; ++ky) {
        for (int kx = 0; kx < size; ++kx) {
          const float* src = in.data.data() + (static_cast<size_t>(oy * 2 + ky) * in.w + ox * 2 + kx) * in.c;
          for (int c = 0; c < in.c; ++c) dst[c] = max ? std::max(dst[c], src[c]) : dst[c] + src[c];
        }
      }
      if (!max) {
        for (int c = 0; c < in.c; ++c) dst[c] /= static_cast<float>(size * size);
      }
    }
  }
}

// Residual block. A down block's shortcut is a 2x2 average pool with channels zero-padded to the output's;
// when the VALID stride-2 branch comes out smaller than the pooled shortcut it is zero-padded at bottom/right.
void RunBlock(const Block& block, Activation* x, Activation* a, Activation* b, std::vector<float>* cols) {
  RunConv(block.conv1, *x, /*relu=*/true, a, cols);
  RunConv(block.conv2, *a, /*relu=*/false, b, cols);
  Activation shortcut;
  if (block.down) {
    Pool(*x, 2, /*max=*/false, &shortcut);
  } else {
    shortcut = std::move(*x);
  }
  Activation& out = *x;
  out.Resize(shortcut.h, shortcut.w, b->c);
  for (int y = 0; y < out.h; ++y) {
    for (int xx = 0; xx < out.w; ++xx) {
      float* dst = out.data.data() + (static_cast<size_t>(y) * out.w + xx) * out.c;
      const float* s = shortcut.data.data() + (static_cast<size_t>(y) * shortcut.w + xx) * shortcut.c;
      const bool in_branch = y < b->h && xx < b->w;
      const float* r = in_branch ? b->data.data() + (static_cast<size_t>(y) * b->w + xx) * b->c : nullptr;
      for (int c = 0; c < out.c; ++c) {
        const float v = (c < shortcut.c ? s[c] : 0.0f) + (r ? r[c] : 0.0f);
        dst[c] = std::max(v, 0.0f);
      }
    }
  }
}

struct BlockSpec {
  const char* name;
  int cin;
  int cout;
  bool down;
};
constexpr BlockSpec kBlocks[] = {
    {"conv32_1", 32, 32, false},    {"conv32_2", 32, 32, false},          {"conv32_3", 32, 32, false},
    {"conv64_down", 32, 64, true},  {"conv64_1", 64, 64, false},          {"conv64_2", 64, 64, false},
    {"conv64_3", 64, 64, false},    {"conv128_down", 64, 128, true},      {"conv128_1", 128, 128, false},
    {"conv128_2", 128, 128, false}, {"conv256_down", 128, 256, true},     {"conv256_1", 256, 256, false},
    {"conv256_2", 256, 256, false}, {"conv256_down_out", 256, 256, true},
};

}  // namespace

EmbeddingNet::EmbeddingNet(std::unique_ptr<Layers> layers) : layers_(std::move(layers)) {}
EmbeddingNet::~EmbeddingNet() = default;

base::Result<std::unique_ptr<EmbeddingNet>> EmbeddingNet::Load(const std::filesystem::path& manifest_path) {
  base::Result<TfjsWeights> weights = TfjsWeights::Load(manifest_path);
  if (!weights.ok()) return weights.status();
  return FromWeights(weights.value());
}

base::Result<std::unique_ptr<EmbeddingNet>> EmbeddingNet::FromWeights(const TfjsWeights& weights) {
  auto layers = std::make_unique<Layers>();
  vision::MetricNetWeights& net = layers->weights;
  net.chip_px = kEmbeddingChipPx;
  net.mean_rgb = {kMeanRgb[0], kMeanRgb[1], kMeanRgb[2]};
  net.input_divisor = kInputDivisor;
  net.embedding_size = kEmbeddingSize;
  base::Result<Conv> stem = LoadConv(weights, "conv32_down", 7, 3, 32, 2, /*same=*/false);
  if (!stem.ok()) return stem.status();
  net.stem = std::move(stem.value());
  for (const BlockSpec& spec : kBlocks) {
    const std::string name = spec.name;
    base::Result<Conv> conv1 = LoadConv(weights, name + "/conv1", 3, spec.cin, spec.cout, spec.down ? 2 : 1,
                                        /*same=*/!spec.down);
    if (!conv1.ok()) return conv1.status();
    base::Result<Conv> conv2 = LoadConv(weights, name + "/conv2", 3, spec.cout, spec.cout, 1, /*same=*/true);
    if (!conv2.ok()) return conv2.status();
    net.blocks.push_back({std::move(conv1.value()), std::move(conv2.value()), spec.down});
  }
  base::Result<const Tensor*> fc = weights.Get("fc", {kFinalChannels, kEmbeddingSize});
  if (!fc.ok()) return fc.status();
  net.fc = (*fc)->values;
  base::Result<std::unique_ptr<vision::MetricNetGraph>> graph = vision::MetricNetGraph::Build(net);
  if (!graph.ok()) return graph.status();
  layers->graph = std::move(graph.value());
  return std::unique_ptr<EmbeddingNet>(new EmbeddingNet(std::move(layers)));
}

base::Result<std::vector<float>> EmbeddingNet::Embed(const model::RgbImage& chip) const {
  return layers_->graph->Embed(chip);
}

base::Result<std::vector<float>> EmbeddingNet::EmbedReference(const model::RgbImage& chip) const {
  if (chip.width != kEmbeddingChipPx || chip.height != kEmbeddingChipPx ||
      chip.pixels.size() != static_cast<size_t>(kEmbeddingChipPx) * kEmbeddingChipPx * 3) {
    return base::Status::InvalidArgument("embedding needs a 150x150 RGB chip, got " + std::to_string(chip.width) + "x" +
                                         std::to_string(chip.height));
  }
  const vision::MetricNetWeights& net = layers_->weights;
  Activation x, a, b;
  std::vector<float> cols;
  x.Resize(chip.height, chip.width, 3);
  for (size_t i = 0; i < chip.pixels.size(); ++i) x.data[i] = (chip.pixels[i] - kMeanRgb[i % 3]) / kInputDivisor;
  RunConv(net.stem, x, /*relu=*/true, &a, &cols);
  Pool(a, 3, /*max=*/true, &x);
  for (const Block& block : net.blocks) RunBlock(block, &x, &a, &b, &cols);
  std::vector<float> pooled(x.c, 0.0f);
  const int pixels = x.h * x.w;
  for (int p = 0; p < pixels; ++p) {
    for (int c = 0; c < x.c; ++c) pooled[c] += x.data[static_cast<size_t>(p) * x.c + c] / pixels;
  }
  std::vector<float> embedding(kEmbeddingSize, 0.0f);
  cblas_sgemv(CblasRowMajor, CblasTrans, kFinalChannels, kEmbeddingSize, 1.0f, net.fc.data(), kEmbeddingSize,
              pooled.data(), 1, 0.0f, embedding.data(), 1);
  return embedding;
}

double EmbeddingDistance(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) sum += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
  return std::sqrt(sum);
}

}  // namespace triage::faces
