// Ingest jobs: enqueueing files, and the worker loop that claims, heartbeats and finishes them.
#include "pipeline/queue_worker.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>

#include "base/clock.h"
#include "commit/journal.h"
#include "fingerprint/sha256.h"
#include "pipeline/input_scan.h"

namespace triage::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

std::string IngestJobPayload(const IngestJob& job) {
  return json{{"path", job.path.string()}, {"move", job.move}, {"source", job.source}}.dump();
}

base::Result<IngestJob> ParseIngestJob(const std::string& payload) {
  json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("path") || !doc["path"].is_string() || doc["path"].get<std::string>().empty()) {
    return base::Status::InvalidArgument(fmt::format("ingest job payload has no \"path\" string: {}", payload));
  }
  IngestJob job;
  job.path = doc["path"].get<std::string>();
  job.move = doc.value("move", false);
  job.source = doc.value("source", std::string());
  return job;
}

base::Result<EnqueueReport> EnqueueIngest(catalog::JobQueue& queue, const config::Config& config,
                                          const std::vector<fs::path>& roots, const IngestOptions& options,
                                          int64_t now) {
  source::ScanResult scan = ScanInputs(roots, config, options.move);
  EnqueueReport report;
  for (const auto& e : scan.errors) report.problems.push_back(e.status.message());
  for (const auto& s : scan.skipped) report.problems.push_back(fmt::format("{}: {}", s.path.string(), s.reason));
  for (const auto& file : scan.files) {
    std::error_code ec;
    IngestJob job{fs::absolute(file, ec).lexically_normal(), options.move,
                  options.source.empty() ? file.parent_path().filename().string() : options.source};
    if (ec) job.path = file;
    auto id = queue.Enqueue(kIngestJob, IngestJobPayload(job), now);
    if (!id.ok()) return id.status();
    report.job_ids.push_back(*id);
    report.files.push_back(job.path);
  }
  return report;
}

QueueWorker::QueueWorker(catalog::JobQueue& queue, JobQueueOpener open_queue, catalog::Catalog& catalog,
                         Ingestor& ingestor, std::function<base::Status()> recover, WorkerOptions options)
    : queue_(queue),
      open_queue_(std::move(open_queue)),
      catalog_(catalog),
      ingestor_(ingestor),
      recover_(std::move(recover)),
      options_(std::move(options)) {}

namespace {

// Keeps the worker's heartbeat fresh from a thread of its own (with its own connection), so that a long batch
// never looks like a dead worker.
class Heartbeat {
 public:
  Heartbeat(std::unique_ptr<catalog::JobQueue> queue, catalog::WorkerRecord record, int64_t lease_s)
      : queue_(std::move(queue)), record_(std::move(record)), period_(std::max<int64_t>(1000, lease_s * 1000 / 4)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void SetJob(std::optional<int64_t> id, const std::string& kind) {
    std::lock_guard lock(mu_);
    record_.job_id = id;
    record_.job_kind = kind;
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      catalog::WorkerRecord now = record_;
      lock.unlock();
      (void)queue_->Heartbeat(now, base::UnixNow());  // a missed beat is retried at the next period
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(period_), [this] { return stopping_; });
    }
  }

  std::unique_ptr<catalog::JobQueue> queue_;
  catalog::WorkerRecord record_;
  int64_t period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

base::Result<WorkerStats> QueueWorker::Run(const std::function<bool()>& stop, const JobDoneFn& on_done) {
  catalog::WorkerRecord record{options_.worker_id, options_.host, options_.pid, base::UnixNow(), 0, std::nullopt, "", 0,
                               options_.lease_s};
  // Registered before the first claim: a claim by a worker without a heartbeat would look abandoned at once.
  TRIAGE_RETURN_IF_ERROR(queue_.Heartbeat(record, base::UnixNow()));
  auto beat_queue = open_queue_();
  if (!beat_queue.ok()) return beat_queue.status();
  std::optional<Heartbeat> beating(std::in_place, std::move(*beat_queue), record, options_.lease_s);
  Heartbeat& heartbeat = *beating;
  WorkerStats stats;
  int64_t backoff_ms = 0;  // while the catalog server is unreachable between batches
  while (!stop()) {
    std::vector<catalog::Job> jobs;
    base::Status claim_error;
    while (static_cast<int>(jobs.size()) < options_.batch) {
      auto claimed = queue_.Claim(options_.worker_id, options_.host, base::UnixNow(), options_.lease_s);
      if (!claimed.ok()) {
        claim_error = claimed.status();
        break;
      }
      if (!claimed->has_value()) break;
      jobs.push_back(std::move(**claimed));
    }
    if (!claim_error.ok()) {
      // A restart of the database server (or a network blip) is waited out: the connection is made again at the
      // next query. Jobs claimed before the error are run; any other error ends the run.
      if (claim_error.code() != base::Code::kUnavailable) return claim_error;
      if (jobs.empty()) {
        backoff_ms = std::clamp<int64_t>(backoff_ms * 2, 1000, 30000);
        if (options_.on_unavailable) options_.on_unavailable(claim_error, backoff_ms);
        for (int64_t waited = 0; waited < backoff_ms && !stop(); waited += 50) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        continue;
      }
    }
    backoff_ms = 0;
    if (jobs.empty()) {
      for (int waited = 0; waited < options_.poll_ms && !stop(); waited += 50) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      continue;
    }
    heartbeat.SetJob(jobs.front().id, jobs.front().kind);
    TRIAGE_RETURN_IF_ERROR(RunBatch(jobs, stats, on_done));
    heartbeat.SetJob(std::nullopt, "");
  }
  beating.reset();                         // no beat after leaving
  (void)queue_.Leave(options_.worker_id);  // stopped cleanly: no longer listed (a failure here only lists it longer)
  return stats;
}

base::Result<std::string> QueueWorker::PlacedBefore(const IngestJob& job) {
  std::error_code ec;
  if (!fs::exists(job.path, ec)) {
    if (!job.move) return std::string();  // a copied input that is gone: the ingest says so
    // A moved input that is gone was placed when an item came from it. Otherwise it is staged by the earlier worker,
    // which is stalled rather than dead (its journal session still locked, so recovery could not put the input
    // back), or was deleted by hand: not done, and said so.
    auto from = catalog_.FindByOriginalPath(job.path.string());
    if (!from.ok()) return from.status();
    if (!from->has_value()) return base::Status::NotFound("no item came from it");
    auto item = catalog_.GetItem(**from);
    if (!item.ok()) return item.status();
    return item->path;
  }
  if (job.move) return std::string();
  // A copied input stays: it was placed when an item holds these bytes and came from this very path.
  auto sha = fingerprint::Sha256OfFile(job.path);
  if (!sha.ok()) return std::string();  // the ingest reports what is wrong with the file
  auto found = catalog_.FindBySha256(*sha);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return std::string();
  auto item = catalog_.GetItem(**found);
  if (!item.ok()) return item.status();
  return item->original_path == job.path.string() ? item->path : std::string();
}

base::Status QueueWorker::Finish(const catalog::Job& job, const std::string& error, const std::string& placed_at,
                                 WorkerStats& stats, const JobDoneFn& on_done) {
  base::Status st = queue_.Finish(job.id, options_.worker_id, error, base::UnixNow());
  if (st.code() == base::Code::kConflict) return base::Status::Ok();  // taken over meanwhile: its new owner ends it
  TRIAGE_RETURN_IF_ERROR(st);
  (error.empty() ? stats.done : stats.failed) += 1;
  if (on_done) on_done(job, error, placed_at);
  return base::Status::Ok();
}

base::Result<bool> QueueWorker::HandedBack(const catalog::Job& job, WorkerStats& stats) {
  if (job.attempts <= 1 || job.previous_worker.empty()) return false;
  const std::string host = catalog::HostOfWorker(job.previous_worker);
  if (host == options_.host || !commit::HostHasSessions(options_.state_dir, host)) return false;
  base::Status st = queue_.HandBack(job.id, options_.worker_id, host, base::UnixNow());
  if (st.code() == base::Code::kConflict) return true;  // taken over meanwhile: not ours to run
  TRIAGE_RETURN_IF_ERROR(st);
  ++stats.handed_back;
  return true;
}

base::Status QueueWorker::RunOther(const catalog::Job& job, WorkerStats& stats, const JobDoneFn& on_done) {
  auto handler = handlers_.find(job.kind);
  if (handler == handlers_.end()) {
    return Finish(job, fmt::format("this worker does not run \"{}\" jobs", job.kind), "", stats, on_done);
  }
  if (job.attempts > 1) ++stats.retried;
  auto summary = handler->second(job);
  return Finish(job, summary.ok() ? "" : summary.status().message(), summary.ok() ? *summary : "", stats, on_done);
}

base::Status QueueWorker::RunBatch(const std::vector<catalog::Job>& all_jobs, WorkerStats& stats,
                                   const JobDoneFn& on_done) {
  std::vector<catalog::Job> jobs;
  for (const auto& j : all_jobs) {
    auto back = HandedBack(j, stats);
    if (!back.ok()) return back.status();
    if (!*back) jobs.push_back(j);
  }
  bool retried = false;
  for (const auto& j : jobs) retried = retried || j.attempts > 1;
  if (retried && recover_) TRIAGE_RETURN_IF_ERROR(recover_());
  // Jobs to ingest, grouped by how they are taken (move, source), each group in one ingest run.
  std::map<std::pair<bool, std::string>, std::vector<std::pair<catalog::Job, IngestJob>>> groups;
  for (const auto& job : jobs) {
    if (job.kind != kIngestJob) {
      TRIAGE_RETURN_IF_ERROR(RunOther(job, stats, on_done));
      continue;
    }
    auto parsed = ParseIngestJob(job.payload);
    if (!parsed.ok()) {
      TRIAGE_RETURN_IF_ERROR(Finish(job, parsed.status().message(), "", stats, on_done));
      continue;
    }
    if (job.attempts > 1) {
      ++stats.retried;
      auto placed = PlacedBefore(*parsed);
      if (!placed.ok() && placed.status().code() == base::Code::kNotFound) {
        TRIAGE_RETURN_IF_ERROR(Finish(
            job,
            fmt::format("{}: the input is gone and no item came from it: the worker that held it before ({}) may "
                        "still have it staged, stalled rather than dead (`triage recover` on its host puts it back "
                        "once that worker is gone; then queue it again), or it was moved or deleted by hand",
                        parsed->path.string(), job.previous_worker.empty() ? "unknown" : job.previous_worker),
            "", stats, on_done));
        continue;
      }
      if (!placed.ok()) return placed.status();
      if (!placed->empty()) {
        ++stats.already_placed;
        TRIAGE_RETURN_IF_ERROR(Finish(job, "", *placed, stats, on_done));
        continue;
      }
    }
    std::error_code ec;
    if (!fs::is_regular_file(parsed->path, ec)) {
      TRIAGE_RETURN_IF_ERROR(
          Finish(job, fmt::format("{}: no such file (moved or deleted after it was queued)", parsed->path.string()), "",
                 stats, on_done));
      continue;
    }
    groups[{parsed->move, parsed->source}].emplace_back(job, *parsed);
  }
  if (!fence_) {
    auto opened = open_queue_();
    if (!opened.ok()) return opened.status();
    fence_ = std::move(*opened);
  }
  for (auto& [how, members] : groups) {
    IngestOptions options{how.first, how.second, options_.actor};
    std::vector<fs::path> paths;
    std::map<std::string, int64_t> job_of;  // input -> its job
    for (const auto& m : members) {
      paths.push_back(m.second.path);
      job_of[m.second.path.string()] = m.first.id;
    }
    // A worker stopped (SIGSTOP, a hung mount) past its lease has its jobs taken over; when it resumes, it must not
    // commit them as well (a copied input was ingested twice). Checked just before the group commit.
    ingestor_.SetBeforeCommit([&](const Input& input, std::string* why) {
      const auto job = job_of.find(input.path.string());
      if (job == job_of.end()) return true;
      std::lock_guard lock(fence_mu_);
      auto holds = fence_->Holds(job->second, options_.worker_id);
      if (!holds.ok() || *holds) return true;  // an unreachable catalog fails the commit itself
      *why =
          fmt::format("job {} was taken over by another worker while this one was stopped past its lease", job->second);
      return false;
    });
    auto summary = ingestor_.IngestPaths(paths, options);
    ingestor_.SetBeforeCommit(nullptr);
    if (!summary.ok()) return summary.status();  // the catalog or the library is unusable: stop, jobs are retried
    std::map<std::string, const ItemOutcome*> by_input;
    for (const auto& o : summary->items) by_input[o.input] = &o;
    for (const auto& [job, ingest] : members) {
      auto it = by_input.find(ingest.path.string());
      std::string error, placed;
      if (it == by_input.end())
        error = fmt::format("{}: the ingest reported nothing for it", ingest.path.string());
      else if (!it->second->skipped.empty())
        error = fmt::format("{}: {}", ingest.path.string(), it->second->skipped);
      else if (!it->second->ok)
        error = it->second->error.message();
      else
        placed = it->second->path;
      TRIAGE_RETURN_IF_ERROR(Finish(job, error, placed, stats, on_done));
    }
  }
  return base::Status::Ok();
}

}  // namespace triage::pipeline
