// Composition (rule of thirds, horizon, leading lines), face measures and BRISQUE for MeasureQuality.
#include <algorithm>
#include <cmath>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <opencv2/saliency.hpp>

#include "vision/quality_internal.h"
#include "vision/quality_metrics.h"

namespace triage::vision {
namespace {

constexpr int kSaliencySidePx = 64;  // spectral residual works on a thumbnail
constexpr int kLinesSidePx = 512;
constexpr double kEdgeThresholdPerStddev = 1.0;  // Canny's lower threshold per grey level of standard deviation
constexpr double kMinEdgeThreshold = 8;
// Edge pixels the Hough transform is given at most, as a share of the raster: its time grows with them (foliage,
// gravel or grain give five times the median photo's), and texture makes no lines. Past it, the edge thresholds
// rise until the picture's strongest edges are left.
constexpr double kMaxLineEdgeShare = 0.08;
constexpr double kEdgeThresholdRaise = 1.5;
constexpr int kMaxEdgeThresholdRaises = 6;
constexpr double kThirdsSpread = 0.12;  // distance to a power point (fraction of the frame) scoring exp(-1)

double Radians(double deg) { return deg * M_PI / 180; }

cv::Mat Shrunk(const cv::Mat& grey, int side) {
  int longest = std::max(grey.cols, grey.rows);
  if (longest <= side) return grey;
  cv::Mat out;
  double f = double(side) / longest;
  cv::resize(grey, out, cv::Size(), f, f, cv::INTER_AREA);
  return out;
}

const model::Face* Largest(const std::vector<model::Face>& faces) {
  if (faces.empty()) return nullptr;
  return &*std::max_element(faces.begin(), faces.end(), [](const model::Face& a, const model::Face& b) {
    return a.box.width * a.box.height < b.box.width * b.box.height;
  });
}

// The subject: the largest face's centre, else the centroid of the most salient 5% of a spectral-residual map.
cv::Point2d SubjectPoint(const cv::Mat& grey, const std::vector<model::Face>& faces, double to_working) {
  if (const model::Face* f = Largest(faces)) {
    return {(f->box.x + f->box.width / 2) * to_working / grey.cols,
            (f->box.y + f->box.height / 2) * to_working / grey.rows};
  }
  cv::Mat small = Shrunk(grey, kSaliencySidePx), map;
  auto saliency = cv::saliency::StaticSaliencySpectralResidual::create();
  if (!saliency->computeSaliency(small, map) || map.empty()) return {0.5, 0.5};
  map.convertTo(map, CV_32F);
  std::vector<float> values(map.begin<float>(), map.end<float>());
  auto nth = values.begin() + static_cast<long>(values.size() * 95 / 100);
  std::nth_element(values.begin(), nth, values.end());
  cv::Moments m = cv::moments(map >= *nth, true);
  if (m.m00 <= 0) return {0.5, 0.5};
  return {m.m10 / m.m00 / map.cols, m.m01 / m.m00 / map.rows};
}

double Thirds(cv::Point2d p) {
  double best = 1e9;
  for (double x : {1.0 / 3, 2.0 / 3}) {
    for (double y : {1.0 / 3, 2.0 / 3}) best = std::min(best, std::hypot(p.x - x, p.y - y));
  }
  return std::exp(-(best / kThirdsSpread) * (best / kThirdsSpread));
}

// Hough segments: the longest near-horizontal one is the horizon; diagonal ones are leading lines.
void Lines(const cv::Mat& grey, model::QualityMetrics& q) {
  cv::Mat small = Shrunk(grey, kLinesSidePx), edges;
  // Edge thresholds follow the picture's contrast, so that brightening or darkening it finds the same lines.
  cv::Scalar mean, stddev;
  cv::meanStdDev(small, mean, stddev);
  double low = std::max(kMinEdgeThreshold, kEdgeThresholdPerStddev * stddev[0]);
  // The derivatives once for every threshold tried, as Canny takes them from the raster itself (3x3 Sobel, border
  // replicated): below the budget the edges are what Canny on the raster gives.
  cv::Mat dx, dy;
  cv::Sobel(small, dx, CV_16S, 1, 0, 3, 1, 0, cv::BORDER_REPLICATE);
  cv::Sobel(small, dy, CV_16S, 0, 1, 3, 1, 0, cv::BORDER_REPLICATE);
  cv::Canny(dx, dy, edges, low, 3 * low);
  const int budget = int(kMaxLineEdgeShare * double(small.total()));
  for (int i = 0; i < kMaxEdgeThresholdRaises && cv::countNonZero(edges) > budget; ++i) {
    low *= kEdgeThresholdRaise;
    cv::Canny(dx, dy, edges, low, 3 * low);
  }
  std::vector<cv::Vec4i> segments;
  double diagonal = std::hypot(small.cols, small.rows);
  cv::HoughLinesP(edges, segments, 1, Radians(1), 60, 0.15 * diagonal, 6);
  double horizon_length = 0, diagonal_length = 0;
  for (const cv::Vec4i& s : segments) {
    double dx = s[2] - s[0], dy = s[3] - s[1], length = std::hypot(dx, dy);
    double angle = std::atan2(dy, dx) * 180 / M_PI;
    if (angle > 90) angle -= 180;
    if (angle < -90) angle += 180;
    if (std::abs(angle) <= 15 && length >= 0.3 * small.cols && length > horizon_length) {
      horizon_length = length;
      q.horizon_tilt_deg = angle;
      q.has_horizon = true;
    }
    if (std::abs(angle) >= 20 && std::abs(angle) <= 70) diagonal_length += length;
  }
  q.leading_lines = std::min(1.0, diagonal_length / diagonal);
}

double LaplacianVariance(const cv::Mat& grey, cv::Rect r) {
  r &= cv::Rect(0, 0, grey.cols, grey.rows);
  if (r.width < 3 || r.height < 3) return 0;
  cv::Mat lap;
  cv::Laplacian(grey(r), lap, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

// Yaw from where the nose tip (30) sits between the jaw's ends (0, 16): 0 facing the camera, 90 in profile.
double YawDegrees(const std::vector<model::Point>& p) {
  double jx = p[16].x - p[0].x, jy = p[16].y - p[0].y, len2 = jx * jx + jy * jy;
  if (len2 <= 0) return 90;
  double t = ((p[30].x - p[0].x) * jx + (p[30].y - p[0].y) * jy) / len2;
  return std::abs(std::asin(std::clamp(2 * t - 1, -1.0, 1.0))) * 180 / M_PI;
}

cv::Rect EyeRegion(const std::vector<model::Point>& p, double to_working) {
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (int i = 36; i <= 47; ++i) {
    x0 = std::min(x0, p[i].x), y0 = std::min(y0, p[i].y), x1 = std::max(x1, p[i].x), y1 = std::max(y1, p[i].y);
  }
  double pad = 0.25 * (x1 - x0);
  return cv::Rect(cv::Point(int((x0 - pad) * to_working), int((y0 - pad) * to_working)),
                  cv::Point(int((x1 + pad) * to_working) + 1, int((y1 + pad) * to_working) + 1));
}

}  // namespace

namespace internal {

void MeasureComposition(const cv::Mat& grey, const std::vector<model::Face>& faces, double to_working,
                        model::QualityMetrics& q) {
  q.thirds = Thirds(SubjectPoint(grey, faces, to_working));
  Lines(grey, q);
}

void MeasureFaces(const cv::Mat& grey, const std::vector<model::Face>& faces, double to_working,
                  model::QualityMetrics& q) {
  q.face_count = static_cast<int>(faces.size());
  const model::Face* largest = Largest(faces);
  if (largest == nullptr) return;
  const model::Box& b = largest->box;
  q.face_ratio = std::min(1.0, b.width * b.height * to_working * to_working / double(grey.total()));
  q.face_sharpness = LaplacianVariance(grey, cv::Rect(int(b.x * to_working), int(b.y * to_working),
                                                      int(b.width * to_working), int(b.height * to_working)));
  if (largest->landmarks.size() == 68)
    q.eye_sharpness = LaplacianVariance(grey, EyeRegion(largest->landmarks, to_working));
  for (const model::Face& f : faces) {
    if (f.landmarks.size() != 68) continue;
    const EyeMeasures eyes = MeasureEyes(grey, f.landmarks, to_working);
    q.eyes.push_back({f.eye_aspect_ratio, YawDegrees(f.landmarks), eyes.contrast, eyes.edge_ratio});
  }
}

}  // namespace internal
}  // namespace triage::vision
