// Work as rows in the catalog's database: any number of worker processes, on any number of hosts, claim jobs one at
// a time, heartbeat while they work, and a job whose worker stopped heart-beating is claimed again by another.
// Library-wide operations (purge, full re-cluster) take a lease first, so that only one host runs each at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::catalog {

struct Job {
  int64_t id = 0;
  std::string kind;             // "ingest", ...
  std::string payload;          // what the kind needs (for ingest: the input path)
  int attempts = 0;             // claims so far, this one included
  std::string previous_worker;  // who held it before this claim (a worker taken for dead); "" when nobody
};

// The host part of a worker id ("<host>:<pid>:<start>").
inline std::string HostOfWorker(const std::string& worker_id) { return worker_id.substr(0, worker_id.find(':')); }

struct WorkerRecord {
  std::string id;  // unique per process: "<host>:<pid>:<start>"
  std::string host;
  int64_t pid = 0;
  int64_t started_at = 0;  // unix seconds
  int64_t heartbeat_at = 0;
  std::optional<int64_t> job_id;  // the (oldest) job it holds, if any
  std::string job_kind;
  int64_t jobs_held = 0;  // running jobs it holds (a worker claims a batch)
  int64_t lease_s = 0;    // how long a heartbeat of its own stays good (its --lease); 0: not recorded
};

struct JobCounts {
  int64_t queued = 0;
  int64_t running = 0;
  int64_t done = 0;
  int64_t failed = 0;
};

// One line of the job log: every claim and every end, for audits ("no job lost or done twice").
struct JobEvent {
  int64_t job_id = 0;
  std::string worker;
  std::string event;  // "claimed", "done", "failed", "handed back"
  int64_t at = 0;
};

// Thread-safety: one object per thread (each holds its own connection); any number of objects and processes may
// share the database.
class JobQueue {
 public:
  virtual ~JobQueue() = default;
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Adds a queued job; returns its id. A job of the same kind and payload that is still queued or running is not
  // added twice: its id is returned instead.
  virtual base::Result<int64_t> Enqueue(const std::string& kind, const std::string& payload, int64_t now) = 0;
  // Registers the worker or refreshes its heartbeat (`now`, unix seconds) and its lease (`worker.lease_s`).
  virtual base::Status Heartbeat(const WorkerRecord& worker, int64_t now) = 0;
  // A worker stopping cleanly: no longer listed among the live (the jobs it holds, none normally, stay its own until
  // its lease lapses).
  virtual base::Status Leave(const std::string& worker_id) = 0;
  // Claims the oldest job that is queued, or running under a worker whose last heartbeat is older than that worker's
  // own lease (the lease it claimed the job with; `lease_s`, this claimer's, for a job claimed before leases were
  // recorded): that worker is taken for dead. A claimer with a short lease never takes a job from a live worker
  // with a long one. The job is claimed with `lease_s`. Jobs handed back to another host than `host` are left out.
  // Never hands one job to two live claimers. nullopt when none (also, rarely, when another claimer took the one
  // job this call reached: poll again).
  virtual base::Result<std::optional<Job>> Claim(const std::string& worker_id, const std::string& host, int64_t now,
                                                 int64_t lease_s) = 0;
  // Puts a job this worker holds back in the queue for workers of `host` alone (logged "handed back"): its earlier
  // worker ran there and may have left its input in that host's journal, which only that host recovers. kConflict
  // when the job is no longer this worker's.
  virtual base::Status HandBack(int64_t job_id, const std::string& worker_id, const std::string& host, int64_t now) = 0;
  // Lets any host claim the queued jobs handed back to `host` (after `triage recover --host` settled its journal
  // from elsewhere). Returns how many.
  virtual base::Result<int64_t> ReleaseHost(const std::string& host) = 0;
  // Ends a job this worker holds: done when `error` is empty, else failed with it. kConflict when the job is no
  // longer this worker's (it was taken over after the worker's heartbeat lapsed); nothing changes then.
  virtual base::Status Finish(int64_t job_id, const std::string& worker_id, const std::string& error, int64_t now) = 0;
  // Whether `worker_id` still holds job `job_id` (running, not taken over by another after its lease lapsed).
  virtual base::Result<bool> Holds(int64_t job_id, const std::string& worker_id) = 0;
  virtual base::Result<JobCounts> Counts() = 0;
  // Workers whose heartbeat is within their own lease of `now` (`lease_s` for one that recorded none), with the job
  // each holds.
  virtual base::Result<std::vector<WorkerRecord>> LiveWorkers(int64_t now, int64_t lease_s) = 0;
  // The log of a job (every job when `job_id` is 0), oldest first.
  virtual base::Result<std::vector<JobEvent>> Log(int64_t job_id) = 0;
  // Takes the library-wide lease `name` for this object's lifetime (or until ReleaseLease), recorded as held by
  // `holder` (who and where: "purge by cli:ada on web.lan, pid 4711"). kConflict naming the holder when another
  // process holds it. A process that dies loses its leases with its connection.
  virtual base::Status TakeLease(const std::string& name, const std::string& holder) = 0;
  virtual base::Status ReleaseLease(const std::string& name) = 0;

 protected:
  JobQueue() = default;
};

}  // namespace triage::catalog
