#include "vision/resample.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace triage::vision::internal {
namespace {

// Area weights from `n_in` samples to `n_out` (n_out <= n_in): output i covers [i s, (i + 1) s) with s = n_in / n_out,
// which touches at most ceil(s) + 1 inputs. Every output gets `taps` entries (unused ones weigh 0 and repeat the
// first input), so that the inner loops have a fixed length. Input offsets are multiplied by `stride`.
struct Weights {
  int taps = 0;
  std::vector<int> source;
  std::vector<float> weight;
};

Weights AreaWeights(int n_in, int n_out, int stride) {
  const double s = double(n_in) / n_out;
  Weights w;
  w.taps = int(std::ceil(s)) + 1;
  w.source.assign(size_t(n_out) * w.taps, 0);
  w.weight.assign(size_t(n_out) * w.taps, 0.f);
  for (int i = 0; i < n_out; ++i) {
    const double a = i * s, b = std::min<double>(n_in, (i + 1) * s);
    int* source = &w.source[size_t(i) * w.taps];
    float* weight = &w.weight[size_t(i) * w.taps];
    int j = 0;
    for (int k = int(a); k < b && j < w.taps; ++k) {
      const double lo = std::max<double>(a, k), hi = std::min<double>(b, k + 1);
      if (hi <= lo) continue;
      source[j] = k * stride, weight[j] = float((hi - lo) / s), ++j;
    }
    for (; j < w.taps; ++j) source[j] = source[0];
  }
  return w;
}

}  // namespace

cv::Mat AreaResize(const cv::Mat& src, cv::Size size) {
  CV_Assert(src.depth() == CV_8U && size.width > 0 && size.height > 0 && size.width <= src.cols &&
            size.height <= src.rows);
  const int channels = src.channels(), n = src.cols * channels;
  const Weights across = AreaWeights(src.cols, size.width, channels), down = AreaWeights(src.rows, size.height, 1);
  cv::Mat out(size, src.type());
  std::vector<float> row(static_cast<size_t>(n));
  for (int y = 0; y < size.height; ++y) {
    // Down: the weighted sum of the source rows this output row covers (vectorised over the whole row).
    const int* rows = &down.source[size_t(y) * down.taps];
    const float* row_weights = &down.weight[size_t(y) * down.taps];
    const uint8_t* first = src.ptr<uint8_t>(rows[0]);
    for (int x = 0; x < n; ++x) row[x] = row_weights[0] * first[x];
    for (int j = 1; j < down.taps; ++j) {
      if (row_weights[j] == 0) continue;
      const float w = row_weights[j];
      const uint8_t* s = src.ptr<uint8_t>(rows[j]);
      for (int x = 0; x < n; ++x) row[x] += w * s[x];
    }
    // Across: each output pixel from the columns it covers.
    uint8_t* o = out.ptr<uint8_t>(y);
    for (int x = 0; x < size.width; ++x) {
      const int* columns = &across.source[size_t(x) * across.taps];
      const float* weights = &across.weight[size_t(x) * across.taps];
      for (int c = 0; c < channels; ++c) {
        float v = 0;
        for (int j = 0; j < across.taps; ++j) v += weights[j] * row[columns[j] + c];
        o[x * channels + c] = cv::saturate_cast<uint8_t>(v);
      }
    }
  }
  return out;
}

cv::Mat HalfSize(const cv::Mat& m) {
  cv::Mat out;
  cv::resize(m(cv::Rect(0, 0, m.cols & ~1, m.rows & ~1)), out, cv::Size(m.cols / 2, m.rows / 2), 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat ResampleTo(const cv::Mat& m, cv::Size size) {
  cv::Mat src = m;
  while (src.cols >= 2 && src.rows >= 2 && 2 * size.width <= src.cols && 2 * size.height <= src.rows) {
    src = HalfSize(src);
  }
  return size == src.size() ? src : AreaResize(src, size);
}

cv::Mat Resample(const cv::Mat& m, double f) {
  if (f > 1) {
    cv::Mat out;
    cv::resize(m, out, cv::Size(), f, f, cv::INTER_LINEAR);
    return out;
  }
  return ResampleTo(m, cv::Size(std::clamp(int(std::lround(m.cols * f)), 1, m.cols),
                                std::clamp(int(std::lround(m.rows * f)), 1, m.rows)));
}

}  // namespace triage::vision::internal
