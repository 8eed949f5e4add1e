// Ingest as jobs in the catalog's queue (catalog/job_queue.h): `ingest --queue` turns files into jobs, and any
// number of worker processes, on any host that mounts the library, claim them and run them through an Ingestor.
// A job whose worker died is claimed again; a retried job never doubles a file (see QueueWorker::RunBatch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/job_queue.h"
#include "config/config.h"
#include "pipeline/ingestor.h"

namespace triage::pipeline {

inline constexpr const char* kIngestJob = "ingest";

// What an ingest job carries: one file, how to take it, and under which source label.
struct IngestJob {
  std::filesystem::path path;  // absolute
  bool move = false;
  std::string source;
};
std::string IngestJobPayload(const IngestJob& job);
// kInvalidArgument naming what is wrong with the payload.
base::Result<IngestJob> ParseIngestJob(const std::string& payload);

struct EnqueueReport {
  std::vector<int64_t> job_ids;  // one per file, in file order
  std::vector<std::filesystem::path> files;
  std::vector<std::string> problems;  // paths that could not be listed, or were passed over, and why
};

// Lists `roots` as ingest would (folders recursively; the library's own folders, hidden names and symlinks are
// passed over and reported) and enqueues one job per file. Paths are made absolute, so a worker started anywhere
// finds them.
base::Result<EnqueueReport> EnqueueIngest(catalog::JobQueue& queue, const config::Config& config,
                                          const std::vector<std::filesystem::path>& roots, const IngestOptions& options,
                                          int64_t now);

struct WorkerOptions {
  std::string worker_id;            // "<host>:<pid>:<start>"
  std::string host;                 // base::HostName(): whose journal this worker's recovery settles
  std::filesystem::path state_dir;  // the library's .triage (where each host's journal is)
  int64_t pid = 0;
  int batch = 4;         // jobs claimed and ingested together (the ingestor analyses them in parallel)
  int64_t lease_s = 30;  // a worker silent this long is taken for dead and its jobs claimed again
  int poll_ms = 500;     // wait between claims when the queue is empty
  std::string actor = "worker";
  // Told when the catalog server cannot be reached between batches, and how long the worker waits before it tries
  // again (1 s, doubling up to 30 s).
  std::function<void(const base::Status&, int64_t wait_ms)> on_unavailable;
};

struct WorkerStats {
  int64_t done = 0;
  int64_t failed = 0;
  int64_t retried = 0;         // jobs claimed again after their earlier worker died
  int64_t already_placed = 0;  // retried jobs an earlier attempt had finished (nothing done twice)
  int64_t handed_back = 0;     // retried jobs sent back to the host whose open journal may hold their input
};

// Runs one job of a kind other than ingest (recompute, re-decide, analyse, re-cluster): returns a one-line summary
// for the worker's output, or why it failed. Must be idempotent: a job whose worker died is run again (after this
// host's journal was recovered).
using JobHandler = std::function<base::Result<std::string>(const catalog::Job&)>;

// What the worker reports per finished job: the job, and the error ("" when done).
using JobDoneFn = std::function<void(const catalog::Job&, const std::string& error, const std::string& placed_at)>;

// Opens another connection to the job queue (the heartbeat runs on a thread of its own).
using JobQueueOpener = std::function<base::Result<std::unique_ptr<catalog::JobQueue>>()>;

class QueueWorker {
 public:
  // `recover` finishes or rolls back the journal sessions of dead processes (commit::Recover); it runs before a
  // job that another worker had claimed is tried again, so that its input is back where it was, or placed.
  QueueWorker(catalog::JobQueue& queue, JobQueueOpener open_queue, catalog::Catalog& catalog, Ingestor& ingestor,
              std::function<base::Status()> recover, WorkerOptions options);

  // Runs jobs of `kind` with `handler` (app/ and cli/ wire the services). A job of a kind without a handler fails
  // with a message naming the kind.
  void Handle(const std::string& kind, JobHandler handler) { handlers_[kind] = std::move(handler); }

  // Claims and runs jobs until `stop()` is true (checked between batches and while waiting). A database error
  // ends the run with it; a failing job is recorded as failed and the run goes on.
  base::Result<WorkerStats> Run(const std::function<bool()>& stop, const JobDoneFn& on_done = nullptr);

 private:
  // Runs one claimed batch and finishes each of its jobs.
  base::Status RunBatch(const std::vector<catalog::Job>& jobs, WorkerStats& stats, const JobDoneFn& on_done);
  // For a retried job: where an earlier attempt placed its input, or "" when it did not.
  base::Result<std::string> PlacedBefore(const IngestJob& job);
  base::Status Finish(const catalog::Job& job, const std::string& error, const std::string& placed_at,
                      WorkerStats& stats, const JobDoneFn& on_done);
  // True when `job` was taken over from a dead worker of another host whose journal still holds sessions: its input
  // may sit in that host's staging, so the job goes back to that host (whose recovery settles it) and is done here.
  base::Result<bool> HandedBack(const catalog::Job& job, WorkerStats& stats);
  // Runs a job of a kind other than ingest through its handler and finishes it.
  base::Status RunOther(const catalog::Job& job, WorkerStats& stats, const JobDoneFn& on_done);

  catalog::JobQueue& queue_;
  JobQueueOpener open_queue_;
  catalog::Catalog& catalog_;
  Ingestor& ingestor_;
  std::function<base::Status()> recover_;
  WorkerOptions options_;
  // A connection of its own for the check, just before each group commit, that this worker still holds the job of
  // each input (the commit runs on the ingest's deciding thread).
  std::mutex fence_mu_;
  std::unique_ptr<catalog::JobQueue> fence_;
  std::map<std::string, JobHandler> handlers_;
};

}  // namespace triage::pipeline
