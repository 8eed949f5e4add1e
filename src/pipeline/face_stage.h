// Faces for the pipeline: detection + embedding (faces::FaceAnalyzer) and matching against the enrolled
// references, which the catalog holds and the stage caches.
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

// Thread-safe: Analyze may run on several threads while references are reloaded.
class FaceStage {
 public:
  // Loads the models from `model_dir` (see faces::FaceOptions) with the library's thresholds.
  static base::Result<std::unique_ptr<FaceStage>> Open(const config::Config& config, const std::string& model_dir);

  // Reads every enrolled reference from the catalog (after enrolment or approvals).
  base::Status LoadReferences(catalog::Catalog& catalog);

  // Faces in `image`, matched; boxes and landmarks scaled by `to_full` into full-image coordinates.
  base::Result<std::vector<model::Face>> Analyze(const model::RgbImage& image, double to_full) const;

  // The one face of an enrolment photo; kInvalidArgument saying how many faces were found otherwise.
  base::Result<model::Face> SingleFace(const model::RgbImage& image) const;

  const char* detector_name() const { return analyzer_->detector_name(); }

 private:
  FaceStage(std::unique_ptr<faces::FaceAnalyzer> analyzer, faces::MatchOptions match)
      : analyzer_(std::move(analyzer)), match_(match) {}
  std::unique_ptr<faces::FaceAnalyzer> analyzer_;
  faces::MatchOptions match_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<faces::Reference>> references_ =
      std::make_shared<const std::vector<faces::Reference>>();
};

}  // namespace triage::pipeline
