// Face analysis of one decoded image: detect -> 68 landmarks -> aligned chip -> 128-d embedding, plus the eye
// aspect ratio. Matching against enrolled people is separate (face_matcher.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/face.h"
#include "model/image.h"

namespace triage::vision {
class FaceDetector;
class FaceLandmarker;
}  // namespace triage::vision

namespace triage::faces {

class EmbeddingNet;

struct FaceOptions {
  // Folder holding blazeface/ and face-api/ as scripts/fetch_models.sh unpacks them (usually <source>/.cache/npm).
  std::string model_dir;
  // dlib's 68-point shape predictor (Debian package libdlib-data).
  std::string landmarks_path = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
  // Faces narrower than this, in pixels of the analysed image, are ignored. Range 1..; default 32.
  int min_face_size_px = 32;
  // Detections scoring below this are ignored. Range 0..1; default 0.65.
  double min_detection_score = 0.65;
  // Tiles look for faces down to max(min_face_size_px, this share of the image's long side). Range 0..1; 0 = off;
  // default 0.025.
  double min_face_fraction = 0.025;
  // "blazeface" (default; falls back to "hog" when the BlazeFace ONNX file is absent) or "hog" (dlib's HOG
  // detector: no weights, slower, misses small and turned faces).
  std::string detector = "blazeface";
};

// Where each model file lives for `options`.
struct ModelPaths {
  std::string blazeface_onnx;        // the back-camera model (whole image)
  std::string blazeface_front_onnx;  // the front-camera model (finer scales)
  std::string embedding_manifest;
  std::string embedding_weights;
  std::string landmarks;
};
ModelPaths ResolveModelPaths(const FaceOptions& options);

// Finds and describes faces. Weights are loaded once by Open and never change; Analyze is safe to call from
// several threads at once (detector networks are pooled, everything else is read-only, scratch is per call).
class FaceAnalyzer {
 public:
  // Loads the detector, the landmark model and the embedding net. kNotFound names a missing model file, kCorrupt
  // one that does not load; kInvalidArgument for an unknown detector name.
  static base::Result<std::unique_ptr<FaceAnalyzer>> Open(const FaceOptions& options);
  // An analyzer with another detector or other detection limits (detector, min_face_size_px, min_face_fraction,
  // min_detection_score of `options`) that shares this one's landmark model and embedding net: cheap, for a config
  // change at run time.
  base::Result<std::unique_ptr<FaceAnalyzer>> WithDetection(const FaceOptions& options) const;
  ~FaceAnalyzer();
  FaceAnalyzer(const FaceAnalyzer&) = delete;
  FaceAnalyzer& operator=(const FaceAnalyzer&) = delete;

  // Every face in `image`, best detection first, with box, detection_score, landmarks and eye_aspect_ratio in
  // `image` pixel coordinates and the embedding; `match` is left empty. Works on any size; the pipeline passes
  // images of at most ~1600 px. kInvalidArgument for an empty image; kCorrupt when a model fails at run time.
  base::Result<std::vector<model::Face>> Analyze(const model::RgbImage& image) const;

  // The best detection score of `image` turned by 180 degrees (0 when no face is found there): detection only. A face
  // that scores higher that way up is upside down in `image`.
  base::Result<float> BestScoreTurnedHalfWay(const model::RgbImage& image) const;

  // The detector in use: "blazeface" or "hog" (also "hog" when BlazeFace was asked for but its file is absent).
  const char* detector_name() const;

 private:
  FaceAnalyzer(std::unique_ptr<vision::FaceDetector> detector, std::shared_ptr<const vision::FaceLandmarker> landmarker,
               std::shared_ptr<const EmbeddingNet> embedder);
  std::unique_ptr<vision::FaceDetector> detector_;
  std::shared_ptr<const vision::FaceLandmarker> landmarker_;  // read-only after loading: shared by WithDetection
  std::shared_ptr<const EmbeddingNet> embedder_;
};

}  // namespace triage::faces
