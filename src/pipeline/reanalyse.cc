// Re-analysis of one item's file in place.
#include "pipeline/reanalyse.h"

#include <fmt/format.h>

#include <filesystem>

#include "base/text.h"
#include "decide/decide.h"
#include "pipeline/analyse.h"
#include "quality/reference_store.h"
#include "quality/score.h"

namespace triage::pipeline {

base::Result<model::StoredAnalysis> Reanalyse(catalog::Catalog& catalog, const config::Config& config,
                                              const FaceStage* faces, int64_t item_id, const std::string& actor,
                                              int64_t now) {
  auto item = catalog.GetItem(item_id);
  if (!item.ok()) return item.status();
  auto stored = catalog.GetAnalysis(item_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return base::Status::InvalidArgument(
        fmt::format("item {} was stored before analyses were kept: there is no analysis to replace", item_id));
  }
  const std::filesystem::path file = config.library / item->path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return base::Status::NotFound(fmt::format("item {}: its file {} is missing", item_id, file.string()));
  }
  model::StoredAnalysis fresh = **stored;
  model::Analysis analysis;
  AnalyseStaged(file, config, faces, analysis);
  // Scored as ingest scores: under the rules in force and the reference `recompute` keeps.
  auto reference = quality::LoadReference(config.StateDir());
  analysis.quality = quality::Score(analysis.metrics, analysis.info, config.quality,
                                    reference.ok() ? *reference : model::QualityReference());
  analysis.fingerprint.sha256 = fresh.analysis.fingerprint.sha256;  // the bytes are the ones it was decided on
  analysis.fingerprint.size_bytes = fresh.analysis.fingerprint.size_bytes;
  // The item's own facts follow (its size, hashes and signature were those of an unreadable file's zeros, or of
  // rules since changed), and faces found for a photo that had none are stored, judged as ingest judges them.
  std::vector<model::Face> found = analysis.faces;
  for (model::Face& f : found) f.match.kind = decide::ClassifyMatch(f.match, config.policy);
  fresh.analysis = std::move(analysis);
  fresh.version = model::StoredAnalysis::kVersion;
  TRIAGE_RETURN_IF_ERROR(catalog.UpdateAnalyses({{item_id, fresh, std::move(found)}}));
  const std::string place = item->category.empty() ? item->location : item->location + "/" + item->category;
  const std::string what =
      fresh.analysis.readable
          ? fmt::format("analysed again: {}, quality {:.2f}", base::Counted(fresh.analysis.faces.size(), "face"),
                        fresh.analysis.quality.aggregate)
          : fmt::format("analysed again: unreadable ({})", fresh.analysis.unreadable_reason);
  TRIAGE_RETURN_IF_ERROR(catalog.AddAudit({0, now, actor, item_id, "analyse", place, place, what}));
  return fresh;
}

}  // namespace triage::pipeline
