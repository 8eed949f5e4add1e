// Near-duplicate verification on stored 64 px rasters: affine alignment by ECC (vision/ecc.h), then correlation, a
// residual scaled by the picture's detail, geometry near identity, colour and mirror checks.
#include "vision/near_duplicate_check.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "vision/decode.h"
#include "vision/ecc.h"
#include "vision/resample.h"

namespace triage::vision {
namespace {

constexpr uint8_t kVersion = 1;
constexpr int kGreySide = 64;
constexpr int kColourSide = 16;
constexpr int kMargin = 4;  // grey pixels left out along each edge: rotated copies have invented borders there
constexpr float kClipped = 245;
constexpr double kMinStartCorrelation = 0.6;
// ECC stops once an iteration raises the correlation by less than this. On the duplicates bench, 1e-3 instead of 1e-4
// took 8-15% less CPU of a duplicates-only ingest and found 4 more true pairs (rotated copies) and no false one.
constexpr double kEccEpsilon = 1e-3;
constexpr int kEccIterations = 30;

// Mean difference per channel, in grey levels, above which two pictures without a comparable colour (all clipped or
// black, as a pure red or blue field) differ in colour.
constexpr double kFlatColourDifference = 24;

// Share of the colour cells left out when the pictures are compared as they stand, before any alignment: those that
// differ most, where a crop moved the edges or a turned copy's canvas invented white or black corners. A recolouring
// changes most cells.
constexpr double kUnalignedTrim = 0.25;

// Smallest spread of grey levels (standard deviation) of both pictures for their brightness to be matched by it.
constexpr double kMinSpreadToMatch = 8;

// Sigma of the smoothing of both colour rasters before their chromaticities are compared, in colour pixels.
constexpr double kColourSmoothing = 1.0;

// A signature's header: false when malformed (size, version, an empty picture), else its aspect ratio in `aspect`.
// The only way a signature can be malformed: the rasters after it are read without further checks.
bool ParseAspect(const std::vector<uint8_t>& bytes, double& aspect) {
  if (bytes.size() != kSignatureBytes || bytes[0] != kVersion) return false;
  const uint16_t w = static_cast<uint16_t>(bytes[1] | bytes[2] << 8),
                 h = static_cast<uint16_t>(bytes[3] | bytes[4] << 8);
  if (w == 0 || h == 0) return false;
  aspect = static_cast<double>(w) / h;
  return true;
}

// The grey raster of a well-formed signature: kGreySide x kGreySide, CV_32F, lightly smoothed.
cv::Mat GreyOf(const std::vector<uint8_t>& bytes) {
  cv::Mat grey(kGreySide, kGreySide, CV_8U, const_cast<uint8_t*>(bytes.data() + 5)), out;
  grey.convertTo(out, CV_32F);
  cv::GaussianBlur(out, out, cv::Size(0, 0), 0.8);
  return out;
}

// The colour raster of a well-formed signature: kColourSide x kColourSide, CV_32FC3 (R, G, B).
cv::Mat ColourOf(const std::vector<uint8_t>& bytes) {
  cv::Mat colour(kColourSide, kColourSide, CV_8UC3, const_cast<uint8_t*>(bytes.data() + 5 + kGreySide * kGreySide)),
      out;
  colour.convertTo(out, CV_32FC3);
  return out;
}

// Scaling by `s` about the raster's centre, as an ECC warp (template coordinates to input coordinates).
cv::Mat ScaleAboutCentre(double s) {
  const double c = (kGreySide - 1) / 2.0;
  return (cv::Mat_<float>(2, 3) << s, 0, c - s * c, 0, s, c - s * c);
}

struct Alignment {
  cv::Mat warp;    // 2x3 CV_32F, query coordinates -> candidate coordinates
  cv::Mat mask;    // where the warped candidate covers the query (inner part only); read only (may be shared)
  cv::Mat warped;  // the candidate in the query's frame
  double correlation = -1, residual = 1e9, overlap = 0;
  double gain = 1;       // of the grey fit: query ~ gain * candidate + offset
  double offset = 0;     // grey levels
  double spread = 0;     // the larger standard deviation of the two pictures' grey levels, where compared
  bool refined = false;  // by ECC; false for a starting point taken as it stood
};

// Where a candidate raster seen through a warp covers the query's, inner part only, and the share of it covered: a
// function of the warp alone.
struct Coverage {
  cv::Mat mask;
  double overlap = 0;
};

Coverage CoverageOf(const cv::Mat& warp) {
  Coverage out;
  const cv::Size size(kGreySide, kGreySide);
  cv::Mat ones(size, CV_8U, cv::Scalar(255)), covered;
  cv::warpAffine(ones, covered, warp, size, cv::INTER_NEAREST | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT);
  cv::erode(covered, covered, cv::Mat(), cv::Point(-1, -1), 1);
  out.mask = cv::Mat::zeros(size, CV_8U);
  const cv::Rect inner(kMargin, kMargin, kGreySide - 2 * kMargin, kGreySide - 2 * kMargin);
  covered(inner).copyTo(out.mask(inner));
  out.overlap = cv::countNonZero(out.mask) / static_cast<double>(inner.area());
  return out;
}

// The starting points of the alignment: as is, and zoomed either way by a 5% crop (ECC converges from near the
// answer), each with its coverage, the same for every pair: made once.
struct Start {
  double zoom = 1;
  cv::Mat warp;
  Coverage coverage;
};
enum StartIndex { kAsIs = 0, kZoomIn = 1, kZoomOut = 2 };

const std::array<Start, 3>& Starts() {
  static const std::array<Start, 3> starts = [] {
    std::array<Start, 3> out;
    const double zooms[] = {1.0, 1.0 / 1.05, 1.05};
    for (size_t i = 0; i < out.size(); ++i) {
      out[i].zoom = zooms[i];
      out[i].warp = ScaleAboutCentre(zooms[i]);
      out[i].coverage = CoverageOf(out[i].warp);
    }
    return out;
  }();
  return starts;
}

// Correlation and the residual of the best gain/offset fit of `b` to `a` over the pixels where `mask` is set, in one
// pass over the pixels: the figures cv::meanStdDev and cv::mean give (sums in double in pixel order; the deviations
// from the means in single precision, as cv::Mat arithmetic makes them).
void Measure(const cv::Mat& a, const cv::Mat& b, const uint8_t* mask, Alignment& out) {
  const float* pa = a.ptr<float>(0);
  const float* pb = b.ptr<float>(0);
  const int n = a.rows * a.cols;
  double sum_a = 0, sum_aa = 0, sum_b = 0, sum_bb = 0;
  int count = 0;
  for (int i = 0; i < n; ++i) {
    if (mask[i] == 0) continue;
    const double va = pa[i], vb = pb[i];
    sum_a += va;
    sum_aa += va * va;
    sum_b += vb;
    sum_bb += vb * vb;
    ++count;
  }
  const double scale = count > 0 ? 1.0 / count : 0.0;
  const double ma = sum_a * scale, mb = sum_b * scale;
  const double sa = std::sqrt(std::max(sum_aa * scale - ma * ma, 0.0)),
               sb = std::sqrt(std::max(sum_bb * scale - mb * mb, 0.0));
  const float fa = static_cast<float>(ma), fb = static_cast<float>(mb);
  double products = 0;
  for (int i = 0; i < n; ++i) {
    if (mask[i] != 0) products += static_cast<float>((pa[i] - fa) * (pb[i] - fb));
  }
  const double cov = products * scale;
  const double va = sa * sa, vb = sb * sb;
  out.correlation = va > 1e-6 && vb > 1e-6 ? cov / std::sqrt(va * vb) : (va + vb < 1e-6 ? 1.0 : 0.0);
  const double gain = vb > 1e-6 ? cov / vb : 0;  // a ~ gain * b + offset
  out.gain = gain;
  out.spread = std::max(sa, sb);
  out.offset = ma - gain * mb;
  out.residual = std::sqrt(std::max(0.0, va - 2 * gain * cov + gain * gain * vb));
}

}  // namespace

// The query's side of the check: its rasters and what is derived from them alone, the same for every candidate.
struct NearDuplicateQuery::Prepared {
  double aspect = 1;
  cv::Mat grey;             // as GreyOf
  cv::Mat colour_smoothed;  // ColourOf smoothed as CompareColour compares it
  cv::Mat unclipped;        // grey < kClipped
  double allowed_residual = 0;
  double grey_mean = 0, grey_spread = 0;  // of `grey` (mean and standard deviation)
};

namespace {

using Query = NearDuplicateQuery::Prepared;

// The candidate (CV_32F, kGreySide square) seen through `warp` in the query's frame, with `coverage` (the warp's) and
// the measures.
Alignment Evaluate(const Query& q, const cv::Mat& candidate, const cv::Mat& warp, const Coverage& coverage) {
  Alignment out;
  out.warp = warp;
  const cv::Size size(kGreySide, kGreySide);
  internal::WarpLinear(candidate, warp, size, out.warped);
  out.mask = coverage.mask;
  out.overlap = coverage.overlap;
  if (out.overlap <= 0.2) return out;
  // Pixels clipped white in either picture say nothing about a brightness change: measured without them, when more
  // than 200 remain.
  std::array<uint8_t, kGreySide * kGreySide> unclipped;
  const uint8_t* covered = out.mask.ptr<uint8_t>(0);
  const uint8_t* query_unclipped = q.unclipped.ptr<uint8_t>(0);
  const float* warped = out.warped.ptr<float>(0);
  int kept = 0;
  for (size_t i = 0; i < unclipped.size(); ++i) {
    unclipped[i] = covered[i] != 0 && query_unclipped[i] != 0 && warped[i] < kClipped ? 255 : 0;
    kept += unclipped[i] != 0;
  }
  Measure(q.grey, out.warped, kept > 200 ? unclipped.data() : covered, out);
  return out;
}

Alignment Evaluate(const Query& q, const cv::Mat& candidate, const Start& start) {
  return Evaluate(q, candidate, start.warp, start.coverage);
}

// ECC refinement from `init`. ECC gives up when there is nothing left to gain, e.g. on identical rasters; the
// starting point then stands.
Alignment Align(const Query& q, const cv::Mat& candidate, const cv::Mat& init) {
  cv::Mat warp = init.clone();
  internal::RefineAffineEcc(q.grey, candidate, warp, kEccIterations, kEccEpsilon);
  Alignment out = Evaluate(q, candidate, warp, CoverageOf(warp));
  out.refined = true;
  return out;
}

// The alignment with the lowest residual: as is when that already fits within `good_residual`, else ECC from the
// best of a few starting points (as is, and zoomed either way by a 5% crop; ECC converges from near the answer),
// then from the others only if that one did not fit.
Alignment AlignBest(const Query& q, const cv::Mat& candidate, double good_residual, double& start_correlation) {
  const std::array<Start, 3>& start = Starts();
  Alignment best = Evaluate(q, candidate, start[kAsIs]);
  start_correlation = best.correlation;
  if (best.correlation > 0 && best.residual <= good_residual) return best;
  // (correlation, zoom), ordered by both as the pairs they are.
  std::vector<std::pair<double, double>> starts = {{best.correlation, start[kAsIs].zoom}};
  for (StartIndex s : {kZoomIn, kZoomOut}) {
    Alignment zoomed = Evaluate(q, candidate, start[s]);
    starts.emplace_back(zoomed.correlation, start[s].zoom);
    // A starting point counts as an alignment itself: on a smooth picture, whose correlation hardly changes with
    // scale, ECC can walk away from a 5% crop's exact fit to a worse one.
    if (zoomed.correlation > 0 && (best.correlation <= 0 || zoomed.residual < best.residual)) best = std::move(zoomed);
  }
  std::sort(starts.rbegin(), starts.rend());
  start_correlation = starts.front().first;
  if (best.correlation > 0 && best.residual <= good_residual) return best;
  // Pictures that correlate poorly from every starting point are not worth aligning: a near duplicate starts close.
  if (start_correlation < kMinStartCorrelation) return best;
  for (const auto& [correlation, zoom] : starts) {
    if (correlation < kMinStartCorrelation) break;
    Alignment a = Align(q, candidate, ScaleAboutCentre(zoom));
    if (a.correlation > 0 && (best.correlation <= 0 || a.residual < best.residual)) best = std::move(a);
    // Far off after refining from the best start: the others will not do better.
    if (best.residual <= good_residual || best.residual > 3 * good_residual) break;
  }
  return best;
}

double MeanGradient(const cv::Mat& grey, const cv::Mat& mask) {
  cv::Mat gx, gy, magnitude;
  cv::Sobel(grey, gx, CV_32F, 1, 0, 3, 1.0 / 8);
  cv::Sobel(grey, gy, CV_32F, 0, 1, 3, 1.0 / 8);
  cv::magnitude(gx, gy, magnitude);
  return cv::mean(magnitude, mask)[0];
}

// How the candidate's colour raster (`colour`, as ColourOf), aligned by `warp`, differs from the query's: `chroma` is
// the mean |difference| of chromaticity (NearDuplicateCheckOptions::max_chroma_difference), `residual` the RMS
// difference of the departures from grey once the candidate's are scaled by `gain` (max_colour_residual).
struct ColourMeasures {
  double chroma = 0, residual = 0;
};

// `agree`, when given (kColourSide square, CV_8U), marks the cells where the aligned grey pictures agree; the others
// are left out. `trim` is the share of cells, those that differ most in chromaticity, that `chroma` leaves out.
// A tone curve applied to the three channels alike: what a brightness or contrast tool does (levels, gamma, curves, a
// lightness slider). Piecewise linear through kToneKnots levels evenly spaced over 0..255.
constexpr int kToneKnots = 5;

struct ToneCurve {
  std::array<double, kToneKnots> y{};
  static ToneCurve Line(double gain, double offset) {
    ToneCurve line;
    for (int k = 0; k < kToneKnots; ++k) line.y[static_cast<size_t>(k)] = gain * 255.0 * k / (kToneKnots - 1) + offset;
    return line;
  }
  double operator()(double x) const {
    const double t = std::clamp(x, 0.0, 255.0) * (kToneKnots - 1) / 255.0;
    const int k = std::min(static_cast<int>(t), kToneKnots - 2);
    return y[static_cast<size_t>(k)] + (t - k) * (y[static_cast<size_t>(k) + 1] - y[static_cast<size_t>(k)]);
  }
};

// The tone curve that brings the aligned candidate's grey levels to the query's, fitted by least squares over the
// pixels compared where neither is clipped. Each knot is held towards the straight line of the grey fit by
// kTonePull pixels' worth, so that a knot the pictures say little about stays on it. Fitted on grey, not on the
// colours: a recolouring (white balance, a tint) leaves the grey levels about where they were, so the curve stays
// near the identity and the colours still differ; a brightness tool bends the grey levels as it bends each channel.
constexpr double kTonePull = 20;

ToneCurve GreyToneCurve(const Query& q, const Alignment& a);

// How a candidate's colour (R, G, B) is brought to the query's brightness before the two are compared.
using Brightening = std::function<cv::Vec3f(const cv::Vec3f&)>;

// The same tone curve on every channel.
Brightening ByCurve(const ToneCurve& tone) {
  return [tone](const cv::Vec3f& c) {
    return cv::Vec3f(static_cast<float>(tone(c[0])), static_cast<float>(tone(c[1])), static_cast<float>(tone(c[2])));
  };
}

// HSL lightness multiplied by `factor`, hue and HSL saturation kept (a "modulate" brightness): each channel's
// departure from the lightness scales with the chroma the new lightness allows. Unlike a tone curve it moves a
// saturated colour's low channels more than a grey of the same level.
Brightening ByLightness(double factor) {
  return [factor](const cv::Vec3f& c) {
    const float high = std::max({c[0], c[1], c[2]}), low = std::min({c[0], c[1], c[2]});
    const double lightness = (high + low) / 2.0, brightened = std::min(255.0, factor * lightness);
    auto room = [](double l) { return 1 - std::abs(2 * l / 255 - 1); };  // chroma allowed at lightness l, 0..1
    const double scale = room(lightness) > 1e-6 ? room(brightened) / room(lightness) : 0;
    cv::Vec3f out;
    for (int ch = 0; ch < 3; ++ch) out[ch] = static_cast<float>(brightened + (c[ch] - lightness) * scale);
    return out;
  };
}

// When a lightness multiplied as in HSL is tried (Judge).
constexpr double kLeastLightness = 1.03, kMostLightness = 1.25, kLightnessResidual = 0.7;

// `bring`: how the candidate's colours are brought to the query's brightness.
// The candidate's colour raster (`colour`, as ColourOf) seen through the grey `warp` in the query's frame, smoothed
// as the query's is (`smoothed`), and where it covers the query (`valid`, CV_8U).
struct WarpedColour {
  cv::Mat smoothed, valid;
};

WarpedColour WarpColour(const cv::Mat& colour, const cv::Mat& warp) {
  // The grey warp in colour-raster coordinates: x64 = 4 x16 + 1.5 and x16 = (x64 + 0.5) / 4 - 0.5.
  const double k = static_cast<double>(kGreySide) / kColourSide, off = (k - 1) / 2;
  cv::Mat w;
  warp.convertTo(w, CV_64F);
  cv::Mat small = w.clone();
  for (int r = 0; r < 2; ++r) {
    small.at<double>(r, 2) = (w.at<double>(r, 0) * off + w.at<double>(r, 1) * off + w.at<double>(r, 2) + 0.5) / k - 0.5;
  }
  WarpedColour out;
  cv::Mat warped;
  const cv::Size size(kColourSide, kColourSide);
  cv::warpAffine(colour, warped, small, size, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  cv::warpAffine(cv::Mat(colour.size(), CV_8U, cv::Scalar(255)), out.valid, small, size,
                 cv::INTER_NEAREST | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT);
  // Both smoothed first (the query's once): a few percent of crop moves edges across the coarse 16 px cells.
  cv::GaussianBlur(warped, out.smoothed, cv::Size(0, 0), kColourSmoothing);
  return out;
}

// The factor that best brings the candidate's HSL lightness to the query's without an offset (least squares over the
// cells compared, where no channel is clipped in either picture).
double LightnessRatio(const Query& q, const WarpedColour& candidate, const cv::Mat& agree) {
  double both = 0, own = 0;
  for (int y = 1; y < kColourSide - 1; ++y) {
    for (int x = 1; x < kColourSide - 1; ++x) {
      if (candidate.valid.at<uint8_t>(y, x) == 0 || (!agree.empty() && agree.at<uint8_t>(y, x) == 0)) continue;
      const cv::Vec3f pa = q.colour_smoothed.at<cv::Vec3f>(y, x), pb = candidate.smoothed.at<cv::Vec3f>(y, x);
      const float high_a = std::max({pa[0], pa[1], pa[2]}), high_b = std::max({pb[0], pb[1], pb[2]});
      if (high_a >= kClipped || high_b >= kClipped) continue;
      const double la = (high_a + std::min({pa[0], pa[1], pa[2]})) / 2.0;
      const double lb = (high_b + std::min({pb[0], pb[1], pb[2]})) / 2.0;
      both += la * lb;
      own += lb * lb;
    }
  }
  return own > 0 ? both / own : 1;
}

ColourMeasures CompareColour(const Query& q, const WarpedColour& candidate, const Brightening& bring,
                             const cv::Mat& agree = {}, double trim = 0) {
  const cv::Mat& a = q.colour_smoothed;
  const cv::Mat& b = candidate.smoothed;
  const cv::Mat& valid = candidate.valid;
  double raw = 0;
  int cells = 0;
  // The cells compared: both smoothed colours, and which channels are not clipped in either picture.
  struct Cell {
    cv::Vec3f a, b;
    std::array<bool, 3> use;
  };
  std::array<Cell, kColourSide * kColourSide> compared;
  int m = 0;
  for (int y = 1; y < kColourSide - 1; ++y) {
    for (int x = 1; x < kColourSide - 1; ++x) {
      if (valid.at<uint8_t>(y, x) == 0 || (!agree.empty() && agree.at<uint8_t>(y, x) == 0)) continue;
      const cv::Vec3f pa = a.at<cv::Vec3f>(y, x), pb = b.at<cv::Vec3f>(y, x);
      raw += std::abs(pa[0] - pb[0]) + std::abs(pa[1] - pb[1]) + std::abs(pa[2] - pb[2]);
      ++cells;
      // A channel clipped in either picture says nothing (a brightness change clips it in one only): the colour is
      // compared on the others, as long as two remain. A brightened blue sky has its blue clipped everywhere, and
      // its red and green still tell it from another sky.
      Cell& cell = compared[static_cast<size_t>(m++)];
      cell.a = pa;
      cell.b = pb;
      for (int ch = 0; ch < 3; ++ch) cell.use[static_cast<size_t>(ch)] = pa[ch] < kClipped && pb[ch] < kClipped;
    }
  }
  // The shares are compared once the candidate is brought to the query's brightness: a brightness change that adds
  // light (levels, gamma, a brightness slider) shifts every channel alike and moves the shares of a colour as much as
  // a recolouring would; multiplying (exposure) moves them not at all.
  double squares = 0;
  int n = 0, terms = 0;
  std::array<float, kColourSide * kColourSide> chroma;  // per compared cell
  for (int i = 0; i < m; ++i) {
    const Cell& cell = compared[static_cast<size_t>(i)];
    const cv::Vec3f& pa = cell.a;
    int channels = 0;
    float sa = 0, sb = 0, smb = 0;
    const cv::Vec3f brought = bring(cell.b);
    std::array<float, 3> mb{};
    for (int ch = 0; ch < 3; ++ch) {
      mb[static_cast<size_t>(ch)] = std::max(0.0f, brought[ch]);
      if (!cell.use[static_cast<size_t>(ch)]) continue;
      ++channels;
      sa += pa[ch];
      sb += cell.b[ch];
      smb += mb[static_cast<size_t>(ch)];
    }
    // Too dark for a meaningful colour: 15 grey levels a channel.
    if (channels < 2 || sa < 15.0f * channels || sb < 15.0f * channels || smb < 15.0f * channels) continue;
    float difference = 0;
    for (int ch = 0; ch < 3; ++ch) {
      if (!cell.use[static_cast<size_t>(ch)]) continue;
      difference += std::abs(pa[ch] / sa - mb[static_cast<size_t>(ch)] / smb);
      const double d = (pa[ch] - sa / channels) - (mb[static_cast<size_t>(ch)] - smb / channels);
      squares += d * d;
      ++terms;
    }
    chroma[static_cast<size_t>(n++)] = difference;
  }
  ColourMeasures out;
  const auto kept = static_cast<size_t>(std::ceil(n * (1 - trim)));
  if (kept > 0) {
    std::nth_element(chroma.begin(), chroma.begin() + static_cast<std::ptrdiff_t>(kept - 1), chroma.begin() + n);
    double total = 0;
    for (size_t i = 0; i < kept; ++i) total += chroma[i];
    out.chroma = total / static_cast<double>(kept);
  }
  // No cell with a colour to compare (pure primaries: every channel clipped or black; a black frame): the colours as
  // they are, when they lie far apart (more than kFlatColourDifference a channel on average), are another picture.
  // A brightness change moves clipped and black channels by a few levels at most.
  if (n == 0 && cells > 0 && raw / (3.0 * cells) > kFlatColourDifference) out.chroma = raw / (255.0 * cells);
  out.residual = terms > 0 ? std::sqrt(squares / terms) : 0;
  return out;
}

ToneCurve GreyToneCurve(const Query& q, const Alignment& a) {
  cv::Matx<double, kToneKnots, kToneKnots> normal = cv::Matx<double, kToneKnots, kToneKnots>::zeros();
  cv::Vec<double, kToneKnots> right;
  const ToneCurve line = ToneCurve::Line(a.gain, a.offset);
  for (int k = 0; k < kToneKnots; ++k) {
    normal(k, k) = kTonePull;
    right[k] = kTonePull * line.y[static_cast<size_t>(k)];
  }
  for (int y = 0; y < kGreySide; ++y) {
    const float* qa = q.grey.ptr<float>(y);
    const float* cb = a.warped.ptr<float>(y);
    const uint8_t* covered = a.mask.ptr<uint8_t>(y);
    for (int x = 0; x < kGreySide; ++x) {
      if (covered[x] == 0 || qa[x] >= kClipped || cb[x] >= kClipped) continue;
      const double t = std::clamp(static_cast<double>(cb[x]), 0.0, 255.0) * (kToneKnots - 1) / 255.0;
      const int k = std::min(static_cast<int>(t), kToneKnots - 2);
      const double w1 = t - k, w0 = 1 - w1;
      normal(k, k) += w0 * w0;
      normal(k, k + 1) += w0 * w1;
      normal(k + 1, k) += w0 * w1;
      normal(k + 1, k + 1) += w1 * w1;
      right[k] += w0 * qa[x];
      right[k + 1] += w1 * qa[x];
    }
  }
  cv::Vec<double, kToneKnots> solved;
  cv::solve(normal, right, solved, cv::DECOMP_CHOLESKY);
  ToneCurve curve;
  for (int k = 0; k < kToneKnots; ++k) curve.y[static_cast<size_t>(k)] = solved[k];
  return curve;
}

// Where the aligned grey pictures agree, per colour cell: the mean difference of the cell's grey pixels, once the
// candidate is fitted to the query, within kCellDisagreement grey levels, or within kCellDisagreementPerResidual
// times the residual allowed over the whole picture if that is more. A copy turned on a grown canvas has invented
// white or black corners; they differ from the query in grey as much as in colour and say nothing about a
// recolouring, which changes colours where the grey pictures agree. Only so many cells are left out (at most
// kMostCellsLeftOut of those compared; a 2.5 degree turn on a grown canvas takes the outer ring, 27% of them):
// pictures that disagree in more places than a canvas's corners are compared whole.
constexpr double kCellDisagreement = 16, kCellDisagreementPerResidual = 4, kMostCellsLeftOut = 0.35;

cv::Mat GreyAgreement(const Query& q, const Alignment& a, double allowed_residual) {
  cv::Mat fitted, difference, cells;
  a.warped.convertTo(fitted, CV_32F, a.gain, a.offset);
  cv::absdiff(q.grey, fitted, difference);
  cv::resize(difference, cells, cv::Size(kColourSide, kColourSide), 0, 0, cv::INTER_AREA);
  cv::Mat agree = cells <= std::max(kCellDisagreement, kCellDisagreementPerResidual * allowed_residual);
  // The colour rasters are compared smoothed (kColourSmoothing): a cell beside one that disagrees has its colour.
  cv::erode(agree, agree, cv::Mat(), cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
  const cv::Rect compared(1, 1, kColourSide - 2, kColourSide - 2);  // the cells CompareColour compares
  if (cv::countNonZero(agree(compared)) < (1 - kMostCellsLeftOut) * compared.area()) return {};
  return agree;
}

// Whether a contrast of one picture to the other (a gain, either way) is one a brightness change leaves.
bool WithinGain(double gain, const NearDuplicateCheckOptions& o) {
  return gain <= o.max_gain && gain * o.max_gain >= 1;
}

// Scale, rotation and centre shift of an affine warp; false if it mirrors.
bool Geometry(const cv::Mat& warp, NearDuplicateVerdict& v) {
  const double a = warp.at<float>(0, 0), b = warp.at<float>(0, 1), c = warp.at<float>(1, 0), d = warp.at<float>(1, 1);
  if (a * d - b * c <= 0) return false;
  const double sx = std::hypot(a, c), sy = std::hypot(b, d);
  v.scale = std::max({sx, sy, 1 / sx, 1 / sy});
  v.rotation_deg = std::atan2(c, a) * 180 / CV_PI;
  const double centre = (kGreySide - 1) / 2.0;
  const double dx = a * centre + b * centre + warp.at<float>(0, 2) - centre;
  const double dy = c * centre + d * centre + warp.at<float>(1, 2) - centre;
  v.shift = std::hypot(dx, dy) / kGreySide;
  return true;
}

// The first tests on an alignment, filling in `v` with its measures and geometry: "mirrored", "geometry" (scaled,
// turned or shifted beyond a near duplicate) or nullptr.
const char* JudgeGeometry(const Alignment& a, const NearDuplicateCheckOptions& o, NearDuplicateVerdict& v) {
  v.correlation = a.correlation;
  v.residual = a.residual;
  v.overlap = a.overlap;
  v.gain = a.gain;
  if (!Geometry(a.warp, v)) return "mirrored";
  const double allowed_scale =
      std::min(o.max_scale, o.max_crop_scale * (1 + o.rotation_zoom_per_degree * std::abs(v.rotation_deg)));
  if (v.scale > allowed_scale || std::abs(v.rotation_deg) > o.max_rotation_deg || v.shift > o.max_shift) {
    return "geometry";
  }
  return nullptr;
}

// A starting point taken as it stood is refined when it fits only just: beyond this share of the residual allowed.
// Another framing of the scene can fit that way through the 5% crop's zoom: a picture and a 92% window of its scene
// did, at 0.93 of the residual allowed, on the ~200 px rasters a duplicates-only ingest decodes (9 of the duplicates
// bench's 24 false pairs there), while ECC from there finds the 9% zoom it is.
constexpr double kClearFit = 0.75;

// A turn this slight, found by refining a start that fitted unturned, does not account for a zoom beyond a crop's: a
// copy turned by a degree and zoomed to fill its frame grows by under 3% (cos 1 deg + 1.5 sin 1 deg for a 3:2 photo),
// and ECC finds such turns on smooth pictures that have none.
constexpr double kSlightTurnDeg = 1.0;

// Whether `a`, a starting point taken as it stood that fits only just, turns out to be another framing once refined:
// a closer fit at a scale, turn or shift no near duplicate shows, or at a zoom beyond a crop's with only a slight turn
// (`v` then holds the refined measures). Any other outcome leaves the start as it stood: on a smooth sky ECC can slide
// to a closer fit that is no truer.
bool AnotherFramingBehind(const Query& q, const cv::Mat& candidate, const Alignment& a,
                          const NearDuplicateCheckOptions& o, NearDuplicateVerdict& v) {
  if (a.refined || a.residual <= kClearFit * v.allowed_residual || a.residual > v.allowed_residual) return false;
  const Alignment refined = Align(q, candidate, a.warp);
  if (refined.residual >= a.residual || refined.correlation < o.min_correlation) return false;
  NearDuplicateVerdict seen = v;
  const char* failed = JudgeGeometry(refined, o, seen);
  const bool beyond = failed != nullptr ? std::strcmp(failed, "geometry") == 0
                                        : seen.scale > o.max_crop_scale && std::abs(seen.rotation_deg) < kSlightTurnDeg;
  if (!beyond) return false;
  v = seen;
  return true;
}

// The tests on an alignment, in order, filling in `v`: the name of the first that fails, or nullptr.
const char* Judge(const Query& q, const cv::Mat& colour, const Alignment& a, const NearDuplicateCheckOptions& o,
                  NearDuplicateVerdict& v) {
  if (const char* failed = JudgeGeometry(a, o, v)) return failed;
  if (v.overlap < o.min_overlap) return "overlap";
  if (v.correlation < o.min_correlation) return "correlation";
  if (v.residual > v.allowed_residual) return "residual";
  // (Two flat fields have no contrast to compare; a picture and its version darkened into a night scene do.)
  if (a.spread >= kMinSpreadToMatch && !WithinGain(v.gain, o)) return "brightness";
  const cv::Mat agree = GreyAgreement(q, a, v.allowed_residual);
  const WarpedColour warped = WarpColour(colour, a.warp);
  auto differ = [&](const ColourMeasures& c) {
    v.chroma_difference = c.chroma;
    v.colour_residual = c.residual;
    return c.chroma > o.max_chroma_difference || c.residual > o.max_colour_residual;
  };
  // The straight line of the grey fit first (exposure, added light); if that leaves the colours apart, a tone curve
  // (gamma, curves), then a lightness multiplied as in HSL. The last only for a lightness changed by a slider's amount
  // (kLeastLightness to kMostLightness either way) and grey pictures that fit well (kLightnessResidual of the residual
  // allowed): on smooth, low-detail pictures it let other framings and colours pass.
  if (!differ(CompareColour(q, warped, ByCurve(ToneCurve::Line(a.gain, a.offset)), agree)) ||
      !differ(CompareColour(q, warped, ByCurve(GreyToneCurve(q, a)), agree))) {
    return nullptr;
  }
  const double lightness = LightnessRatio(q, warped, agree), change = std::max(lightness, 1 / lightness);
  if (change < kLeastLightness || change > kMostLightness || a.residual > kLightnessResidual * v.allowed_residual ||
      differ(CompareColour(q, warped, ByLightness(lightness), agree))) {
    return "colour";
  }
  return nullptr;
}

NearDuplicateVerdict Reject(NearDuplicateVerdict v, const char* reason) {
  v.same = false;
  v.reason = reason;
  return v;
}

}  // namespace

namespace {

// The signature of `rgb` (any size from 64 px up), recording `width` x `height` as the picture's size.
std::vector<uint8_t> SignatureOf(const cv::Mat& rgb, int width, int height) {
  cv::Mat grey, grey_small, colour_small;
  cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
  cv::resize(grey, grey_small, cv::Size(kGreySide, kGreySide), 0, 0, cv::INTER_AREA);
  cv::resize(rgb, colour_small, cv::Size(kColourSide, kColourSide), 0, 0, cv::INTER_AREA);
  std::vector<uint8_t> out(kSignatureBytes);
  const auto w = static_cast<uint16_t>(std::min(width, 65535)), h = static_cast<uint16_t>(std::min(height, 65535));
  out[0] = kVersion;
  out[1] = static_cast<uint8_t>(w & 0xFF);
  out[2] = static_cast<uint8_t>(w >> 8);
  out[3] = static_cast<uint8_t>(h & 0xFF);
  out[4] = static_cast<uint8_t>(h >> 8);
  std::memcpy(out.data() + 5, grey_small.data, kGreySide * kGreySide);
  std::memcpy(out.data() + 5 + kGreySide * kGreySide, colour_small.data, kColourSide * kColourSide * 3);
  return out;
}

cv::Mat MatOf(const model::RgbImage& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
}

}  // namespace

std::vector<uint8_t> MakeSignature(const model::RgbImage& image) {
  if (image.empty()) return {};
  return SignatureOf(MatOf(image), image.width, image.height);
}

ImageFingerprint FingerprintOf(const model::RgbImage& image, double center_fraction) {
  ImageFingerprint f;
  if (image.empty()) return f;
  const int side = std::max(image.width, image.height);
  model::RgbImage small;
  if (side > kFingerprintSidePx) {
    const cv::Mat shrunk = internal::Resample(MatOf(image), double(kFingerprintSidePx) / side);
    small = {shrunk.cols, shrunk.rows, std::vector<uint8_t>(shrunk.datastart, shrunk.dataend)};
  }
  const model::RgbImage& source = small.empty() ? image : small;
  f.phash = PerceptualHash(source);
  f.phash_center = PerceptualHash(source, center_fraction);
  f.signature = SignatureOf(MatOf(source), image.width, image.height);
  return f;
}

bool NearDuplicateVerdict::ShowsAnotherPicture(const NearDuplicateCheckOptions& options) const {
  if (same) return false;
  // Aligned as closely as a near duplicate, but scaled, turned or shifted beyond one: another framing of the scene.
  if (reason == "geometry") return correlation >= options.min_correlation && residual <= allowed_residual;
  // Colours apart as the pictures stand, before any alignment.
  return reason == "colour" && !aligned;
}

NearDuplicateVerdict CheckNearDuplicate(const std::vector<uint8_t>& query, const std::vector<uint8_t>& candidate,
                                        const NearDuplicateCheckOptions& o) {
  return NearDuplicateQuery(query, o).Check(candidate);
}

NearDuplicateQuery::NearDuplicateQuery(const std::vector<uint8_t>& signature, const NearDuplicateCheckOptions& options)
    : options_(options) {
  auto q = std::make_unique<Prepared>();
  if (!ParseAspect(signature, q->aspect)) return;
  q->grey = GreyOf(signature);
  cv::GaussianBlur(ColourOf(signature), q->colour_smoothed, cv::Size(0, 0), kColourSmoothing);
  q->unclipped = q->grey < kClipped;
  cv::Mat inner = cv::Mat::zeros(kGreySide, kGreySide, CV_8U);
  inner(cv::Rect(kMargin, kMargin, kGreySide - 2 * kMargin, kGreySide - 2 * kMargin)).setTo(255);
  q->allowed_residual = options.max_residual_base + options.max_residual_per_gradient * MeanGradient(q->grey, inner);
  cv::Scalar mean, spread;
  cv::meanStdDev(q->grey, mean, spread);
  q->grey_mean = mean[0];
  q->grey_spread = spread[0];
  prepared_ = std::move(q);
}

NearDuplicateQuery::~NearDuplicateQuery() = default;
NearDuplicateQuery::NearDuplicateQuery(NearDuplicateQuery&&) noexcept = default;
NearDuplicateQuery& NearDuplicateQuery::operator=(NearDuplicateQuery&&) noexcept = default;

// The tests in the order that makes the cheap ones first: the candidate's grey raster is made only for a pair whose
// aspect and colours as they stand do not already rule it out.
NearDuplicateVerdict NearDuplicateQuery::Check(const std::vector<uint8_t>& candidate) const {
  const NearDuplicateCheckOptions& o = options_;
  NearDuplicateVerdict v;
  double aspect = 1;
  if (!prepared_ || !ParseAspect(candidate, aspect)) return Reject(v, "signature");
  const Query& q = *prepared_;
  if (std::abs(std::log(q.aspect / aspect)) > std::log(o.max_scale)) return Reject(v, "aspect");
  // Colours far apart as the pictures stand (recoloured, another scene): no alignment can bring them together. Far
  // apart also once the light a brightness change may have added (the difference of the grey rasters' means) is
  // taken back, when both pictures have contrast and as much of it as a brightness change leaves: added light moves
  // the colour shares of dark pixels as much as a recolouring does. (Matching the contrast too made two smooth
  // gradients of other colours look alike.)
  const cv::Mat colour = ColourOf(candidate);
  const cv::Mat grey = GreyOf(candidate);
  const WarpedColour as_is = WarpColour(colour, Starts()[kAsIs].warp);
  v.chroma_difference = CompareColour(q, as_is, ByCurve(ToneCurve::Line(1, 0)), {}, kUnalignedTrim).chroma;
  if (v.chroma_difference > 2.5 * o.max_chroma_difference) {
    cv::Scalar candidate_mean, candidate_spread;
    cv::meanStdDev(grey, candidate_mean, candidate_spread);
    if (std::min(q.grey_spread, candidate_spread[0]) >= kMinSpreadToMatch &&
        WithinGain(q.grey_spread / candidate_spread[0], o)) {
      const double added = q.grey_mean - candidate_mean[0];
      v.chroma_difference = std::min(
          v.chroma_difference, CompareColour(q, as_is, ByCurve(ToneCurve::Line(1, added)), {}, kUnalignedTrim).chroma);
    }
  }
  if (v.chroma_difference > 2.5 * o.max_chroma_difference) return Reject(v, "colour");
  v.allowed_residual = q.allowed_residual;
  const Alignment a = AlignBest(q, grey, v.allowed_residual, v.start_correlation);
  v.aligned = true;
  if (a.correlation <= 0) return Reject(v, "alignment");
  if (v.start_correlation < kMinStartCorrelation) return Reject(v, "correlation");
  if (AnotherFramingBehind(q, grey, a, o, v)) return Reject(v, "geometry");
  if (const char* failed = Judge(q, colour, a, o, v)) return Reject(v, failed);
  // A mirror image that happens to align (a symmetric scene) aligns better still once flipped back.
  // As for the picture itself, a flipped candidate that correlates poorly as it stands is not worth aligning: ECC
  // refines from near the answer. On the duplicates bench this skips 500 of 634 alignments of flipped candidates;
  // its precision and recall, and its mirror images' verdicts, stay as they were.
  cv::Mat flipped;
  cv::flip(grey, flipped, 1);
  if (Evaluate(q, flipped, Starts()[kAsIs]).correlation >= kMinStartCorrelation) {
    const Alignment m = Align(q, flipped, ScaleAboutCentre(1.0));
    // Only a flipped picture aligned as a near duplicate would be counts: an affine warp can turn a smooth gradient
    // into its mirror image by rotating and shearing it far beyond any near duplicate's.
    NearDuplicateVerdict flipped_geometry;
    const bool plausible = Geometry(m.warp, flipped_geometry) && flipped_geometry.scale <= o.max_scale &&
                           std::abs(flipped_geometry.rotation_deg) <= o.max_rotation_deg &&
                           flipped_geometry.shift <= o.max_shift;
    auto flipped_fits_better = [&](const Alignment& own) {
      return plausible && m.correlation > own.correlation && m.residual < 0.8 * own.residual;
    };
    // The picture itself may have been taken as it stood (it fitted well enough), where the flipped one was refined:
    // a smooth scene's rotated copy then lost to its own mirror image. Refined too before it is judged.
    if (flipped_fits_better(a)) {
      const Alignment refined = Align(q, grey, a.warp);
      if (flipped_fits_better(refined.correlation > 0 && refined.residual < a.residual ? refined : a)) {
        return Reject(v, "mirrored");
      }
    }
  }
  v.same = true;
  return v;
}

}  // namespace triage::vision
