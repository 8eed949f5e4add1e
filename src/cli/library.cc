// The open library's lazily loaded parts.
#include "cli/library.h"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <tuple>

#include "base/clock.h"
#include "base/text.h"

namespace triage::cli {

Library::~Library() {
  if (reference_follower.joinable()) {
    reference_follower.request_stop();
    reference_follower.join();
  }
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

namespace {

// What tells that the enrolled references changed: each person (id, name) with their number of references (the type
// of Library::references_seen_).
using PersonsSignature = std::vector<std::tuple<int64_t, std::string, int>>;

base::Result<PersonsSignature> SignatureOf(catalog::Catalog& catalog) {
  auto persons = catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  PersonsSignature out;
  for (const model::PersonRecord& p : *persons) out.emplace_back(p.id, p.name, p.references);
  return out;
}

}  // namespace

base::Status Library::LoadFaces() {
  auto current = config();
  if (faces || !current->analysis.faces) return base::Status::Ok();
  auto stage = pipeline::FaceStage::Open(*current, model_dir);
  if (!stage.ok()) {
    return stage.status().WithContext(
        "loading face models (run `make` to install them, or set analysis.faces to false in triage.json)");
  }
  auto signature = SignatureOf(*catalog);  // read before the references: a change in between is seen next time
  TRIAGE_RETURN_IF_ERROR((*stage)->LoadReferences(*catalog));
  faces = std::move(*stage);
  if (signature.ok()) {
    std::lock_guard lock(references_mu_);
    references_seen_ = std::move(*signature);
  }
  // Faces learnt from approvals count at once in long-running commands (serve, watch).
  review->OnReferencesChanged([this] { ReloadReferences(false); });
  persons->OnReferencesChanged([this] { ReloadReferences(false); });
  return base::Status::Ok();
}

void Library::ReloadReferences(bool announce) {
  auto signature = SignatureOf(*catalog);  // read before the references, as in LoadFaces
  // A failed reload keeps the previous references; the next change or start tries again.
  if (base::Status st = faces->LoadReferences(*catalog); !st.ok()) {
    fmt::print(stderr, "triage: warning: reloading face references: {}\n", st.message());
    return;
  }
  if (!signature.ok()) return;
  if (announce) {
    int references = 0;
    for (const auto& person : *signature) references += std::get<2>(person);
    fmt::print(stderr, "triage: the enrolled persons changed: {} of {} reloaded\n",
               base::Counted(references, "reference face"), base::Counted(signature->size(), "person"));
  }
  std::lock_guard lock(references_mu_);
  references_seen_ = std::move(*signature);
}

void Library::FollowReferences(std::chrono::milliseconds every) {
  if (!faces || reference_follower.joinable()) return;
  reference_follower = std::jthread([this, every](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any wake;
    while (true) {
      {
        std::unique_lock lock(mu);
        if (wake.wait_for(lock, stop, every, [] { return false; }) || stop.stop_requested()) return;
      }
      auto now = SignatureOf(*catalog);
      if (!now.ok()) continue;  // an unreadable catalog is tried again next time
      {
        std::lock_guard lock(references_mu_);
        if (*now == references_seen_) continue;  // unchanged, or reloaded already by this process's own change
      }
      ReloadReferences(true);
    }
  });
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
    if (faces) ReloadReferences(false);
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
