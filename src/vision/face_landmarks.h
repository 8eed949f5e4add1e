// The 68 facial landmarks (dlib's shape predictor, iBUG 300-W point order) and the aligned face chip the
// embedding network expects. No dlib type crosses this header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/face.h"
#include "model/image.h"

namespace triage::vision {

// The chip geometry of dlib's face recognition models: 150x150 pixels, 25% padding around the landmarks.
inline constexpr int kFaceChipSizePx = 150;
inline constexpr double kFaceChipPadding = 0.25;
inline constexpr int kLandmarkCount = 68;
inline constexpr double kUprightRollDegrees = 30;

struct AlignedFace {
  std::vector<model::Point> landmarks;  // kLandmarkCount points, in pixels of the analysed image
  model::RgbImage chip;                 // kFaceChipSizePx square, eyes level, scaled like dlib's chips
};

// Locates landmarks inside face boxes and cuts aligned chips. Immutable after Open; Align is safe to call from
// several threads at once.
class FaceLandmarker {
 public:
  // Loads dlib's 68-point shape predictor (shape_predictor_68_face_landmarks.dat). kNotFound when the file is
  // missing, kCorrupt when it does not deserialize into a 68-point predictor.
  static base::Result<std::unique_ptr<FaceLandmarker>> Open(const std::string& shape_predictor_path);
  ~FaceLandmarker();
  FaceLandmarker(const FaceLandmarker&) = delete;
  FaceLandmarker& operator=(const FaceLandmarker&) = delete;

  // One AlignedFace per box, in the same order. Any detector's box will do: the points found in it are used to
  // re-frame the face the way dlib's HOG detector does (what the predictor was trained on) and are then located
  // again. kInvalidArgument for an empty image.
  // `eyes` (optional, one pair per box or none): the detector's two eye points (the subject's right eye first, as
  // BlazeFace gives them). A face whose eyes are tilted more than kUprightRollDegrees from level (a photo on its side,
  // a head leaning far) is first turned upright around them: the predictor was trained on upright faces, and on a
  // face lying on its side it fits nose and eyes in the wrong places, which gives an embedding of nobody (close to
  // whoever). Its landmarks are given back in the image's own pixels.
  base::Result<std::vector<AlignedFace>> Align(const model::RgbImage& image, const std::vector<model::Box>& boxes,
                                               const std::vector<std::vector<model::Point>>& eyes = {}) const;

 private:
  struct Impl;
  explicit FaceLandmarker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace triage::vision
