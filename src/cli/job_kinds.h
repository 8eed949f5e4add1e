// The jobs beyond ingest (recompute, re-decide, analyse, re-cluster), each one function shared by the command that
// does it here and now and by `triage worker`, which runs it from the queue; and the library-wide leases that keep
// two hosts from running purge or a full re-cluster at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/files.h"
#include "cli/commands.h"
#include "cli/library.h"
#include "faces/face_clustering.h"
#include "quality/group_service.h"
#include "quality/recompute.h"
#include "review/policy_service.h"

namespace triage::cli {

inline constexpr const char* kRecomputeJob = "recompute";
inline constexpr const char* kRedecideJob = "re-decide";
inline constexpr const char* kAnalyseJob = "analyse";
inline constexpr const char* kReclusterJob = "re-cluster";

// A library-wide lease, held until destroyed: on PostgreSQL an advisory lock in the database (excludes every host;
// ends with the holder's connection), on SQLite a lock file .triage/leases/<name>.lock (every process of the one
// host that uses the library; ends with the holder). Not thread-safe.
class LibraryLease {
 public:
  LibraryLease(std::unique_ptr<catalog::JobQueue> queue, std::optional<base::FileLock> file)
      : queue_(std::move(queue)), file_(std::move(file)) {}

 private:
  std::unique_ptr<catalog::JobQueue> queue_;
  std::optional<base::FileLock> file_;
};

// Takes lease `name` ("purge", "recluster") for `actor`. kConflict naming who holds it (actor, host, pid) when taken.
base::Result<std::unique_ptr<LibraryLease>> TakeLibraryLease(Library& lib, const std::string& name,
                                                             const std::string& actor);

struct RecomputeOutcome {
  quality::RecomputeReport report;
  quality::GroupRefresh groups;
};
// Quality scores again from the stored measures, then every burst and duplicate group chooses its lead again;
// audited "recompute". Idempotent.
base::Result<RecomputeOutcome> RecomputeLibrary(Library& lib, const std::string& actor);
// Re-decides what waits in review under the current policy and moves it (journaled; audited "apply-policy" per
// item). A retry re-decides only what is still misplaced.
base::Result<review::ApplyReport> RedecideLibrary(Library& lib, const std::string& actor);
// Analyses item `item_id`'s file again (pipeline::Reanalyse, with faces when analysis.faces is on); audited.
base::Result<model::StoredAnalysis> AnalyseItem(Library& lib, int64_t item_id, const std::string& actor);
// Clusters every face again under the lease "recluster"; audited. kUnavailable where face clusters are not stored.
base::Result<faces::ReclusterReport> ReclusterLibrary(Library& lib, const std::string& actor);

// Wires the four kinds into a worker over `lib`.
void AddJobHandlers(pipeline::QueueWorker& worker, Library& lib, const std::string& actor);

// `<command> --queue`: enqueues one job of `kind` per payload and prints the job ids ({"queued", "job_ids"}).
int EnqueueJobs(CommandContext& ctx, const std::string& kind, const std::vector<std::string>& payloads);
// The payload of an analyse job, and its item id back (kInvalidArgument naming the payload).
std::string AnalysePayload(int64_t item_id);
base::Result<int64_t> ParseAnalysePayload(const std::string& payload);

}  // namespace triage::cli
