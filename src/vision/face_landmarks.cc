// dlib shape predictor and chip extraction behind FaceLandmarker; the only landmark code that includes dlib.
#include "vision/face_landmarks.h"

#include <dlib/image_processing/shape_predictor.h>
#include <dlib/image_transforms/interpolation.h>
#include <dlib/matrix.h>
#include <dlib/serialize.h>

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

}  // namespace

base::Result<std::vector<AlignedFace>> FaceLandmarker::Align(const model::RgbImage& image,
                                                             const std::vector<model::Box>& boxes) const {
  if (image.empty() || image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3) {
    return base::Status::InvalidArgument("landmarks: empty or inconsistent image");
  }
  const DlibRgbView view{&image};
  std::vector<AlignedFace> faces;
  try {
    for (const model::Box& box : boxes) {
      const dlib::full_object_detection shape = impl_->predictor(view, ToRectangle(box));
      AlignedFace face;
      for (unsigned long i = 0; i < shape.num_parts(); ++i) {
        face.landmarks.push_back({static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y())});
      }
      dlib::matrix<dlib::rgb_pixel> chip;
      dlib::extract_image_chip(view, dlib::get_face_chip_details(shape, kFaceChipSizePx, kFaceChipPadding), chip);
      face.chip = ToRgbImage(chip);
      faces.push_back(std::move(face));
    }
  } catch (const std::exception& e) {
    return base::Status::Corrupt(std::string("landmark detection failed: ") + e.what());
  }
  return faces;
}

}  // namespace triage::vision
