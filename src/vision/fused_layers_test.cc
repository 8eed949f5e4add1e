// The fused layers compute what the layers they replace compute, on both instruction sets, for maps whose size is
// not a whole number of blocks and residuals narrower than the output.
#include "vision/fused_layers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/core.hpp>
#include <vector>

namespace triage::vision::internal {
namespace {

// max(0, W x + b + r) one multiply at a time.
cv::Mat Reference(const cv::Mat& x, const cv::Mat& r, const cv::Mat& w, const cv::Mat& b) {
  const int n = x.size[0], cin = x.size[1], h = x.size[2], wd = x.size[3], cout = w.size[0], cr = r.size[1];
  cv::Mat out(std::vector<int>{n, cout, h, wd}, CV_32F);
  const size_t plane = static_cast<size_t>(h) * wd;
  for (int i = 0; i < n; ++i) {
    for (int o = 0; o < cout; ++o) {
      for (size_t p = 0; p < plane; ++p) {
        double sum = b.ptr<float>()[o];
        for (int c = 0; c < cin; ++c) sum += double(w.ptr<float>()[o * cin + c]) * x.ptr<float>(i, c)[p];
        if (o < cr) sum += r.ptr<float>(i, o)[p];
        out.ptr<float>(i, o)[p] = static_cast<float>(std::max(sum, 0.0));
      }
    }
  }
  return out;
}

struct Shape {
  int images, cin, cout, cr, h, w;
};

class PointwiseAddReluTest : public testing::TestWithParam<Shape> {};

TEST_P(PointwiseAddReluTest, EqualsConvolutionPlusResidualClippedAtZero) {
  const Shape s = GetParam();
  cv::RNG rng(11);
  cv::Mat x(std::vector<int>{s.images, s.cin, s.h, s.w}, CV_32F);
  cv::Mat r(std::vector<int>{s.images, s.cr, s.h, s.w}, CV_32F);
  cv::Mat w(std::vector<int>{s.cout, s.cin, 1, 1}, CV_32F);
  cv::Mat b(1, s.cout, CV_32F);
  for (cv::Mat* m : {&x, &r, &w, &b}) rng.fill(*m, cv::RNG::UNIFORM, -1, 1);
  const cv::Mat expected = Reference(x, r, w, b);
  int clipped = 0;
  for (size_t i = 0; i < expected.total(); ++i) clipped += expected.ptr<float>()[i] == 0;
  EXPECT_GT(clipped, 0);  // the clip is exercised
  for (const bool baseline : {false, true}) {
    cv::Mat out(std::vector<int>{s.images, s.cout, s.h, s.w}, CV_32F, cv::Scalar(-7));
    PointwiseAddRelu(x, r, w, b, out, baseline);
    double worst = 0;
    for (size_t i = 0; i < out.total(); ++i) {
      worst = std::max(worst, double(std::abs(out.ptr<float>()[i] - expected.ptr<float>()[i])));
    }
    EXPECT_LT(worst, 1e-4) << (baseline ? "baseline" : FusedLayersIsa());
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, PointwiseAddReluTest,
                         testing::Values(Shape{1, 24, 24, 24, 16, 8},       // two whole blocks
                                         Shape{1, 24, 28, 24, 9, 13},       // widened residual, a tail of 53 pixels
                                         Shape{2, 3, 5, 2, 7, 11},          // a batch, blocks that cross images
                                         Shape{1, 96, 96, 96, 3, 5},        // a map smaller than a block
                                         Shape{1, 24, 28, 24, 150, 160}));  // beyond the cache: channel by channel

// Each output a sum over the taps inside the input (zero padding), plus the bias.
cv::Mat DepthwiseReference(const cv::Mat& x, const cv::Mat& w, const cv::Mat& b, const DepthwiseGeometry& g) {
  const int n = x.size[0], c = x.size[1], h = x.size[2], wd = x.size[3], k = g.kernel;
  const int oh = DepthwiseOutputSize(h, k, g.stride, g.pad_top, g.pad_bottom);
  const int ow = DepthwiseOutputSize(wd, k, g.stride, g.pad_left, g.pad_right);
  cv::Mat out(std::vector<int>{n, c, oh, ow}, CV_32F);
  for (int i = 0; i < n; ++i) {
    for (int ch = 0; ch < c; ++ch) {
      for (int oy = 0; oy < oh; ++oy) {
        for (int ox = 0; ox < ow; ++ox) {
          double sum = b.ptr<float>()[ch];
          for (int ky = 0; ky < k; ++ky) {
            for (int kx = 0; kx < k; ++kx) {
              const int y = oy * g.stride - g.pad_top + ky, xx = ox * g.stride - g.pad_left + kx;
              if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
              sum += double(w.ptr<float>()[(ch * k + ky) * k + kx]) * x.ptr<float>(i, ch, y)[xx];
            }
          }
          out.ptr<float>(i, ch, oy)[ox] = static_cast<float>(sum);
        }
      }
    }
  }
  return out;
}

struct DepthwiseCase {
  int images, channels, h, w;
  DepthwiseGeometry g;
};

class DepthwiseTest : public testing::TestWithParam<DepthwiseCase> {};

TEST_P(DepthwiseTest, EqualsAConvolutionOverTheZeroPaddedInput) {
  const DepthwiseCase c = GetParam();
  cv::RNG rng(5);
  cv::Mat x(std::vector<int>{c.images, c.channels, c.h, c.w}, CV_32F);
  cv::Mat w(std::vector<int>{c.channels, 1, c.g.kernel, c.g.kernel}, CV_32F);
  cv::Mat b(1, c.channels, CV_32F);
  for (cv::Mat* m : {&x, &w, &b}) rng.fill(*m, cv::RNG::UNIFORM, -1, 1);
  const cv::Mat expected = DepthwiseReference(x, w, b, c.g);
  for (const bool baseline : {false, true}) {
    cv::Mat out(std::vector<int>{c.images, c.channels, expected.size[2], expected.size[3]}, CV_32F, cv::Scalar(-7));
    Depthwise(x, w, b, c.g, out, baseline);
    double worst = 0;
    for (size_t i = 0; i < out.total(); ++i) {
      worst = std::max(worst, double(std::abs(out.ptr<float>()[i] - expected.ptr<float>()[i])));
    }
    EXPECT_LT(worst, 1e-4) << (baseline ? "baseline" : FusedLayersIsa());
  }
}

TEST(DepthwiseTest, OutputSizeCountsThePaddingOnBothSides) {
  EXPECT_EQ(DepthwiseOutputSize(480, 3, 2, 0, 1), 240);  // TensorFlow's "same": half the input
  EXPECT_EQ(DepthwiseOutputSize(7, 3, 2, 0, 1), 3);
  EXPECT_EQ(DepthwiseOutputSize(5, 3, 1, 1, 1), 5);
  EXPECT_EQ(DepthwiseOutputSize(1, 5, 1, 0, 0), 0);  // no position fits
}

INSTANTIATE_TEST_SUITE_P(
    Geometries, DepthwiseTest,
    testing::Values(DepthwiseCase{1, 28, 36, 48, {3, 2, 0, 0, 1, 1}},  // BlazeFace's stride-2 "same" padding
                    DepthwiseCase{2, 3, 13, 11, {3, 2, 0, 0, 1, 1}},   // odd sizes, a batch
                    DepthwiseCase{1, 4, 9, 20, {3, 1, 1, 1, 1, 1}},    // stride 1, symmetric
                    DepthwiseCase{1, 2, 12, 17, {5, 2, 1, 2, 2, 1}},   // 5 x 5, uneven both ways
                    DepthwiseCase{1, 2, 10, 10, {3, 3, 2, 0, 0, 2}},   // a stride of 3 (the general path)
                    DepthwiseCase{1, 2, 3, 2, {3, 2, 0, 0, 1, 1}}));   // narrower than the kernel with padding

// The largest of each 2x2 block; an odd last row or column left out, as OpenCV's pooling (floor) leaves it.
TEST(MaxPool2x2Test, TakesTheLargestOfEachBlockOnBothInstructionSets) {
  for (const auto& [h, w] : {std::pair{6, 40}, std::pair{7, 37}, std::pair{2, 2}, std::pair{5, 17}}) {
    cv::Mat x(std::vector<int>{2, 3, h, w}, CV_32F);
    cv::RNG(3).fill(x, cv::RNG::UNIFORM, -1, 1);
    for (const bool baseline : {false, true}) {
      cv::Mat out(std::vector<int>{2, 3, h / 2, w / 2}, CV_32F, cv::Scalar(-7));
      MaxPool2x2(x, out, baseline);
      int wrong = 0;
      for (int plane = 0; plane < 6; ++plane) {
        const float* in = x.ptr<float>() + static_cast<size_t>(plane) * h * w;
        for (int oy = 0; oy < h / 2; ++oy) {
          for (int ox = 0; ox < w / 2; ++ox) {
            const float expected = std::max({in[2 * oy * w + 2 * ox], in[2 * oy * w + 2 * ox + 1],
                                             in[(2 * oy + 1) * w + 2 * ox], in[(2 * oy + 1) * w + 2 * ox + 1]});
            wrong += out.ptr<float>()[(static_cast<size_t>(plane) * (h / 2) + oy) * (w / 2) + ox] != expected;
          }
        }
      }
      EXPECT_EQ(wrong, 0) << h << " x " << w << (baseline ? " baseline" : " " + FusedLayersIsa());
    }
  }
}

}  // namespace
}  // namespace triage::vision::internal
