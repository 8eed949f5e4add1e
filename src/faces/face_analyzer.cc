// Composition of detection, landmarks, alignment and embedding into model::Face values.
#include "faces/face_analyzer.h"

#include <algorithm>
#include <filesystem>

#include "faces/embedding_net.h"
#include "faces/eye_aspect_ratio.h"
#include "vision/decode.h"
#include "vision/face_detector.h"
#include "vision/face_landmarks.h"

namespace triage::faces {

ModelPaths ResolveModelPaths(const FaceOptions& options) {
  const std::filesystem::path dir(options.model_dir);
  return {(dir / "blazeface/ONNX/face_detection_back_256x256_barracuda.onnx").string(),
          (dir / "blazeface/ONNX/face_detection_front_128x128_barracuda.onnx").string(),
          (dir / "face-api/model/face_recognition_model-weights_manifest.json").string(),
          (dir / "face-api/model/face_recognition_model.bin").string(), options.landmarks_path};
}

namespace {

base::Result<std::unique_ptr<vision::FaceDetector>> OpenDetector(const FaceOptions& options, const ModelPaths& paths) {
  vision::FaceDetectorOptions limits{options.min_face_size_px, options.min_detection_score};
  limits.min_face_fraction = options.min_face_fraction;
  if (options.detector == "hog") return vision::FaceDetector::OpenHog(limits);
  if (options.detector != "blazeface") {
    return base::Status::InvalidArgument("unknown face detector '" + options.detector + "' (blazeface or hog)");
  }
  // Documented fallback: without the BlazeFace files (models not fetched) faces are still found, more slowly.
  if (!std::filesystem::exists(paths.blazeface_onnx) || !std::filesystem::exists(paths.blazeface_front_onnx)) {
    return vision::FaceDetector::OpenHog(limits);
  }
  return vision::FaceDetector::OpenBlazeFace({paths.blazeface_onnx, paths.blazeface_front_onnx}, limits);
}

}  // namespace

FaceAnalyzer::FaceAnalyzer(std::unique_ptr<vision::FaceDetector> detector,
                           std::shared_ptr<const vision::FaceLandmarker> landmarker,
                           std::shared_ptr<const EmbeddingNet> embedder)
    : detector_(std::move(detector)), landmarker_(std::move(landmarker)), embedder_(std::move(embedder)) {}

FaceAnalyzer::~FaceAnalyzer() = default;

base::Result<std::unique_ptr<FaceAnalyzer>> FaceAnalyzer::Open(const FaceOptions& options) {
  const ModelPaths paths = ResolveModelPaths(options);
  auto detector = OpenDetector(options, paths);
  if (!detector.ok()) return detector.status();
  auto landmarker = vision::FaceLandmarker::Open(paths.landmarks);
  if (!landmarker.ok()) return landmarker.status();
  auto embedder = EmbeddingNet::Load(paths.embedding_manifest);
  if (!embedder.ok()) return embedder.status();
  return std::unique_ptr<FaceAnalyzer>(
      new FaceAnalyzer(std::move(detector.value()), std::move(landmarker.value()), std::move(embedder.value())));
}

base::Result<std::unique_ptr<FaceAnalyzer>> FaceAnalyzer::WithDetection(const FaceOptions& options) const {
  auto detector = OpenDetector(options, ResolveModelPaths(options));
  if (!detector.ok()) return detector.status();
  return std::unique_ptr<FaceAnalyzer>(new FaceAnalyzer(std::move(detector.value()), landmarker_, embedder_));
}

base::Result<float> FaceAnalyzer::BestScoreTurnedHalfWay(const model::RgbImage& image) const {
  auto detections = detector_->Detect(vision::Oriented(image, 3));
  if (!detections.ok()) return detections.status();
  float best = 0;
  for (const vision::FaceDetection& d : *detections) best = std::max(best, d.score);
  return best;
}

base::Result<std::vector<model::Face>> FaceAnalyzer::Analyze(const model::RgbImage& image) const {
  auto detections = detector_->Detect(image);
  if (!detections.ok()) return detections.status();
  std::vector<model::Box> boxes;
  std::vector<std::vector<model::Point>> eyes;  // BlazeFace's first two keypoints: the right eye, then the left
  for (const vision::FaceDetection& d : *detections) {
    boxes.push_back(d.box);
    eyes.push_back(d.keypoints.size() >= 2 ? std::vector<model::Point>{d.keypoints[0], d.keypoints[1]}
                                           : std::vector<model::Point>{});
  }
  auto aligned = landmarker_->Align(image, boxes, eyes);
  if (!aligned.ok()) return aligned.status();
  std::vector<model::Face> faces;
  for (size_t i = 0; i < aligned->size(); ++i) {
    vision::AlignedFace& a = (*aligned)[i];
    auto embedding = embedder_->Embed(a.chip);
    if (!embedding.ok()) return embedding.status();
    model::Face face;
    face.box = (*detections)[i].box;
    face.detection_score = (*detections)[i].score;
    face.eye_aspect_ratio = EyeAspectRatio(a.landmarks);
    face.landmarks = std::move(a.landmarks);
    face.embedding = std::move(embedding.value());
    faces.push_back(std::move(face));
  }
  return faces;
}

const char* FaceAnalyzer::detector_name() const { return detector_->name(); }

}  // namespace triage::faces
