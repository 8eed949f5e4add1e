#include "vision/fused_layers.h"

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/dnn/layer.details.hpp>
#include <vector>

namespace triage::vision::internal {
namespace {

// Eight floats; the unaligned variant reads a map at any pixel.
typedef float Floats8 __attribute__((vector_size(32)));
typedef float Floats8Unaligned __attribute__((vector_size(32), aligned(4)));

constexpr int kVectors = 8;              // per block
constexpr int kBlockPx = 8 * kVectors;   // pixels of one block: 64, an output channel's sums held in registers
constexpr int kMinBlocksPerStripe = 16;  // a stripe of the parallel loop covers at least this many blocks

struct PointwiseArgs {
  const float* x = nullptr;  // [cin][plane] of one image
  int cin = 0;
  const float* r = nullptr;  // [cr][plane]
  int cr = 0;
  const float* w = nullptr;  // [cout][cin]
  const float* b = nullptr;  // [cout]
  int cout = 0;
  float* out = nullptr;  // [cout][plane]
  size_t plane = 0;      // pixels of a map
};

// Output channels [o, o + kOut) at pixels [p0, p0 + 8 kV): kOut x kV sums in registers, each input vector loaded
// once for the kOut channels (two channels of four vectors: one load per two multiply-adds, twelve of AVX2's sixteen
// registers).
template <int kOut, int kV>
[[gnu::always_inline]] inline void PointwiseTile(const PointwiseArgs& a, size_t p0, int o) {
  const Floats8 zero{};
  Floats8 sum[kOut][kV];
#pragma GCC unroll 2
  for (int k = 0; k < kOut; ++k) {
    const float bias = a.b[o + k];
#pragma GCC unroll 8
    for (int v = 0; v < kV; ++v) sum[k][v] = zero + bias;
  }
  const float* weights = a.w + static_cast<size_t>(o) * a.cin;
  for (int i = 0; i < a.cin; ++i) {
    const float* in = a.x + static_cast<size_t>(i) * a.plane + p0;
    Floats8 x[kV];
#pragma GCC unroll 8
    for (int v = 0; v < kV; ++v) x[v] = *reinterpret_cast<const Floats8Unaligned*>(in + 8 * v);
#pragma GCC unroll 2
    for (int k = 0; k < kOut; ++k) {
      const Floats8 weight = zero + weights[static_cast<size_t>(k) * a.cin + i];
#pragma GCC unroll 8
      for (int v = 0; v < kV; ++v) sum[k][v] += weight * x[v];
    }
  }
#pragma GCC unroll 2
  for (int k = 0; k < kOut; ++k) {
    if (o + k < a.cr) {
      const float* residual = a.r + static_cast<size_t>(o + k) * a.plane + p0;
#pragma GCC unroll 8
      for (int v = 0; v < kV; ++v) sum[k][v] += *reinterpret_cast<const Floats8Unaligned*>(residual + 8 * v);
    }
    float* out = a.out + static_cast<size_t>(o + k) * a.plane + p0;
#pragma GCC unroll 8
    for (int v = 0; v < kV; ++v) {
      *reinterpret_cast<Floats8Unaligned*>(out + 8 * v) = sum[k][v] > zero ? sum[k][v] : zero;
    }
  }
}

// Pixels [p0, p0 + kBlockPx) of every output channel. The body is compiled once per instruction set (the callers
// below carry the target attributes), so it must be inlined into them. Maps that stay in the cores' caches go in tiles
// of two channels by half a block (a 128 x 128 map of 24 channels: 0.15-0.16 against 0.22-0.31 ms on two cores);
// larger ones, whose time is the memory's, one channel by a whole block at a time (240 x 180: 0.32 against 0.36 ms
// in tiles).
[[gnu::always_inline]] inline void PointwiseBlock(const PointwiseArgs& a, size_t p0) {
  constexpr size_t kCachedBytes = size_t{2} << 20;  // a core's L2 cache here
  int o = 0;
  if (a.plane * a.cin * sizeof(float) <= kCachedBytes) {
    constexpr int kHalf = kVectors / 2;
    for (; o + 2 <= a.cout; o += 2) {
      PointwiseTile<2, kHalf>(a, p0, o);
      PointwiseTile<2, kHalf>(a, p0 + 8 * kHalf, o);
    }
  }
  for (; o < a.cout; ++o) PointwiseTile<1, kVectors>(a, p0, o);
}

// Pixels [p0, end) of every output channel, fewer than a block: the same sums one pixel at a time.
inline void PointwiseTail(const PointwiseArgs& a, size_t p0, size_t end) {
  for (int o = 0; o < a.cout; ++o) {
    const float* weights = a.w + static_cast<size_t>(o) * a.cin;
    for (size_t p = p0; p < end; ++p) {
      float sum = a.b[o];
      for (int i = 0; i < a.cin; ++i) sum += weights[i] * a.x[static_cast<size_t>(i) * a.plane + p];
      if (o < a.cr) sum += a.r[static_cast<size_t>(o) * a.plane + p];
      a.out[static_cast<size_t>(o) * a.plane + p] = std::max(sum, 0.0f);
    }
  }
}

[[gnu::always_inline]] inline void PointwiseBlocks(const PointwiseArgs& a, size_t first_px, size_t end_px) {
  size_t p = first_px;
  for (; p + kBlockPx <= end_px; p += kBlockPx) PointwiseBlock(a, p);
  if (p < end_px) PointwiseTail(a, p, end_px);
}

__attribute__((target("avx2,fma"))) void PointwiseBlocksAvx2(const PointwiseArgs& a, size_t first, size_t end) {
  PointwiseBlocks(a, first, end);
}

void PointwiseBlocksBaseline(const PointwiseArgs& a, size_t first, size_t end) { PointwiseBlocks(a, first, end); }

// Output row `oy` of one map: the larger of each 2x2 block of input rows 2 oy and 2 oy + 1. Eight outputs at a time
// from sixteen inputs of each row (the pairs' larger values gathered by shuffles), the last few one at a time.
[[gnu::always_inline]] inline void MaxPoolRow(const float* in, int w, float* out, int ow) {
  const float* top = in;
  const float* bottom = in + w;
  int ox = 0;
  for (; ox + 8 <= ow && 2 * ox + 16 <= w; ox += 8) {
    const Floats8 a = *reinterpret_cast<const Floats8Unaligned*>(top + 2 * ox);
    const Floats8 b = *reinterpret_cast<const Floats8Unaligned*>(top + 2 * ox + 8);
    const Floats8 c = *reinterpret_cast<const Floats8Unaligned*>(bottom + 2 * ox);
    const Floats8 d = *reinterpret_cast<const Floats8Unaligned*>(bottom + 2 * ox + 8);
    const Floats8 first = a > c ? a : c;   // columns 2 ox .. 2 ox + 7
    const Floats8 second = b > d ? b : d;  // columns 2 ox + 8 .. 2 ox + 15
    typedef int Ints8 __attribute__((vector_size(32)));
    const Floats8 even = __builtin_shuffle(first, second, Ints8{0, 2, 4, 6, 8, 10, 12, 14});
    const Floats8 odd = __builtin_shuffle(first, second, Ints8{1, 3, 5, 7, 9, 11, 13, 15});
    *reinterpret_cast<Floats8Unaligned*>(out + ox) = even > odd ? even : odd;
  }
  for (; ox < ow; ++ox) {
    out[ox] = std::max(std::max(top[2 * ox], top[2 * ox + 1]), std::max(bottom[2 * ox], bottom[2 * ox + 1]));
  }
}

[[gnu::always_inline]] inline void MaxPoolRows(const float* x, int h, int w, float* out, int oh, int ow, int first,
                                               int last) {
  // Rows [first, last) of the flattened (map, output row) sequence.
  for (int item = first; item < last; ++item) {
    const int plane = item / oh, oy = item % oh;
    MaxPoolRow(x + (static_cast<size_t>(plane) * h + 2 * oy) * w, w, out + (static_cast<size_t>(plane) * oh + oy) * ow,
               ow);
  }
}

__attribute__((target("avx2,fma"))) void MaxPoolRowsAvx2(const float* x, int h, int w, float* out, int oh, int ow,
                                                         int first, int last) {
  MaxPoolRows(x, h, w, out, oh, ow, first, last);
}

void MaxPoolRowsBaseline(const float* x, int h, int w, float* out, int oh, int ow, int first, int last) {
  MaxPoolRows(x, h, w, out, oh, ow, first, last);
}

struct DepthwiseArgs {
  const float* x = nullptr;  // [planes][h][w]
  float* out = nullptr;      // [planes][oh][ow]
  const float* w = nullptr;  // [c][k][k]
  const float* b = nullptr;  // [c]
  int channels = 0, h = 0, w_in = 0, oh = 0, ow = 0;
  DepthwiseGeometry g;
};

// Output rows [oy0, oy1) of map `plane` (image * channels + channel), the stride a constant when it is kStride (1 or
// 2: the vectoriser then reads every second float with loads and shuffles), else `g.stride`. Within a row, the
// columns whose taps all lie inside the input take no bounds check; the few at the edges do.
template <int kStride>
[[gnu::always_inline]] inline void DepthwiseRows(const DepthwiseArgs& a, int plane, int oy0, int oy1, float* acc) {
  const int k = a.g.kernel, s = kStride > 0 ? kStride : a.g.stride, pl = a.g.pad_left;
  const int channel = plane % a.channels;
  const float* weights = a.w + static_cast<size_t>(channel) * k * k;
  const float* in = a.x + static_cast<size_t>(plane) * a.h * a.w_in;
  // Columns [lo, hi) read x = ox * s - pl + kx within [0, w_in) for every kx.
  const int lo = std::min(a.ow, (pl + s - 1) / s);
  const int hi = std::max(lo, std::min(a.ow, a.w_in - k + pl >= 0 ? (a.w_in - k + pl) / s + 1 : 0));
  for (int oy = oy0; oy < oy1; ++oy) {
    const float bias = a.b[channel];
    for (int ox = 0; ox < a.ow; ++ox) acc[ox] = bias;
    for (int ky = 0; ky < k; ++ky) {
      const int y = oy * s - a.g.pad_top + ky;
      if (y < 0 || y >= a.h) continue;
      const float* row = in + static_cast<size_t>(y) * a.w_in;
      for (int kx = 0; kx < k; ++kx) {
        const float weight = weights[ky * k + kx];
        const float* from = row + kx - pl;
        for (int ox = lo; ox < hi; ++ox) acc[ox] += weight * from[ox * s];
        for (int ox = 0; ox < lo; ++ox) {
          const int x = ox * s - pl + kx;
          if (x >= 0 && x < a.w_in) acc[ox] += weight * row[x];
        }
        for (int ox = hi; ox < a.ow; ++ox) {
          const int x = ox * s - pl + kx;
          if (x >= 0 && x < a.w_in) acc[ox] += weight * row[x];
        }
      }
    }
    std::copy(acc, acc + a.ow, a.out + (static_cast<size_t>(plane) * a.oh + oy) * a.ow);
  }
}

[[gnu::always_inline]] inline void DepthwiseAnyStride(const DepthwiseArgs& a, int plane, int oy0, int oy1, float* acc) {
  if (a.g.stride == 2) {
    DepthwiseRows<2>(a, plane, oy0, oy1, acc);
  } else if (a.g.stride == 1) {
    DepthwiseRows<1>(a, plane, oy0, oy1, acc);
  } else {
    DepthwiseRows<0>(a, plane, oy0, oy1, acc);
  }
}

__attribute__((target("avx2,fma"))) void DepthwiseRowsAvx2(const DepthwiseArgs& a, int plane, int oy0, int oy1,
                                                           float* acc) {
  DepthwiseAnyStride(a, plane, oy0, oy1, acc);
}

void DepthwiseRowsBaseline(const DepthwiseArgs& a, int plane, int oy0, int oy1, float* acc) {
  DepthwiseAnyStride(a, plane, oy0, oy1, acc);
}

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}

// An OpenCV layer whose forward is one function of its input maps into its one output map.
class MapLayer : public cv::dnn::Layer {
 public:
  explicit MapLayer(const cv::dnn::LayerParams& params) : Layer(params) {}

  bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int /*required_outputs*/,
                       std::vector<cv::dnn::MatShape>& outputs,
                       std::vector<cv::dnn::MatShape>& /*internals*/) const final {
    outputs.assign(1, OutputShape(inputs));
    return false;  // never in place
  }

  void forward(cv::InputArrayOfArrays inputs_arr, cv::OutputArrayOfArrays outputs_arr,
               cv::OutputArrayOfArrays /*internals*/) final {
    std::vector<cv::Mat> inputs, outputs;
    inputs_arr.getMatVector(inputs);
    outputs_arr.getMatVector(outputs);
    Run(inputs, outputs[0]);
  }

 protected:
  // The output's shape for these input shapes; CV_Assert when they do not fit the layer.
  virtual cv::dnn::MatShape OutputShape(const std::vector<cv::dnn::MatShape>& inputs) const = 0;
  virtual void Run(const std::vector<cv::Mat>& inputs, cv::Mat& out) = 0;
};

template <class L>
cv::Ptr<cv::dnn::Layer> Create(cv::dnn::LayerParams& params) {
  return cv::makePtr<L>(params);
}

class PointwiseAddReluLayer final : public MapLayer {
 public:
  explicit PointwiseAddReluLayer(const cv::dnn::LayerParams& params) : MapLayer(params) {}

  cv::dnn::MatShape OutputShape(const std::vector<cv::dnn::MatShape>& inputs) const override {
    CV_Assert(inputs.size() == 2 && blobs.size() == 2 && blobs[0].dims == 4);
    const cv::dnn::MatShape& x = inputs[0];
    const cv::dnn::MatShape& r = inputs[1];
    const int cout = blobs[0].size[0], cin = blobs[0].size[1];
    CV_Assert(x.size() == 4 && r.size() == 4 && x[1] == cin && r[0] == x[0] && r[1] <= cout && r[2] == x[2] &&
              r[3] == x[3] && static_cast<int>(blobs[1].total()) == cout);
    return cv::dnn::MatShape{x[0], cout, x[2], x[3]};
  }

  void Run(const std::vector<cv::Mat>& inputs, cv::Mat& out) override {
    PointwiseAddRelu(inputs[0], inputs[1], blobs[0], blobs[1], out);
  }
};

class MaxPool2x2Layer final : public MapLayer {
 public:
  explicit MaxPool2x2Layer(const cv::dnn::LayerParams& params) : MapLayer(params) {}

  cv::dnn::MatShape OutputShape(const std::vector<cv::dnn::MatShape>& inputs) const override {
    CV_Assert(inputs.size() == 1 && inputs[0].size() == 4 && inputs[0][2] >= 2 && inputs[0][3] >= 2);
    const cv::dnn::MatShape& x = inputs[0];
    return cv::dnn::MatShape{x[0], x[1], x[2] / 2, x[3] / 2};
  }

  void Run(const std::vector<cv::Mat>& inputs, cv::Mat& out) override { MaxPool2x2(inputs[0], out); }
};

class DepthwiseLayer final : public MapLayer {
 public:
  explicit DepthwiseLayer(const cv::dnn::LayerParams& params) : MapLayer(params) {
    geometry_.kernel = params.get<int>("kernel_size");
    geometry_.stride = params.get<int>("stride");
    geometry_.pad_top = params.get<int>("pad_t");
    geometry_.pad_left = params.get<int>("pad_l");
    geometry_.pad_bottom = params.get<int>("pad_b");
    geometry_.pad_right = params.get<int>("pad_r");
  }

  cv::dnn::MatShape OutputShape(const std::vector<cv::dnn::MatShape>& inputs) const override {
    CV_Assert(inputs.size() == 1 && inputs[0].size() == 4 && blobs.size() == 2 && blobs[0].size[0] == inputs[0][1]);
    const cv::dnn::MatShape& x = inputs[0];
    const DepthwiseGeometry& g = geometry_;
    const int oh = DepthwiseOutputSize(x[2], g.kernel, g.stride, g.pad_top, g.pad_bottom);
    const int ow = DepthwiseOutputSize(x[3], g.kernel, g.stride, g.pad_left, g.pad_right);
    CV_Assert(oh > 0 && ow > 0);
    return cv::dnn::MatShape{x[0], x[1], oh, ow};
  }

  void Run(const std::vector<cv::Mat>& inputs, cv::Mat& out) override {
    Depthwise(inputs[0], blobs[0], blobs[1], geometry_, out);
  }

 private:
  DepthwiseGeometry geometry_;
};

}  // namespace

void MaxPool2x2(const cv::Mat& x, cv::Mat& out, bool baseline) {
  const int h = x.size[2], w = x.size[3], oh = h / 2, ow = w / 2;
  CV_Assert(x.dims == 4 && out.dims == 4 && x.type() == CV_32F && out.type() == CV_32F && x.isContinuous() &&
            out.isContinuous() && out.size[0] == x.size[0] && out.size[1] == x.size[1] && out.size[2] == oh &&
            out.size[3] == ow);
  const int rows = x.size[0] * x.size[1] * oh;
  const bool avx2 = !baseline && HasAvx2();
  const float* in = x.ptr<float>();
  float* to = out.ptr<float>();
  cv::parallel_for_(
      cv::Range(0, rows),
      [&](const cv::Range& range) {
        if (avx2) {
          MaxPoolRowsAvx2(in, h, w, to, oh, ow, range.start, range.end);
        } else {
          MaxPoolRowsBaseline(in, h, w, to, oh, ow, range.start, range.end);
        }
      },
      std::max(1, rows / 64));
}

int DepthwiseOutputSize(int size, int kernel, int stride, int pad_before, int pad_after) {
  const int span = size + pad_before + pad_after - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

void Depthwise(const cv::Mat& x, const cv::Mat& weights, const cv::Mat& bias, const DepthwiseGeometry& geometry,
               cv::Mat& out, bool baseline) {
  DepthwiseArgs a;
  a.g = geometry;
  a.channels = x.size[1];
  a.h = x.size[2];
  a.w_in = x.size[3];
  a.oh = out.size[2];
  a.ow = out.size[3];
  const int k = geometry.kernel;
  CV_Assert(x.dims == 4 && out.dims == 4 && x.type() == CV_32F && out.type() == CV_32F && x.isContinuous() &&
            out.isContinuous() && weights.isContinuous() && bias.isContinuous() && k > 0 && geometry.stride > 0 &&
            static_cast<int>(weights.total()) == a.channels * k * k && static_cast<int>(bias.total()) == a.channels &&
            out.size[0] == x.size[0] && out.size[1] == a.channels &&
            a.oh == DepthwiseOutputSize(a.h, k, geometry.stride, geometry.pad_top, geometry.pad_bottom) &&
            a.ow == DepthwiseOutputSize(a.w_in, k, geometry.stride, geometry.pad_left, geometry.pad_right));
  a.x = x.ptr<float>();
  a.out = out.ptr<float>();
  a.w = weights.ptr<float>();
  a.b = bias.ptr<float>();
  const int planes = x.size[0] * a.channels;
  const bool avx2 = !baseline && HasAvx2();
  // Work items: a map's output rows in bands of 8, so that a few large maps still spread over the threads.
  constexpr int kBandRows = 8;
  const int bands = (a.oh + kBandRows - 1) / kBandRows;
  cv::parallel_for_(cv::Range(0, planes * bands), [&](const cv::Range& range) {
    std::vector<float> acc(static_cast<size_t>(a.ow));
    for (int item = range.start; item < range.end; ++item) {
      const int plane = item / bands, band = item % bands;
      const int oy0 = band * kBandRows, oy1 = std::min(a.oh, oy0 + kBandRows);
      if (avx2) {
        DepthwiseRowsAvx2(a, plane, oy0, oy1, acc.data());
      } else {
        DepthwiseRowsBaseline(a, plane, oy0, oy1, acc.data());
      }
    }
  });
}

void RegisterFusedLayers() {
  static std::once_flag once;
  std::call_once(once, [] {
    cv::dnn::LayerFactory::registerLayer(kPointwiseAddReluLayer, &Create<PointwiseAddReluLayer>);
    cv::dnn::LayerFactory::registerLayer(kDepthwiseLayer, &Create<DepthwiseLayer>);
    cv::dnn::LayerFactory::registerLayer(kMaxPool2x2Layer, &Create<MaxPool2x2Layer>);
  });
}

std::string FusedLayersIsa() { return HasAvx2() ? "avx2" : "baseline"; }

void PointwiseAddRelu(const cv::Mat& x, const cv::Mat& r, const cv::Mat& weights, const cv::Mat& bias, cv::Mat& out,
                      bool baseline) {
  const int images = x.size[0], cin = x.size[1], cr = r.size[1], cout = out.size[1];
  CV_Assert(x.dims == 4 && r.dims == 4 && out.dims == 4 && x.type() == CV_32F && r.type() == CV_32F &&
            out.type() == CV_32F && x.isContinuous() && r.isContinuous() && out.isContinuous() &&
            weights.isContinuous() && bias.isContinuous() && static_cast<int>(weights.total()) == cout * cin &&
            static_cast<int>(bias.total()) == cout && cr <= cout && r.size[0] == images && out.size[0] == images &&
            r.size[2] == x.size[2] && r.size[3] == x.size[3] && out.size[2] == x.size[2] && out.size[3] == x.size[3]);
  const size_t plane = static_cast<size_t>(x.size[2]) * x.size[3];
  const size_t blocks = (plane + kBlockPx - 1) / kBlockPx;
  const bool avx2 = !baseline && HasAvx2();
  const int stripes = static_cast<int>(std::max<size_t>(1, images * blocks / kMinBlocksPerStripe));
  cv::parallel_for_(
      cv::Range(0, static_cast<int>(images * blocks)),
      [&](const cv::Range& range) {
        // A range of blocks, possibly across images: one run of blocks per image it touches.
        for (int at = range.start; at < range.end;) {
          const int image = static_cast<int>(at / blocks);
          const int last = std::min<int>(range.end, static_cast<int>((image + 1) * blocks));
          PointwiseArgs a;
          a.x = x.ptr<float>(image);
          a.cin = cin;
          a.r = r.ptr<float>(image);
          a.cr = cr;
          a.w = weights.ptr<float>();
          a.b = bias.ptr<float>();
          a.cout = cout;
          a.out = out.ptr<float>(image);
          a.plane = plane;
          const size_t first_px = (at - image * blocks) * kBlockPx;
          const size_t end_px = std::min(plane, (last - image * blocks) * kBlockPx);
          if (avx2) {
            PointwiseBlocksAvx2(a, first_px, end_px);
          } else {
            PointwiseBlocksBaseline(a, first_px, end_px);
          }
          at = last;
        }
      },
      stripes);
}

}  // namespace triage::vision::internal
