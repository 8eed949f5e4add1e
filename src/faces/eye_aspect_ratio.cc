// Eye aspect ratio (Soukupova and Cech's measure) on dlib's 68-point landmarks.
#include "faces/eye_aspect_ratio.h"

#include <cmath>

namespace triage::faces {
namespace {

constexpr size_t kLandmarkCount = 68;
constexpr int kFirstEyePoints[] = {36, 42};

double Distance(const model::Point& a, const model::Point& b) { return std::hypot(a.x - b.x, a.y - b.y); }

// The ratio of one eye whose six points start at `first`; -1 when the eye has no width.
double OneEye(const std::vector<model::Point>& p, int first) {
  const double width = Distance(p[first], p[first + 3]);
  if (width <= 0) return -1;
  return (Distance(p[first + 1], p[first + 5]) + Distance(p[first + 2], p[first + 4])) / (2 * width);
}

}  // namespace

double EyeAspectRatio(const std::vector<model::Point>& landmarks) {
  if (landmarks.size() != kLandmarkCount) return 0;
  double sum = 0;
  for (int first : kFirstEyePoints) {
    const double eye = OneEye(landmarks, first);
    if (eye < 0) return 0;
    sum += eye;
  }
  return sum / 2;
}

}  // namespace triage::faces
