// Jobs claimed with SELECT ... FOR UPDATE SKIP LOCKED, heartbeats, take-over of a dead worker's job, leases.
#include "catalog/postgres/pg_job_queue.h"

#include <fmt/format.h>

namespace triage::catalog::postgres {
namespace {

constexpr const char* kHasJobs = "SELECT to_regclass('jobs') IS NOT NULL";

// A job equal to one still queued or running is that job (the inbox's start-up scan, a command run twice).
constexpr const char* kEnqueue =
    "WITH open AS (SELECT id FROM jobs WHERE kind = $1 AND md5(payload) = md5($2) AND payload = $2 "
    "  AND state IN ('queued', 'running') LIMIT 1), "
    "added AS (INSERT INTO jobs (kind, payload, created_at) SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM open) "
    "RETURNING id) "
    "SELECT id FROM added UNION ALL SELECT id FROM open";

constexpr const char* kHeartbeat =
    "INSERT INTO workers (id, host, pid, started_at, heartbeat_at, lease_s) VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, lease_s = EXCLUDED.lease_s";

constexpr const char* kLeave = "DELETE FROM workers WHERE id = $1";

// A running job carries its worker's last heartbeat. Claimers skip rows another claimer has locked instead of waiting
// for them, so they never queue behind each other; a row that changed while being reached is checked again against
// its new version. That check sees only the job's own row, so the heartbeat lives there and not only in `workers`
// (a joined row would be checked as it was when the statement began). So does the lease its worker claimed it with:
// a worker is dead when its own lease has lapsed, not the claimer's (a claimer with --lease 2 took the jobs of a
// live worker with --lease 60, and both ingested them).
constexpr const char* kClaim =
    "WITH next AS ("
    "  SELECT id, worker AS previous FROM jobs "
    "  WHERE (state = 'queued' OR (state = 'running' AND heartbeat_at < $2 - COALESCE(lease_s, $3))) "
    "    AND (host IS NULL OR host = $4) "
    "  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED), "
    "claimed AS ("
    "  UPDATE jobs SET state = 'running', worker = $1, claimed_at = $2, heartbeat_at = $2, lease_s = $3, "
    "    attempts = attempts + 1 "
    "  FROM next WHERE jobs.id = next.id "
    "  RETURNING jobs.id, jobs.kind, jobs.payload, jobs.attempts, COALESCE(next.previous, '')), "
    "logged AS (INSERT INTO job_log (job_id, worker, event, at) SELECT id, $1, 'claimed', $2 FROM claimed) "
    "SELECT * FROM claimed";

constexpr const char* kHandBack =
    "WITH back AS ("
    "  UPDATE jobs SET state = 'queued', worker = NULL, heartbeat_at = NULL, host = $3 "
    "  WHERE id = $1 AND worker = $2 AND state = 'running' RETURNING id) "
    "INSERT INTO job_log (job_id, worker, event, at) SELECT id, $2, 'handed back', $4 FROM back RETURNING job_id";

constexpr const char* kReleaseHost = "UPDATE jobs SET host = NULL WHERE host = $1 AND state = 'queued' RETURNING id";

constexpr const char* kHeartbeatJobs = "UPDATE jobs SET heartbeat_at = $2 WHERE worker = $1 AND state = 'running'";

constexpr const char* kFinish =
    "WITH ended AS ("
    "  UPDATE jobs SET state = CASE WHEN $3 = '' THEN 'done' ELSE 'failed' END, error = $3, finished_at = $4 "
    "  WHERE id = $1 AND worker = $2 AND state = 'running' RETURNING id, state) "
    "INSERT INTO job_log (job_id, worker, event, at) SELECT id, $2, state, $4 FROM ended RETURNING job_id";

constexpr const char* kCounts =
    "SELECT COUNT(*) FILTER (WHERE state = 'queued'), COUNT(*) FILTER (WHERE state = 'running'), "
    "COUNT(*) FILTER (WHERE state = 'done'), COUNT(*) FILTER (WHERE state = 'failed') FROM jobs";

constexpr const char* kLiveWorkers =
    "SELECT w.id, w.host, w.pid, w.started_at, w.heartbeat_at, MIN(j.id), COALESCE(MIN(j.kind), ''), COUNT(j.id), "
    "COALESCE(w.lease_s, $2) "
    "FROM workers w LEFT JOIN jobs j ON j.worker = w.id AND j.state = 'running' "
    "WHERE w.heartbeat_at >= $1 - COALESCE(w.lease_s, $2) "
    "GROUP BY w.id, w.host, w.pid, w.started_at, w.heartbeat_at, w.lease_s ORDER BY w.id";

constexpr const char* kLog =
    "SELECT job_id, worker, event, at FROM job_log WHERE $1::bigint = 0 OR job_id = $1::bigint ORDER BY seq";

// Leases are session-level advisory locks: a process that dies (or loses its connection) releases them.
// The holder is the connection's application_name, which every session can read in pg_stat_activity.
constexpr const char* kTryLease = "SELECT pg_try_advisory_lock(hashtextextended('triage-lease:' || $1, 0))";
constexpr const char* kNameHolder = "SELECT set_config('application_name', $1, false)";
// A bigint advisory key is held as classid (its high 32 bits) and objid (its low 32 bits), objsubid 1.
constexpr const char* kLeaseHolder =
    "SELECT a.application_name, COALESCE(host(a.client_addr), 'local socket'), a.backend_start::text "
    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('triage-lease:' || $1, 0) LIMIT 1";
constexpr const char* kReleaseLease = "SELECT pg_advisory_unlock(hashtextextended('triage-lease:' || $1, 0))";

}  // namespace

base::Result<std::unique_ptr<PgJobQueue>> PgJobQueue::Open(const std::string& url) {
  auto conn = Connection::Open(url);
  if (!conn.ok()) return conn.status();
  auto has = (*conn)->Query(kHasJobs);
  if (!has.ok()) return has.status();
  if (has->Text(0, 0) != "t") {
    return base::Status::Unavailable(
        fmt::format("catalog {} has no job tables yet: run `triage db migrate`", RedactUrl(url)));
  }
  return std::unique_ptr<PgJobQueue>(new PgJobQueue(std::move(*conn)));
}

base::Result<int64_t> PgJobQueue::Enqueue(const std::string& kind, const std::string& payload, int64_t now) {
  auto r = conn_->Query(kEnqueue, Params().Add(kind).Add(payload).Add(now));
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Status PgJobQueue::Heartbeat(const WorkerRecord& w, int64_t now) {
  TRIAGE_RETURN_IF_ERROR(conn_->Run(
      kHeartbeat,
      Params().Add(w.id).Add(w.host).Add(w.pid).Add(w.started_at).Add(now).Add(w.lease_s > 0 ? w.lease_s : 30)));
  return conn_->Run(kHeartbeatJobs, Params().Add(w.id).Add(now));
}

base::Status PgJobQueue::Leave(const std::string& worker_id) { return conn_->Run(kLeave, Params().Add(worker_id)); }

base::Result<bool> PgJobQueue::Holds(int64_t job_id, const std::string& worker_id) {
  auto r = conn_->Query("SELECT 1 FROM jobs WHERE id = $1 AND worker = $2 AND state = 'running'",
                        Params().Add(job_id).Add(worker_id));
  if (!r.ok()) return r.status();
  return !r->empty();
}

base::Result<std::optional<Job>> PgJobQueue::Claim(const std::string& worker_id, const std::string& host, int64_t now,
                                                   int64_t lease_s) {
  auto r = conn_->Query(kClaim, Params().Add(worker_id).Add(now).Add(lease_s).Add(host));
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<Job>();
  return std::optional<Job>(
      Job{r->Int(0, 0), r->Text(0, 1), r->Text(0, 2), static_cast<int>(r->Int(0, 3)), r->Text(0, 4)});
}

base::Status PgJobQueue::HandBack(int64_t job_id, const std::string& worker_id, const std::string& host, int64_t now) {
  auto r = conn_->Query(kHandBack, Params().Add(job_id).Add(worker_id).Add(host).Add(now));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::Conflict(fmt::format("job {} is no longer held by {}", job_id, worker_id));
  return base::Status::Ok();
}

base::Result<int64_t> PgJobQueue::ReleaseHost(const std::string& host) {
  auto r = conn_->Query(kReleaseHost, Params().Add(host));
  if (!r.ok()) return r.status();
  return static_cast<int64_t>(r->size());
}

base::Status PgJobQueue::Finish(int64_t job_id, const std::string& worker_id, const std::string& error, int64_t now) {
  auto r = conn_->Query(kFinish, Params().Add(job_id).Add(worker_id).Add(error).Add(now));
  if (!r.ok()) return r.status();
  if (r->empty()) {
    return base::Status::Conflict(
        fmt::format("job {} is no longer held by {} (taken over after its heartbeat lapsed)", job_id, worker_id));
  }
  return base::Status::Ok();
}

base::Result<JobCounts> PgJobQueue::Counts() {
  auto r = conn_->Query(kCounts);
  if (!r.ok()) return r.status();
  return JobCounts{r->Int(0, 0), r->Int(0, 1), r->Int(0, 2), r->Int(0, 3)};
}

base::Result<std::vector<WorkerRecord>> PgJobQueue::LiveWorkers(int64_t now, int64_t lease_s) {
  auto r = conn_->Query(kLiveWorkers, Params().Add(now).Add(lease_s));
  if (!r.ok()) return r.status();
  std::vector<WorkerRecord> out;
  for (int i = 0; i < r->size(); ++i) {
    WorkerRecord w{r->Text(i, 0), r->Text(i, 1), r->Int(i, 2),  r->Int(i, 3),
                   r->Int(i, 4),  std::nullopt,  r->Text(i, 6), 0};
    if (!r->IsNull(i, 5)) w.job_id = r->Int(i, 5);
    w.jobs_held = r->Int(i, 7);
    w.lease_s = r->Int(i, 8);
    out.push_back(std::move(w));
  }
  return out;
}

base::Result<std::vector<JobEvent>> PgJobQueue::Log(int64_t job_id) {
  auto r = conn_->Query(kLog, Params().Add(job_id));
  if (!r.ok()) return r.status();
  std::vector<JobEvent> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->Int(i, 0), r->Text(i, 1), r->Text(i, 2), r->Int(i, 3)});
  return out;
}

base::Status PgJobQueue::TakeLease(const std::string& name, const std::string& holder) {
  auto r = conn_->Query(kTryLease, Params().Add(name));
  if (!r.ok()) return r.status();
  if (r->Text(0, 0) == "t") return conn_->Run(kNameHolder, Params().Add(holder));
  auto who = conn_->Query(kLeaseHolder, Params().Add(name));
  if (!who.ok()) return who.status();
  if (who->empty()) {  // let go between the two statements
    return base::Status::Conflict(fmt::format("another process held the {} lease a moment ago; try again", name));
  }
  return base::Status::Conflict(
      fmt::format("the {} lease is held by \"{}\" (connected from {} since {}); try again "
                  "when it is done",
                  name, who->Text(0, 0), who->Text(0, 1), who->Text(0, 2)));
}

base::Status PgJobQueue::ReleaseLease(const std::string& name) { return conn_->Run(kReleaseLease, Params().Add(name)); }

}  // namespace triage::catalog::postgres
