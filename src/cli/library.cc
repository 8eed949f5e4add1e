// The open library's lazily loaded parts.
#include "cli/library.h"

#include <fmt/format.h>

namespace triage::cli {

Library::~Library() {
  // Order matters: the review service and committer use the journal and catalog.
  persons.reset();
  proposals.reset();
  review.reset();
  undo.reset();
  undo_store.reset();
  committer.reset();
  journal.reset();
  faces.reset();
  users.reset();
  gallery.reset();
  proposal_store.reset();
  catalog.reset();
}

base::Status Library::LoadFaces() {
  auto current = config();
  if (faces || !current->analysis.faces) return base::Status::Ok();
  auto stage = pipeline::FaceStage::Open(*current, model_dir);
  if (!stage.ok()) {
    return stage.status().WithContext(
        "loading face models (run `make` to install them, or set analysis.faces to false in triage.json)");
  }
  TRIAGE_RETURN_IF_ERROR((*stage)->LoadReferences(*catalog));
  faces = std::move(*stage);
  // Faces learnt from approvals count at once in long-running commands (serve, watch).
  auto reload = [this] {
    // A failed reload keeps the previous references; the next approval or start tries again.
    if (base::Status st = faces->LoadReferences(*catalog); !st.ok()) {
      fmt::print(stderr, "triage: warning: reloading face references: {}\n", st.message());
    }
  };
  review->OnReferencesChanged(reload);
  persons->OnReferencesChanged(reload);
  return base::Status::Ok();
}

std::unique_ptr<pipeline::Ingestor> Library::MakeIngestor() {
  return std::make_unique<pipeline::Ingestor>(*config_store, *catalog, *committer, faces.get());
}

}  // namespace triage::cli
