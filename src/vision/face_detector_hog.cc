// dlib's HOG frontal-face detector: the fallback when the BlazeFace weights are absent. Kept in its own
// translation unit because dlib headers are slow to compile.
#include <dlib/image_processing/frontal_face_detector.h>

#include <cmath>

#include "vision/face_detector.h"
#include "vision/face_dlib_view.h"
#include "vision/face_pool.h"

namespace triage::vision {
namespace {

// Places dlib's acceptance threshold (margin 0) at the default min_score 0.65: 1 / (1 + exp(-0.62)) = 0.65.
constexpr double kMarginSlope = 2.0;
constexpr double kMarginOffset = 0.62;

float MarginToScore(double margin) {
  return static_cast<float>(1.0 / (1.0 + std::exp(-(kMarginSlope * margin + kMarginOffset))));
}

class HogDetector final : public FaceDetector {
 public:
  explicit HogDetector(const FaceDetectorOptions& options)
      : options_(options),
        pool_([] { return std::make_unique<dlib::frontal_face_detector>(dlib::get_frontal_face_detector()); }) {}

  base::Result<std::vector<FaceDetection>> Detect(const model::RgbImage& image) const override {
    if (image.empty() || image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3) {
      return base::Status::InvalidArgument("face detection: empty or inconsistent image");
    }
    std::vector<dlib::rect_detection> raw;
    try {
      auto detector = pool_.Borrow();
      // A negative adjustment lets scores below dlib's default threshold through; the limits decide.
      (*detector)(DlibRgbView{&image}, raw, -0.5);
    } catch (const std::exception& e) {
      return base::Status::Corrupt(std::string("HOG detection failed: ") + e.what());
    }
    std::vector<FaceDetection> found;
    for (const dlib::rect_detection& r : raw) {
      FaceDetection d;
      d.box = {static_cast<float>(r.rect.left()), static_cast<float>(r.rect.top()), static_cast<float>(r.rect.width()),
               static_cast<float>(r.rect.height())};
      d.score = MarginToScore(r.detection_confidence);
      found.push_back(std::move(d));
    }
    return ApplyDetectionLimits(SuppressOverlaps(std::move(found), 0.3f), options_);
  }

  const char* name() const override { return "hog"; }

 private:
  const FaceDetectorOptions options_;
  mutable WorkerPool<dlib::frontal_face_detector> pool_;
};

}  // namespace

base::Result<std::unique_ptr<FaceDetector>> FaceDetector::OpenHog(const FaceDetectorOptions& options) {
  return std::unique_ptr<FaceDetector>(std::make_unique<HogDetector>(options));
}

}  // namespace triage::vision
