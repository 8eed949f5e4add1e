// Technical measures (sharpness, exposure, noise, range, colour) on one working raster; composition and faces are
// in quality_composition.cc. Formulas: variance of the Laplacian and Tenengrad for focus, Immerkaer (1996) for noise,
// Hasler and Suesstrunk (2003) for colourfulness.
#include "vision/quality_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/quality_internal.h"

namespace triage::vision {
namespace {

constexpr int kShadowClipLevel = 2;       // luma at or below: pure black
constexpr int kHighlightClipLevel = 253;  // luma at or above: pure white
constexpr double kOversaturated = 0.9;    // saturation above which a pixel counts as oversaturated
constexpr int kIsolationTiles = 8;        // tiles per side for the isolation measure
constexpr int kColourSidePx = 512;

double Variance(const cv::Mat& m) {
  cv::Scalar mean, stddev;
  cv::meanStdDev(m, mean, stddev);
  return stddev[0] * stddev[0];
}

// Sharpest tile over the median tile, from the Laplacian: high when one part is in focus and the rest is not.
double Isolation(const cv::Mat& lap) {
  std::vector<double> tiles;
  int tw = lap.cols / kIsolationTiles, th = lap.rows / kIsolationTiles;
  if (tw < 4 || th < 4) return 1;
  for (int ty = 0; ty < kIsolationTiles; ++ty) {
    for (int tx = 0; tx < kIsolationTiles; ++tx) tiles.push_back(Variance(lap(cv::Rect(tx * tw, ty * th, tw, th))));
  }
  std::sort(tiles.begin(), tiles.end());
  return tiles.back() / (tiles[tiles.size() / 2] + 1.0);
}

// Squared Sobel gradient magnitude.
cv::Mat Energy(const cv::Mat& grey) {
  cv::Mat gx, gy;
  cv::Sobel(grey, gx, CV_32F, 1, 0);
  cv::Sobel(grey, gy, CV_32F, 0, 1);
  return gx.mul(gx) + gy.mul(gy);
}

// Returns the squared gradient magnitude, which the noise estimate reuses to leave edges out.
cv::Mat MeasureFocus(const cv::Mat& grey, model::QualityMetrics& q) {
  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_32F);
  q.sharpness = Variance(lap);
  q.isolation = Isolation(lap);
  cv::Mat energy = Energy(grey);
  q.tenengrad = cv::mean(energy)[0];
  return energy;
}

// Pixels away from edges: squared gradient below twice its mean (edges and strong texture would read as noise).
cv::Mat FlatMask(const cv::Mat& energy) {
  cv::Mat mask = energy < 2 * cv::mean(energy)[0];
  cv::Rect inner(1, 1, energy.cols - 2, energy.rows - 2);
  return mask(inner).clone();
}

// Immerkaer's estimator on one 8-bit plane over `mask` (interior pixels).
double NoiseSigma(const cv::Mat& plane, const cv::Mat& mask) {
  if (plane.cols < 8 || plane.rows < 8) return 0;
  const cv::Mat kernel = (cv::Mat_<float>(3, 3) << 1, -2, 1, -2, 4, -2, 1, -2, 1);
  cv::Mat response;
  cv::filter2D(plane, response, CV_32F, kernel);
  cv::Rect inner(1, 1, plane.cols - 2, plane.rows - 2);
  if (cv::countNonZero(mask) < 1) return 0;
  cv::Mat magnitude = cv::abs(response(inner));
  return std::sqrt(M_PI / 2.0) * cv::mean(magnitude, mask)[0] / 6.0;
}

// Mean absolute step between neighbours across JPEG block edges (every 8th column and row) over the mean step
// elsewhere. Only meaningful on a raster at the file's own scale; about 1 for an image without blocks.
double Blockiness(const cv::Mat& grey) {
  if (grey.cols < 32 || grey.rows < 32) return 1;
  double edge = 0, other = 0;
  int64_t n_edge = 0, n_other = 0;
  for (int y = 0; y + 1 < grey.rows; ++y) {
    const uint8_t* row = grey.ptr<uint8_t>(y);
    const uint8_t* below = grey.ptr<uint8_t>(y + 1);
    const bool row_edge = y % 8 == 7;
    for (int x = 0; x + 1 < grey.cols; ++x) {
      int h = std::abs(row[x + 1] - row[x]), v = std::abs(below[x] - row[x]);
      if (x % 8 == 7)
        edge += h, ++n_edge;
      else
        other += h, ++n_other;
      if (row_edge)
        edge += v, ++n_edge;
      else
        other += v, ++n_other;
    }
  }
  double mean_other = other / std::max<int64_t>(1, n_other);
  return mean_other > 0.5 ? (edge / std::max<int64_t>(1, n_edge)) / mean_other : 1;
}

// Percentile (0..1) of a 256-bin histogram, as a bin index.
int HistogramPercentile(const std::vector<double>& hist, double fraction) {
  double total = std::accumulate(hist.begin(), hist.end(), 0.0), acc = 0;
  for (int i = 0; i < 256; ++i) {
    acc += hist[i];
    if (acc >= fraction * total) return i;
  }
  return 255;
}

// The smaller of the two main peaks of a smoothed 32-bin luma histogram over the lowest point between them.
double Bimodality(const std::vector<double>& hist) {
  std::vector<double> bins(32, 0);
  for (int i = 0; i < 256; ++i) bins[i / 8] += hist[i];
  std::vector<double> s(32, 0);
  for (int i = 0; i < 32; ++i) s[i] = (bins[std::max(0, i - 1)] + 2 * bins[i] + bins[std::min(31, i + 1)]) / 4;
  int p1 = static_cast<int>(std::max_element(s.begin(), s.end()) - s.begin()), p2 = -1;
  for (int i = 0; i < 32; ++i) {
    bool peak = (i == 0 || s[i] >= s[i - 1]) && (i == 31 || s[i] >= s[i + 1]);
    if (peak && std::abs(i - p1) >= 4 && (p2 < 0 || s[i] > s[p2])) p2 = i;
  }
  if (p2 < 0) return 0;
  auto [lo, hi] = std::minmax(p1, p2);
  double valley = *std::min_element(s.begin() + lo, s.begin() + hi + 1);
  double total = std::accumulate(s.begin(), s.end(), 0.0);
  return std::min(s[p1], s[p2]) / (valley + 1e-3 * total);
}

void MeasureExposure(const cv::Mat& grey, model::QualityMetrics& q) {
  std::vector<double> hist(256, 0);
  for (int y = 0; y < grey.rows; ++y) {
    const uint8_t* row = grey.ptr<uint8_t>(y);
    for (int x = 0; x < grey.cols; ++x) hist[row[x]] += 1;
  }
  const double n = double(grey.total());
  double dark = 0, bright = 0, shadow = 0, highlight = 0;
  for (int i = 0; i < 256; ++i) {
    if (i <= kShadowClipLevel) shadow += hist[i];
    if (i >= kHighlightClipLevel) highlight += hist[i];
    if (i < 26) dark += hist[i];
    if (i > 153) bright += hist[i];
  }
  cv::Scalar mean, stddev;
  cv::meanStdDev(grey, mean, stddev);
  q.mean_luminance = mean[0] / 255.0;
  q.contrast = stddev[0] / 255.0;
  q.shadow_clip_percent = 100 * shadow / n;
  q.highlight_clip_percent = 100 * highlight / n;
  // A dark mass against a bright one: a backlit subject whose black is meant.
  q.silhouette = dark / n >= 0.15 && bright / n >= 0.25;
  auto linear = [](int level) { return std::pow(std::max(level, 1) / 255.0, 2.2); };
  const int p98 = HistogramPercentile(hist, 0.98);
  q.highlight_level = p98 / 255.0;
  q.dynamic_range_stops = std::log2(linear(p98) / linear(HistogramPercentile(hist, 0.02)));
  q.bimodality = Bimodality(hist);
}

// Colour statistics do not need detail: measured on a raster of kColourSidePx.
void MeasureColour(const cv::Mat& working, model::QualityMetrics& q) {
  cv::Mat rgb = working, f;
  int side = std::max(working.cols, working.rows);
  if (side > kColourSidePx) {
    double k = double(kColourSidePx) / side;
    cv::resize(working, rgb, cv::Size(), k, k, cv::INTER_AREA);
  }
  rgb.convertTo(f, CV_32F);
  std::vector<cv::Mat> c;
  cv::split(f, c);
  cv::Mat rg = c[0] - c[1], yb = 0.5 * (c[0] + c[1]) - c[2];
  cv::Scalar m_rg, s_rg, m_yb, s_yb;
  cv::meanStdDev(rg, m_rg, s_rg);
  cv::meanStdDev(yb, m_yb, s_yb);
  q.colourfulness = std::hypot(s_rg[0], s_yb[0]) + 0.3 * std::hypot(m_rg[0], m_yb[0]);
  cv::Mat hsv;
  cv::cvtColor(rgb, hsv, cv::COLOR_RGB2HSV);
  cv::Mat planes[3];
  cv::split(hsv, planes);
  q.mean_saturation = cv::mean(planes[1])[0] / 255.0;
  // Oversaturated: saturated and with a channel clipped, so the colour has lost its gradation.
  cv::Mat over = (planes[1] > kOversaturated * 255) & (planes[2] >= kHighlightClipLevel);
  q.oversaturated_percent = 100.0 * cv::countNonZero(over) / double(hsv.total());
}

}  // namespace

model::QualityMetrics MeasureQuality(const model::RgbImage& image, const std::vector<model::Face>& faces,
                                     double to_full) {
  model::QualityMetrics q;
  if (image.empty()) return q;
  try {
    cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
    cv::Mat native_grey;
    cv::cvtColor(rgb, native_grey, cv::COLOR_RGB2GRAY);
    q.blockiness = Blockiness(native_grey);
    // Every raster is brought to the working size, smaller ones enlarged: a small image is then as soft as it
    // looks at that size, and the measures compare across image and decode sizes.
    const int side = std::max(rgb.cols, rgb.rows);
    const double to_working = double(model::QualityMetrics::kWorkingSidePx) / side;
    cv::Mat working = rgb, grey = native_grey;
    if (side != model::QualityMetrics::kWorkingSidePx) {
      int interpolation = to_working < 1 ? cv::INTER_AREA : cv::INTER_LINEAR;
      cv::resize(rgb, working, cv::Size(), to_working, to_working, interpolation);
      cv::cvtColor(working, grey, cv::COLOR_RGB2GRAY);
    }
    q.working_width = working.cols;
    q.working_height = working.rows;
    cv::Mat flat = FlatMask(MeasureFocus(grey, q));
    MeasureExposure(native_grey, q);  // shares of pixels: any scale will do, the decoded one is exact
    q.luma_noise_sigma = NoiseSigma(grey, flat);
    // The penalty's sigma is taken on the decoded raster itself: shrinking to the working size averages noise away.
    q.noise_sigma =
        grey.data == native_grey.data ? q.luma_noise_sigma : NoiseSigma(native_grey, FlatMask(Energy(native_grey)));
    MeasureColour(working, q);
    q.brisque = internal::Brisque(grey);
    internal::MeasureComposition(grey, faces, to_working / to_full, q);
    internal::MeasureFaces(grey, faces, to_working / to_full, q);
    q.measured = true;
  } catch (const cv::Exception&) {
    q = model::QualityMetrics();
  }
  return q;
}

}  // namespace triage::vision
