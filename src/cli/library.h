// An open library as the commands see it: config, catalog, journal session, committer, review service,
// and the face models (loaded on first use). Built by app/ (which picks the catalog backend).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/face_store.h"
#include "catalog/user_store.h"
#include "commit/committer.h"
#include "commit/journal.h"
#include "config/config.h"
#include "config/config_store.h"
#include "faces/face_clustering.h"
#include "pipeline/face_stage.h"
#include "pipeline/ingestor.h"
#include "review/people_service.h"
#include "review/person_service.h"
#include "review/review_service.h"

namespace triage::cli {

struct Library {
  std::unique_ptr<config::ConfigStore> config_store;  // the one source of the config; read per command step
  std::shared_ptr<const config::Config> config() const { return config_store->Current(); }
  std::string model_dir;                             // where the face models are
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::UserStore> users;        // web users and sessions (same database)
  std::unique_ptr<commit::Journal> journal;
  std::unique_ptr<commit::Committer> committer;
  std::unique_ptr<review::ReviewService> review;
  std::unique_ptr<review::PersonService> persons;
  std::unique_ptr<catalog::FaceStore> face_store;    // faces, clusters, people actions (same database)
  std::unique_ptr<pipeline::FaceStage> faces;        // null until LoadFaces (or when faces are off)
  std::unique_ptr<faces::FaceClustering> clustering; // null until LoadClustering
  std::unique_ptr<review::PeopleService> people;     // null until LoadClustering
  commit::RecoveryReport recovered;                  // what recovery did when the library was opened

  // Loads the face models and the enrolled references when analysis.faces is on. Idempotent.
  base::Status LoadFaces();
  // Opens the face clusters (index from .triage/faces.hnsw, rebuilt when stale) and the people service. Idempotent.
  base::Status LoadClustering();
  // An ingestor over this library (with faces when loaded; clustering each committed photo when
  // face_clustering.enabled).
  std::unique_ptr<pipeline::Ingestor> MakeIngestor();
  ~Library();
};

// The clustering rules of a config.
faces::ClusterRules ClusterRulesOf(const config::Config& config);

// Opens the library at `root` (runs recovery first). Provided by app/.
using LibraryOpener = std::function<base::Result<std::unique_ptr<Library>>(const std::filesystem::path& root)>;

// Runs the command line; returns the process exit code (see README "Exit codes").
int RunCli(int argc, char** argv, const LibraryOpener& open_library);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitPartial = 1;      // some inputs failed; the rest went through
inline constexpr int kExitUsage = 2;        // bad arguments or configuration
inline constexpr int kExitNotFound = 3;     // no such library, item or person
inline constexpr int kExitFailure = 4;      // I/O or catalog failure

// Maps a Status to an exit code.
int ExitCodeFor(const base::Status& status);

}  // namespace triage::cli
