// Contrast inside the eyes, for telling an open eye that dlib's points draw narrow (a squinting smile) from a closed
// one: an open eye shows dark iris against white sclera, a closed lid is skin and a line of lashes.
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

// Standard deviation of grey inside the eye over the median grey of the skin below it; -1 for a degenerate eye.
double OneEye(const cv::Mat& grey, const std::vector<model::Point>& p, int first, double to_working) {
  const cv::Point2d corner_a(p[first].x * to_working, p[first].y * to_working);
  const cv::Point2d corner_b(p[first + 3].x * to_working, p[first + 3].y * to_working);
  const double width = std::hypot(corner_b.x - corner_a.x, corner_b.y - corner_a.y);
  if (width < 4) return -1;
  cv::Point2d centre(0, 0);
  for (int i = first; i < first + 6; ++i) centre += cv::Point2d(p[i].x, p[i].y) * (to_working / 6);
  const double angle = std::atan2(corner_b.y - corner_a.y, corner_b.x - corner_a.x) * 180 / M_PI;
  cv::Mat warp = cv::getRotationMatrix2D(centre, angle, kEyeWidthPx / width);
  warp.at<double>(0, 2) += kPatchPx / 2.0 - centre.x;
  warp.at<double>(1, 2) += kPatchPx / 2.0 - centre.y;
  cv::Mat patch;
  cv::warpAffine(grey, patch, warp, cv::Size(kPatchPx, kPatchPx), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Mat cheek = patch(kCheek).clone().reshape(1, 1);
  std::nth_element(cheek.begin<uchar>(), cheek.begin<uchar>() + cheek.total() / 2, cheek.end<uchar>());
  const double skin = std::max<double>(cheek.at<uchar>(0, int(cheek.total() / 2)), 1);
  cv::Scalar mean, deviation;
  cv::meanStdDev(patch(kEyeBand), mean, deviation);
  return deviation[0] / skin;
}

}  // namespace

double EyeContrast(const cv::Mat& grey, const std::vector<model::Point>& landmarks, double to_working) {
  if (landmarks.size() != 68 || grey.empty()) return -1;
  const double left = OneEye(grey, landmarks, 36, to_working), right = OneEye(grey, landmarks, 42, to_working);
  return left < 0 || right < 0 ? -1 : (left + right) / 2;
}

}  // namespace triage::vision::internal
