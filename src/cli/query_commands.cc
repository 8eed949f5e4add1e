// items, explain, stats.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/clock.h"
#include "base/utf8.h"
#include "catalog/policy_names.h"
#include "cli/commands.h"
#include "decide/decide.h"
#include "model/decision.h"
#include "model/json.h"
#include "quality/reference_store.h"
#include "review/person_service.h"
#include "review/policy_service.h"

namespace triage::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct ItemsArgs {
  std::string location, category, person;
  int limit = 100;
  int offset = 0;
};

int Items(CommandContext& ctx, const ItemsArgs& a) {
  // An unknown category or person would list nothing, just as a known one with no items does: refuse them instead.
  if (base::Status st = model::CheckReviewCategory(a.category); !st.ok()) return ctx.Fail(st);
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  catalog::ItemFilter f;
  if (!a.location.empty()) f.location = a.location;
  if (!a.category.empty()) f.category = a.category;
  if (!a.person.empty()) {
    auto person = review::KnownPersonKey(*lib->catalog, a.person);
    if (!person.ok()) return ctx.Fail(person.status());
    f.person = *person;
    // Filed under the person: a photo waiting in review holds a person only as the matcher's suggestion (a stranger
    // shown nearest to them), listed with --location review.
    if (a.location.empty()) f.location = "library";
  }
  f.limit = a.limit + 1;  // one more than shown: whether a page follows
  f.offset = a.offset;
  auto items = lib->catalog->ListItems(f);
  if (!items.ok()) return ctx.Fail(items.status());
  const bool more = items->size() > static_cast<size_t>(a.limit);
  if (more) items->pop_back();
  // A list cut at --limit says so (on stderr with --json, whose stdout stays the array scripts read).
  const std::string next =
      more ? fmt::format("more items follow: the next page is --offset {} (--limit takes up to 100000)\n",
                         int64_t{a.offset} + a.limit)
           : "";
  if (ctx.json) {
    ctx.PrintJson(*items);
    if (more) fmt::print(stderr, "triage: {}", next);
    return kExitOk;
  }
  for (const auto& r : *items) {
    std::string where = r.location == "review"    ? "review/" + r.category
                        : r.location == "library" ? fs::path(r.path).parent_path().string()
                                                  : r.location;
    std::string score = r.quality.scored ? fmt::format("{:5.2f} {:<14}", r.quality.aggregate, r.quality.category)
                                         : fmt::format("{:5} {:<14}", "-", "");
    fmt::print("{:>6}  {:<28} {} {}\n", r.id, where, score, r.path);
  }
  if (items->empty()) fmt::print("no items{}\n", a.offset > 0 ? fmt::format(" from offset {} on", a.offset) : "");
  fmt::print("{}", next);
  return kExitOk;
}

// Each dimension's raw value, score, weight and contribution, the penalties and the sentence.
void PrintQuality(const model::QualityScore& q) {
  if (!q.scored) {
    fmt::print("  quality: not measured\n");
    return;
  }
  fmt::print("  quality: {:.2f} / 10 ({}): {}\n", q.aggregate, q.category, q.sentence);
  fmt::print("    {:<15} {:>10} {:>6} {:>7} {:>13}\n", "dimension", "raw", "score", "weight", "contribution");
  for (const auto& d : q.dimensions) {
    fmt::print("    {:<15} {:>10.3f} {:>6.2f} {:>6.1f}% {:>13.3f}\n", d.name, d.raw, d.score, d.weight, d.contribution);
  }
  for (const auto& p : q.penalties) fmt::print("    penalty {:<14} -{:.2f}  {}\n", p.name, p.points, p.text);
}

// Faces are numbered from 0, as `review name-face` takes them. With `policy`, each face's match is judged under it
// (a replay); without, the kind stored when the photo was decided is shown.
// `by_person`: the item is where a person put it; its reasons are then what intake found, and its faces are shown
// with a reviewer's naming, not the match measured at intake (which no longer says where the photo is).
void PrintDecision(const std::string& title, const std::string& folder, const model::Decision& d,
                   const std::vector<model::Face>& faces, const model::Policy* policy = nullptr,
                   bool by_person = false) {
  fmt::print("{}\n  {} {}\n", base::ForTerminal(title), by_person ? "is in:  " : "goes to:", folder);
  for (const auto& r : d.reasons) {
    fmt::print("  {} {} ({})\n", by_person ? "at intake:" : "reason: ", base::ForTerminal(r.text), r.code);
  }
  if (d.duplicate_of) fmt::print("  duplicate of item {}\n", *d.duplicate_of);
  for (size_t i = 0; i < faces.size(); ++i) {
    const auto& f = faces[i];
    if (by_person) {
      const std::string named = f.label.untracked           ? ", not a person tracked (named by a reviewer)"
                                : !f.label.named_as.empty() ? ", named " + f.label.named_as + " by a reviewer"
                                                            : "";
      fmt::print("  face {}: box {:.0f},{:.0f} {:.0f}x{:.0f}, detection {:.2f}{}, eye aspect {:.2f}\n", i, f.box.x,
                 f.box.y, f.box.width, f.box.height, f.detection_score, named, f.eye_aspect_ratio);
      continue;
    }
    // Without a nearest person nobody was enrolled to compare with: no distance to show.
    const std::string match = f.match.person.empty()
                                  ? "(nobody enrolled to compare with)"
                                  : fmt::format("{} (distance {:.3f}, confidence {:.0f}%)", f.match.person,
                                                f.match.distance, 100 * f.match.confidence);
    const model::MatchKind kind = policy ? decide::ClassifyMatch(f.match, *policy) : f.match.kind;
    fmt::print("  face {}: box {:.0f},{:.0f} {:.0f}x{:.0f}, detection {:.2f}, {} {}, eye aspect {:.2f}\n", i, f.box.x,
               f.box.y, f.box.width, f.box.height, f.detection_score, model::MatchKindName(kind), match,
               f.eye_aspect_ratio);
  }
}

// An item's stored decision, rebuilt from its record.
model::Decision StoredDecision(const model::ItemRecord& r) {
  model::Decision d;
  d.destination = r.location == "library" ? model::Destination::kLibrary : model::Destination::kReview;
  d.category = r.category;
  d.person = r.person;
  d.duplicate_of = r.duplicate_of;
  d.reasons = r.reasons;
  return d;
}

// An item's stored decision next to what decide() makes of its stored analysis under the current policy.
int ExplainItem(CommandContext& ctx, Library& lib, const model::ItemRecord& item) {
  auto faces = lib.catalog->FacesOf(item.id);
  if (!faces.ok()) return ctx.Fail(faces.status());
  auto stored = lib.catalog->GetAnalysis(item.id);
  if (!stored.ok()) return ctx.Fail(stored.status());
  model::Decision d = StoredDecision(item);
  std::optional<model::Decision> replayed;
  std::optional<model::Analysis> rescored;
  auto config = lib.config();
  const bool damaged = *stored && (*stored)->version == 0;
  if (*stored && !damaged) {
    auto reference = quality::LoadReference(config->StateDir());
    rescored =
        review::RescoredAnalysis((*stored)->analysis, *config, reference.ok() ? *reference : model::QualityReference());
    auto policy = catalog::PolicyWithNames(*lib.catalog, config->policy);
    if (!policy.ok()) return ctx.Fail(policy.status());
    replayed =
        decide::Decide(*rescored, *policy, decide::StandingFacts((*stored)->facts, item.duplicate_of, item.category));
  }
  bool placed_by_policy = item.location == "review" || (item.location == "library" && item.auto_sorted);
  const std::string replayed_folder = replayed ? review::FolderOf(*replayed, *config) : "";
  bool changed = replayed && placed_by_policy && replayed_folder != review::FolderOf(item);
  if (ctx.json) {
    ctx.PrintJson({{"item", item},
                   {"decision", d},
                   {"faces", *faces},
                   {"analysis", *stored ? json(**stored) : json(nullptr)},
                   {"replayed", replayed ? json(*replayed) : json(nullptr)},
                   {"quality", item.quality},
                   {"replayed_quality", rescored ? json(rescored->quality) : json(nullptr)},
                   {"changed", changed}});
    return kExitOk;
  }
  if (placed_by_policy) {
    PrintDecision(fmt::format("item {} ({}), as decided", item.id, item.path), review::FolderOf(item), d, *faces);
  } else {
    // Where a person put it, and how: the newest audit entry about it (approve, keep, a duplicate's choice, ...).
    auto last = lib.catalog->ListAudit(item.id, "", 1, 0);
    if (!last.ok()) return ctx.Fail(last.status());
    const std::string how = last->empty()
                                ? std::string("placed by a person")
                                : fmt::format("placed by a person: {} by {} on {}{}", last->front().action,
                                              last->front().actor, base::IsoTime(last->front().at),
                                              last->front().reason.empty() ? "" : " (" + last->front().reason + ")");
    PrintDecision(fmt::format("item {} ({}), {}", item.id, item.path, how), review::FolderOf(item), d, *faces, nullptr,
                  /*by_person=*/true);
  }
  PrintQuality(item.quality);
  if (damaged) {
    fmt::print("\n  the stored analysis is damaged and cannot be read: nothing to replay\n");
  } else if (!replayed) {
    fmt::print("\n  no stored analysis (ingested before analyses were kept): nothing to replay\n");
  } else if (!placed_by_policy) {
    fmt::print("\n  placed by a person ({}): the policy does not move it; it would say {}\n", item.location,
               replayed_folder);
  } else {
    fmt::print("\n");
    PrintDecision(changed ? "under the current policy it would MOVE" : "under the current policy it stays",
                  replayed_folder, *replayed, (*stored)->analysis.faces, &config->policy);
    if (rescored->quality.aggregate != item.quality.aggregate || rescored->quality.category != item.quality.category) {
      PrintQuality(rescored->quality);
    }
  }
  return kExitOk;
}

int Explain(CommandContext& ctx, const std::string& what) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  std::optional<model::ItemRecord> item;
  bool numeric = !what.empty() && what.find_first_not_of("0123456789") == std::string::npos;
  if (numeric) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(what.data(), what.data() + what.size(), id);
    if (ec != std::errc() || end != what.data() + what.size()) {
      return ctx.Fail(base::Status::InvalidArgument(fmt::format("{} is not an item id (too large)", what)));
    }
    auto r = lib->catalog->GetItem(id);
    if (!r.ok()) return ctx.Fail(r.status());
    item = *r;
  } else if (std::error_code ec; fs::is_symlink(what, ec)) {
    // As ingest: a link is not taken, so there is nothing it would do with it.
    return ctx.Fail(base::Status::InvalidArgument(
        fmt::format("{} is a symbolic link; ingest takes only regular files (give the file it points to)", what)));
  } else if (fs::exists(what, ec)) {
    fs::path rel = fs::weakly_canonical(what, ec).lexically_relative(fs::weakly_canonical(lib->config()->library, ec));
    auto r = lib->catalog->FindByPath(rel.string());
    if (!r.ok()) return ctx.Fail(r.status());
    item = *r;
  } else {
    // Quoted as JSON writes it: an empty or odd name is seen for what it is.
    return ctx.Fail(base::Status::NotFound(
        fmt::format("{} is neither an item id nor a file",
                    nlohmann::json(what).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))));
  }
  if (item) return ExplainItem(ctx, *lib, *item);
  base::Status st = lib->LoadFaces();
  if (!st.ok()) return ctx.Fail(st);
  model::Analysis analysis;
  auto d = lib->MakeIngestor()->DryRun(what, analysis);
  if (!d.ok()) return ctx.Fail(d.status());
  if (ctx.json) {
    ctx.PrintJson({{"file", what},
                   {"decision", *d},
                   {"faces", analysis.faces},
                   {"readable", analysis.readable},
                   {"quality", analysis.quality},
                   {"metrics", analysis.metrics},
                   {"sha256", analysis.fingerprint.sha256},
                   {"phash", analysis.fingerprint.has_phash ? json(model::PhashHex(analysis.fingerprint.phash))
                                                            : json(nullptr)}});
  } else {
    PrintDecision(fmt::format("{} (not ingested; this is what ingest would do now)", what),
                  review::FolderOf(*d, *lib->config()), *d, analysis.faces, &lib->config()->policy);
    PrintQuality(analysis.quality);
  }
  return kExitOk;
}

int Stats(CommandContext& ctx, int days) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  int64_t since = days > 0 ? base::UnixNow() - int64_t{days} * 86400 : 0;
  auto s = lib->catalog->GetStats(since);
  if (!s.ok()) return ctx.Fail(s.status());
  auto daily = lib->catalog->GetDailyStats(since);
  if (!daily.ok()) return ctx.Fail(daily.status());
  if (ctx.json) {
    json by_day = json::array();
    for (const auto& d : *daily) {
      by_day.push_back({{"day", d.day},
                        {"ingested", d.ingested},
                        {"auto_sorted", d.auto_sorted},
                        {"to_review", d.to_review},
                        {"reviewed", d.reviewed}});
    }
    json out = {{"days", days},
                {"total", s->total},
                {"auto_sorted", s->auto_sorted},
                {"in_review", s->in_review},
                {"in_library", s->in_library},
                {"in_trash", s->in_trash},
                {"in_archive", s->in_archive},
                {"by_category", s->by_category},
                {"success_rate", s->success_rate},
                {"by_day", by_day}};
    out.update(model::PersonCountsJson(s->by_person));
    ctx.PrintJson(out);
    return kExitOk;
  }
  fmt::print("{}{}: {} auto-sorted ({:.0f}%), {} waiting for review, {} in the library, {} in trash{}\n",
             Counted(s->total, "image"), days > 0 ? fmt::format(" in the last {} days", days) : "", s->auto_sorted,
             100 * s->success_rate, s->in_review, s->in_library, s->in_trash,
             s->in_archive > 0 ? fmt::format(", {} archived (replaced by approved proposals)", s->in_archive) : "");
  for (const auto& [p, n] : s->by_person) fmt::print("  {}: {}\n", p.empty() ? "photos/" : "faces/" + p, n);
  for (const auto& [c, n] : s->by_category) fmt::print("  review/{}: {}\n", c, n);
  return kExitOk;
}

}  // namespace

void AddQueryCommands(CLI::App& app, CommandContext& ctx) {
  auto* items = app.add_subcommand("items", "list catalog items");
  auto ia = std::make_shared<ItemsArgs>();
  items
      ->add_option("--location", ia->location,
                   "library, review, trash or archive (images an approved proposal replaced; never purged)")
      ->check(CLI::IsMember({"library", "review", "trash", "archive"}));
  items->add_option("--category", ia->category, "review category")->check(kNotEmpty);
  items
      ->add_option(
          "--person", ia->person,
          "photos filed under this person (with --location review: waiting in review with them as the suggestion)")
      ->check(kNotEmpty);
  items->add_option("--limit", ia->limit, "at most this many (100 unless given)")->check(CLI::Range(1, 100000));
  items->add_option("--offset", ia->offset, "skip this many")->check(CLI::Range(0, 2000000000));
  items->add_flag("--json", ctx.json, "machine-readable output");
  items->callback([&ctx, ia] { Items(ctx, *ia); });

  auto* explain = app.add_subcommand("explain", "why an item went where it went, or where a file would go");
  auto what = std::make_shared<std::string>();
  explain->add_option("what", *what, "item id or file")->required();
  explain->add_flag("--json", ctx.json, "machine-readable output");
  explain->callback([&ctx, what] { Explain(ctx, *what); });

  auto* stats = app.add_subcommand("stats", "auto-sorted, in review, by person, by category, success rate");
  auto days = std::make_shared<int>(0);
  stats->add_option("--days", *days, "only the last N days (0: all)")->check(CLI::Range(0, 36500));
  stats->add_flag("--json", ctx.json, "machine-readable output");
  stats->callback([&ctx, days] { Stats(ctx, *days); });
}

}  // namespace triage::cli
