// dlib shape predictor and chip extraction behind FaceLandmarker; the only landmark code that includes dlib.
#include "vision/face_landmarks.h"

#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_transforms/interpolation.h>
#include <dlib/matrix.h>
#include <dlib/serialize.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "vision/face_dlib_view.h"

namespace triage::vision {

struct FaceLandmarker::Impl {
  dlib::shape_predictor predictor;
};

FaceLandmarker::FaceLandmarker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceLandmarker::~FaceLandmarker() = default;

base::Result<std::unique_ptr<FaceLandmarker>> FaceLandmarker::Open(const std::string& shape_predictor_path) {
  if (!std::filesystem::is_regular_file(shape_predictor_path)) {
    return base::Status::NotFound("landmark model not found: " + shape_predictor_path);
  }
  auto impl = std::make_unique<Impl>();
  try {
    dlib::deserialize(shape_predictor_path) >> impl->predictor;
  } catch (const std::exception& e) {
    return base::Status::Corrupt("cannot load landmark model " + shape_predictor_path + ": " + e.what());
  }
  if (impl->predictor.num_parts() != kLandmarkCount) {
    return base::Status::Corrupt("landmark model " + shape_predictor_path + " predicts " +
                                 std::to_string(impl->predictor.num_parts()) + " points, expected 68");
  }
  return std::unique_ptr<FaceLandmarker>(new FaceLandmarker(std::move(impl)));
}

namespace {

dlib::rectangle ToRectangle(const model::Box& box) {
  return dlib::rectangle(std::lround(box.x), std::lround(box.y), std::lround(box.x + box.width) - 1,
                         std::lround(box.y + box.height) - 1);
}

// The shape predictor was trained on boxes from dlib's HOG detector. Other detectors frame faces differently (and
// BlazeFace's box wanders by ~10% of its width), which shifts the predicted points and, through alignment, the
// embedding. So a first pass's points are turned into the box HOG would have drawn, and the predictor runs again.
// Measured over 82 HOG detections of the development set: box centre = midpoint of eye centre and mouth centre
// + (-0.002, -0.023) x width; width = 1.013 x the larger side of the points' bounding box.
constexpr double kRefitCentreDx = -0.0016;
constexpr double kRefitCentreDy = -0.0234;
constexpr double kRefitWidthPerSpan = 1.0133;

dlib::rectangle RefitBox(const dlib::full_object_detection& shape) {
  double min_x = 1e30, max_x = -1e30, min_y = 1e30, max_y = -1e30;
  double eyes_x = 0, eyes_y = 0, mouth_x = 0, mouth_y = 0;
  for (unsigned long i = 0; i < shape.num_parts(); ++i) {
    const double x = shape.part(i).x(), y = shape.part(i).y();
    min_x = std::min(min_x, x), max_x = std::max(max_x, x), min_y = std::min(min_y, y), max_y = std::max(max_y, y);
    if (i >= 36 && i < 48) eyes_x += x / 12, eyes_y += y / 12;  // both eyes
    if (i >= 48) mouth_x += x / 20, mouth_y += y / 20;          // outer and inner lips
  }
  const double width = kRefitWidthPerSpan * std::max(max_x - min_x, max_y - min_y);
  const double cx = (eyes_x + mouth_x) / 2 + kRefitCentreDx * width;
  const double cy = (eyes_y + mouth_y) / 2 + kRefitCentreDy * width;
  return dlib::rectangle(std::lround(cx - width / 2), std::lround(cy - width / 2), std::lround(cx + width / 2) - 1,
                         std::lround(cy + width / 2) - 1);
}

model::RgbImage ToRgbImage(const dlib::matrix<dlib::rgb_pixel>& chip) {
  model::RgbImage image;
  image.width = static_cast<int>(chip.nc());
  image.height = static_cast<int>(chip.nr());
  image.pixels.reserve(static_cast<size_t>(image.width) * image.height * 3);
  for (long r = 0; r < chip.nr(); ++r) {
    for (long c = 0; c < chip.nc(); ++c) {
      image.pixels.push_back(chip(r, c).red);
      image.pixels.push_back(chip(r, c).green);
      image.pixels.push_back(chip(r, c).blue);
    }
  }
  return image;
}

// A face seen upright: the region around it turned so that the detector's eye points lie level, the subject's right
// eye on the left, at 30% of the region's side apart (the region keeps about the face's own resolution).
struct UprightView {
  dlib::matrix<dlib::rgb_pixel> pixels;
  dlib::point_transform_affine to_image;  // region pixels -> image pixels
  dlib::rectangle box;                    // where the face lies in the region, framed like a detector's box
};

UprightView TurnUpright(const DlibRgbView& view, const model::Point& right_eye, const model::Point& left_eye) {
  const double eye_distance = std::hypot(left_eye.x - right_eye.x, left_eye.y - right_eye.y);
  const long side = std::clamp<long>(std::lround(eye_distance / 0.3), 64, 1024);
  const double s = static_cast<double>(side);
  const std::vector<dlib::dpoint> in_image = {{right_eye.x, right_eye.y}, {left_eye.x, left_eye.y}};
  const std::vector<dlib::dpoint> in_region = {{0.35 * s, 0.4 * s}, {0.65 * s, 0.4 * s}};
  const dlib::chip_details details(in_region, in_image, dlib::chip_dims(side, side));
  UprightView out;
  dlib::extract_image_chip(view, details, out.pixels);
  out.to_image = dlib::inv(dlib::get_mapping_to_chip(details));
  const double half = 0.375 * s, cx = 0.5 * s, cy = 0.52 * s;
  out.box = dlib::rectangle(std::lround(cx - half), std::lround(cy - half), std::lround(cx + half) - 1,
                            std::lround(cy + half) - 1);
  return out;
}

bool Tilted(const std::vector<model::Point>& eyes) {
  if (eyes.size() < 2) return false;
  const double degrees = std::atan2(eyes[1].y - eyes[0].y, eyes[1].x - eyes[0].x) * 180.0 / M_PI;
  return std::abs(degrees) > kUprightRollDegrees;
}

}  // namespace

base::Result<std::vector<AlignedFace>> FaceLandmarker::Align(const model::RgbImage& image,
                                                             const std::vector<model::Box>& boxes,
                                                             const std::vector<std::vector<model::Point>>& eyes) const {
  if (image.empty() || image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3) {
    return base::Status::InvalidArgument("landmarks: empty or inconsistent image");
  }
  const DlibRgbView view{&image};
  std::vector<AlignedFace> faces;
  try {
    // The predictor twice (the second time in the box its first points give), then the chip, in `pixels`; the
    // landmarks handed back in the image's own pixels through `to_image`.
    auto fit = [&](const auto& pixels, const dlib::rectangle& box, const auto& to_image) {
      const dlib::full_object_detection first = impl_->predictor(pixels, box);
      const dlib::full_object_detection shape = impl_->predictor(pixels, RefitBox(first));
      AlignedFace face;
      for (unsigned long i = 0; i < shape.num_parts(); ++i) {
        const dlib::dpoint p = to_image(dlib::dpoint(shape.part(i)));
        face.landmarks.push_back({static_cast<float>(p.x()), static_cast<float>(p.y())});
      }
      dlib::matrix<dlib::rgb_pixel> chip;
      dlib::extract_image_chip(pixels, dlib::get_face_chip_details(shape, kFaceChipSizePx, kFaceChipPadding), chip);
      face.chip = ToRgbImage(chip);
      return face;
    };
    for (size_t b = 0; b < boxes.size(); ++b) {
      if (b < eyes.size() && Tilted(eyes[b])) {
        const UprightView upright = TurnUpright(view, eyes[b][0], eyes[b][1]);
        faces.push_back(fit(upright.pixels, upright.box, upright.to_image));
      } else {
        faces.push_back(fit(view, ToRectangle(boxes[b]), [](const dlib::dpoint& p) { return p; }));
      }
    }
  } catch (const std::exception& e) {
    return base::Status::Corrupt(std::string("landmark detection failed: ") + e.what());
  }
  return faces;
}

}  // namespace triage::vision
