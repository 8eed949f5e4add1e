// review list | approve | name-face | name | reject | keep | duplicate | restore | skip | purge.
#include <fmt/format.h>

#include <algorithm>

#include "base/clock.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/job_kinds.h"
#include "model/decision.h"
#include "model/json.h"

namespace triage::cli {
namespace {

using nlohmann::json;

int List(CommandContext& ctx, const std::string& category) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  if (base::Status st = model::CheckReviewCategory(category); !st.ok()) return ctx.Fail(st);
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
      fmt::print("{:>6}  {:<16} {:<40} {}\n", r.id, r.category, base::ForTerminal(r.original_name),
                 base::ForTerminal(entry.ok() ? entry->reason : std::string()));
    }
  }
  if (ctx.json) {
    ctx.PrintJson(out);
  } else if (items->empty()) {
    fmt::print("nothing waits for review{}\n", category.empty() ? "" : " in review/" + category);
  }
  return kExitOk;
}

int Report(CommandContext& ctx, const base::Result<model::ItemRecord>& r, const char* verb) {
  if (!r.ok()) return ctx.Fail(r.status());
  if (ctx.json)
    ctx.PrintJson(*r);
  else
    fmt::print("item {} {} -> {}\n", r->id, verb, r->path);
  return kExitOk;
}

// Faces named here join their person's face cluster, as they do in the web UI (when the library clusters faces).
void FollowClusters(Library& lib) {
  if (!lib.config()->face_clustering.enabled) return;
  if (base::Status st = lib.LoadClustering(); !st.ok()) {
    fmt::print(stderr, "triage: warning: {}; the face clusters do not learn this naming\n", st.message());
  }
}

// One face of a group photo named (or, with an empty person, dismissed as nobody tracked).
int NameFace(CommandContext& ctx, int64_t id, int face, const std::string& person, bool untracked) {
  if (person.empty() == !untracked) {
    return ctx.Fail(base::Status::InvalidArgument("name-face: give a PERSON or --untracked (not both)"));
  }
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  FollowClusters(*lib);
  auto named = lib->review->NameFace(id, face, person, CommandContext::Actor(), base::UnixNow());
  if (!named.ok()) return ctx.Fail(named.status());
  if (ctx.json) {
    json labels = json::array();
    for (const auto& f : named->faces)
      labels.push_back({{"named_as", f.label.named_as}, {"untracked", f.label.untracked}});
    ctx.PrintJson({{"item", named->item},
                   {"faces", labels},
                   {"open", named->open},
                   {"filed", named->moved},
                   {"summary", named->summary}});
  } else if (named->moved) {
    fmt::print("item {}: every face decided -> {}\n", id, named->item.path);
  } else {
    // Face numbers as this command takes them and `explain` lists them (from 0), not the audit's "face 2 of 4".
    fmt::print("item {}: face {} marked as {}; {} to go\n", id, face,
               person.empty() ? "nobody tracked" : base::ForTerminal(person), Counted(named->open, "face"));
  }
  return kExitOk;
}

// The one face of each photo named as one enrolled person; one outcome per photo (exit 1 when some were refused).
int NameOnlyFaces(CommandContext& ctx, const std::vector<int64_t>& ids, const std::string& person) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  FollowClusters(*lib);
  auto outcomes = lib->review->Bulk(ids, "name_face", person, CommandContext::Actor(), base::UnixNow());
  if (!outcomes.ok()) return ctx.Fail(outcomes.status());
  json results = json::array();
  int failed = 0;
  for (const auto& o : *outcomes) {
    failed += o.ok ? 0 : 1;
    results.push_back({{"id", o.id}, {"ok", o.ok}, {"error", o.ok ? json(nullptr) : json(o.error)}});
    if (!ctx.json) fmt::print("item {}: {}\n", o.id, o.ok ? "named " + person : o.error);
  }
  if (ctx.json) ctx.PrintJson({{"person", person}, {"results", results}});
  return failed ? kExitPartial : kExitOk;
}

}  // namespace

void AddReviewCommands(CLI::App& app, CommandContext& ctx) {
  auto* review = app.add_subcommand("review", "decide what triage could not");
  review->require_subcommand(1);
  struct Args {
    std::string category;
    int64_t id = 0;
    std::string person;
    int face = 0;
    bool untracked = false;
    std::vector<int64_t> ids;
    std::string keep;
  };
  auto a = std::make_shared<Args>();

  auto* list = review->add_subcommand("list", "items waiting for review");
  list->add_option("--category", a->category, "only this category")->check(kNotEmpty);
  list->add_flag("--json", ctx.json, "machine-readable output");
  list->callback([&ctx, a] { List(ctx, a->category); });

  auto* approve = review->add_subcommand("approve", "sort an item into faces/<person>/");
  approve->add_option("id", a->id, "item id")->required()->check(CLI::PositiveNumber);
  approve->add_option("--person", a->person, "who it is (new names are created)")->required();
  approve->add_flag("--json", ctx.json, "machine-readable output");
  approve->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    FollowClusters(*lib);
    // A name nobody has yet creates that person: say so, so that a typo ("obamma") does not pass unnoticed.
    auto before = lib->catalog->ListPersons();
    if (!before.ok()) return void(ctx.Fail(before.status()));
    auto approved = lib->review->Approve(a->id, a->person, CommandContext::Actor(), base::UnixNow());
    if (Report(ctx, approved, "approved") != kExitOk || ctx.json) return;
    const bool known = std::any_of(before->begin(), before->end(),
                                   [&](const model::PersonRecord& p) { return p.name == approved->person; });
    if (!known) fmt::print("new person {} created (no person had that name before)\n", approved->person);
  });

  auto* name_face = review->add_subcommand(
      "name-face",
      "name one face of a photo in review (faces from 0, as `explain` lists them); once every face is "
      "named or --untracked, the photo goes where the policy sends it");
  name_face->add_option("id", a->id, "item id")->required()->check(CLI::PositiveNumber);
  name_face->add_option("face", a->face, "the face's index, from 0")->required()->check(CLI::Range(0, 9999));
  name_face->add_option("person", a->person, "an enrolled person");
  name_face->add_flag("--untracked", a->untracked, "not a person you track");
  name_face->add_flag("--json", ctx.json, "machine-readable output");
  name_face->callback([&ctx, a] { NameFace(ctx, a->id, a->face, a->person, a->untracked); });

  auto* name = review->add_subcommand(
      "name", "name the one face of each photo as an enrolled person (a photo with no face or several is refused)");
  name->add_option("ids", a->ids, "item ids")->required()->check(CLI::PositiveNumber);
  name->add_option("--person", a->person, "an enrolled person")->required();
  name->add_flag("--json", ctx.json, "machine-readable output");
  name->callback([&ctx, a] { ctx.exit_code = NameOnlyFaces(ctx, a->ids, a->person); });

  // A decision that takes an item id and moves that one item: reject, keep, restore.
  using Move =
      base::Result<model::ItemRecord> (*)(review::ReviewService&, int64_t id, const std::string& actor, int64_t now);
  const auto add_move = [&ctx, review, a](const char* command, const char* help, const char* id_help, Move move,
                                          const char* verb) {
    auto* sub = review->add_subcommand(command, help);
    sub->add_option("id", a->id, id_help)->required()->check(CLI::PositiveNumber);
    sub->add_flag("--json", ctx.json, "machine-readable output");
    sub->callback([&ctx, a, move, verb] {
      auto lib = ctx.OpenOrReport();
      if (lib) Report(ctx, move(*lib->review, a->id, CommandContext::Actor(), base::UnixNow()), verb);
    });
  };
  add_move(
      "reject", "move an item to the trash (purged after the retention period)", "item id",
      [](review::ReviewService& r, int64_t id, const std::string& actor, int64_t now) {
        return r.Reject(id, actor, now);
      },
      "rejected");
  add_move(
      "keep", "keep an item in the library without a person: photos/<year>/<month>/ by its capture date", "item id",
      [](review::ReviewService& r, int64_t id, const std::string& actor, int64_t now) {
        return r.Keep(id, actor, now);
      },
      "kept without a person");

  auto* duplicate = review->add_subcommand(
      "duplicate",
      "decide a duplicate against the item it duplicates: keep the new one in the original's place (the original to "
      "the trash), keep the existing one (this one to the trash), or keep both");
  duplicate->add_option("id", a->id, "item id of the duplicate")->required()->check(CLI::PositiveNumber);
  duplicate->add_option("--keep", a->keep, "new, existing or both")
      ->required()
      ->check(CLI::IsMember({"new", "existing", "both"}));
  duplicate->add_flag("--json", ctx.json, "machine-readable output");
  duplicate->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    const char* verb = a->keep == "new"        ? "kept in the original's place (the original went to the trash)"
                       : a->keep == "existing" ? "moved to the trash (the original stays)"
                                               : "kept beside the original";
    Report(ctx, lib->review->DecideDuplicate(a->id, a->keep, CommandContext::Actor(), base::UnixNow()), verb);
  });

  add_move(
      "restore", "move a rejected item from the trash back to review, waiting again",
      "item id (triage items --location trash lists them)",
      [](review::ReviewService& r, int64_t id, const std::string& actor, int64_t now) {
        return r.Restore(id, actor, now);
      },
      "restored");

  auto* skip = review->add_subcommand("skip", "leave an item for later");
  skip->add_option("id", a->id, "item id")->required()->check(CLI::PositiveNumber);
  skip->add_flag("--json", ctx.json, "machine-readable output");
  skip->callback([&ctx, a] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    base::Status st = lib->review->Skip(a->id, CommandContext::Actor(), base::UnixNow());
    if (!st.ok()) return void(ctx.Fail(st));
    if (ctx.json)
      ctx.PrintJson({{"id", a->id}, {"skipped", true}});
    else
      fmt::print("item {} skipped\n", a->id);
  });

  auto* purge = review->add_subcommand("purge", "delete trashed items older than review.trash_retention_days");
  purge->add_flag("--json", ctx.json, "machine-readable output");
  purge->callback([&ctx] {
    auto lib = ctx.OpenOrReport();
    if (!lib) return;
    auto lease = TakeLibraryLease(*lib, "purge", CommandContext::Actor());  // one host purges at a time
    if (!lease.ok()) return void(ctx.Fail(lease.status()));
    auto n = lib->review->PurgeTrash(base::UnixNow(), CommandContext::Actor());
    if (!n.ok()) return void(ctx.Fail(n.status()));
    if (ctx.json)
      ctx.PrintJson({{"purged", *n}});
    else
      fmt::print("purged {} from the trash\n", Counted(*n, "item"));
  });
}

}  // namespace triage::cli
