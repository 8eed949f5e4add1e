// The open library's lazily loaded parts.
#include "cli/library.h"

namespace triage::cli {

Library::~Library() {
  // Order matters: the review service and committer use the journal and catalog.
  review.reset();
  committer.reset();
  journal.reset();
  faces.reset();
  users.reset();
  catalog.reset();
}

base::Status Library::LoadFaces() {
  if (faces || !config.analysis.faces) return base::Status::Ok();
  auto stage = pipeline::FaceStage::Open(config, model_dir);
  if (!stage.ok()) {
    return stage.status().WithContext(
        "loading face models (run `make` to install them, or set analysis.faces to false in triage.json)");
  }
  TRIAGE_RETURN_IF_ERROR((*stage)->LoadReferences(*catalog));
  faces = std::move(*stage);
  // Faces learnt from approvals count at once in long-running commands (serve, watch).
  review->OnReferencesChanged([this] { faces->LoadReferences(*catalog); });
  return base::Status::Ok();
}

std::unique_ptr<pipeline::Ingestor> Library::MakeIngestor() {
  return std::make_unique<pipeline::Ingestor>(config, *catalog, *committer, faces.get());
}

}  // namespace triage::cli
