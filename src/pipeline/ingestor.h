// The intake pipeline: stage -> fingerprint -> analyse -> decide -> commit, for files, URLs and uploads.
// Decoding and analysis run in parallel (oneTBB parallel_pipeline, bounded in flight); deduplication,
// deciding and committing run in input order so that in-batch duplicates are found deterministically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "commit/committer.h"
#include "config/config.h"
#include "config/config_store.h"
#include "model/decision.h"

namespace triage::pipeline {

namespace fs = std::filesystem;

class FaceStage;  // faces + matching against enrolled references (pipeline/face_stage.h)

// One input as the first stage sees it.
struct Input {
  enum class Kind { kFile, kUrl, kStaged, kFetched };
  Kind kind = Kind::kFile;
  fs::path path;                // kFile: the input; kStaged, kFetched: the file in staging
  std::string url;              // kUrl, kFetched
  std::string name;             // file name to keep
  std::string source;           // source label
  bool move = false;            // kFile: move instead of copy
  std::string Display() const;  // path or URL
};

struct IngestOptions {
  bool move = false;   // move inputs instead of copying (the inbox always moves)
  std::string source;  // source label; default: the input folder's name, or the URL's host
  std::string actor = "system";
};

// What happened to one input.
struct ItemOutcome {
  std::string input;  // path or URL as given
  bool ok = false;    // placed in the library or review
  int64_t item_id = 0;
  std::string path;  // where it went, relative to the library
  model::Decision decision;
  base::Status error;   // why it was not placed (download failed, I/O error, catalog unavailable), with its
                        // code; the input is left where it was
  std::string skipped;  // set when the input was passed over on purpose, and why ("hidden (...)"); not a
                        // failure, and not counted in `total`
};

struct IngestSummary {
  int total = 0;
  int to_library = 0;
  int to_review = 0;
  int failed = 0;
  int skipped = 0;  // inputs passed over on purpose (hidden names, symlinks, ...), each in `items`
  std::map<std::string, int> by_category;
  std::map<std::string, int> by_person;
  std::vector<ItemOutcome> items;
  double seconds = 0;
};

// A URL that FetchUrl downloaded into staging, not yet ingested.
struct FetchedUrl {
  std::string url;   // as requested
  fs::path staged;   // the downloaded file, in the staging folder
  std::string host;  // the final URL's host (the default source label)
};

// Downloads `url` into `staging_dir` with the library's limits and URL guard (source::DownloadUrl). Thread-safe
// and independent of any Ingestor, so that the server downloads without holding its ingest lock: a slow remote
// server must not stall uploads. On failure nothing is left in staging_dir.
base::Result<FetchedUrl> FetchUrl(const std::string& url, const config::DownloadLimits& limits,
                                  const fs::path& staging_dir);

// Called after each input with (done, total, outcome); from the committing thread.
using ProgressFn = std::function<void(int, int, const ItemOutcome&)>;

// The analyse stage (AnalyseStaged by default; tests substitute one that fails). Runs on several threads at once.
// `bytes`: the staged file's contents when intake read them whole (for the hash and the copy), else null.
using AnalyseFn = std::function<void(const fs::path& staged, const std::string* bytes, const config::Config& config,
                                     const FaceStage* faces, model::Analysis& analysis)>;

// Called with each committed item's id (that has faces), under the library's ingest lock, from the committing thread.
// A failure is reported as a warning; the item stays placed.
using AfterCommitFn = std::function<base::Status(int64_t item_id)>;
// Asked for each input of a group just before the group commit: false passes the input over (its staged copy
// discarded, a moved input put back where it was; reported as skipped with the reason given).
using BeforeCommitFn = std::function<bool(const Input& input, std::string* why)>;

// Not thread-safe: one ingest at a time per Ingestor (the server serialises uploads through one). Several
// Ingestors, in one process or many, may work on one library at once: the duplicate lookup, the decision and the
// commit of each item run under a library-wide lock (.triage/ingest.lock), with the near-duplicate index brought
// up to date from the catalog first, so that two processes never both file the same picture as new.
// Each batch reads the config once (a snapshot): a change saved meanwhile applies from the next batch on.
class Ingestor {
 public:
  // `faces` may be null (face analysis off): images then lack a person and go to review.
  Ingestor(config::ConfigStore& config, catalog::Catalog& catalog, commit::Committer& committer, FaceStage* faces,
           AnalyseFn analyse = nullptr);
  ~Ingestor();

  // Files and folders (recursive). Never throws away an input: failures stay where they were.
  base::Result<IngestSummary> IngestPaths(const std::vector<fs::path>& paths, const IngestOptions& options,
                                          const ProgressFn& progress = nullptr);
  // http/https URLs, downloaded with the library's limits; failures are reported per URL.
  base::Result<IngestSummary> IngestUrls(const std::vector<std::string>& urls, const IngestOptions& options,
                                         const ProgressFn& progress = nullptr);
  // A file already written into the staging folder (an upload), with its original name. The ingestor owns it
  // from then on: placed, or discarded when it cannot be.
  ItemOutcome IngestStaged(const fs::path& staged, const std::string& original_name, const IngestOptions& options);

  // A URL FetchUrl left in staging. As with IngestStaged, the ingestor owns the file from then on.
  ItemOutcome IngestFetched(const FetchedUrl& fetched, const IngestOptions& options);

  // Face clustering of each committed photo (app/ wires faces::FaceClustering here).
  void SetAfterCommit(AfterCommitFn after_commit);
  // A last check of each input before it is committed (a queue worker's "do I still hold this job?"); none by default.
  void SetBeforeCommit(BeforeCommitFn before_commit);

  // Analyses and decides `file` without moving or recording anything (`triage explain FILE`).
  base::Result<model::Decision> DryRun(const fs::path& file, model::Analysis& analysis);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace triage::pipeline
