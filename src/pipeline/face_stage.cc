// Face analysis and matching for the pipeline.
#include "pipeline/face_stage.h"

#include <fmt/format.h>

namespace triage::pipeline {

base::Result<std::unique_ptr<FaceStage>> FaceStage::Open(const config::Config& config, const std::string& model_dir) {
  faces::FaceOptions options;
  options.model_dir = model_dir;
  options.min_face_size_px = config.analysis.min_face_size_px;
  options.min_detection_score = config.analysis.min_detection_confidence;
  options.detector = config.analysis.detector;
  auto analyzer = faces::FaceAnalyzer::Open(options);
  if (!analyzer.ok()) return analyzer.status();
  faces::MatchOptions match{config.analysis.match_distance, config.policy.min_confidence};
  return std::unique_ptr<FaceStage>(new FaceStage(std::move(*analyzer), match));
}

base::Status FaceStage::LoadReferences(catalog::Catalog& catalog) {
  auto refs = catalog.AllReferences();
  if (!refs.ok()) return refs.status();
  auto loaded = std::make_shared<std::vector<faces::Reference>>();
  for (auto& r : *refs) loaded->push_back({std::move(r.person), std::move(r.embedding)});
  std::lock_guard lock(mu_);
  references_ = std::move(loaded);
  return base::Status::Ok();
}

base::Result<std::vector<model::Face>> FaceStage::Analyze(const model::RgbImage& image, double to_full) const {
  auto found = analyzer_->Analyze(image);
  if (!found.ok()) return found.status();
  std::shared_ptr<const std::vector<faces::Reference>> refs;
  {
    std::lock_guard lock(mu_);
    refs = references_;
  }
  auto scale = [to_full](float v) { return static_cast<float>(v * to_full); };
  for (model::Face& f : *found) {
    f.match = faces::MatchFace(f.embedding, *refs, match_);
    f.box = {scale(f.box.x), scale(f.box.y), scale(f.box.width), scale(f.box.height)};
    for (model::Point& p : f.landmarks) p = {scale(p.x), scale(p.y)};
  }
  return found;
}

base::Result<model::Face> FaceStage::SingleFace(const model::RgbImage& image) const {
  auto found = analyzer_->Analyze(image);
  if (!found.ok()) return found.status();
  if (found->size() != 1) {
    return base::Status::InvalidArgument(
        fmt::format("a reference photo must show exactly one face; found {}", found->size()));
  }
  return found->front();
}

}  // namespace triage::pipeline
