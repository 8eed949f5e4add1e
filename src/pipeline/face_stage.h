// Faces for the pipeline: detection + embedding (faces::FaceAnalyzer) and the distances to the enrolled references,
// which the catalog holds and the stage caches. Thresholds are the policy's (decide/); the detector's limits come
// from the config snapshot of each call, so a change made at run time applies to the very next image.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "faces/face_analyzer.h"
#include "faces/face_matcher.h"
#include "model/face.h"
#include "model/image.h"

namespace triage::pipeline {

// Thread-safe: Analyze may run on several threads while references are reloaded or the detector is rebuilt.
class FaceStage {
 public:
  // Loads the models from `model_dir` (see faces::FaceOptions) with `config`'s detector settings.
  static base::Result<std::unique_ptr<FaceStage>> Open(const config::Config& config, const std::string& model_dir);

  // Reads every enrolled reference from the catalog (after enrolment or approvals).
  [[nodiscard]] base::Status LoadReferences(catalog::Catalog& catalog);

  // Faces in `image` found with `config`'s detector settings (the detector is rebuilt when they changed since the
  // previous call; the landmark model and embedding net are kept), each with its nearest enrolled persons; boxes and
  // landmarks scaled by `to_full` into full-image coordinates.
  base::Result<std::vector<model::Face>> Analyze(const model::RgbImage& image, double to_full,
                                                 const config::Config& config) const;

  // The one face of an enrolment photo; kInvalidArgument saying how many faces were found otherwise, or that the face
  // looks upside down (the photo turned by 180 degrees shows a face scoring 0.03 or more higher).
  base::Result<model::Face> SingleFace(const model::RgbImage& image, const config::Config& config) const;

  std::string detector_name() const;

 private:
  FaceStage(std::string model_dir, faces::FaceOptions options, std::unique_ptr<faces::FaceAnalyzer> analyzer)
      : model_dir_(std::move(model_dir)), options_(std::move(options)), analyzer_(std::move(analyzer)) {}
  base::Result<std::shared_ptr<const faces::FaceAnalyzer>> AnalyzerFor(const config::Config& config) const;

  const std::string model_dir_;
  mutable std::mutex mu_;
  mutable faces::FaceOptions options_;                           // what analyzer_ was built with (guarded by mu_)
  mutable std::shared_ptr<const faces::FaceAnalyzer> analyzer_;  // guarded by mu_
  std::shared_ptr<const std::vector<faces::Reference>> references_ =
      std::make_shared<const std::vector<faces::Reference>>();  // guarded by mu_
};

}  // namespace triage::pipeline
