// Recompute, re-decide, analyse and re-cluster as functions the commands and the worker share; library leases.
#include "cli/job_kinds.h"

#include <fmt/format.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/commands.h"
#include "pipeline/reanalyse.h"

namespace triage::cli {

using nlohmann::json;

base::Result<std::unique_ptr<LibraryLease>> TakeLibraryLease(Library& lib, const std::string& name,
                                                             const std::string& actor) {
  const std::string holder = fmt::format("{} by {} on {}, pid {}", name, actor, lib.host, ::getpid());
  if (lib.open_jobs) {
    auto queue = lib.open_jobs();
    if (!queue.ok()) return queue.status();
    TRIAGE_RETURN_IF_ERROR((*queue)->TakeLease(name, holder));
    return std::make_unique<LibraryLease>(std::move(*queue), std::nullopt);
  }
  auto file = base::FileLock::TryAcquire(lib.config()->StateDir() / "leases" / (name + ".lock"), holder);
  if (!file.ok()) {
    if (file.status().code() != base::Code::kConflict) return file.status();
    return base::Status::Conflict(
        fmt::format("the {} lease is {}; try again when it is done", name, file.status().message()));
  }
  return std::make_unique<LibraryLease>(nullptr, std::move(*file));
}

base::Result<RecomputeOutcome> RecomputeLibrary(Library& lib, const std::string& actor) {
  RecomputeOutcome out;
  auto report = quality::Recompute(*lib.catalog, *lib.config());
  if (!report.ok()) return report.status();
  out.report = *report;
  // Leads follow the scores: every burst and duplicate group chooses its lead again.
  if (lib.gallery) {
    auto rebuilt = quality::GroupService(*lib.catalog, *lib.gallery).Rebuild(lib.config()->grouping);
    if (!rebuilt.ok()) return rebuilt.status();
    out.groups = *rebuilt;
  }
  TRIAGE_RETURN_IF_ERROR(lib.catalog->AddAudit(
      {0, base::UnixNow(), actor, 0, "recompute", "", "",
       fmt::format("{} stored analyses rescored, {} changed", out.report.items, out.report.changed)}));
  return out;
}

base::Result<review::ApplyReport> RedecideLibrary(Library& lib, const std::string& actor) {
  // Faces are matched against the persons enrolled now: those enrolled since a photo came in count.
  auto match_now = review::MatchNow(*lib.catalog, *lib.face_store);
  if (!match_now.ok()) return match_now.status();
  return review::ApplyPolicy(*lib.catalog, *lib.committer, *lib.config(), actor, base::UnixNow(), *match_now);
}

base::Result<model::StoredAnalysis> AnalyseItem(Library& lib, int64_t item_id, const std::string& actor) {
  TRIAGE_RETURN_IF_ERROR(lib.LoadFaces());
  return pipeline::Reanalyse(*lib.catalog, *lib.config(), lib.faces.get(), item_id, actor, base::UnixNow());
}

base::Result<faces::ReclusterReport> ReclusterLibrary(Library& lib, const std::string& actor) {
  TRIAGE_RETURN_IF_ERROR(lib.LoadClustering());
  auto lease = TakeLibraryLease(lib, "recluster", actor);
  if (!lease.ok()) return lease.status();
  auto config = lib.config();
  auto report = lib.clustering->Recluster(ClusterRulesOf(*config), config->policy.match_distance, base::UnixNow());
  if (!report.ok()) return report.status();
  TRIAGE_RETURN_IF_ERROR(lib.catalog->AddAudit(
      {0, base::UnixNow(), actor, 0, "people", "", "recluster", Counted(report->faces, "face") + " re-clustered"}));
  return *report;
}

std::string AnalysePayload(int64_t item_id) { return json{{"item", item_id}}.dump(); }

base::Result<int64_t> ParseAnalysePayload(const std::string& payload) {
  json doc = json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("item") || !doc["item"].is_number_integer() || doc["item"].get<int64_t>() < 1) {
    return base::Status::InvalidArgument(fmt::format("analyse job payload has no positive \"item\" id: {}", payload));
  }
  return doc["item"].get<int64_t>();
}

namespace {

// A job's outcome as the worker reports it: the summary, or the error when some of the work failed.
base::Result<std::string> RedecideSummary(const base::Result<review::ApplyReport>& r) {
  if (!r.ok()) return r.status();
  if (r->failed > 0) {
    return base::Status::Io(fmt::format("{} of {} items not re-decided: {}", r->failed, r->considered,
                                        r->errors.empty() ? "" : r->errors.front()));
  }
  return fmt::format("{} in review re-decided, {} moved", Counted(r->considered, "item"), r->moved);
}

}  // namespace

void AddJobHandlers(pipeline::QueueWorker& worker, Library& lib, const std::string& actor) {
  worker.Handle(kRecomputeJob, [&lib, actor](const catalog::Job&) -> base::Result<std::string> {
    auto r = RecomputeLibrary(lib, actor);
    if (!r.ok()) return r.status();
    return fmt::format("{} stored analyses rescored, {} changed", r->report.items, r->report.changed);
  });
  worker.Handle(kRedecideJob,
                [&lib, actor](const catalog::Job&) { return RedecideSummary(RedecideLibrary(lib, actor)); });
  worker.Handle(kAnalyseJob, [&lib, actor](const catalog::Job& job) -> base::Result<std::string> {
    auto id = ParseAnalysePayload(job.payload);
    if (!id.ok()) return id.status();
    auto r = AnalyseItem(lib, *id, actor);
    if (!r.ok()) return r.status();
    return fmt::format("item {} analysed again ({})", *id, Counted(r->analysis.faces.size(), "face"));
  });
  worker.Handle(kReclusterJob, [&lib, actor](const catalog::Job&) -> base::Result<std::string> {
    auto r = ReclusterLibrary(lib, actor);
    if (!r.ok()) return r.status();
    return fmt::format("{} in {}", Counted(r->faces, "face"), Counted(r->clusters, "cluster"));
  });
}

int EnqueueJobs(CommandContext& ctx, const std::string& kind, const std::vector<std::string>& payloads) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  if (!lib->open_jobs) {
    return ctx.Fail(base::Status::Unavailable(fmt::format(
        "the job queue needs a PostgreSQL catalog; this library's catalog is SQLite: run the command without "
        "--queue to do the {} here",
        kind)));
  }
  auto queue = lib->open_jobs();
  if (!queue.ok()) return ctx.Fail(queue.status());
  std::vector<int64_t> ids;
  for (const auto& payload : payloads) {
    auto id = (*queue)->Enqueue(kind, payload, base::UnixNow());
    if (!id.ok()) return ctx.Fail(id.status());
    ids.push_back(*id);
  }
  if (ctx.json) {
    ctx.PrintJson({{"queued", ids.size()}, {"job_ids", ids}});
  } else {
    fmt::print("queued {} ({}); `triage jobs wait` returns when they are done\n", Counted(ids.size(), kind + " job"),
               fmt::join(ids, ", "));
  }
  return kExitOk;
}

}  // namespace triage::cli
