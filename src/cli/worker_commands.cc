// worker, jobs, jobs wait, workers: ingest by many processes through the job queue of a PostgreSQL catalog.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/clock.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/job_kinds.h"
#include "cli/stop_signal.h"
#include "commit/journal.h"

namespace triage::cli {
namespace {

using nlohmann::json;

// The library's job queue, or why there is none (a SQLite catalog has no queue: one machine ingests alone).
base::Result<std::unique_ptr<catalog::JobQueue>> OpenJobs(Library& lib) {
  if (!lib.open_jobs) {
    return base::Status::Unavailable(
        "the job queue needs a PostgreSQL catalog (\"catalog\": {\"url\": \"postgresql://...\"} in triage.json, or "
        "--catalog); this library's catalog is SQLite, where `triage ingest` without --queue does the work");
  }
  return lib.open_jobs();
}

json CountsJson(const catalog::JobCounts& c) {
  return {{"queued", c.queued}, {"running", c.running}, {"done", c.done}, {"failed", c.failed}};
}

int Worker(CommandContext& ctx, int batch, int lease_s) {
  StopOnSignal signals;
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto queue = OpenJobs(*lib);
  if (!queue.ok()) return ctx.Fail(queue.status());
  if (base::Status faces = lib->LoadFaces(); !faces.ok()) return ctx.Fail(faces);
  lib->FollowReferences(kFollowReferencesEvery);  // persons enrolled meanwhile count without a restart
  auto ingestor = lib->MakeIngestor();
  pipeline::WorkerOptions options;
  options.host = lib->host;
  options.state_dir = lib->config()->StateDir();
  options.pid = ::getpid();
  options.worker_id = fmt::format("{}:{}:{}", options.host, options.pid, base::UnixNow());
  options.batch = batch;
  options.lease_s = lease_s;
  options.actor = "worker:" + options.worker_id;
  options.on_unavailable = [](const base::Status& why, int64_t wait_ms) {
    std::string said = why.message();  // libpq's message spans lines: one line here
    std::replace_if(
        said.begin(), said.end(), [](char c) { return c == '\n' || c == '\t'; }, ' ');
    fmt::print(stderr, "worker: the catalog server cannot be reached ({}); trying again in {} s\n",
               base::ForTerminal(said), wait_ms / 1000);
  };
  const auto state = lib->config()->StateDir();
  auto recover = [&]() -> base::Status {  // this host's dead sessions only: another host settles its own
    auto r = commit::Recover(state, *lib->catalog, lib->proposal_store.get(), lib->host);
    return r.ok() ? base::Status::Ok() : r.status();
  };
  pipeline::QueueWorker worker(**queue, lib->open_jobs, *lib->catalog, *ingestor, recover, options);
  AddJobHandlers(worker, *lib, options.actor);
  // The readiness line (scripts and tests wait for it).
  fmt::print(stderr, "worker {} taking jobs (SIGTERM or Ctrl-C to stop)\n", options.worker_id);
  // `placed` is where an ingest job's file went, or what another kind of job did.
  auto on_done = [&](const catalog::Job& job, const std::string& error, const std::string& placed) {
    const bool ingest = job.kind == pipeline::kIngestJob;
    if (ctx.json) {
      ctx.PrintJson({{"job", job.id},
                     {"kind", job.kind},
                     {"attempts", job.attempts},
                     {"ok", error.empty()},
                     {"path", placed.empty() || !ingest ? json(nullptr) : json(placed)},
                     {"summary", ingest || placed.empty() ? json(nullptr) : json(placed)},
                     {"error", error.empty() ? json(nullptr) : json(error)}});
    } else if (error.empty()) {
      fmt::print("job {} done{} {}\n", job.id, ingest ? " ->" : ":", placed);
    } else {
      fmt::print("job {} FAILED: {}\n", job.id, error);
    }
    std::fflush(stdout);
  };
  auto stats = worker.Run([&] { return signals.requested(); }, on_done);
  if (!stats.ok()) return ctx.Fail(stats.status());
  fmt::print(
      stderr,
      "worker {} stopped: {} done, {} failed, {} taken over from dead workers ({} already placed, {} handed back "
      "to their host)\n",
      options.worker_id, stats->done, stats->failed, stats->retried, stats->already_placed, stats->handed_back);
  return kExitOk;
}

int Jobs(CommandContext& ctx, bool wait, int timeout_s) {
  StopOnSignal signals;
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto queue = OpenJobs(*lib);
  if (!queue.ok()) return ctx.Fail(queue.status());
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    auto counts = (*queue)->Counts();
    if (!counts.ok()) return ctx.Fail(counts.status());
    const bool empty = counts->queued == 0 && counts->running == 0;
    const bool timed_out = timeout_s > 0 && std::chrono::steady_clock::now() - start > std::chrono::seconds(timeout_s);
    if (!wait || empty || timed_out || signals.requested()) {
      if (ctx.json)
        ctx.PrintJson(CountsJson(*counts));
      else
        fmt::print("{} queued, {} running, {} done, {} failed\n", counts->queued, counts->running, counts->done,
                   counts->failed);
      if (wait && !empty) {
        return ctx.Fail(base::Status::Unavailable(fmt::format(
            "the queue still holds {} after {} s", Counted(counts->queued + counts->running, "job"), timeout_s)));
      }
      ctx.exit_code = counts->failed > 0 ? kExitPartial : kExitOk;
      return ctx.exit_code;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int Workers(CommandContext& ctx, int lease_s) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto queue = OpenJobs(*lib);
  if (!queue.ok()) return ctx.Fail(queue.status());
  const int64_t now = base::UnixNow();
  auto live = (*queue)->LiveWorkers(now, lease_s);
  if (!live.ok()) return ctx.Fail(live.status());
  if (ctx.json) {
    json list = json::array();
    for (const auto& w : *live) {
      list.push_back({{"id", w.id},
                      {"host", w.host},
                      {"pid", w.pid},
                      {"started_at", w.started_at},
                      {"heartbeat_at", w.heartbeat_at},
                      {"job", w.job_id ? json(*w.job_id) : json(nullptr)},
                      {"job_kind", w.job_id ? json(w.job_kind) : json(nullptr)},
                      {"jobs_held", w.jobs_held},
                      {"lease_s", w.lease_s}});
    }
    ctx.PrintJson({{"workers", list}});
    return kExitOk;
  }
  if (live->empty()) fmt::print("no live workers (none has a heartbeat within its lease)\n");
  for (const auto& w : *live) {
    fmt::print("{}  host {}  pid {}  up {} s  last beat {} s ago  {}\n", w.id, w.host, w.pid, now - w.started_at,
               now - w.heartbeat_at,
               w.job_id ? fmt::format("{} from {}", Counted(w.jobs_held, w.job_kind + " job"), *w.job_id) : "idle");
  }
  return kExitOk;
}

}  // namespace

int EnqueueIngest(CommandContext& ctx, const std::vector<std::string>& inputs, const pipeline::IngestOptions& options) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto queue = OpenJobs(*lib);
  if (!queue.ok()) return ctx.Fail(queue.status());
  std::vector<std::filesystem::path> roots;
  for (const auto& in : inputs) {
    if (IsUrl(in)) {
      return ctx.Fail(
          base::Status::InvalidArgument(fmt::format("ingest --queue takes files and folders, not URLs: {}", in)));
    }
    roots.emplace_back(in);
  }
  auto report = pipeline::EnqueueIngest(**queue, *lib->config(), roots, options, base::UnixNow());
  if (!report.ok()) return ctx.Fail(report.status());
  if (ctx.json) {
    ctx.PrintJson({{"queued", report->job_ids.size()}, {"job_ids", report->job_ids}, {"problems", report->problems}});
  } else {
    fmt::print(
        "queued {} as ingest jobs; `triage worker` on any host that mounts the library takes them, "
        "`triage jobs wait` returns when they are done\n",
        Counted(report->job_ids.size(), "file"));
    for (const auto& p : report->problems) fmt::print("  not queued: {}\n", p);
  }
  ctx.exit_code = report->problems.empty() ? kExitOk : kExitPartial;
  return ctx.exit_code;
}

void AddWorkerCommands(CLI::App& app, CommandContext& ctx) {
  struct WorkerArgs {
    int batch = 4;
    int lease_s = 30;
    int timeout_s = 0;
  };
  auto a = std::make_shared<WorkerArgs>();
  auto* worker = app.add_subcommand("worker", "take jobs from the queue of a PostgreSQL catalog until SIGTERM");
  worker->add_option("--jobs", a->batch, "jobs claimed and ingested together")->check(CLI::Range(1, 256));
  worker->add_option("--lease", a->lease_s, "seconds without a heartbeat after which a worker is taken for dead")
      ->check(CLI::Range(2, 3600));
  worker->add_flag("--json", ctx.json, "one JSON document per finished job");
  worker->callback([&ctx, a] { Worker(ctx, a->batch, a->lease_s); });

  auto* jobs = app.add_subcommand("jobs", "the job queue's counts (queued, running, done, failed)");
  jobs->add_flag("--json", ctx.json, "machine-readable output");
  jobs->callback([&ctx, jobs] {
    if (jobs->get_subcommands().empty()) Jobs(ctx, false, 0);
  });
  auto* wait = jobs->add_subcommand("wait", "return when no job is queued or running (exit 1 if any failed)");
  wait->add_option("--timeout", a->timeout_s, "give up after this many seconds (0: never)")
      ->check(CLI::Range(0, 1 << 30));
  wait->add_flag("--json", ctx.json, "machine-readable output");
  wait->callback([&ctx, a] { Jobs(ctx, true, a->timeout_s); });

  auto* workers = app.add_subcommand("workers", "the live workers: host, pid, heartbeat, the job each holds");
  workers
      ->add_option("--lease", a->lease_s,
                   "for workers that recorded no lease of their own: seconds of silence after which one is not listed")
      ->check(CLI::Range(2, 3600));
  workers->add_flag("--json", ctx.json, "machine-readable output");
  workers->callback([&ctx, a] { Workers(ctx, a->lease_s); });
}

}  // namespace triage::cli
