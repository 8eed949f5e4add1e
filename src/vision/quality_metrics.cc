// Technical measures (sharpness, exposure, noise, range, colour) on one working raster; composition and faces are
// in quality_composition.cc. Formulas: variance of the Laplacian and Tenengrad for focus, Immerkaer (1996) for noise,
// Hasler and Suesstrunk (2003) for colourfulness.
#include "vision/quality_metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/quality_internal.h"
#include "vision/resample.h"

namespace triage::vision {
namespace {

using internal::Resample;

constexpr int kShadowClipLevel = 2;         // luma at or below: pure black
constexpr int kHighlightClipLevel = 253;    // luma at or above: pure white
constexpr double kOversaturated = 0.9;      // saturation above which a pixel counts as oversaturated
constexpr int kIsolationTiles = 8;          // tiles per side for the isolation measure
constexpr int kIsolationSidePx = 256;       // raster the isolation measure works on
constexpr double kLaplacianNoiseGain = 20;  // what Gaussian noise of sigma 1 adds to the Laplacian's variance
constexpr int kColourSidePx = 512;
constexpr int kBlockinessSidePx = 2048;         // the centre crop blockiness is read in
constexpr double kMinStepGreyLevels = 0.25;     // mean step below which a raster counts as flat (blockiness)
constexpr int kPosterizationRows = 600;         // rows sampled at least for posterization
constexpr int kPosterizationColumns = 1600;     // pixels of a row sampled at least for posterization
constexpr int64_t kExposurePixels = 2'000'000;  // pixels sampled at least for the luma histogram

double Variance(const cv::Mat& m) {
  cv::Scalar mean, stddev;
  cv::meanStdDev(m, mean, stddev);
  return stddev[0] * stddev[0];
}

// Sharpest tile over the median tile of a coarse raster's Laplacian, with what noise adds to each tile's variance
// taken out: high when one part is in focus and the rest is not. Subject isolation is a coarse-scale property (a
// defocused background stays smooth at kIsolationSidePx); at that scale neither a slight blur nor grain decides it.
double Isolation(const cv::Mat& grey, double noise_sigma) {
  cv::Mat small = grey, lap;
  const int side = std::max(grey.cols, grey.rows);
  if (side > kIsolationSidePx) {
    const double f = double(kIsolationSidePx) / side;
    cv::resize(grey, small, cv::Size(), f, f, cv::INTER_AREA);
    noise_sigma *= f;  // white noise averaged over 1/f x 1/f pixels
  }
  cv::Laplacian(small, lap, CV_32F);
  std::vector<double> tiles;
  int tw = lap.cols / kIsolationTiles, th = lap.rows / kIsolationTiles;
  if (tw < 4 || th < 4) return 1;
  const double noise_variance = kLaplacianNoiseGain * noise_sigma * noise_sigma;
  for (int ty = 0; ty < kIsolationTiles; ++ty) {
    for (int tx = 0; tx < kIsolationTiles; ++tx)
      tiles.push_back(std::max(0.0, Variance(lap(cv::Rect(tx * tw, ty * th, tw, th))) - noise_variance));
  }
  std::sort(tiles.begin(), tiles.end());
  return tiles.back() / (tiles[tiles.size() / 2] + 1.0);
}

// Squared 3x3 Sobel gradient magnitude, as CV_32F. Both derivatives in one pass, in 16 bits (exact for 8-bit input:
// at most 1020); their squares' sum is below 2^21, exact in a float.
cv::Mat Energy(const cv::Mat& grey) {
  cv::Mat gx, gy;
  cv::spatialGradient(grey, gx, gy);
  cv::Mat energy(grey.size(), CV_32F);
  for (int y = 0; y < grey.rows; ++y) {
    const int16_t *dx = gx.ptr<int16_t>(y), *dy = gy.ptr<int16_t>(y);
    float* e = energy.ptr<float>(y);
    for (int x = 0; x < grey.cols; ++x) e[x] = float(int(dx[x]) * dx[x] + int(dy[x]) * dy[x]);
  }
  return energy;
}

// Returns the squared gradient magnitude, which the noise estimate reuses to leave edges out. The Laplacian of an
// 8-bit raster fits 16 bits exactly.
cv::Mat MeasureFocus(const cv::Mat& grey, model::QualityMetrics& q) {
  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_16S);
  q.sharpness = Variance(lap);
  cv::Mat energy = Energy(grey);
  q.tenengrad = cv::mean(energy)[0];
  return energy;
}

cv::Mat CentreCrop(const cv::Mat& m, int width, int height) {
  width = std::min(width, m.cols), height = std::min(height, m.rows);
  return m(cv::Rect((m.cols - width) / 2, (m.rows - height) / 2, width, height));
}

// Immerkaer's estimator on one 8-bit plane, over its interior pixels away from edges: those whose squared gradient
// (`energy`, Energy of the plane) is below twice its mean; edges and strong texture would read as noise.
double NoiseSigma(const cv::Mat& plane, const cv::Mat& energy) {
  if (plane.cols < 8 || plane.rows < 8) return 0;
  const float limit = float(2 * cv::mean(energy)[0]);
  // The kernel [1 -2 1; -2 4 -2; 1 -2 1] is the outer product of [1 -2 1] with itself; its response fits 16 bits.
  const cv::Mat taps = (cv::Mat_<float>(3, 1) << 1, -2, 1);
  cv::Mat response;
  cv::sepFilter2D(plane, response, CV_16S, taps, taps);
  int64_t sum = 0, count = 0;
  for (int y = 1; y < plane.rows - 1; ++y) {
    const int16_t* r = response.ptr<int16_t>(y);
    const float* e = energy.ptr<float>(y);
    // Branch-free in 32 bits, so that the compiler vectorises the row (a row sums at most 4,080 per pixel): with a
    // branch or 64-bit sums it ran 40 times slower, the flat test being a coin toss on textured pictures.
    int row_sum = 0, row_count = 0;
    for (int x = 1; x < plane.cols - 1; ++x) {
      const int flat = e[x] < limit;
      const int magnitude = r[x] < 0 ? -r[x] : r[x];
      row_sum += magnitude & -flat;
      row_count += flat;
    }
    sum += row_sum, count += row_count;
  }
  if (count == 0) return 0;
  return std::sqrt(M_PI / 2.0) * double(sum) / double(count) / 6.0;
}

// Strength of a periodic component of `period` pixels in a profile of mean steps, as the ratio of the step at a
// block edge to the step elsewhere that a spike of that period would need to produce it (1 = no blocks). From the
// profile's Fourier coefficient at 1/period: a spike of excess e every P pixels over a floor b gives a coefficient
// of e/P and a mean of b + e/P.
double PeriodicStepRatio(const std::vector<double>& steps, double period) {
  const size_t n = steps.size();
  if (n < 4 * period) return 1;
  double re = 0, im = 0, mean = 0;
  for (size_t x = 0; x < n; ++x) {
    const double phase = 2 * M_PI * double(x) / period;
    re += steps[x] * std::cos(phase), im += steps[x] * std::sin(phase), mean += steps[x];
  }
  mean /= double(n);
  const double excess = period * std::hypot(re, im) / double(n);  // e (one spike per period)
  const double floor = mean - excess / period;                    // b
  return floor > 0 ? 1 + excess / std::max(floor, kMinStepGreyLevels) : 1;
}

// JPEG blockiness after Wang, Bovik and Evans (2000): blocks show as a periodic peak in the steps between
// neighbouring columns (rows), averaged down the image, at the block period. The period is 8 pixels of the file,
// 8 / to_full on a raster decoded smaller, so that blocks are found in a downscaled decode too. The smaller of the
// two directions: a periodic texture rarely repeats in both at once. About 1 without blocks.
// A JPEG shrunk to half its size after it was saved (as pictures pass through sites and messengers) keeps its block
// edges, 4 pixels apart: the half period is read too, and the stronger of the two counts. Blocks saved at the full
// period show a weaker peak at the half (their second harmonic): of the bench's photos and their degraded copies,
// none measures differently.
double Blockiness(const cv::Mat& grey, double to_full) {
  const double period = 8 / std::max(1.0, to_full);
  if (period < 3 || grey.cols < 32 || grey.rows < 32) return 1;
  const int w = grey.cols - 1, h = grey.rows - 1;
  // One pass over the raster: each row's steps across are added to per-column sums, its steps down from the row
  // above summed into that row's total (both loops vectorise; 32 bits hold the sums of 16 million rows of 255).
  std::vector<uint32_t> column_sums(w, 0);
  std::vector<double> across(w), down(h);
  for (int y = 0; y <= h; ++y) {
    const uint8_t* row = grey.ptr<uint8_t>(y);
    uint32_t* sums = column_sums.data();
    for (int x = 0; x < w; ++x) sums[x] += uint32_t(std::abs(int(row[x + 1]) - int(row[x])));
    if (y == 0) continue;
    const uint8_t* above = grey.ptr<uint8_t>(y - 1);
    uint32_t total = 0;
    for (int x = 0; x < w; ++x) total += uint32_t(std::abs(int(row[x]) - int(above[x])));
    down[y - 1] = double(total) / w;
  }
  for (int x = 0; x < w; ++x) across[x] = double(column_sums[x]) / grey.rows;
  auto at = [&](double p) { return std::min(PeriodicStepRatio(across, p), PeriodicStepRatio(down, p)); };
  return period / 2 >= 3 ? std::max(at(period), at(period / 2)) : at(period);
}

// Tone levels left empty inside each channel's occupied range (0.5th to 99.5th percentile), in percent, averaged
// over the channels. A camera's or a JPEG decoder's output fills every level; stretching the tones of an 8-bit
// picture afterwards (pushing its exposure, a levels change) leaves gaps, seen as banding in smooth gradients. Only
// meaningful on the decoded raster: resampling fills the gaps.
double PosterizedPercent(const cv::Mat& rgb) {
  // Two tables per channel, alternate pixels counted in each: neighbouring equal levels do not stall.
  std::array<std::array<uint32_t, 256>, 6> counts{};
  // Every other row, at least kPosterizationRows of them: gaps do not depend on the sample.
  // Along a row wider than kPosterizationColumns, every other (third, ...) pixel likewise.
  const int step = std::max(2, rgb.rows / kPosterizationRows);
  const int stride = 3 * std::max(1, rgb.cols / kPosterizationColumns);
  for (int y = 0; y < rgb.rows; y += step) {
    const uint8_t* row = rgb.ptr<uint8_t>(y);
    int x = 0;
    for (; x + stride < rgb.cols * 3; x += 2 * stride) {
      ++counts[0][row[x]], ++counts[1][row[x + 1]], ++counts[2][row[x + 2]];
      ++counts[3][row[x + stride]], ++counts[4][row[x + stride + 1]], ++counts[5][row[x + stride + 2]];
    }
    if (x < rgb.cols * 3) ++counts[0][row[x]], ++counts[1][row[x + 1]], ++counts[2][row[x + 2]];
  }
  std::array<std::array<int64_t, 256>, 3> hist{};
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 256; ++i) hist[c][i] = int64_t(counts[c][i]) + counts[c + 3][i];
  }
  double sum = 0;
  for (const auto& h : hist) {
    const int64_t n = std::accumulate(h.begin(), h.end(), int64_t{0});
    int lo = 0, hi = 255;
    for (int64_t acc = 0; lo < 255 && (acc += h[lo]) * 200 < n;) ++lo;
    for (int64_t acc = 0; hi > 0 && (acc += h[hi]) * 200 < n;) --hi;
    const int levels = hi - lo + 1;
    if (levels < 32 || n < 20 * levels) continue;  // too few levels or pixels to tell a gap from chance
    sum += 100.0 * std::count(h.begin() + lo, h.begin() + hi + 1, 0) / levels;
  }
  return sum / 3;
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

// Luma histogram of every row, or of evenly spaced rows covering at least kExposurePixels of a larger raster. From
// `grey` (the decoded raster in grey) when it is there, else from the sampled rows of `rgb` converted one by one.
std::vector<double> LumaHistogram(const cv::Mat& rgb, const cv::Mat& grey) {
  const int step = int(std::max<int64_t>(1, int64_t(rgb.total()) / kExposurePixels));
  std::array<std::array<int64_t, 256>, 2> counts{};  // two tables: neighbouring equal levels do not stall
  cv::Mat converted;
  for (int y = 0; y < rgb.rows; y += step) {
    if (grey.empty()) cv::cvtColor(rgb.row(y), converted, cv::COLOR_RGB2GRAY);
    const uint8_t* row = grey.empty() ? converted.ptr<uint8_t>(0) : grey.ptr<uint8_t>(y);
    int x = 0;
    for (; x + 1 < rgb.cols; x += 2) ++counts[0][row[x]], ++counts[1][row[x + 1]];
    if (x < rgb.cols) ++counts[0][row[x]];
  }
  std::vector<double> hist(256);
  for (int i = 0; i < 256; ++i) hist[i] = double(counts[0][i] + counts[1][i]);
  return hist;
}

void MeasureExposure(const cv::Mat& rgb, const cv::Mat& grey, model::QualityMetrics& q) {
  const std::vector<double> hist = LumaHistogram(rgb, grey);
  const double n = std::accumulate(hist.begin(), hist.end(), 0.0);
  double dark = 0, bright = 0, shadow = 0, highlight = 0;
  // Levels within two noise sigmas of pure black or white count as clipped: noise lifts crushed pixels off the
  // end stop without bringing their detail back. The smaller of the two estimates: on the decoded raster fine
  // texture can read as noise.
  const int tolerance = int(std::lround(2 * std::min(q.noise_sigma, q.luma_noise_sigma)));
  const int shadow_level = kShadowClipLevel + tolerance, highlight_level = kHighlightClipLevel - tolerance;
  for (int i = 0; i < 256; ++i) {
    if (i <= shadow_level) shadow += hist[i];
    if (i >= highlight_level) highlight += hist[i];
    if (i < 26) dark += hist[i];
    if (i > 153) bright += hist[i];
  }
  double sum = 0, squares = 0;
  for (int i = 0; i < 256; ++i) sum += i * hist[i], squares += double(i) * i * hist[i];
  const double mean = sum / n;
  q.mean_luminance = mean / 255.0;
  q.contrast = std::sqrt(std::max(0.0, squares / n - mean * mean)) / 255.0;
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

// The working raster shrunk to kColourSidePx: colour statistics do not need detail.
cv::Mat ColourRaster(const cv::Mat& rgb) {
  const int side = std::max(rgb.cols, rgb.rows);
  return side <= kColourSidePx ? rgb : Resample(rgb, double(kColourSidePx) / side);
}

// Colour statistics on the ColourRaster, in one pass over it and its HSV
// form. Opponent channels in integers (yb doubled), so that sums are exact.
void MeasureColour(const cv::Mat& rgb, model::QualityMetrics& q) {
  cv::Mat hsv;
  cv::cvtColor(rgb, hsv, cv::COLOR_RGB2HSV);
  int64_t rg = 0, rg2 = 0, yb = 0, yb2 = 0, saturation = 0, over = 0;
  for (int y = 0; y < rgb.rows; ++y) {
    const uint8_t* p = rgb.ptr<uint8_t>(y);
    const uint8_t* h = hsv.ptr<uint8_t>(y);
    for (int x = 0; x < rgb.cols * 3; x += 3) {
      const int a = p[x] - p[x + 1], b = p[x] + p[x + 1] - 2 * p[x + 2];
      rg += a, rg2 += a * a, yb += b, yb2 += b * b, saturation += h[x + 1];
      // Oversaturated: saturated and with a channel clipped, so the colour has lost its gradation.
      over += h[x + 1] > kOversaturated * 255 && h[x + 2] >= kHighlightClipLevel;
    }
  }
  const double n = double(rgb.total());
  const double m_rg = double(rg) / n, m_yb = double(yb) / (2 * n);
  const double s_rg = std::sqrt(std::max(0.0, double(rg2) / n - m_rg * m_rg));
  const double s_yb = std::sqrt(std::max(0.0, double(yb2) / (4 * n) - m_yb * m_yb));
  q.colourfulness = std::hypot(s_rg, s_yb) + 0.3 * std::hypot(m_rg, m_yb);
  q.mean_saturation = double(saturation) / n / 255.0;
  q.oversaturated_percent = 100.0 * double(over) / n;
}

}  // namespace

model::QualityMetrics MeasureQuality(const model::RgbImage& image, const std::vector<model::Face>& faces,
                                     double to_full) {
  model::QualityMetrics q;
  if (image.empty()) return q;
  try {
    cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
    // Every raster is brought to the working size, smaller ones enlarged: a small image is then as soft as it
    // looks at that size, and the measures compare across image and decode sizes. The grey working raster (focus,
    // noise, isolation, lines and faces) is resampled from a grey raster, a third of the work of resampling colour;
    // colour is measured on its own smaller raster. A raster of twice the working size or more (a 12 MP decode) is
    // first halved in colour, and both come from that half; the decoded raster is then turned grey only where the
    // pixel-level measures read it: the centre kBlockinessSidePx square and the rows the luma histogram samples.
    const int side = std::max(rgb.cols, rgb.rows);
    const double to_working = double(model::QualityMetrics::kWorkingSidePx) / side;
    const bool halve = to_working <= 0.5;
    const cv::Mat rgb_source = halve ? internal::HalfSize(rgb) : rgb;
    cv::Mat grey_source, native_grey;
    cv::cvtColor(rgb_source, grey_source, cv::COLOR_RGB2GRAY);
    if (halve) {
      cv::cvtColor(CentreCrop(rgb, kBlockinessSidePx, kBlockinessSidePx), native_grey, cv::COLOR_RGB2GRAY);
    } else {
      native_grey = grey_source;
    }
    // Blocks are a property of the whole frame, like noise: a 12 MP raster is read in its centre 2048 x 2048 px.
    q.blockiness = Blockiness(CentreCrop(native_grey, kBlockinessSidePx, kBlockinessSidePx), to_full);
    q.posterized_percent = PosterizedPercent(rgb);
    const cv::Mat grey = halve ? internal::ResampleTo(grey_source, cv::Size(int(std::lround(rgb.cols * to_working)),
                                                                            int(std::lround(rgb.rows * to_working))))
                               : Resample(grey_source, to_working);
    q.working_width = grey.cols;
    q.working_height = grey.rows;
    q.luma_noise_sigma = NoiseSigma(grey, MeasureFocus(grey, q));
    q.isolation = Isolation(grey, q.luma_noise_sigma);
    // The penalty's sigma is taken on the decoded raster itself (shrinking to the working size averages noise away),
    // on a centre crop of the working raster's size: noise is a property of the whole frame, and a 12 MP raster
    // would cost ten times as much for the same estimate.
    if (grey.data == native_grey.data) {
      q.noise_sigma = q.luma_noise_sigma;
    } else {
      cv::Mat crop = CentreCrop(native_grey, grey.cols, grey.rows);
      q.noise_sigma = NoiseSigma(crop, Energy(crop));
    }
    // Shares of pixels: any scale will do, the decoded one is exact.
    MeasureExposure(rgb, halve ? cv::Mat() : native_grey, q);
    MeasureColour(ColourRaster(rgb_source), q);
    q.brisque = internal::Brisque(native_grey);  // reads the centre 512 px, inside the grey centre crop
    internal::MeasureComposition(grey, faces, to_working / to_full, q);
    internal::MeasureFaces(grey, faces, to_working / to_full, q);
    q.measured = true;
  } catch (const cv::Exception&) {
    q = model::QualityMetrics();
  }
  return q;
}

}  // namespace triage::vision
