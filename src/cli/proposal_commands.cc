// proposals list | show | add | approve | deny | archive | revert | batch | sweep; propose; public.
#include <fmt/format.h>

#include <algorithm>

#include "base/clock.h"
#include "cli/commands.h"
#include "review/proposal_json.h"

namespace triage::cli {
namespace {

using nlohmann::json;

struct ProposalArgs {
  int64_t id = 0;
  int64_t proposed = 0;
  std::string status;
  std::string reason = "manual";
  std::string filter_reason;
  std::string note;
  std::string action;
  double min_score = -1;
  double max_score = -1;
  int older_than_days = 0;
  bool without_flags = false;
  bool off = false;
};

// kInvalidArgument naming the choices when `value` is set and not one of them.
base::Status CheckChoice(const char* option, const std::string& value, const std::vector<std::string>& choices) {
  if (value.empty() || std::find(choices.begin(), choices.end(), value) != choices.end()) return base::Status::Ok();
  return base::Status::InvalidArgument(
      fmt::format("{} \"{}\" is unknown; use one of: {}", option, value, fmt::join(choices, ", ")));
}

int List(CommandContext& ctx, const ProposalArgs& a) {
  base::Status st = CheckChoice("--status", a.status, review::ProposalStatuses());
  if (st.ok()) st = CheckChoice("--reason", a.filter_reason, catalog::ProposalReasons());
  if (!st.ok()) return ctx.Fail(st);
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  catalog::ProposalFilter f;
  if (!a.status.empty()) f.status = a.status;
  if (!a.filter_reason.empty()) f.reason = a.filter_reason;
  f.limit = 1000;
  auto list = lib->proposals->List(f);
  if (!list.ok()) return ctx.Fail(list.status());
  json out = json::array();
  for (const auto& p : *list) {
    out.push_back(review::ProposalSummaryJson(p));
    if (!ctx.json) {
      fmt::print("{:>6}  {:<9} {:<18} {:<40} {} -> {}\n", p.id, p.status, p.reason, p.slot, p.current_item_id,
                 p.proposed_item_id ? fmt::format("{}", p.proposed_item_id) : std::string("(remove)"));
    }
  }
  if (ctx.json) {
    ctx.PrintJson({{"proposals", out}});
  } else if (list->empty()) {
    fmt::print("no {}proposals\n", a.status.empty() ? "" : a.status + " ");
  }
  return kExitOk;
}

int Report(CommandContext& ctx, const base::Result<catalog::ProposalRecord>& p) {
  if (!p.ok()) return ctx.Fail(p.status());
  if (ctx.json) {
    ctx.PrintJson(review::ProposalJson(*p));
    return kExitOk;
  }
  fmt::print("proposal {}: {} ({}), slot {}\n", p->id, p->status, p->reason, p->slot);
  fmt::print("  current  item {}: {}x{}, score {}, {} bytes\n", p->current_item_id, p->current.width, p->current.height,
             p->current.score < 0 ? std::string("-") : fmt::format("{:.0f}", p->current.score), p->current.size_bytes);
  if (p->proposed_item_id) {
    fmt::print("  proposed item {}: {}x{}, score {}, {} bytes\n", p->proposed_item_id, p->proposed.width,
               p->proposed.height, p->proposed.score < 0 ? std::string("-") : fmt::format("{:.0f}", p->proposed.score),
               p->proposed.size_bytes);
  }
  fmt::print("  proposed by {}{}\n", p->proposed_by,
             p->reviewed_by.empty() ? std::string() : fmt::format("; decided by {}", p->reviewed_by));
  return kExitOk;
}

int Batch(CommandContext& ctx, const ProposalArgs& a) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  review::BatchRequest request;
  request.action = a.action;
  if (a.min_score >= 0) request.min_score = a.min_score;
  if (a.max_score >= 0) request.max_score = a.max_score;
  if (a.older_than_days > 0) request.older_than_s = int64_t{a.older_than_days} * 86400;
  request.without_flags = a.without_flags;
  request.notes = a.note;
  auto r = lib->proposals->Batch(request, CommandContext::Actor(), base::UnixNow());
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json) {
    json failed = json::array();
    for (const auto& [id, why] : r->failed) failed.push_back({{"id", id}, {"error", why}});
    ctx.PrintJson({{"matched", r->matched},
                   {"not_found", r->not_found},
                   {"done", r->done},
                   {"stale", r->stale},
                   {"failed", failed},
                   {"ids", r->ids},
                   {"undo", r->undo}});
  } else {
    fmt::print("{}: {} matched, {} done, {} stale, {} failed\n", a.action, r->matched, r->done, r->stale,
               r->failed.size());
    for (const auto& [id, why] : r->failed) fmt::print("  proposal {}: {}\n", id, why);
    if (!r->undo.empty()) fmt::print("undo token (POST /api/undo/{{token}}, for a day): {}\n", r->undo);
  }
  return r->failed.empty() ? kExitOk : kExitPartial;
}

int Propose(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto r = lib->proposals->RunWorkflows(base::UnixNow());
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json) {
    ctx.PrintJson(review::WorkflowReportJson(*r));
  } else {
    fmt::print("{}\n", r->Sentence());
  }
  return kExitOk;
}

// A decision on one proposal: approve, deny, archive or revert.
void AddDecision(CLI::App* parent, CommandContext& ctx, std::shared_ptr<ProposalArgs> a, const char* name,
                 const char* help) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("id", a->id, "proposal id")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--note", a->note, "review notes");
  cmd->add_flag("--json", ctx.json, "machine-readable output");
  const std::string verb = name;
  cmd->callback([&ctx, a, verb] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    review::ProposalService& s = *lib->proposals;
    const std::string actor = CommandContext::Actor();
    const int64_t now = base::UnixNow();
    Report(ctx, verb == "approve"   ? s.Approve(a->id, actor, a->note, now)
                : verb == "deny"    ? s.Deny(a->id, actor, a->note, now)
                : verb == "archive" ? s.Archive(a->id, actor, a->note, now)
                                    : s.Revert(a->id, actor, a->note, now));
  });
}

}  // namespace

void AddProposalCommands(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<ProposalArgs>();
  auto* proposals = app.add_subcommand("proposals", "images proposed to replace library images");
  proposals->require_subcommand(1);

  auto* list = proposals->add_subcommand("list", "proposals, newest first");
  list->add_option("--status", a->status, "pending, approved, denied, archived, stale or reverted");
  list->add_option("--reason", a->filter_reason,
                   "higher_resolution, better_quality, correct_subject, user_flags, manual");
  list->add_flag("--json", ctx.json, "machine-readable output");
  list->callback([&ctx, a] { ctx.exit_code = List(ctx, *a); });

  auto* show = proposals->add_subcommand("show", "one proposal with both images' figures");
  show->add_option("id", a->id, "proposal id")->required()->check(CLI::PositiveNumber);
  show->add_flag("--json", ctx.json, "machine-readable output");
  show->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (lib) Report(ctx, lib->proposals->Get(a->id));
  });

  auto* add = proposals->add_subcommand("add", "propose by hand: item PROPOSED for the slot of library item CURRENT");
  add->add_option("current", a->id, "the library item to replace")->required();
  add->add_option("proposed", a->proposed, "the item to take its place (omit to propose removing it)");
  add->add_option("--reason", a->reason, "why (default manual)");
  add->add_flag("--json", ctx.json, "machine-readable output");
  add->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (lib) {
      Report(ctx, lib->proposals->Propose({a->id, a->proposed, a->reason, CommandContext::Actor()}, base::UnixNow()));
    }
  });

  AddDecision(proposals, ctx, a, "approve", "apply a pending proposal (the replaced image goes to .triage/archive/)");
  AddDecision(proposals, ctx, a, "deny", "refuse a pending proposal (no file moves)");
  AddDecision(proposals, ctx, a, "archive", "put a pending proposal aside (no file moves)");
  AddDecision(proposals, ctx, a, "revert", "undo an approved replacement (the archived image comes back)");

  auto* batch = proposals->add_subcommand("batch", "decide every pending proposal matching the criteria");
  batch->add_option("action", a->action, "approve, deny or archive")->required();
  batch->add_option("--min-score", a->min_score, "proposed image's score above this (0..100)")
      ->check(CLI::Range(0.0, 100.0));
  batch->add_option("--max-score", a->max_score, "proposed image's score below this (0..100)")
      ->check(CLI::Range(0.0, 100.0));
  batch->add_option("--older-than-days", a->older_than_days, "proposals made more than this many days ago")
      ->check(CLI::Range(0, 36500));
  batch->add_flag("--without-flags", a->without_flags, "only proposed images nobody flagged");
  batch->add_option("--note", a->note, "review notes");
  batch->add_flag("--json", ctx.json, "machine-readable output");
  batch->callback([&ctx, a] { ctx.exit_code = Batch(ctx, *a); });

  auto* sweep =
      proposals->add_subcommand("sweep", "archive pending proposals older than proposals.stale_proposal_days");
  sweep->add_flag("--json", ctx.json, "machine-readable output");
  sweep->callback([&ctx] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    auto n = lib->proposals->Sweep(CommandContext::Actor(), base::UnixNow());
    if (!n.ok()) return void(ctx.Fail(n.status()));
    if (ctx.json)
      ctx.PrintJson({{"archived", *n}});
    else
      fmt::print("archived {}\n", Counted(*n, "stale proposal"));
  });

  auto* propose =
      app.add_subcommand("propose", "run the proposal workflows (near duplicates, flags, auto rules, sweep)");
  propose->add_flag("--json", ctx.json, "machine-readable output");
  propose->callback([&ctx] { ctx.exit_code = Propose(ctx); });

  auto* pub = app.add_subcommand("public", "show a library item on the public voting page (or not, with --off)");
  pub->add_option("id", a->id, "item id")->required()->check(CLI::PositiveNumber);
  pub->add_flag("--off", a->off, "hide it again");
  pub->add_flag("--json", ctx.json, "machine-readable output");
  pub->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    base::Status st = lib->proposals->SetPublic(a->id, !a->off, CommandContext::Actor(), base::UnixNow());
    if (!st.ok()) return void(ctx.Fail(st));
    if (ctx.json)  // as POST /api/items/{id}/public answers
      ctx.PrintJson({{"item_id", a->id}, {"public", !a->off}});
    else
      fmt::print("item {} is {} public\n", a->id, a->off ? "no longer" : "now");
  });
}

}  // namespace triage::cli
