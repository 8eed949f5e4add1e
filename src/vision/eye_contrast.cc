// Contrast and edge direction inside the eyes, for telling an open eye that dlib's points draw narrow (a squinting
// smile) from a closed one: an open eye shows a dark iris against white sclera, a closed lid is skin and a line of
// lashes.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "vision/quality_internal.h"

namespace triage::vision::internal {
namespace {

// Each eye is resampled upright to a fixed scale: kEyeWidthPx between its corners, centred in a kPatchPx square.
constexpr int kPatchPx = 60;
constexpr double kEyeWidthPx = 40;
// Where the eye is measured (the lids' span, less the corners) and where the skin below it is.
const cv::Rect kEyeBand(14, 22, 32, 16);
const cv::Rect kCheek(14, 42, 32, 12);

// The eye whose corners are points `first` and `first` + 3, turned upright and scaled to kEyeWidthPx between its
// corners in a kPatchPx square; empty for an eye under 4 px wide.
cv::Mat UprightEye(const cv::Mat& grey, const std::vector<model::Point>& p, int first, double to_working) {
  const cv::Point2d corner_a(p[first].x * to_working, p[first].y * to_working);
  const cv::Point2d corner_b(p[first + 3].x * to_working, p[first + 3].y * to_working);
  const double width = std::hypot(corner_b.x - corner_a.x, corner_b.y - corner_a.y);
  if (width < 4) return cv::Mat();
  cv::Point2d centre(0, 0);
  for (int i = first; i < first + 6; ++i) centre += cv::Point2d(p[i].x, p[i].y) * (to_working / 6);
  const double angle = std::atan2(corner_b.y - corner_a.y, corner_b.x - corner_a.x) * 180 / M_PI;
  cv::Mat warp = cv::getRotationMatrix2D(centre, angle, kEyeWidthPx / width);
  warp.at<double>(0, 2) += kPatchPx / 2.0 - centre.x;
  warp.at<double>(1, 2) += kPatchPx / 2.0 - centre.y;
  cv::Mat patch;
  cv::warpAffine(grey, patch, warp, cv::Size(kPatchPx, kPatchPx), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return patch;
}

// Standard deviation of grey inside the eye over the median grey of the skin below it.
double Contrast(const cv::Mat& patch) {
  cv::Mat cheek = patch(kCheek).clone().reshape(1, 1);
  std::nth_element(cheek.begin<uchar>(), cheek.begin<uchar>() + cheek.total() / 2, cheek.end<uchar>());
  const double skin = std::max<double>(cheek.at<uchar>(0, int(cheek.total() / 2)), 1);
  cv::Scalar mean, deviation;
  cv::meanStdDev(patch(kEyeBand), mean, deviation);
  return deviation[0] / skin;
}

// Sum of the horizontal Sobel response's magnitude inside the eye over that of the vertical one (plus one grey level,
// so that an even patch reads 0).
double EdgeRatio(const cv::Mat& patch) {
  cv::Mat gx, gy;
  cv::Sobel(patch, gx, CV_32F, 1, 0);
  cv::Sobel(patch, gy, CV_32F, 0, 1);
  return cv::norm(gx(kEyeBand), cv::NORM_L1) / (cv::norm(gy(kEyeBand), cv::NORM_L1) + 1);
}

}  // namespace

EyeMeasures MeasureEyes(const cv::Mat& grey, const std::vector<model::Point>& landmarks, double to_working) {
  if (landmarks.size() != 68 || grey.empty()) return {};
  // Each eye is resampled once; both measures read the same patch.
  const cv::Mat left = UprightEye(grey, landmarks, 36, to_working), right = UprightEye(grey, landmarks, 42, to_working);
  if (left.empty() || right.empty()) return {};
  return {(Contrast(left) + Contrast(right)) / 2, (EdgeRatio(left) + EdgeRatio(right)) / 2};
}

}  // namespace triage::vision::internal
