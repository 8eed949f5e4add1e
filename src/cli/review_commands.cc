// review list | approve | reject | skip | purge.
#include <fmt/format.h>

#include "base/clock.h"
#include "cli/commands.h"
#include "model/json.h"

namespace triage::cli {
namespace {

using nlohmann::json;

int List(CommandContext& ctx, const std::string& category) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  if (!category.empty() && !model::IsReviewCategory(category)) {
    return ctx.Fail(base::Status::InvalidArgument(fmt::format("unknown review category \"{}\"", category)));
  }
  catalog::ItemFilter f;
  f.location = "review";
  f.pending_review_only = true;
  f.queue_order = true;
  if (!category.empty()) f.category = category;
  f.limit = 100000;
  auto items = lib->catalog->ListItems(f);
  if (!items.ok()) return ctx.Fail(items.status());
  json out = json::array();
  for (const auto& r : *items) {
    auto entry = lib->catalog->PendingReview(r.id);
    json j = r;
    if (entry.ok()) j["review"] = *entry;
    out.push_back(j);
    if (!ctx.json) {
      fmt::print("{:>6}  {:<16} {:<40} {}\n", r.id, r.category, r.original_name,
                 entry.ok() ? entry->reason : std::string());
    }
  }
  if (ctx.json) ctx.PrintJson(out);
  return kExitOk;
}

int Report(CommandContext& ctx, const base::Result<model::ItemRecord>& r, const char* verb) {
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json) ctx.PrintJson(*r);
  else fmt::print("item {} {} -> {}\n", r->id, verb, r->path);
  return kExitOk;
}

}  // namespace

void AddReviewCommands(CLI::App& app, CommandContext& ctx) {
  auto* review = app.add_subcommand("review", "decide what triage could not");
  review->require_subcommand(1);
  struct Args {
    std::string category;
    int64_t id = 0;
    std::string person;
  };
  auto a = std::make_shared<Args>();

  auto* list = review->add_subcommand("list", "items waiting for review");
  list->add_option("--category", a->category, "only this category");
  list->add_flag("--json", ctx.json, "machine-readable output");
  list->callback([&ctx, a] { List(ctx, a->category); });

  auto* approve = review->add_subcommand("approve", "sort an item into faces/<person>/");
  approve->add_option("id", a->id, "item id")->required();
  approve->add_option("--person", a->person, "who it is (new names are created)")->required();
  approve->add_flag("--json", ctx.json, "machine-readable output");
  approve->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (lib) Report(ctx, lib->review->Approve(a->id, a->person, CommandContext::Actor(), base::UnixNow()), "approved");
  });

  auto* reject = review->add_subcommand("reject", "move an item to the trash (purged after the retention period)");
  reject->add_option("id", a->id, "item id")->required();
  reject->add_flag("--json", ctx.json, "machine-readable output");
  reject->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (lib) Report(ctx, lib->review->Reject(a->id, CommandContext::Actor(), base::UnixNow()), "rejected");
  });

  auto* skip = review->add_subcommand("skip", "leave an item for later");
  skip->add_option("id", a->id, "item id")->required();
  skip->add_flag("--json", ctx.json, "machine-readable output");
  skip->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    base::Status st = lib->review->Skip(a->id, CommandContext::Actor(), base::UnixNow());
    if (!st.ok()) return void(ctx.Fail(st));
    if (ctx.json) ctx.PrintJson({{"id", a->id}, {"skipped", true}});
    else fmt::print("item {} skipped\n", a->id);
  });

  auto* purge = review->add_subcommand("purge", "delete trashed items older than review.trash_retention_days");
  purge->add_flag("--json", ctx.json, "machine-readable output");
  purge->callback([&ctx] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    auto n = lib->review->PurgeTrash(base::UnixNow(), CommandContext::Actor());
    if (!n.ok()) return void(ctx.Fail(n.status()));
    if (ctx.json) ctx.PrintJson({{"purged", *n}});
    else fmt::print("purged {} item(s) from the trash\n", *n);
  });
}

}  // namespace triage::cli
