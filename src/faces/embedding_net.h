// The 128-d face embedding network (a ResNet metric net in the layout of dlib's face recognition model), run on
// CPU through OpenCV DNN's convolution kernels; a plain im2col + OpenBLAS sgemm forward is kept as the reference.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "faces/tfjs_weights.h"
#include "model/image.h"

namespace triage::faces {

// OpenBLAS in this process on the calling thread only, and its worker threads stopped. Its threads start when the
// library loads and spin for ~0.1 s of CPU each before they first sleep, in every triage command; the BLAS calls
// here (the reference forward, the last layer) are small, and intake already keeps every core busy, one input each.
// Call at the start of main, before any other thread exists.
void UseOneBlasThread();

inline constexpr int kEmbeddingSize = 128;
inline constexpr int kEmbeddingChipPx = 150;

// Immutable after loading; every Embed* method is safe to call from several threads at once (scratch is per call,
// network instances are pooled).
class EmbeddingNet {
 public:
  // Loads face_recognition_model-weights_manifest.json and its shard; kCorrupt naming the tensor when a weight
  // is missing or shaped otherwise.
  static base::Result<std::unique_ptr<EmbeddingNet>> Load(const std::filesystem::path& manifest_path);
  static base::Result<std::unique_ptr<EmbeddingNet>> FromWeights(const TfjsWeights& weights);
  ~EmbeddingNet();
  EmbeddingNet(const EmbeddingNet&) = delete;
  EmbeddingNet& operator=(const EmbeddingNet&) = delete;

  // The 128 floats for an aligned kEmbeddingChipPx square chip (not unit length: compare with Euclidean
  // distance, same person below ~0.6). kInvalidArgument when the chip has another size.
  base::Result<std::vector<float>> Embed(const model::RgbImage& chip) const;
  // The same function computed by the reference forward (im2col + sgemm, NHWC): slower, kept to check the graph
  // against (tests) and to compare speeds (bench/faces/face_speed).
  base::Result<std::vector<float>> EmbedReference(const model::RgbImage& chip) const;

 private:
  struct Layers;
  explicit EmbeddingNet(std::unique_ptr<Layers> layers);
  std::unique_ptr<Layers> layers_;
};

// Euclidean distance. REQUIRES: a.size() == b.size().
double EmbeddingDistance(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace triage::faces
