// Face analysis and distances to the enrolled references for the pipeline.
#include "pipeline/face_stage.h"

#include <fmt/format.h>

namespace triage::pipeline {
namespace {

faces::FaceOptions OptionsFor(const config::Config& config, const std::string& model_dir) {
  faces::FaceOptions options;
  options.model_dir = model_dir;
  options.min_face_size_px = config.analysis.min_face_size_px;
  options.min_detection_score = config.analysis.min_detection_confidence;
  options.min_face_fraction = config.analysis.min_face_fraction;
  options.detector = config.analysis.detector;
  return options;
}

// A face upside down (a photo turned by 180 degrees, its orientation lost) is found weakly and described wrongly: as
// a reference, Obama's portrait upside down (found at 0.66, 0.96 upright) drew the photos of six other people to its
// name. The same photo the other way up shows such a face more surely, by this much at least (a close portrait of
// Tom Cruise: 0.79 upside down, 0.87 upright).
constexpr float kUpsideDownMargin = 0.03f;

bool SameDetection(const faces::FaceOptions& a, const faces::FaceOptions& b) {
  return a.detector == b.detector && a.min_face_size_px == b.min_face_size_px &&
         a.min_face_fraction == b.min_face_fraction && a.min_detection_score == b.min_detection_score;
}

}  // namespace

base::Result<std::unique_ptr<FaceStage>> FaceStage::Open(const config::Config& config, const std::string& model_dir) {
  faces::FaceOptions options = OptionsFor(config, model_dir);
  auto analyzer = faces::FaceAnalyzer::Open(options);
  if (!analyzer.ok()) return analyzer.status();
  return std::unique_ptr<FaceStage>(new FaceStage(model_dir, std::move(options), std::move(*analyzer)));
}

base::Result<std::shared_ptr<const faces::FaceAnalyzer>> FaceStage::AnalyzerFor(const config::Config& config) const {
  faces::FaceOptions wanted = OptionsFor(config, model_dir_);
  std::lock_guard lock(mu_);
  if (!SameDetection(wanted, options_)) {
    auto rebuilt = analyzer_->WithDetection(wanted);
    if (!rebuilt.ok()) return rebuilt.status().WithContext("applying the new detector settings");
    analyzer_ = std::move(*rebuilt);
    options_ = std::move(wanted);
  }
  return analyzer_;
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

base::Result<std::vector<model::Face>> FaceStage::Analyze(const model::RgbImage& image, double to_full,
                                                          const config::Config& config) const {
  auto analyzer = AnalyzerFor(config);
  if (!analyzer.ok()) return analyzer.status();
  auto found = (*analyzer)->Analyze(image);
  if (!found.ok()) return found.status();
  std::shared_ptr<const std::vector<faces::Reference>> refs;
  {
    std::lock_guard lock(mu_);
    refs = references_;
  }
  for (model::Face& f : *found) f.match = faces::NearestPersons(f.embedding, *refs);
  model::ScaleFaces(*found, to_full);
  return found;
}

base::Result<model::Face> FaceStage::SingleFace(const model::RgbImage& image, const config::Config& config) const {
  auto analyzer = AnalyzerFor(config);
  if (!analyzer.ok()) return analyzer.status();
  auto found = (*analyzer)->Analyze(image);
  if (!found.ok()) return found.status();
  if (found->size() != 1) {
    return base::Status::InvalidArgument(
        fmt::format("a reference photo must show exactly one face; found {}", found->size()));
  }
  auto turned = (*analyzer)->BestScoreTurnedHalfWay(image);
  if (!turned.ok()) return turned.status();
  if (*turned >= found->front().detection_score + kUpsideDownMargin) {
    return base::Status::InvalidArgument(
        fmt::format("the face of a reference photo looks upside down (found at {:.2f}; turned by 180 degrees, a face "
                    "at {:.2f}): turn the photo upright and add it again",
                    found->front().detection_score, *turned));
  }
  return found->front();
}

std::string FaceStage::detector_name() const {
  std::lock_guard lock(mu_);
  return analyzer_->detector_name();
}

}  // namespace triage::pipeline
