// bursts, duplicates: the stored groups (brought up to date first) with their lead and why it leads.
#include <fmt/format.h>

#include "cli/commands.h"
#include "model/json_groups.h"
#include "quality/group_service.h"

namespace triage::cli {
namespace {

struct GroupArgs {
  int limit = 100;
  int64_t after = 0;
};

int ListGroups(CommandContext& ctx, model::GroupKind kind, const GroupArgs& a) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  quality::GroupService service(*lib->catalog, *lib->gallery);
  auto refresh = service.Refresh(lib->config()->grouping);
  if (!refresh.ok()) return ctx.Fail(refresh.status());
  // One more than asked says whether more follow: a list cut at --limit says so, and where the next page starts.
  // The store gives up to 10,000 at once: a page of that many says more follow when it is full, as the API does.
  const int fetch = std::min(a.limit + 1, 10000);
  auto groups = lib->gallery->ListGroups(kind, a.after, fetch);
  if (!groups.ok()) return ctx.Fail(groups.status());
  const bool more = static_cast<int>(groups->size()) == fetch;
  if (static_cast<int>(groups->size()) > a.limit) groups->pop_back();
  const std::string next =
      more ? fmt::format("more groups follow: the next page is --after {}\n", groups->back().id) : "";
  auto path_of = [&](int64_t id) {
    auto item = lib->catalog->GetItem(id);
    return item.ok() ? item->path : std::string();
  };
  if (ctx.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& g : *groups) list.push_back(model::GroupJson(g, path_of));
    ctx.PrintJson({{"kind", model::GroupKindName(kind)},
                   {"groups", list},
                   {"next_after", more ? nlohmann::json(groups->back().id) : nlohmann::json(nullptr)}});
    return kExitOk;
  }
  if (groups->empty()) fmt::print("no {} groups\n", model::GroupKindName(kind));
  for (const auto& g : *groups) {
    fmt::print("{} {}: {} photos, lead #{} {}\n  why: {}\n", model::GroupKindName(kind), g.id, g.members.size(),
               g.lead(), path_of(g.lead()), g.why);
    for (const auto& m : g.members) {
      if (m.lead) continue;
      fmt::print("  {:>7} {:<15} score {:5.2f}  {:>2} bits  {}\n", m.item_id, m.relation, m.rank_score, m.distance,
                 path_of(m.item_id));
    }
  }
  fmt::print("{}", next);
  return kExitOk;
}

}  // namespace

void AddGroupCommands(CLI::App& app, CommandContext& ctx) {
  for (model::GroupKind kind : {model::GroupKind::kBurst, model::GroupKind::kDuplicate}) {
    auto a = std::make_shared<GroupArgs>();
    const bool burst = kind == model::GroupKind::kBurst;
    auto* cmd = app.add_subcommand(burst ? "bursts" : "duplicates",
                                   burst ? "list bursts (frames seconds apart) with their best frame and why it leads"
                                         : "list duplicate groups (pHash) with their lead and why it leads");
    cmd->add_option("--limit", a->limit, "groups to show (1..10000)")->check(CLI::Range(1, 10000));
    cmd->add_option("--after", a->after, "show groups after this group id (paging)")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--json", ctx.json, "machine-readable output");
    cmd->callback([&ctx, kind, a] { ListGroups(ctx, kind, *a); });
  }
}

}  // namespace triage::cli
