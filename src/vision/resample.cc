#include "vision/resample.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace triage::vision::internal {
namespace {

// Area weights from `n_in` samples to `n_out` (n_out <= n_in): output i covers [i s, (i + 1) s) with s = n_in / n_out,
// which touches at most ceil(s) + 1 neighbouring inputs. Every output reads `taps` consecutive inputs from its `start`
// (kept inside the row; inputs it does not cover weigh 0), so that the inner loops have a fixed length and no index
// per tap.
struct Weights {
  int taps = 0;
  std::vector<int> start;
  std::vector<float> weight;
};

Weights AreaWeights(int n_in, int n_out) {
  const double s = double(n_in) / n_out;
  Weights w;
  w.taps = std::min(n_in, int(std::ceil(s)) + 1);
  w.start.assign(size_t(n_out), 0);
  w.weight.assign(size_t(n_out) * w.taps, 0.f);
  for (int i = 0; i < n_out; ++i) {
    const double a = i * s, b = std::min<double>(n_in, (i + 1) * s);
    const int start = std::min(int(a), n_in - w.taps);
    w.start[i] = start;
    float* weight = &w.weight[size_t(i) * w.taps];
    for (int k = int(a); k < b; ++k) {
      const double lo = std::max<double>(a, k), hi = std::min<double>(b, k + 1);
      if (hi > lo) weight[k - start] = float((hi - lo) / s);
    }
  }
  return w;
}

// One output row across: pixel x of `out` from `kTaps` consecutive pixels of `row` (floats, `kChannels` interleaved).
// Compile-time tap and channel counts let the compiler unroll the sums; kTaps = kChannels = 0 reads them at run time.
template <int kTaps, int kChannels>
void Across(const float* row, const Weights& w, int width, int taps, int channels, uint8_t* out) {
  if constexpr (kTaps > 0) taps = kTaps;
  if constexpr (kChannels > 0) channels = kChannels;
  for (int x = 0; x < width; ++x) {
    const float* weight = &w.weight[size_t(x) * taps];
    const float* in = row + size_t(w.start[x]) * channels;
    for (int c = 0; c < channels; ++c) {
      float v = 0;
      for (int j = 0; j < taps; ++j) v += weight[j] * in[j * channels + c];
      out[x * channels + c] = cv::saturate_cast<uint8_t>(v);
    }
  }
}

}  // namespace

cv::Mat AreaResize(const cv::Mat& src, cv::Size size) {
  CV_Assert(src.depth() == CV_8U && size.width > 0 && size.height > 0 && size.width <= src.cols &&
            size.height <= src.rows);
  const int channels = src.channels(), n = src.cols * channels;
  const Weights across = AreaWeights(src.cols, size.width), down = AreaWeights(src.rows, size.height);
  auto across_row = &Across<0, 0>;
  if (across.taps == 3 && channels == 1) across_row = &Across<3, 1>;
  if (across.taps == 3 && channels == 3) across_row = &Across<3, 3>;
  if (across.taps == 2 && channels == 1) across_row = &Across<2, 1>;
  if (across.taps == 2 && channels == 3) across_row = &Across<2, 3>;
  cv::Mat out(size, src.type());
  // Rows are independent: a large raster is shared among OpenCV's threads in bands (1600 x 1200 to 960 x 720 took
  // 3.1 ms on one core while the other waited for it, to 256 x 192 1.1 ms); a small one stays on the calling thread.
  // The work is mostly reading the source.
  const double work = double(src.cols) * src.rows * channels + double(size.width) * size.height * channels;
  const int bands = std::clamp(int(work / 1'000'000), 1, 16);
  const auto resample_rows = [&](const cv::Range& rows) {
    std::vector<float> row(static_cast<size_t>(n));
    for (int y = rows.start; y < rows.end; ++y) {
      // Down: the weighted sum of the source rows this output row covers (vectorised over the whole row).
      const int first_row = down.start[y];
      const float* row_weights = &down.weight[size_t(y) * down.taps];
      std::fill(row.begin(), row.end(), 0.f);
      for (int j = 0; j < down.taps; ++j) {
        if (row_weights[j] == 0) continue;
        const float w = row_weights[j];
        const uint8_t* s = src.ptr<uint8_t>(first_row + j);
        for (int x = 0; x < n; ++x) row[x] += w * s[x];
      }
      // Across: each output pixel from the columns it covers.
      across_row(row.data(), across, size.width, across.taps, channels, out.ptr<uint8_t>(y));
    }
  };
  // A single band runs here, not through OpenCV's parallel loop: handing it to the thread pool woke its threads for
  // nothing, and the duplicates-only ingest, which shrinks small rasters by the thousand, took 15% more CPU.
  if (bands == 1) {
    resample_rows(cv::Range(0, size.height));
  } else {
    cv::parallel_for_(cv::Range(0, size.height), resample_rows, bands);
  }
  return out;
}

cv::Mat HalfSize(const cv::Mat& m) {
  cv::Mat out;
  cv::resize(m(cv::Rect(0, 0, m.cols & ~1, m.rows & ~1)), out, cv::Size(m.cols / 2, m.rows / 2), 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat ResampleTo(const cv::Mat& m, cv::Size size) {
  if (size.width > m.cols || size.height > m.rows) {
    cv::Mat out;
    cv::resize(m, out, size, 0, 0, cv::INTER_LINEAR);
    return out;
  }
  cv::Mat src = m;
  while (src.cols >= 2 && src.rows >= 2 && 2 * size.width <= src.cols && 2 * size.height <= src.rows) {
    src = HalfSize(src);
  }
  return size == src.size() ? src : AreaResize(src, size);
}

cv::Mat Resample(const cv::Mat& m, double f) {
  if (f > 1) {  // by the factor itself (the size a factor gives maps pixels at a slightly other scale)
    cv::Mat out;
    cv::resize(m, out, cv::Size(), f, f, cv::INTER_LINEAR);
    return out;
  }
  return ResampleTo(m, cv::Size(std::clamp(int(std::lround(m.cols * f)), 1, m.cols),
                                std::clamp(int(std::lround(m.rows * f)), 1, m.rows)));
}

}  // namespace triage::vision::internal
