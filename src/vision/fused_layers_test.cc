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
                         testing::Values(Shape{1, 24, 24, 24, 16, 8},   // two whole blocks
                                         Shape{1, 24, 28, 24, 9, 13},   // widened residual, a tail of 53 pixels
                                         Shape{2, 3, 5, 2, 7, 11},      // a batch, blocks that cross images
                                         Shape{1, 96, 96, 96, 3, 5}));  // a map smaller than a block

}  // namespace
}  // namespace triage::vision::internal
