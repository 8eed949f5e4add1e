// The open library's lazily loaded parts.
#include "cli/library.h"

#include <fmt/format.h>

#include "base/clock.h"

namespace triage::cli {

Library::~Library() {
  // Order matters: the review service and committer use the journal and catalog.
  people.reset();
  if (clustering) {
    if (base::Status st = clustering->Save(); !st.ok()) {
      fmt::print(stderr, "triage: warning: saving the face index: {} (it is rebuilt at the next start)\n",
                 st.message());
    }
  }
  clustering.reset();
  persons.reset();
  proposals.reset();
  review.reset();
  undo.reset();
  undo_store.reset();
  committer.reset();
  journal.reset();
  faces.reset();
  face_store.reset();
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

faces::ClusterRules ClusterRulesOf(const config::Config& config) {
  faces::ClusterRules rules;
  rules.cluster_distance = config.face_clustering.cluster_distance;
  rules.min_faces = config.face_clustering.min_faces;
  rules.min_face_size_px = config.face_clustering.min_face_size_px;
  rules.min_detection_score = config.face_clustering.min_detection_score;
  rules.match_distance = config.policy.match_distance;
  return rules;
}

base::Status Library::LoadClustering() {
  if (clustering) return base::Status::Ok();
  auto current = config();
  auto opened = faces::FaceClustering::Open(*face_store, current->StateDir() / "faces.hnsw", ClusterRulesOf(*current),
                                            base::UnixNow());
  if (!opened.ok()) return opened.status().WithContext("opening the face clusters");
  clustering = std::move(*opened);
  people = std::make_unique<review::PeopleService>(*config_store, *catalog, *face_store, *clustering, *committer);
  review->AssignFacesThrough(*people);  // faces named in review join their person's cluster
  people->OnReferencesChanged([this] {
    if (!faces) return;
    if (base::Status st = faces->LoadReferences(*catalog); !st.ok()) {
      fmt::print(stderr, "triage: warning: reloading face references: {}\n", st.message());
    }
  });
  return base::Status::Ok();
}

std::unique_ptr<pipeline::Ingestor> Library::MakeIngestor() {
  auto ingestor = std::make_unique<pipeline::Ingestor>(*config_store, *catalog, *committer, faces.get());
  auto current = config();
  if (faces && current->face_clustering.enabled) {
    if (base::Status st = LoadClustering(); !st.ok()) {
      fmt::print(stderr, "triage: warning: {}; photos are ingested without clustering\n", st.message());
    } else {
      ingestor->SetAfterCommit([this](int64_t item_id) { return clustering->AddItem(item_id, base::UnixNow()); });
    }
  }
  return ingestor;
}

}  // namespace triage::cli
