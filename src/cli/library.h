// An open library as the commands see it: config, catalog, journal session, committer, review service,
// and the face models (loaded on first use). Built by app/ (which picks the catalog backend).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/change_feed.h"
#include "catalog/face_store.h"
#include "catalog/gallery_store.h"
#include "catalog/proposal_store.h"
#include "catalog/table_transfer.h"
#include "catalog/user_store.h"
#include "commit/committer.h"
#include "commit/journal.h"
#include "config/config.h"
#include "config/config_store.h"
#include "faces/face_clustering.h"
#include "pipeline/face_stage.h"
#include "pipeline/ingestor.h"
#include "pipeline/queue_worker.h"
#include "review/people_service.h"
#include "review/person_service.h"
#include "review/proposal_service.h"
#include "review/review_service.h"
#include "review/undo_service.h"

namespace triage::cli {

// Opens the catalog's change feed (a connection and a thread of its own; `triage serve` only).
using ChangeFeedOpener = std::function<base::Result<std::unique_ptr<catalog::ChangeFeed>>()>;

struct Library {
  std::unique_ptr<config::ConfigStore> config_store;  // the one source of the config; read per command step
  std::shared_ptr<const config::Config> config() const { return config_store->Current(); }
  std::string model_dir;  // where the face models are
  std::string host;       // this host's name (base::HostName): its journal and staging folders
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::UserStore> users;       // web users and sessions (same database)
  std::unique_ptr<catalog::GalleryStore> gallery;  // gallery queries, bursts and duplicate groups (same database)
  std::unique_ptr<catalog::UndoStore> undo_store;  // undo tokens (same database)
  pipeline::JobQueueOpener open_jobs;              // job queue connections; empty on SQLite (ingest --queue, worker)
  ChangeFeedOpener open_changes;                   // the catalog's change feed (serve's live updates)
  std::unique_ptr<review::UndoService> undo;       // review and persons record tokens through it
  std::unique_ptr<catalog::ProposalStore> proposal_store;  // proposals, votes, flags, covers (same database)
  std::unique_ptr<commit::Journal> journal;
  std::unique_ptr<commit::Committer> committer;
  std::unique_ptr<review::ReviewService> review;
  std::unique_ptr<review::PersonService> persons;
  std::unique_ptr<catalog::FaceStore> face_store;  // faces, clusters, people actions (same database)
  std::unique_ptr<review::ProposalService> proposals;
  std::unique_ptr<pipeline::FaceStage> faces;         // null until LoadFaces (or when faces are off)
  std::unique_ptr<faces::FaceClustering> clustering;  // null until LoadClustering
  std::unique_ptr<review::PeopleService> people;      // null until LoadClustering
  commit::RecoveryReport recovered;                   // what recovery did when the library was opened
  std::jthread reference_follower;                    // FollowReferences' thread; stopped first on destruction

  // Loads the face models and the enrolled references when analysis.faces is on. Idempotent.
  base::Status LoadFaces();
  // For long-running commands (serve, watch, worker): every `every`, reloads the face references when the persons or
  // their reference counts changed through another process (`triage person add` while the server runs), so that the
  // matcher knows them without a restart; changes made through this process reload at once anyway. A reference
  // replaced by another of the same person within one interval goes unseen until the next change or start. No-op
  // without faces. Stops with the library.
  void FollowReferences(std::chrono::milliseconds every);
  // Opens the face clusters (index from .triage/faces.hnsw, rebuilt when stale) and the people service. Idempotent.
  base::Status LoadClustering();
  // An ingestor over this library (with faces when loaded; clustering each committed photo when
  // face_clustering.enabled).
  std::unique_ptr<pipeline::Ingestor> MakeIngestor();
  ~Library();

 private:
  // Reloads the references into `faces` and notes the persons' signature they were loaded at; a failure keeps the
  // previous references (the next change or start tries again). `announce` logs the reload (another process's change).
  void ReloadReferences(bool announce);

  std::mutex references_mu_;
  // Each person (id, name) with their number of references, as read just before the last load; guarded by
  // references_mu_.
  std::vector<std::tuple<int64_t, std::string, int>> references_seen_;
};

// How often long-running commands look for persons enrolled through another process (Library::FollowReferences).
inline constexpr std::chrono::milliseconds kFollowReferencesEvery{2000};

// Opens the library at `root` (runs recovery first) on the catalog at `catalog_url`, or the one triage.json names
// (catalog.url) when that is empty. Provided by app/.
using LibraryOpener = std::function<base::Result<std::unique_ptr<Library>>(const std::filesystem::path& root,
                                                                           const std::string& catalog_url)>;

// A catalog and the user store in the same database. `users` refers to `catalog`: destroy it first (member order).
struct CatalogStores {
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::UserStore> users;
  catalog::TableTransfer* tables = nullptr;           // the same database's tables (db copy); owned by `catalog`
  std::unique_ptr<catalog::ProposalStore> proposals;  // these four refer to `catalog` too
  std::unique_ptr<catalog::UndoStore> undo;
  std::unique_ptr<catalog::GalleryStore> gallery;
  std::unique_ptr<catalog::FaceStore> faces;
  pipeline::JobQueueOpener open_jobs;  // the job queue; empty on SQLite (PostgreSQL only)
  ChangeFeedOpener open_changes;       // the change feed of the same database
};

// Opens (creating and migrating) the catalog at a URL (config::CatalogOptions); "sqlite:" means the default file
// of the library at `root`. Provided by app/, the only code that names a backend.
using CatalogOpener =
    std::function<base::Result<CatalogStores>(const std::string& url, const std::filesystem::path& root)>;

// The clustering rules of a config.
faces::ClusterRules ClusterRulesOf(const config::Config& config);

// What app/ hands the command line.
struct Openers {
  LibraryOpener library;
  CatalogOpener catalog;
};

// Runs the command line; returns the process exit code (see README "Exit codes").
int RunCli(int argc, char** argv, const Openers& openers);

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitPartial = 1;   // some inputs failed; the rest went through
inline constexpr int kExitUsage = 2;     // bad arguments or configuration
inline constexpr int kExitNotFound = 3;  // no such library, item or person
inline constexpr int kExitFailure = 4;   // I/O or catalog failure
inline constexpr int kExitConflict = 5;  // refused: conflicts with the current state (Code::kConflict); nothing changed

// Maps a Status to an exit code.
int ExitCodeFor(const base::Status& status);

}  // namespace triage::cli
