// ECC affine refinement in fused passes: sample, then accumulate the Hessian and the projections in one sweep.
#include "vision/ecc.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace triage::vision::internal {
namespace {

// warpAffine's fixed point: coordinates carry kAbBits fractional bits while stepping along a row, and are sampled at
// 1/kTabSize px.
constexpr int kAbBits = 10;
constexpr int kTabBits = 5;
constexpr int kTabSize = 1 << kTabBits;
constexpr double kAbScale = 1 << kAbBits;

int SaturateInt(double v) {
  if (!(v > INT32_MIN)) return v != v ? 0 : INT32_MIN;
  if (v >= INT32_MAX) return INT32_MAX;
  return static_cast<int>(std::lrint(v));
}

// Four floats in one SIMD register (SSE on x86-64, NEON on arm64), lane by lane as four scalars: the same results.
using Vec4 = float __attribute__((vector_size(16)));

int16_t SaturateShort(int64_t v) { return static_cast<int16_t>(std::clamp<int64_t>(v, INT16_MIN, INT16_MAX)); }

// The input and its gradients interleaved (value, gx, gy and a zero per pixel), so that one bilinear sample reads all
// three as one vector of four.
// The gradients are central differences (-0.5, 0, 0.5) with the border reflected about the edge pixel
// (BORDER_REFLECT_101): what findTransformECC differentiates the input with.
cv::Mat WithGradients(const cv::Mat& image) {
  const int w = image.cols, h = image.rows;
  cv::Mat out(h, w, CV_32FC4);
  auto reflect = [](int i, int n) { return n == 1 ? 0 : (i < 0 ? -i : (i >= n ? 2 * n - 2 - i : i)); };
  for (int y = 0; y < h; ++y) {
    const float* row = image.ptr<float>(y);
    const float* up = image.ptr<float>(reflect(y - 1, h));
    const float* down = image.ptr<float>(reflect(y + 1, h));
    float* o = out.ptr<float>(y);
    for (int x = 0; x < w; ++x) {
      o[4 * x] = row[x];
      o[4 * x + 1] = 0.5f * row[reflect(x + 1, w)] - 0.5f * row[reflect(x - 1, w)];
      o[4 * x + 2] = 0.5f * down[x] - 0.5f * up[x];
      o[4 * x + 3] = 0;
    }
  }
  return out;
}

// The per-pixel samples of one iteration, in template order.
struct Samples {
  std::vector<float> value, gx, gy, inside;
  std::vector<int> adelta, bdelta;  // each column's step along the row, as warpAffine computes it
};

// Walks the pixels of a `size` raster seen through `m` (raster -> input coordinates) as warpAffine with
// WARP_INVERSE_MAP and INTER_LINEAR walks them: for each, in row order, `visit(i, xn, yn, out)` gets the pixel's index,
// its nearest input pixel (xn, yn; maybe outside) and the bilinear sample at 1/32 px of the `C` interleaved channels
// of `input` (CV_32FC(C)), zero outside. `adelta`/`bdelta` hold size.width ints (scratch).
template <int C, typename Visit>
void WalkWarp(const cv::Mat& input, const double m[6], cv::Size size, std::vector<int>& adelta,
              std::vector<int>& bdelta, Visit&& visit) {
  const int w = input.cols, h = input.rows;
  for (int x = 0; x < size.width; ++x) {
    adelta[x] = SaturateInt(m[0] * x * kAbScale);
    bdelta[x] = SaturateInt(m[3] * x * kAbScale);
  }
  const int linear_round = (1 << kAbBits) / kTabSize / 2, nearest_round = (1 << kAbBits) / 2;
  const float step = 1.f / kTabSize;
  const size_t stride = input.step1();
  const float* base = input.ptr<float>(0);
  for (int y = 0; y < size.height; ++y) {
    const int64_t x0 = SaturateInt((m[1] * y + m[2]) * kAbScale), y0 = SaturateInt((m[4] * y + m[5]) * kAbScale);
    // Any pixel, its taps inside the input or not.
    auto sample_checked = [&](int x) {
      const int64_t xn = (x0 + nearest_round + adelta[x]) >> kAbBits, yn = (y0 + nearest_round + bdelta[x]) >> kAbBits;
      const int64_t xf = (x0 + linear_round + adelta[x]) >> (kAbBits - kTabBits),
                    yf = (y0 + linear_round + bdelta[x]) >> (kAbBits - kTabBits);
      const int sx = SaturateShort(xf >> kTabBits), sy = SaturateShort(yf >> kTabBits);
      const float ax = step * static_cast<float>(xf & (kTabSize - 1)),
                  ay = step * static_cast<float>(yf & (kTabSize - 1));
      const float weight[4] = {(1.f - ay) * (1.f - ax), (1.f - ay) * ax, ay * (1.f - ax), ay * ax};
      float out[C];
      if (sx >= 0 && sx + 1 < w && sy >= 0 && sy + 1 < h) {
        const float* p = base + sy * stride + C * sx;
        for (int k = 0; k < C; ++k) {
          out[k] = p[k] * weight[0] + p[k + C] * weight[1] + p[k + stride] * weight[2] + p[k + stride + C] * weight[3];
        }
      } else if (sx >= w || sx + 1 < 0 || sy >= h || sy + 1 < 0) {
        for (int k = 0; k < C; ++k) out[k] = 0;
      } else {
        // Partly outside: the taps outside count as zero.
        const bool x_in[2] = {sx >= 0, sx + 1 < w}, y_in[2] = {sy >= 0, sy + 1 < h};
        for (int k = 0; k < C; ++k) {
          float tap[4];
          for (int dy = 0; dy < 2; ++dy) {
            for (int dx = 0; dx < 2; ++dx) {
              tap[dy * 2 + dx] = y_in[dy] && x_in[dx] ? base[(sy + dy) * stride + C * (sx + dx) + k] : 0.f;
            }
          }
          out[k] = tap[0] * weight[0] + tap[1] * weight[1] + tap[2] * weight[2] + tap[3] * weight[3];
        }
      }
      visit(y * size.width + x, xn, yn, out);
    };
    // A pixel whose four taps are all inside the input (its nearest pixel then is too): the same sample without the
    // checks.
    auto sample_inside = [&](int x) {
      const int64_t xn = (x0 + nearest_round + adelta[x]) >> kAbBits, yn = (y0 + nearest_round + bdelta[x]) >> kAbBits;
      const int xf = static_cast<int>((x0 + linear_round + adelta[x]) >> (kAbBits - kTabBits)),
                yf = static_cast<int>((y0 + linear_round + bdelta[x]) >> (kAbBits - kTabBits));
      const float ax = step * static_cast<float>(xf & (kTabSize - 1)),
                  ay = step * static_cast<float>(yf & (kTabSize - 1));
      const float weight[4] = {(1.f - ay) * (1.f - ax), (1.f - ay) * ax, ay * (1.f - ax), ay * ax};
      const float* p = base + static_cast<size_t>(yf >> kTabBits) * stride + C * static_cast<size_t>(xf >> kTabBits);
      float out[C];
      if constexpr (C == 4) {
        // The four channels at once, each with the same products added in the same order: the same sums.
        Vec4 tap[4];
        std::memcpy(&tap[0], p, sizeof(Vec4));
        std::memcpy(&tap[1], p + C, sizeof(Vec4));
        std::memcpy(&tap[2], p + stride, sizeof(Vec4));
        std::memcpy(&tap[3], p + stride + C, sizeof(Vec4));
        const Vec4 sum = tap[0] * weight[0] + tap[1] * weight[1] + tap[2] * weight[2] + tap[3] * weight[3];
        std::memcpy(out, &sum, sizeof(Vec4));
      } else {
        for (int k = 0; k < C; ++k) {
          out[k] = p[k] * weight[0] + p[k + C] * weight[1] + p[k + stride] * weight[2] + p[k + stride + C] * weight[3];
        }
      }
      visit(y * size.width + x, xn, yn, out);
    };
    // Along a row the taps move monotonically (adelta and bdelta are rounded multiples of x), so the pixels whose taps
    // are all inside are one run: found from both ends, sampled without the checks, and the few outside it with them.
    auto taps_inside = [&](int x) {
      const int64_t sx = (x0 + linear_round + adelta[x]) >> kAbBits, sy = (y0 + linear_round + bdelta[x]) >> kAbBits;
      return sx >= 0 && sx + 1 < w && sy >= 0 && sy + 1 < h;
    };
    int first = 0, last = size.width - 1;
    while (first <= last && !taps_inside(first)) sample_checked(first++);
    while (last >= first && !taps_inside(last)) --last;
    for (int x = first; x <= last; ++x) sample_inside(x);
    for (int x = last + 1; x < size.width; ++x) sample_checked(x);
  }
}

// Samples `input` (as WithGradients) through `warp` (template -> input coordinates) at every template pixel: bilinear
// at 1/32 px with zero outside the input, and whether the pixel's nearest input pixel exists (the mask).
void Sample(const cv::Mat& input, const double m[6], cv::Size size, Samples& s) {
  const int64_t w = input.cols, h = input.rows;
  WalkWarp<4>(input, m, size, s.adelta, s.bdelta, [&](int i, int64_t xn, int64_t yn, const float* out) {
    s.inside[i] = xn >= 0 && xn < w && yn >= 0 && yn < h ? 1.f : 0.f;
    s.value[i] = out[0];
    s.gx[i] = out[1];
    s.gy[i] = out[2];
  });
}

}  // namespace

void WarpLinear(const cv::Mat& input, const cv::Mat& warp, cv::Size size, cv::Mat& out) {
  CV_Assert(input.type() == CV_32F && warp.type() == CV_32F && warp.rows == 2 && warp.cols == 3);
  const double m[6] = {warp.at<float>(0, 0), warp.at<float>(0, 1), warp.at<float>(0, 2),
                       warp.at<float>(1, 0), warp.at<float>(1, 1), warp.at<float>(1, 2)};
  out.create(size, CV_32F);
  CV_Assert(out.isContinuous());
  float* o = out.ptr<float>(0);
  std::vector<int> adelta(static_cast<size_t>(size.width)), bdelta(static_cast<size_t>(size.width));
  WalkWarp<1>(input, m, size, adelta, bdelta, [o](int i, int64_t, int64_t, const float* v) { o[i] = v[0]; });
}

namespace {

// Solves `a` x = `b` for the symmetric positive definite 6x6 `a` (Cholesky); false when `a` is not.
bool Solve6(const double a[6][6], const double b[6], double x[6]) {
  double l[6][6] = {};
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j <= i; ++j) {
      double sum = a[i][j];
      for (int k = 0; k < j; ++k) sum -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(sum > 0)) return false;
        l[i][i] = std::sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  double z[6];
  for (int i = 0; i < 6; ++i) {
    double sum = b[i];
    for (int k = 0; k < i; ++k) sum -= l[i][k] * z[k];
    z[i] = sum / l[i][i];
  }
  for (int i = 5; i >= 0; --i) {
    double sum = z[i];
    for (int k = i + 1; k < 6; ++k) sum -= l[k][i] * x[k];
    x[i] = sum / l[i][i];
  }
  return true;
}

double Dot6(const double a[6], const double b[6]) {
  double sum = 0;
  for (int i = 0; i < 6; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

double RefineAffineEcc(const cv::Mat& templ, const cv::Mat& input, cv::Mat& warp, int max_iterations, double epsilon) {
  CV_Assert(templ.type() == CV_32F && input.type() == CV_32F && !templ.empty() && !input.empty());
  CV_Assert(warp.type() == CV_32F && warp.rows == 2 && warp.cols == 3);
  const cv::Size size = templ.size();
  const int n = size.area();
  const cv::Mat sampled = WithGradients(input);
  Samples s;
  for (auto* v : {&s.value, &s.gx, &s.gy, &s.inside}) v->resize(n);
  s.adelta.resize(size.width);
  s.bdelta.resize(size.width);
  std::vector<float> t(n);
  for (int y = 0; y < size.height; ++y) std::copy_n(templ.ptr<float>(y), size.width, t.data() + y * size.width);

  float map[6];
  for (int i = 0; i < 6; ++i) map[i] = warp.at<float>(i / 3, i % 3);
  double rho = -1, last_rho = -epsilon;
  for (int iteration = 1; iteration <= max_iterations && std::abs(rho - last_rho) >= epsilon; ++iteration) {
    const double m[6] = {map[0], map[1], map[2], map[3], map[4], map[5]};
    Sample(sampled, m, size, s);
    // The means and deviations of both over the mask.
    double count = 0, sum_i = 0, sum_ii = 0, sum_t = 0, sum_tt = 0;
    for (int i = 0; i < n; ++i) {
      const double in = s.inside[i], v = s.value[i], tv = t[i];
      count += in;
      sum_i += in * v;
      sum_ii += in * v * v;
      sum_t += in * tv;
      sum_tt += in * tv * tv;
    }
    if (count == 0) return -1;
    const double mean_i = sum_i / count, mean_t = sum_t / count;
    const double var_i = std::max(0.0, sum_ii / count - mean_i * mean_i),
                 var_t = std::max(0.0, sum_tt / count - mean_t * mean_t);
    const double img_norm = std::sqrt(count * var_i), tmp_norm = std::sqrt(count * var_t);

    // The Jacobian of the warped image by the six parameters at (x, y) is (gx x, gy x, gx y, gy y, gx, gy): the
    // Hessian's entries are sums of gx^2, gx gy and gy^2 weighted by x^2, x y, y^2, x, y and 1, and the projections
    // sums of e gx and e gy weighted by x, y and 1. Outside the mask the template counts as zero and the warped image
    // as it was sampled (as OpenCV subtracts the means under the mask only).
    double a[3] = {}, ax[3] = {}, axx[3] = {}, ay[3] = {}, axy[3] = {}, ayy[3] = {};  // gx^2, gx gy, gy^2
    double pi[6] = {}, pt[6] = {};
    double correlation = 0;
    for (int y = 0; y < size.height; ++y) {
      // One row in single precision, vectorised (the reduction pragma lets the adds be reordered across lanes), then
      // added up in double.
      float q0 = 0, q1 = 0, q2 = 0, qx0 = 0, qx1 = 0, qx2 = 0, qxx0 = 0, qxx1 = 0, qxx2 = 0;
      float ig = 0, igx = 0, ih = 0, ihx = 0, tg = 0, tgx = 0, th = 0, thx = 0, c = 0;  // e gx, e gx x, e gy, e gy x
      const int row = y * size.width;
      const float mi = static_cast<float>(mean_i), mt = static_cast<float>(mean_t);
      const float* gxr = s.gx.data() + row;
      const float* gyr = s.gy.data() + row;
      const float* inr = s.inside.data() + row;
      const float* vr = s.value.data() + row;
      const float* tr = t.data() + row;
#pragma omp simd reduction(+ : q0, q1, q2, qx0, qx1, qx2, qxx0, qxx1, qxx2, ig, igx, ih, ihx, tg, tgx, th, thx, c)
      for (int x = 0; x < size.width; ++x) {
        const float xf = static_cast<float>(x), gxv = gxr[x], gyv = gyr[x];
        const float iz = vr[x] - inr[x] * mi, tz = inr[x] * (tr[x] - mt);
        const float a0 = gxv * gxv, a1 = gxv * gyv, a2 = gyv * gyv;
        q0 += a0;
        q1 += a1;
        q2 += a2;
        qx0 += a0 * xf;
        qx1 += a1 * xf;
        qx2 += a2 * xf;
        qxx0 += a0 * xf * xf;
        qxx1 += a1 * xf * xf;
        qxx2 += a2 * xf * xf;
        ig += iz * gxv;
        igx += iz * gxv * xf;
        ih += iz * gyv;
        ihx += iz * gyv * xf;
        tg += tz * gxv;
        tgx += tz * gxv * xf;
        th += tz * gyv;
        thx += tz * gyv * xf;
        c += tz * iz;
      }
      const double r[3] = {q0, q1, q2}, rx[3] = {qx0, qx1, qx2}, rxx[3] = {qxx0, qxx1, qxx2};
      const double ri[4] = {ig, igx, ih, ihx}, rt[4] = {tg, tgx, th, thx};
      correlation += c;
      const double yd = y;
      for (int k = 0; k < 3; ++k) {
        a[k] += r[k];
        ax[k] += rx[k];
        axx[k] += rxx[k];
        ay[k] += yd * r[k];
        axy[k] += yd * rx[k];
        ayy[k] += yd * yd * r[k];
      }
      for (auto [p, sums] : {std::pair{pi, ri}, std::pair{pt, rt}}) {
        p[0] += sums[1];
        p[1] += sums[3];
        p[2] += yd * sums[0];
        p[3] += yd * sums[2];
        p[4] += sums[0];
        p[5] += sums[2];
      }
    }
    enum { kXX = 0, kXY = 1, kYY = 2 };
    const double hessian[6][6] = {
        {axx[kXX], axx[kXY], axy[kXX], axy[kXY], ax[kXX], ax[kXY]},
        {axx[kXY], axx[kYY], axy[kXY], axy[kYY], ax[kXY], ax[kYY]},
        {axy[kXX], axy[kXY], ayy[kXX], ayy[kXY], ay[kXX], ay[kXY]},
        {axy[kXY], axy[kYY], ayy[kXY], ayy[kYY], ay[kXY], ay[kYY]},
        {ax[kXX], ax[kXY], ay[kXX], ay[kXY], a[kXX], a[kXY]},
        {ax[kXY], ax[kYY], ay[kXY], ay[kYY], a[kXY], a[kYY]},
    };
    last_rho = rho;
    rho = correlation / (img_norm * tmp_norm);
    if (!std::isfinite(rho)) return -1;
    double hi[6];  // Hessian^-1 times the image's projection
    if (!Solve6(hessian, pi, hi)) return -1;
    const double lambda_n = img_norm * img_norm - Dot6(pi, hi);
    const double lambda_d = correlation - Dot6(pt, hi);
    // An update that would minimise the correlation: the images are not related.
    if (lambda_d <= 0) return -1;
    const double lambda = lambda_n / lambda_d;
    double error[6], delta[6];
    for (int k = 0; k < 6; ++k) error[k] = lambda * pt[k] - pi[k];
    if (!Solve6(hessian, error, delta)) return -1;
    // Parameter order of the Jacobian: a00, a10, a01, a11, a02, a12.
    map[0] += static_cast<float>(delta[0]);
    map[3] += static_cast<float>(delta[1]);
    map[1] += static_cast<float>(delta[2]);
    map[4] += static_cast<float>(delta[3]);
    map[2] += static_cast<float>(delta[4]);
    map[5] += static_cast<float>(delta[5]);
  }
  for (int i = 0; i < 6; ++i) warp.at<float>(i / 3, i % 3) = map[i];
  return rho;
}

}  // namespace triage::vision::internal
