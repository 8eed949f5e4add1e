// Jobs, workers and leases in the catalog's PostgreSQL database (migration 2).
#pragma once

#include <memory>
#include <set>
#include <string>

#include "catalog/job_queue.h"
#include "catalog/postgres/connection.h"

namespace triage::catalog::postgres {

// One connection of its own: use one object per thread. Leases are session advisory locks on that connection.
class PgJobQueue final : public JobQueue {
 public:
  // REQUIRES: the database was migrated (PgCatalog::Open) — kUnavailable naming `db migrate` otherwise.
  static base::Result<std::unique_ptr<PgJobQueue>> Open(const std::string& url);

  base::Result<int64_t> Enqueue(const std::string& kind, const std::string& payload, int64_t now) override;
  base::Status Heartbeat(const WorkerRecord& worker, int64_t now) override;
  base::Status Leave(const std::string& worker_id) override;
  base::Result<bool> Holds(int64_t job_id, const std::string& worker_id) override;
  base::Result<std::optional<Job>> Claim(const std::string& worker_id, const std::string& host, int64_t now,
                                         int64_t lease_s) override;
  base::Status HandBack(int64_t job_id, const std::string& worker_id, const std::string& host, int64_t now) override;
  base::Result<int64_t> ReleaseHost(const std::string& host) override;
  base::Status Finish(int64_t job_id, const std::string& worker_id, const std::string& error, int64_t now) override;
  base::Result<JobCounts> Counts() override;
  base::Result<std::vector<WorkerRecord>> LiveWorkers(int64_t now, int64_t lease_s) override;
  base::Result<std::vector<JobEvent>> Log(int64_t job_id) override;
  base::Status TakeLease(const std::string& name, const std::string& holder) override;
  base::Status ReleaseLease(const std::string& name) override;

 private:
  explicit PgJobQueue(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
  std::unique_ptr<Connection> conn_;
};

}  // namespace triage::catalog::postgres
