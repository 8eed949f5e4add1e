// faces clusters | name | merge | split | not-this-person | remove | hide | show | recluster | undo | actions.
#include <fmt/format.h>

#include <map>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/job_kinds.h"

namespace triage::cli {
namespace {

using nlohmann::json;

// Opens the library with its face clusters, or reports why not (null).
std::unique_ptr<Library> OpenWithClusters(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return nullptr;
  if (base::Status st = lib->LoadClustering(); !st.ok()) {
    ctx.Fail(st);
    return nullptr;
  }
  return lib;
}

void PrintOutcome(CommandContext& ctx, const base::Result<review::PeopleOutcome>& o, const std::string& done) {
  if (!o.ok()) return void(ctx.Fail(o.status()));
  if (ctx.json) return ctx.PrintJson(review::OutcomeJson(*o));
  fmt::print("{} (action {}; `triage faces undo {}` reverts it)\n", done, o->action_id, o->action_id);
  if (o->references_added > 0) fmt::print("  {} enrolled as references\n", Counted(o->references_added, "face"));
  if (!o->moved_items.empty()) {
    // Where they went, folder by folder: waiting photos re-decided, or on a rename the person's photos in the library.
    std::map<std::string, int64_t> by_folder;
    for (size_t i = 0; i < o->moved_items.size(); ++i) {
      ++by_folder[i < o->moved_to.size() ? o->moved_to[i] : std::string("where the policy sends them")];
    }
    std::string where;
    for (const auto& [folder, n] : by_folder) where += fmt::format("{}{} to {}", where.empty() ? "" : ", ", n, folder);
    fmt::print("  {} moved: {}\n", Counted(o->moved_items.size(), "photo"), where);
  }
  for (const auto& e : o->errors) fmt::print(stderr, "  not moved: {}\n", e);
  if (!o->errors.empty()) ctx.exit_code = kExitPartial;
}

void ListClusters(CommandContext& ctx, bool all) {
  auto lib = OpenWithClusters(ctx);
  if (!lib) return;
  auto clusters = lib->people->Clusters(all);
  if (!clusters.ok()) return void(ctx.Fail(clusters.status()));
  // Faces seen too seldom to form a cluster yet, as the People page says.
  auto unclustered = lib->face_store->CountUnclusteredFaces();
  if (!unclustered.ok()) return void(ctx.Fail(unclustered.status()));
  if (ctx.json) {
    json out = review::ClustersJson(*clusters);
    out["unclustered"] = *unclustered;
    return ctx.PrintJson(out);
  }
  if (clusters->empty()) fmt::print("no face clusters yet\n");
  for (const auto& c : *clusters) {
    fmt::print("cluster {:>5}  {:>10}  {}{}\n", c.cluster.id, Counted(c.cluster.size, "face"),
               c.cluster.person.empty() ? "(unnamed)" : c.cluster.person, c.cluster.hidden ? "  [hidden]" : "");
  }
  if (*unclustered > 0) {
    fmt::print(
        "{} in no cluster yet: a cluster forms once the library holds {} similar faces of one person; until "
        "then, name them on their photos in review\n",
        Counted(*unclustered, "face"), lib->config()->face_clustering.min_faces);
  }
}

void Recluster(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return;
  auto report = ReclusterLibrary(*lib, CommandContext::Actor());
  if (!report.ok()) return void(ctx.Fail(report.status()));
  if (ctx.json) {
    return ctx.PrintJson({{"faces", report->faces},
                          {"clusters", report->clusters},
                          {"named", report->named},
                          {"seconds", report->seconds}});
  }
  fmt::print("{} in {} ({} named) in {:.1f} s\n", Counted(report->faces, "face"), Counted(report->clusters, "cluster"),
             report->named, report->seconds);
}

void Undo(CommandContext& ctx, int64_t action) {
  auto lib = OpenWithClusters(ctx);
  if (!lib) return;
  auto undone = lib->people->Undo(action, CommandContext::Actor(), base::UnixNow());
  if (!undone.ok()) return void(ctx.Fail(undone.status()));
  if (ctx.json) return ctx.PrintJson(review::UndoJson(*undone));
  fmt::print("undid {} (action {}); {} moved back\n", undone->kind, action,
             Counted(undone->restored_items.size(), "photo"));
  for (const auto& e : undone->errors) fmt::print(stderr, "  {}\n", e);
  if (!undone->errors.empty()) ctx.exit_code = kExitPartial;
}

void ListActions(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return;
  auto actions = lib->face_store->ListActions(50);
  if (!actions.ok()) return void(ctx.Fail(actions.status()));
  json out = json::array();
  for (const auto& a : *actions) {
    if (!ctx.json) {
      fmt::print("{:>5}  {:<16} {:<20} {}{}\n", a.id, a.kind, a.actor, a.summary, a.undone_at ? "  [undone]" : "");
    }
    out.push_back(review::ActionJson(a));
  }
  if (ctx.json) ctx.PrintJson({{"actions", out}});
}

}  // namespace

void AddFacesCommands(CLI::App& app, CommandContext& ctx) {
  auto* faces = app.add_subcommand("faces", "face clusters: name them once, merge, split, undo");
  faces->require_subcommand(1);
  struct Args {
    int64_t cluster = 0, other = 0, action = 0;
    std::string person;
    std::vector<int64_t> face_ids;
    bool all = false, rename = false;
  };
  auto a = std::make_shared<Args>();
  auto json_flag = [&ctx](CLI::App* cmd) { cmd->add_flag("--json", ctx.json, "machine-readable output"); };
  auto run = [&ctx](const std::function<base::Result<review::PeopleOutcome>(Library&)>& act, const std::string& done) {
    auto lib = OpenWithClusters(ctx);
    if (lib) PrintOutcome(ctx, act(*lib), done);
  };

  auto* clusters = faces->add_subcommand("clusters", "clusters by size, with their faces (--json)");
  clusters->add_flag("--all", a->all, "hidden clusters too");
  json_flag(clusters);
  clusters->callback([&ctx, a] { ListClusters(ctx, a->all); });

  auto* name = faces->add_subcommand("name", "name a cluster: enrol its best faces, move its waiting photos");
  name->add_option("cluster", a->cluster, "cluster id")->required()->check(CLI::PositiveNumber);
  name->add_option("person", a->person, "person (created when new)")->required();
  name->add_flag("--rename", a->rename, "rename a cluster named already");
  json_flag(name);
  name->callback([a, run] {
    run(
        [a](Library& lib) {
          return lib.people->Name(a->cluster, a->person, CommandContext::Actor(), base::UnixNow(), a->rename);
        },
        fmt::format("cluster {} named {}", a->cluster, a->person));
  });

  auto* merge = faces->add_subcommand("merge", "merge cluster A into cluster B");
  merge->add_option("a", a->cluster, "cluster merged away")->required();
  merge->add_option("b", a->other, "cluster kept")->required();
  json_flag(merge);
  merge->callback([a, run] {
    run([a](Library& lib) { return lib.people->Merge(a->cluster, a->other, CommandContext::Actor(), base::UnixNow()); },
        fmt::format("cluster {} merged into {}", a->cluster, a->other));
  });

  auto* split = faces->add_subcommand("split", "move faces of a cluster into a new cluster");
  split->add_option("cluster", a->cluster, "cluster id")->required()->check(CLI::PositiveNumber);
  split->add_option("faces", a->face_ids, "face ids")->required()->check(CLI::PositiveNumber);
  json_flag(split);
  split->callback([a, run] {
    run(
        [a](Library& lib) {
          return lib.people->Split(a->cluster, a->face_ids, CommandContext::Actor(), base::UnixNow());
        },
        "faces split off");
  });

  auto* refuse = faces->add_subcommand("not-this-person", "these faces are not the person they were given");
  refuse->add_option("faces", a->face_ids, "face ids")->required()->check(CLI::PositiveNumber);
  json_flag(refuse);
  refuse->callback([a, run] {
    run([a](Library& lib) { return lib.people->NotThisPerson(a->face_ids, CommandContext::Actor(), base::UnixNow()); },
        "faces marked");
  });

  auto* remove = faces->add_subcommand("remove", "take faces out of their clusters");
  remove->add_option("faces", a->face_ids, "face ids")->required()->check(CLI::PositiveNumber);
  json_flag(remove);
  remove->callback([a, run] {
    run([a](Library& lib) { return lib.people->Remove(a->face_ids, CommandContext::Actor(), base::UnixNow()); },
        "faces removed");
  });

  for (bool hide : {true, false}) {
    auto* cmd = faces->add_subcommand(hide ? "hide" : "show", hide ? "hide a cluster from the list" : "show it again");
    cmd->add_option("cluster", a->cluster, "cluster id")->required()->check(CLI::PositiveNumber);
    json_flag(cmd);
    cmd->callback([a, run, hide] {
      run(
          [a, hide](Library& lib) {
            return lib.people->SetHidden(a->cluster, hide, CommandContext::Actor(), base::UnixNow());
          },
          hide ? "cluster hidden" : "cluster shown");
    });
  }

  auto* recluster = faces->add_subcommand("recluster", "cluster every face again under the current rules; keeps names");
  json_flag(recluster);
  auto queue = std::make_shared<bool>(false);
  recluster->add_flag("--queue", *queue, "enqueue it as a job and return; a `triage worker` runs it (PostgreSQL)");
  recluster->callback([&ctx, queue] { *queue ? void(EnqueueJobs(ctx, kReclusterJob, {"{}"})) : Recluster(ctx); });

  auto* undo = faces->add_subcommand("undo", "undo a people action (name, merge, split, ...) as one action");
  undo->add_option("action", a->action, "action id")->required()->check(CLI::PositiveNumber);
  json_flag(undo);
  undo->callback([&ctx, a] { Undo(ctx, a->action); });

  auto* actions = faces->add_subcommand("actions", "the latest people actions, newest first");
  json_flag(actions);
  actions->callback([&ctx] { ListActions(ctx); });
}

}  // namespace triage::cli
