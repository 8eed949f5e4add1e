// BRISQUE (Mittal, Moorthy and Bovik, 2012) for MeasureQuality: the 36 natural-scene-statistics features are computed
// here, in a few passes over float rows, and scored by OpenCV's LIVE-trained support vector regression. The features
// are those of OpenCV's quality module (same blur, same normalisation, same search grid for the shape parameter), so
// that its model applies; that module's own feature code spends most of its time copying shifted images pixel by
// pixel and evaluating the gamma function thousands of times per fit.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <opencv2/ml.hpp>
#include <opencv2/quality/quality_utils.hpp>
#include <utility>
#include <vector>

#include "vision/quality_internal.h"
#include "vision/quality_metrics.h"

namespace triage::vision {
namespace {

// Debian's opencv-data ships the LIVE-trained BRISQUE model here.
constexpr const char* kBrisqueModel = "/usr/share/opencv4/quality/brisque_model_live.yml";
constexpr const char* kBrisqueRange = "/usr/share/opencv4/quality/brisque_range_live.yml";
constexpr int kBrisqueSidePx = 512;  // BRISQUE's statistics are local: a crop of this side suffices

// Sums over a map of coefficients for an asymmetric generalised Gaussian fit.
struct Moments {
  double negative_squares = 0, positive_squares = 0, absolute = 0;
  int64_t negative = 0, positive = 0, total = 0;
};

// The map's sums by OpenCV's vectorised passes over its positive and negative parts (not a branch per coefficient:
// the sign of a coefficient is a coin toss). `total` counts coefficients outside the map as zeros.
Moments MomentsOf(const cv::Mat& map, int64_t total) {
  const cv::Mat positive = cv::max(map, 0.0), negative = cv::min(map, 0.0);
  Moments m;
  m.positive_squares = positive.dot(positive);
  m.negative_squares = negative.dot(negative);
  m.absolute = cv::sum(positive)[0] - cv::sum(negative)[0];
  m.positive = cv::countNonZero(positive);
  m.negative = cv::countNonZero(negative);
  m.total = total;
  return m;
}

// (shape, Γ(2/shape)² / (Γ(1/shape) Γ(3/shape))) on the grid the model was trained with: 0.2 upwards in steps of 0.001.
const std::vector<std::pair<double, double>>& ShapeRatios() {
  static const std::vector<std::pair<double, double>> table = [] {
    std::vector<std::pair<double, double>> t;
    for (double g = 0.2; g < 10; g += 0.001)
      t.emplace_back(g, std::tgamma(2 / g) * std::tgamma(2 / g) / (std::tgamma(1 / g) * std::tgamma(3 / g)));
    return t;
  }();
  return table;
}

struct Fit {
  double left = 0, right = 0, shape = 0;
};

// Moment matching: the first grid shape from which the ratio moves away from the measured one.
Fit FitAggd(const Moments& m) {
  Fit f;
  f.left = std::sqrt(m.negative_squares / double(m.negative));
  f.right = std::sqrt(m.positive_squares / double(m.positive));
  const double g = f.left / f.right, n = double(m.total);
  const double rhat = std::pow(m.absolute / n, 2) / ((m.negative_squares + m.positive_squares) / n);
  const double rnorm = rhat * (g * g * g + 1) * (g + 1) / std::pow(g * g + 1, 2);
  double previous = 1e10;
  for (const auto& [shape, ratio] : ShapeRatios()) {
    const double diff = std::abs(ratio - rnorm);
    if (diff > previous) break;
    previous = diff, f.shape = shape;
  }
  return f;
}

// Mean-subtracted, contrast-normalised coefficients of a [0, 1] raster.
cv::Mat Mscn(const cv::Mat& x) {
  cv::Mat mu, sigma, mscn;
  cv::GaussianBlur(x, mu, cv::Size(7, 7), 7.0 / 6, 0, cv::BORDER_REPLICATE);
  cv::GaussianBlur(x.mul(x), sigma, cv::Size(7, 7), 7.0 / 6, 0, cv::BORDER_REPLICATE);
  sigma -= mu.mul(mu);
  cv::sqrt(sigma, sigma);
  sigma += 1.0 / 255;
  cv::divide(x - mu, sigma, mscn);
  // Where the local variance rounds below zero (flat, clipped areas) the square root is NaN; such a coefficient
  // counts as 0, as in the quality module's fit.
  cv::patchNaNs(mscn, 0);
  return mscn;
}

// Products of each coefficient with its neighbour (dy, dx), dx >= 0; outside the raster a product counts as 0.
Moments PairMoments(const cv::Mat& s, int dy, int dx) {
  const int y0 = std::max(0, -dy), h = s.rows - std::abs(dy), w = s.cols - dx;
  const cv::Mat products = s(cv::Rect(0, y0, w, h)).mul(s(cv::Rect(dx, y0 + dy, w, h)));
  return MomentsOf(products, int64_t(s.rows) * s.cols);
}

void AppendScaleFeatures(const cv::Mat& x, std::vector<float>& out) {
  const cv::Mat s = Mscn(x);
  Fit f = FitAggd(MomentsOf(s, int64_t(s.rows) * s.cols));
  out.push_back(float(f.shape));
  out.push_back(float((f.left * f.left + f.right * f.right) / 2));
  for (auto [dy, dx] : {std::pair{0, 1}, {1, 0}, {1, 1}, {-1, 1}}) {
    f = FitAggd(PairMoments(s, dy, dx));
    const double mean = (f.right - f.left) * (std::tgamma(2 / f.shape) / std::tgamma(1 / f.shape)) *
                        std::sqrt(std::tgamma(1 / f.shape)) / std::sqrt(std::tgamma(3 / f.shape));
    for (double v : {f.shape, mean, f.left * f.left, f.right * f.right}) out.push_back(float(v));
  }
}

struct Model {
  cv::Ptr<cv::ml::SVM> svm;
  cv::Mat range;
};

}  // namespace

bool BrisqueAvailable() { return std::filesystem::exists(kBrisqueModel) && std::filesystem::exists(kBrisqueRange); }

namespace internal {

double Brisque(const cv::Mat& grey) {
  static const bool available = BrisqueAvailable();
  if (!available) return -1;
  // One copy of the model per thread: prediction is not documented as thread-safe.
  thread_local const Model model{cv::ml::SVM::load(kBrisqueModel),
                                 cv::FileStorage(kBrisqueRange, cv::FileStorage::READ)["range"].mat()};
  // A centre crop of the decoded raster at its own scale: BRISQUE reads pixel-level statistics (noise, JPEG blocks,
  // blur), which shrinking the raster would average away.
  const int w = std::min(grey.cols, kBrisqueSidePx), h = std::min(grey.rows, kBrisqueSidePx);
  cv::Mat x, half;
  grey(cv::Rect((grey.cols - w) / 2, (grey.rows - h) / 2, w, h)).convertTo(x, CV_32F, 1.0 / 255);
  std::vector<float> features;
  features.reserve(36);
  AppendScaleFeatures(x, features);
  cv::resize(x, half, cv::Size(x.cols / 2, x.rows / 2), 0, 0, cv::INTER_CUBIC);
  AppendScaleFeatures(half, features);
  cv::Mat row(1, int(features.size()), CV_32F, features.data()), result;
  cv::quality::quality_utils::scale(row, model.range, -1.f, 1.f);
  model.svm->predict(row, result);
  return std::clamp(double(result.at<float>(0)), 0.0, 100.0);
}

}  // namespace internal
}  // namespace triage::vision
