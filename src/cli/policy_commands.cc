// simulate (what a proposed policy would move) and apply-policy (re-decide what waits in review).
#include <fmt/format.h>

#include "base/clock.h"
#include "base/files.h"
#include "cli/commands.h"
#include "cli/job_kinds.h"
#include "model/json_text.h"
#include "quality/group_service.h"
#include "quality/recompute.h"
#include "quality/reference_store.h"
#include "review/policy_service.h"

namespace triage::cli {
namespace {

using nlohmann::json;

struct SimulateArgs {
  std::string config_file;        // a whole proposed triage.json
  std::vector<std::string> sets;  // key.path=value edits of the current one
};

// "thresholds.min_confidence=0.5" -> doc["thresholds"]["min_confidence"] = 0.5 (the value read as JSON when it
// parses, else as a string).
base::Status ApplySet(json& doc, const std::string& assignment) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return base::Status::InvalidArgument(
        fmt::format("--set {}: expected key=value, e.g. thresholds.min_confidence=0.5", assignment));
  }
  std::string key = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  json value = text;  // a value that is no JSON text is taken as the string it is
  try {
    value = model::ParseBoundedJson(text);
  } catch (const json::exception&) {
  } catch (const model::JsonTooDeep& e) {
    return base::Status::InvalidArgument(fmt::format("--set {}: {}", key, e.what()));
  }
  json* node = &doc;
  size_t start = 0;
  for (size_t dot = key.find('.'); dot != std::string::npos; start = dot + 1, dot = key.find('.', start)) {
    node = &(*node)[key.substr(start, dot - start)];
    if (!node->is_object() && !node->is_null()) {
      return base::Status::InvalidArgument(
          fmt::format("--set {}: {} is not a section", assignment, key.substr(0, dot)));
    }
  }
  (*node)[key.substr(start)] = value;
  return base::Status::Ok();
}

base::Status ProposedEdit(const SimulateArgs& a, json& doc) {
  if (!a.config_file.empty()) {
    auto text = base::ReadFile(a.config_file);
    if (!text.ok()) return text.status();
    json proposed;
    try {
      proposed = model::ParseBoundedJson(*text);
    } catch (const json::exception& e) {
      return base::Status::InvalidArgument(
          fmt::format("{}: not valid JSON: {}", a.config_file, base::JsonSyntaxError(e.what())));
    } catch (const model::JsonTooDeep& e) {
      return base::Status::InvalidArgument(fmt::format("{}: {}", a.config_file, e.what()));
    }
    if (!proposed.is_object())
      return base::Status::InvalidArgument(fmt::format("{}: not a JSON object", a.config_file));
    doc = proposed;
  }
  for (const auto& s : a.sets) TRIAGE_RETURN_IF_ERROR(ApplySet(doc, s));
  return base::Status::Ok();
}

void PrintMoves(const std::vector<review::PolicyMove>& moves) {
  for (const auto& m : moves) {
    fmt::print("  {:>6}  {:<32} -> {:<32} e.g. {}\n", m.count, m.from, m.to, fmt::join(m.sample_ids, ", "));
  }
}

int Simulate(CommandContext& ctx, const SimulateArgs& a) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto proposed = lib->config_store->Preview([&](json& doc) { return ProposedEdit(a, doc); });
  if (!proposed.ok()) return ctx.Fail(proposed.status());
  // Faces matched as `apply-policy` matches them (against the persons enrolled now), so that the two agree.
  auto match_now = review::MatchNow(*lib->catalog, *lib->face_store);
  if (!match_now.ok()) return ctx.Fail(match_now.status());
  auto report = review::SimulatePolicy(*lib->catalog, *proposed, 5, *match_now);
  if (!report.ok()) return ctx.Fail(report.status());
  if (ctx.json) {
    ctx.PrintJson(review::SimulationJson(*report));
    return kExitOk;
  }
  fmt::print("{} of {} would move ({:.3f}s; nothing was moved)\n", report->changed, Counted(report->total, "item"),
             report->seconds);
  if (report->damaged > 0) {
    fmt::print("  {} items have a damaged stored analysis and were left out (`triage explain ID` names them)\n",
               report->damaged);
  }
  PrintMoves(report->moves);
  int64_t waiting = 0;
  for (const auto& m : report->moves) waiting += m.InReview() ? m.count : 0;
  if (report->changed > waiting) {
    fmt::print(
        "  {} from review: `apply-policy` moves those once the policy is saved; the {} sorted automatically stay "
        "where they are (new photos follow the policy)\n",
        waiting, report->changed - waiting);
  }
  return kExitOk;
}

int ApplyPolicy(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto report = RedecideLibrary(*lib, CommandContext::Actor());
  if (!report.ok()) return ctx.Fail(report.status());
  if (ctx.json) {
    ctx.PrintJson(review::ApplyJson(*report));
  } else {
    fmt::print("{} in review re-decided: {} moved, {} failed\n", Counted(report->considered, "item"), report->moved,
               report->failed);
    if (report->left_alone > 0) {
      fmt::print("{} left where {}: a person has begun naming their faces (review name-face finishes them)\n",
                 Counted(report->left_alone, "item"), report->left_alone == 1 ? "it is" : "they are");
    }
    if (report->decided_meanwhile > 0) {
      fmt::print("{} left where {}: decided or moved by somebody else while the policy ran\n",
                 Counted(report->decided_meanwhile, "item"), report->decided_meanwhile == 1 ? "it is" : "they are");
    }
    PrintMoves(report->moves);
    for (const auto& e : report->errors) fmt::print(stderr, "  {}\n", e);
  }
  ctx.exit_code = report->failed > 0 ? kExitPartial : kExitOk;
  return ctx.exit_code;
}

// Scores again from the stored measures under the current rules (after a change of weights or thresholds).
int Recompute(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto outcome = RecomputeLibrary(*lib, CommandContext::Actor());
  if (!outcome.ok()) return ctx.Fail(outcome.status());
  const quality::RecomputeReport* report = &outcome->report;
  const quality::GroupRefresh& groups = outcome->groups;
  const double per_second = report->seconds > 0 ? report->items / report->seconds : 0;
  if (ctx.json) {
    ctx.PrintJson({{"items", report->items},
                   {"measured", report->measured},
                   {"changed", report->changed},
                   {"category_changed", report->category_changed},
                   {"seconds", report->seconds},
                   {"images_per_second", per_second},
                   {"bursts", groups.bursts},
                   {"duplicate_groups", groups.duplicate_groups},
                   {"reference", quality::ReferenceToJson(report->reference)}});
    return kExitOk;
  }
  fmt::print(
      "{} stored analyses ({} with quality measures) rescored in {:.2f} s ({:.0f}/s): {} scores changed, {} "
      "categories changed\n",
      report->items, report->measured, report->seconds, per_second, report->changed, report->category_changed);
  fmt::print("{} bursts and {} duplicate groups chose their leads again\n", groups.bursts, groups.duplicate_groups);
  for (const auto& [category, n] : report->reference.category_samples) {
    fmt::print("  {:<16} {:>14}{}\n", category, Counted(n, "image"),
               n >= lib->config()->quality.category_min_samples ? "" : " (too few for its own scale: overall applies)");
  }
  return kExitOk;
}

// Analyses items' files again and replaces their stored analyses (moves nothing).
int Analyse(CommandContext& ctx, const std::vector<int64_t>& ids) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  json items = json::array();
  int failed = 0;
  for (int64_t id : ids) {
    auto r = AnalyseItem(*lib, id, CommandContext::Actor());
    if (!r.ok() && ids.size() == 1) return ctx.Fail(r.status());
    failed += r.ok() ? 0 : 1;
    if (ctx.json) {
      items.push_back({{"id", id},
                       {"ok", r.ok()},
                       {"error", r.ok() ? json(nullptr) : json(r.status().message())},
                       {"faces", r.ok() ? json(r->analysis.faces.size()) : json(nullptr)}});
    } else if (r.ok()) {
      fmt::print("item {} analysed again: {}, {}\n", id, r->analysis.readable ? "readable" : "unreadable",
                 Counted(r->analysis.faces.size(), "face"));
    } else {
      fmt::print(stderr, "item {}: {}\n", id, r.status().message());
    }
  }
  if (ctx.json) ctx.PrintJson({{"items", items}});
  ctx.exit_code = failed > 0 ? kExitPartial : kExitOk;
  return ctx.exit_code;
}

}  // namespace

void AddPolicyCommands(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<SimulateArgs>();
  auto* simulate = app.add_subcommand(
      "simulate", "replay every stored analysis under a proposed policy and show what would move (moves nothing)");
  auto* file =
      simulate->add_option("--config", a->config_file, "a whole proposed triage.json")->check(CLI::ExistingFile);
  simulate->add_option("--set", a->sets, "key=value edits of the current config, e.g. thresholds.min_confidence=0.5")
      ->excludes(file);
  simulate->add_flag("--json", ctx.json, "machine-readable output");
  simulate->callback([&ctx, a] { Simulate(ctx, *a); });

  struct QueueArgs {
    bool apply = false;
    bool recompute = false;
    bool analyse = false;
    std::vector<int64_t> ids;
  };
  auto q = std::make_shared<QueueArgs>();
  const char* kQueueHelp = "enqueue it as a job and return; a `triage worker` runs it (PostgreSQL catalog)";
  auto* apply = app.add_subcommand("apply-policy",
                                   "re-decide the items waiting in review under the current policy and move them");
  apply->add_flag("--json", ctx.json, "machine-readable output");
  apply->add_flag("--queue", q->apply, kQueueHelp);
  apply->callback([&ctx, q] { q->apply ? EnqueueJobs(ctx, kRedecideJob, {"{}"}) : ApplyPolicy(ctx); });

  auto* recompute = app.add_subcommand(
      "recompute", "recompute quality categories, normalisation and scores from the stored measures (decodes nothing)");
  recompute->add_flag("--json", ctx.json, "machine-readable output");
  recompute->add_flag("--queue", q->recompute, kQueueHelp);
  recompute->callback([&ctx, q] { q->recompute ? EnqueueJobs(ctx, kRecomputeJob, {"{}"}) : Recompute(ctx); });

  auto* analyse =
      app.add_subcommand("analyse", "analyse items' files again and store the new analyses (moves nothing)");
  analyse->add_option("ids", q->ids, "item ids")->required()->check(CLI::PositiveNumber);
  analyse->add_flag("--json", ctx.json, "machine-readable output");
  analyse->add_flag("--queue", q->analyse, "enqueue one job per item and return; `triage worker` processes run them");
  analyse->callback([&ctx, q] {
    if (!q->analyse) return void(Analyse(ctx, q->ids));
    std::vector<std::string> payloads;
    for (int64_t id : q->ids) payloads.push_back(AnalysePayload(id));
    EnqueueJobs(ctx, kAnalyseJob, payloads);
  });
}

}  // namespace triage::cli
