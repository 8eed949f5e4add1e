// init, ingest, watch, recover, check.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "base/clock.h"
#include "base/files.h"
#include "base/ids.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/stop_signal.h"
#include "model/json.h"
#include "quality/recompute.h"
#include "review/library_check.h"
#include "source/inbox_watcher.h"

namespace triage::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// `dir` is the folder named after `init`, if any: `triage init DIR` and `triage --library DIR init` are the same; a
// folder named after `init` stands over $TRIAGE_LIBRARY, and one that contradicts --library is refused.
int Init(CommandContext& ctx, const std::string& dir, bool library_flag_given) {
  if (!dir.empty()) {
    std::error_code ec;
    if (library_flag_given && fs::weakly_canonical(ctx.library, ec) != fs::weakly_canonical(dir, ec)) {
      return ctx.Fail(base::Status::InvalidArgument(
          fmt::format("init was given two libraries, {} and --library {}: give one", dir, ctx.library)));
    }
    ctx.library = dir;
  }
  if (ctx.library.empty()) {
    return ctx.Fail(base::Status::InvalidArgument("init needs a folder: `triage init DIR` (or --library DIR)"));
  }
  fs::path root = ctx.library;
  std::error_code probe;
  const fs::file_status config_status = fs::status(root / "triage.json", probe);
  // A file where the folder should be (ENOTDIR) is named below, as such.
  if (probe && probe != std::errc::no_such_file_or_directory && probe != std::errc::not_a_directory) {
    return ctx.Fail(base::Status::InvalidArgument(fmt::format("cannot use {}: {}", root.string(), probe.message())));
  }
  probe.clear();
  if (fs::is_directory(config_status)) {
    return ctx.Fail(base::Status::InvalidArgument(
        fmt::format("cannot make a library in {}: {} is a folder, where the library's configuration file goes; move "
                    "it aside first",
                    root.string(), (root / "triage.json").string())));
  }
  // An empty triage.json (which every other command refuses) is no library's configuration, but the library's state
  // may be beside it: its catalog.url and folders said where the items are, and defaults written in their place would
  // point the library at a new, empty catalog. So init refuses it too, saying how to go on.
  if (fs::exists(config_status)) {
    std::error_code size_error;
    const auto size = fs::file_size(root / "triage.json", size_error);
    auto text =
        size_error || size > 4096 ? base::Result<std::string>(std::string("{")) : base::ReadFile(root / "triage.json");
    // (Zeros alone are an empty file too: what a crash while it was written can leave.)
    if (text.ok() && text->find_first_not_of(std::string_view(" \t\r\n\0", 5)) == std::string::npos) {
      const bool zeros = text->find('\0') != std::string::npos;
      return ctx.Fail(base::Status::AlreadyExists(fmt::format(
          "{} is a library already, but its triage.json {}: restore it from a backup (its catalog.url and "
          "folders say where the library's items are), or delete it and run `triage init` again for the default "
          "settings (the catalog .triage/catalog.db, the folders inbox, faces, review and photos)",
          root.string(), zeros ? "holds only zero bytes" : "is empty")));
    }
    return ctx.Fail(base::Status::AlreadyExists(fmt::format("{} is a library already", root.string())));
  }
  // The folder, or the nearest of its parents that exists, must be a folder: a file there is named as such.
  for (fs::path at = fs::absolute(root, probe); !probe && !at.empty(); at = at.parent_path()) {
    const fs::file_status st = fs::status(at, probe);
    if (probe || !fs::exists(st)) {
      probe.clear();
      if (at == at.parent_path()) break;
      continue;
    }
    if (!fs::is_directory(st)) {
      return ctx.Fail(base::Status::InvalidArgument(
          fmt::format("cannot make a library in {}: {} is a file, not a folder", root.string(), at.string())));
    }
    break;
  }
  // A library inside another's folders (its review/, faces/ or .triage/ ...) would take files the outer catalog
  // holds: a photo moved there by the inner library is gone from where the outer one has it.
  const fs::path absolute = fs::weakly_canonical(fs::absolute(root, probe), probe);
  if (const fs::path outer = probe ? fs::path() : base::EnclosingLibrary(absolute.parent_path()); !outer.empty()) {
    return ctx.Fail(base::Status::InvalidArgument(
        fmt::format("{} is inside the library {}: a library within another's folders would take its files; "
                    "choose a folder outside it",
                    root.string(), outer.string())));
  }
  // A library made with --catalog (or $TRIAGE_CATALOG) keeps that catalog in its triage.json.
  json doc = config::DefaultConfigJson();
  if (!ctx.catalog_url.empty()) doc["catalog"]["url"] = ctx.catalog_url;
  auto config = config::ConfigFromJson(root, doc);
  if (!config.ok()) return ctx.Fail(config.status());
  std::error_code ec;
  std::vector<fs::path> dirs = {config->InboxDir(),
                                config->FacesDir(),
                                config->StateDir() / "staging",
                                config->StateDir() / "journal",
                                config->StateDir() / "trash",
                                config->StateDir() / "thumbs"};
  for (const auto& c : model::ReviewCategories()) dirs.push_back(config->ReviewDir() / c);
  // What init makes is taken back when the catalog cannot be opened (a mistyped catalog URL, a wrong password): a
  // half-made library would make the next `init` refuse the folder as "a library already".
  std::vector<fs::path> made;
  for (const auto& d : dirs) {
    for (fs::path p = fs::absolute(d, ec); !p.empty() && p != p.parent_path(); p = p.parent_path()) {
      std::error_code missing;
      if (fs::exists(p, missing)) break;
      made.push_back(p);
    }
  }
  std::sort(made.begin(), made.end(), [](const fs::path& a, const fs::path& b) { return a.native() > b.native(); });
  made.erase(std::unique(made.begin(), made.end()), made.end());  // deepest first: each folder before its parent
  const auto take_back = [&] {
    std::error_code ignored;
    fs::remove(root / "triage.json", ignored);
    for (const fs::path& d : made) fs::remove(d, ignored);  // only if empty: nothing of anyone else's goes
  };
  for (const auto& d : dirs) {
    fs::create_directories(d, ec);
    if (ec) {
      const int code = ctx.Fail(base::Status::Io(fmt::format("cannot create {}: {}", d.string(), ec.message())));
      take_back();
      return code;
    }
  }
  base::Status st = config::SaveConfigJson(root, doc);
  if (!st.ok()) {
    take_back();
    return ctx.Fail(st);
  }
  ctx.may_create_catalog = true;
  auto lib = ctx.OpenOrReport();  // creates the catalog
  if (!lib) {
    take_back();
    return ctx.exit_code;
  }
  if (ctx.json) {
    ctx.PrintJson({{"library", lib->config()->library.string()}, {"config", lib->config()->ConfigPath().string()}});
  } else {
    fmt::print("created library {}\n", lib->config()->library.string());
  }
  return kExitOk;
}

json SummaryJson(const pipeline::IngestSummary& s) {
  json items = json::array();
  for (const auto& o : s.items) {
    items.push_back({{"input", o.input},
                     {"ok", o.ok},
                     {"item_id", o.ok ? json(o.item_id) : json(nullptr)},
                     {"path", o.ok ? json(o.path) : json(nullptr)},
                     {"decision", o.ok ? json(o.decision) : json(nullptr)},
                     {"error", o.ok || o.error.ok() ? json(nullptr) : json(o.error.message())},
                     {"error_code", o.ok || o.error.ok() ? json(nullptr) : json(base::CodeName(o.error.code()))},
                     {"skipped", o.skipped.empty() ? json(nullptr) : json(o.skipped)}});
  }
  json out = {
      {"total", s.total},     {"to_library", s.to_library}, {"to_review", s.to_review},     {"failed", s.failed},
      {"skipped", s.skipped}, {"seconds", s.seconds},       {"by_category", s.by_category}, {"items", items}};
  out.update(model::PersonCountsJson(s.by_person));
  return out;
}

void PrintSummary(const pipeline::IngestSummary& s) {
  for (const auto& o : s.items) {
    if (o.ok)
      fmt::print("{} -> {}\n    {}\n", base::ForTerminal(o.input), base::ForTerminal(o.path),
                 base::ForTerminal(o.decision.Summary()));
    else if (!o.skipped.empty())
      fmt::print("{} {}\n", base::ForTerminal(o.input), base::ForTerminal(o.skipped));
    else
      fmt::print("{} FAILED: {}\n", base::ForTerminal(o.input), base::ForTerminal(o.error.message()));
  }
  // A rate over a run shorter than a second says more about start-up than about speed: it is left out.
  const std::string rate = s.seconds >= 1.0 ? fmt::format(" ({:.1f}/s)", s.total / s.seconds) : "";
  fmt::print("\n{} in {:.1f}s{}: {} to the library, {} to review, {} failed, {} skipped\n", Counted(s.total, "image"),
             s.seconds, rate, s.to_library, s.to_review, s.failed, s.skipped);
  // Photos sorted without a person (routing.photos_without_people = library) go to photos/, not to a faces/ folder.
  for (const auto& [person, n] : s.by_person)
    fmt::print("  {}: {}\n", person.empty() ? "photos/" : "faces/" + person, n);
  for (const auto& [category, n] : s.by_category) fmt::print("  review/{}: {}\n", category, n);
  // A full disk fails every input after it, each with the system's words: said once, with what to do.
  const bool full = std::any_of(s.items.begin(), s.items.end(), [](const pipeline::ItemOutcome& o) {
    const std::string& m = o.error.message();
    return !o.ok && (m.find("No space left on device") != std::string::npos || m.find("is full") != std::string::npos);
  });
  if (full) {
    fmt::print(
        "The disk holding the library is full: free some space and ingest again (files copied from are where they "
        "were, files given with --move are back where they were or in the library; `triage check` says which)\n");
  }
}

// Scores are put on the scale the library has now once it has outgrown the one they were made on
// (quality::RecomputeIfOutgrown): a first ingest of 50 photos is scored as `recompute` would score it. A failure is a
// warning, the photos are in.
void RescaleIfOutgrown(Library& lib, int64_t taken) {
  if (taken == 0) return;
  auto r = quality::RecomputeIfOutgrown(*lib.catalog, *lib.config());
  if (!r.ok()) {
    fmt::print(stderr, "triage: warning: putting quality scores on the library's scale: {} (run triage recompute)\n",
               base::ForTerminal(r.status().message()));
  } else if (*r) {
    fmt::print(stderr, "quality scores put on the scale of the library's {} ({} changed)\n",
               Counted((*r)->reference.items, "photo"), (*r)->changed);
  }
}

int Ingest(CommandContext& ctx, const std::vector<std::string>& args, pipeline::IngestOptions options) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  base::Status faces = lib->LoadFaces();
  if (!faces.ok()) return ctx.Fail(faces);
  std::vector<fs::path> paths;
  std::vector<std::string> urls;
  for (const auto& a : args) (IsUrl(a) ? void(urls.push_back(a)) : void(paths.emplace_back(a)));
  auto ingestor = lib->MakeIngestor();
  Progress progress(!ctx.json, ::isatty(STDERR_FILENO) != 0);
  auto report = [&](int done, int total, const pipeline::ItemOutcome& o) {
    progress.Update(done, total, o.ok ? o.input + " -> " + o.path : o.input + " FAILED: " + o.error.message());
  };
  pipeline::IngestSummary all;
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 0 && paths.empty()) continue;
    if (pass == 1 && urls.empty()) continue;
    auto s = pass == 0 ? ingestor->IngestPaths(paths, options, report) : ingestor->IngestUrls(urls, options, report);
    if (!s.ok()) return ctx.Fail(s.status());
    all.total += s->total;
    all.to_library += s->to_library;
    all.to_review += s->to_review;
    all.failed += s->failed;
    all.skipped += s->skipped;
    all.seconds += s->seconds;
    for (const auto& [k, v] : s->by_category) all.by_category[k] += v;
    for (const auto& [k, v] : s->by_person) all.by_person[k] += v;
    for (auto& o : s->items) all.items.push_back(std::move(o));
  }
  progress.Finish();
  RescaleIfOutgrown(*lib, all.to_library + all.to_review);
  if (ctx.json)
    ctx.PrintJson(SummaryJson(all));
  else
    PrintSummary(all);
  ctx.exit_code = all.failed > 0 ? kExitPartial : kExitOk;
  return ctx.exit_code;
}

// Turns each batch of inbox files into ingest jobs (a library whose catalog has a job queue: the workers ingest).
base::Status EnqueueFromInbox(CommandContext& ctx, catalog::JobQueue& queue, const config::Config& config,
                              const std::vector<fs::path>& ready, const pipeline::IngestOptions& options, int& taken) {
  auto report = pipeline::EnqueueIngest(queue, config, ready, options, base::UnixNow());
  if (!report.ok()) return report.status();
  taken += static_cast<int>(report->job_ids.size());
  if (ctx.json) {
    ctx.PrintJson({{"queued", report->job_ids.size()}, {"job_ids", report->job_ids}, {"problems", report->problems}});
  } else {
    fmt::print("queued {} from the inbox as ingest jobs\n", Counted(report->job_ids.size(), "file"));
    for (const auto& p : report->problems) fmt::print("  not queued: {}\n", base::ForTerminal(p));
  }
  std::fflush(stdout);
  return base::Status::Ok();
}

int Watch(CommandContext& ctx, int debounce_ms, int max_files, bool here) {
  StopOnSignal signals;
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  // On a catalog with a job queue the inbox feeds the workers of every host; --here ingests in this process.
  std::unique_ptr<catalog::JobQueue> queue;
  if (lib->open_jobs && !here) {
    auto opened = lib->open_jobs();
    if (!opened.ok()) return ctx.Fail(opened.status());
    queue = std::move(*opened);
  } else if (base::Status faces = lib->LoadFaces(); !faces.ok()) {
    return ctx.Fail(faces);
  } else {
    lib->FollowReferences(kFollowReferencesEvery);  // persons enrolled meanwhile count without a restart
  }
  // One watcher per inbox on this machine: a second one would race the first for each file and report the files the
  // first took as failures.
  auto only_watcher = base::FileLock::TryAcquire(
      lib->config()->StateDir() / "leases" / "watch.lock",
      fmt::format("triage watch of {} on {}, pid {}", lib->config()->InboxDir().string(), lib->host, ::getpid()));
  if (!only_watcher.ok() && only_watcher.status().code() == base::Code::kConflict) {
    return ctx.Fail(base::Status::Conflict(
        fmt::format("another triage watch is watching this inbox already (the watch lock is {}): one watch per inbox",
                    only_watcher.status().message())));
  }
  if (!only_watcher.ok()) return ctx.Fail(only_watcher.status());
  auto watcher = source::InboxWatcher::Open(lib->config()->InboxDir(), debounce_ms,
                                            std::chrono::seconds(lib->config()->intake.hold_incomplete_s));
  if (!watcher.ok()) return ctx.Fail(watcher.status());
  (*watcher)->OnHeldBack([](const fs::path& path, const std::string& why, std::chrono::seconds left) {
    fmt::print(stderr, "{} held back: it looks cut short ({}); taken when it is written again, or as it is in {} s\n",
               base::ForTerminal(path.string()), why, left.count());
  });
  (*watcher)->OnLeftAlone([](const fs::path& path, const std::string& what) {
    fmt::print(stderr, "{} left where it is: it is {}, not a file triage takes\n", base::ForTerminal(path.string()),
               what);
  });
  std::shared_ptr<source::InboxWatcher> shared_watcher = std::move(*watcher);  // the stop action keeps it alive
  signals.OnStop([shared_watcher] { shared_watcher->Stop(); });
  auto ingestor = queue ? nullptr : lib->MakeIngestor();
  // The readiness line (tests and scripts wait for it): the inotify watch is in place and the start-up scan done,
  // so every file written from now on is seen.
  fmt::print(stderr, "watching {}{} (Ctrl-C to stop)\n", lib->config()->InboxDir().string(),
             queue ? " for the job queue" : "");
  pipeline::IngestOptions options{true, "inbox", CommandContext::Actor()};
  int taken = 0;
  std::map<std::string, int> failures;  // inbox file -> intakes failed in a row
  bool told_faces = false;
  const fs::path inbox = lib->config()->InboxDir();
  bool told_inbox = false;
  while (!signals.requested() && (max_files <= 0 || taken < max_files)) {
    auto ready = shared_watcher->WaitForReady(-1);
    if (!ready.ok()) return ctx.Fail(ready.status());
    if (ready->empty()) continue;
    // What a saved triage.json changes at once (thresholds, lists, turning faces off) is used from this batch on;
    // what needs the process started again is said once, instead of being ignored in silence.
    auto now_config = lib->config();
    if (!queue && now_config->analysis.faces && !lib->faces && !told_faces) {
      fmt::print(stderr,
                 "analysis.faces was turned on in triage.json: restart triage watch to load the face models "
                 "(until then photos are taken without face analysis)\n");
      told_faces = true;
    }
    if (now_config->InboxDir() != inbox && !told_inbox) {
      fmt::print(stderr,
                 "directories.inbox is now {} in triage.json: restart triage watch to watch it (this watch "
                 "goes on watching {})\n",
                 base::ForTerminal(now_config->InboxDir().string()), base::ForTerminal(inbox.string()));
      told_inbox = true;
    }
    // --max-files N takes N files: the rest stay in the inbox for the next watch.
    if (max_files > 0 && static_cast<int>(ready->size()) > max_files - taken) ready->resize(max_files - taken);
    if (queue) {
      base::Status st = EnqueueFromInbox(ctx, *queue, *lib->config(), *ready, options, taken);
      if (!st.ok()) return ctx.Fail(st);
      continue;
    }
    auto s = ingestor->IngestPaths(*ready, options);
    if (!s.ok()) return ctx.Fail(s.status());
    taken += s->total;
    RescaleIfOutgrown(*lib, s->to_library + s->to_review);
    if (ctx.json)
      ctx.PrintJsonLine(SummaryJson(*s));  // a batch a line: a stream a reader takes line by line
    else
      PrintSummary(*s);
    // A file whose intake failed is back in the inbox, and its return would hand it out again at once: a failure
    // that lasts (a full disk, a catalog down) is tried again after 5 s, then 10, 20 ... up to 5 minutes, or as soon
    // as the file is written again.
    for (const pipeline::ItemOutcome& item : s->items) {
      std::error_code ec;
      if (item.ok || !item.skipped.empty() || !fs::exists(fs::symlink_status(item.input, ec))) {
        failures.erase(item.input);
        continue;
      }
      const int n = ++failures[item.input];
      const int delay = std::min(300, 5 << std::min(n - 1, 6));
      shared_watcher->HoldOff(item.input, std::chrono::seconds(delay));
      fmt::print(stderr, "{}: intake failed {}; tried again in {} s, or when it is written again\n",
                 base::ForTerminal(item.input), n == 1 ? std::string("once") : fmt::format("{} times in a row", n),
                 delay);
    }
    std::fflush(stdout);  // a watch's log (stdout to a file or a pipe) says what was taken when it was taken
  }
  return kExitOk;
}

// With `host`, settles that host's dead journal sessions from here (the host is gone for good) and lets any host take
// the jobs that were handed back to it.
int Recover(CommandContext& ctx, const std::string& host) {
  ctx.reports_recovery = true;
  auto lib = ctx.OpenOrReport();  // opening recovers this host's sessions
  if (!lib) return ctx.exit_code;
  commit::RecoveryReport r = lib->recovered;
  int64_t released = 0;
  if (!host.empty()) {
    auto other =
        commit::Recover(lib->config()->StateDir(), *lib->catalog, lib->proposal_store.get(), base::SafeHostName(host));
    if (!other.ok()) return ctx.Fail(other.status());
    r = *other;
    if (lib->open_jobs) {
      auto queue = lib->open_jobs();
      if (!queue.ok()) return ctx.Fail(queue.status());
      auto n = (*queue)->ReleaseHost(base::SafeHostName(host));
      if (!n.ok()) return ctx.Fail(n.status());
      released = *n;
    }
  }
  // A people action (naming a cluster, a merge...) is many journaled moves: recovery finishes the move under way, and
  // the action itself is left half done, unfinished in its log. Say which, and what sets it right.
  std::vector<std::string> unfinished;
  if (lib->face_store) {
    auto actions = lib->face_store->ListActions(100);
    if (actions.ok()) {
      for (const auto& a : *actions) {
        if (!a.Unfinished()) continue;
        unfinished.push_back(fmt::format(
            "people action {} ({} by {}) did not finish: unless a triage still running does it now, `triage faces undo "
            "{}` takes back what it did, or run it again",
            a.id, a.kind, a.actor, a.id));
      }
    }
  }
  if (ctx.json) {
    ctx.PrintJson({{"sessions", r.sessions},
                   {"rolled_forward", r.rolled_forward},
                   {"rolled_back", r.rolled_back},
                   {"staged_removed", r.staged_removed},
                   {"jobs_released", released},
                   {"unfinished_people_actions", unfinished},
                   {"problems", r.problems}});
  } else {
    fmt::print(
        "recovered {}: {} finished, {} returned to where they were, {} staged copies "
        "removed\n",
        Counted(r.sessions, "interrupted session"), r.rolled_forward, r.rolled_back, r.staged_removed);
    if (released > 0) fmt::print("{} handed back to host {} may now run on any host\n", Counted(released, "job"), host);
    if (!host.empty() && r.sessions == 0 && released == 0) {
      fmt::print("  nothing of host {} was left to settle here (no interrupted session, no job it held)\n",
                 base::ForTerminal(host));
    }
    for (const auto& u : unfinished) fmt::print("  {}\n", base::ForTerminal(u));
    for (const auto& p : r.problems) fmt::print("  problem: {}\n", base::ForTerminal(p));
  }
  return r.problems.empty() ? kExitOk : kExitFailure;
}

// The library against its catalog: files gone (with `forget`, forgotten), files the catalog does not know. Exit 1
// when they disagree (and something is left to do).
int Check(CommandContext& ctx, bool forget, bool forget_all) {
  ctx.reports_recovery = true;
  auto lib = ctx.OpenOrReport();  // opening recovers this host's interrupted moves first
  if (!lib) return ctx.exit_code;
  auto check = review::CheckLibrary(*lib->catalog, *lib->config());
  if (!check.ok()) return ctx.Fail(check.status());
  // Most of the catalog's files not in this library (or none): far more often a catalog given for the wrong library
  // (--catalog, TRIAGE_CATALOG; two libraries may share a few names) or a library folder moved than photos deleted by
  // hand. Forgetting them would empty that other library's catalog: refused unless --all says they are gone for good.
  const auto gone = static_cast<int64_t>(check->missing.size());
  const bool none_here = check->items >= 1 && gone == check->items;
  const bool most_gone = check->items >= 1 && 2 * gone > check->items;
  const std::string library = lib->config()->library.string();
  const std::string how_many =
      !none_here
          ? fmt::format("{} of the catalog's {} have no file in {}", gone, Counted(check->items, "item"), library)
      : check->items == 1
          ? fmt::format("the catalog's only item has no file in {}", library)
          : fmt::format("none of the catalog's {} has its file in {}", Counted(check->items, "item"), library);
  const std::string most_gone_words = how_many +
                                      ": is the catalog this library's (--catalog, TRIAGE_CATALOG), and is this the "
                                      "library's folder?";
  if (forget && most_gone && !forget_all) {
    return ctx.Fail(base::Status::Conflict(
        most_gone_words + " Nothing was forgotten; if those files are gone for good, add --all to forget them"));
  }
  json missing = json::array();
  int forgotten = 0;
  std::vector<std::string> failures;
  // A file an interrupted run placed and could not record (its catalog write failed again at this opening) is neither
  // missing nor unknown, and the library is not clean until `recover` records it.
  for (const std::string& p : lib->recovered.unsettled) {
    failures.push_back(
        fmt::format("an interrupted run's move is not recorded yet ({}): `triage recover` records it "
                    "once that is fixed",
                    p));
  }
  for (const review::MissingFile& m : check->missing) {
    bool gone = false;
    if (forget) {
      base::Status st = lib->review->Forget(m.id, CommandContext::Actor(), base::UnixNow());
      if (st.ok()) {
        gone = true;
        ++forgotten;
      } else {
        failures.push_back(fmt::format("item {}: {}", m.id, st.message()));
      }
    }
    missing.push_back(
        {{"id", m.id}, {"path", m.path}, {"location", m.location}, {"found", m.found}, {"forgotten", gone}});
  }
  const bool left = (check->missing.size() > static_cast<size_t>(forgotten)) || !check->unknown_files.empty();
  if (ctx.json) {
    ctx.PrintJson({{"items", check->items},
                   {"files", check->files},
                   {"missing", missing},
                   {"forgotten", forgotten},
                   {"unknown_files", check->unknown_files},
                   {"moving", check->moving},
                   {"none_in_library", none_here},
                   {"most_missing", most_gone},
                   {"problems", failures},
                   {"clean", !left && failures.empty()}});
  } else {
    fmt::print(
        "checked {} and {} in faces/, review/, the photos folder and the trash: {} missing, {} not in the "
        "catalog\n",
        Counted(check->items, "catalog item"), Counted(check->files, "file"),
        Counted(static_cast<int64_t>(check->missing.size()), "file"),
        Counted(static_cast<int64_t>(check->unknown_files.size()), "file"));
    if (check->moving > 0) {
      fmt::print("  {} being moved by another triage process now (not counted)\n", Counted(check->moving, "item"));
    }
    for (const review::MissingFile& m : check->missing) {
      const std::string what =
          m.found == "nothing" ? "deleted or moved outside triage" : "replaced outside triage by " + m.found;
      fmt::print("  missing: item {} {} ({})\n", m.id, base::ForTerminal(m.path), forget ? "forgotten" : what);
    }
    for (const std::string& f : check->unknown_files) fmt::print("  not in the catalog: {}\n", base::ForTerminal(f));
    for (const std::string& f : failures) fmt::print("  problem: {}\n", base::ForTerminal(f));
    if (most_gone && !forget) fmt::print("{}\n", base::ForTerminal(most_gone_words));
    if (!forget && !check->missing.empty()) {
      fmt::print(
          "Put a missing file back where it was, or forget the items whose files are gone for good: triage check "
          "--forget-missing{}\n",
          most_gone ? " --all" : "");
    }
    // Not "give it to `triage ingest`": a file in a folder triage manages is refused there (it would be taken
    // twice). The inbox is the way in, by watch or by a move.
    if (!check->unknown_files.empty()) {
      const std::string inbox = base::ForTerminal(lib->config()->InboxDir().string());
      fmt::print(
          "A file not in the catalog was put there by hand: to take it in, move it into the inbox {} (`triage watch` "
          "takes it from there, or `triage ingest --move {}` now)\n",
          inbox, inbox);
    }
  }
  if (!failures.empty()) return kExitFailure;
  return left ? kExitPartial : kExitOk;
}

}  // namespace

void AddIntakeCommands(CLI::App& app, CommandContext& ctx) {
  auto* init = app.add_subcommand("init", "create a library (triage.json, inbox/, faces/, review/, .triage/)");
  auto init_dir = std::make_shared<std::string>();  // owned by the callback, which lives as long as the app
  init->add_option("dir", *init_dir, "the library folder to create (or --library DIR)");
  init->add_flag("--json", ctx.json, "machine-readable output");
  init->callback([&ctx, init, init_dir] {
    const CLI::Option* flag = init->get_parent()->get_option_no_throw("--library");
    Init(ctx, *init_dir, flag != nullptr && flag->count() > 0);
  });

  auto* ingest = app.add_subcommand("ingest", "take images from files, folders (recursive) or http(s) URLs");
  struct IngestArgs {
    std::vector<std::string> inputs;
    pipeline::IngestOptions options;
    bool queue = false;
  };
  auto ia = std::make_shared<IngestArgs>();  // owned by the callback, which lives as long as the app
  ingest->add_option("inputs", ia->inputs, "files, folders or URLs")->required();
  ingest->add_flag("--move", ia->options.move, "move files instead of copying them");
  ingest->add_option("--source", ia->options.source, "source label (default: folder name or URL host)");
  ingest->add_flag("--queue", ia->queue,
                   "enqueue one job per file and return; `triage worker` processes do the work (PostgreSQL catalog)");
  ingest->add_flag("--json", ctx.json, "machine-readable output");
  ingest->callback([&ctx, ia] {
    ia->options.actor = CommandContext::Actor();
    if (ia->queue)
      EnqueueIngest(ctx, ia->inputs, ia->options);
    else
      Ingest(ctx, ia->inputs, ia->options);
  });

  auto* watch = app.add_subcommand("watch", "ingest every image written into the inbox, until Ctrl-C");
  struct WatchArgs {
    int debounce_ms = 500;
    int max_files = 0;
    bool here = false;
  };
  auto wa = std::make_shared<WatchArgs>();
  watch->add_option("--debounce-ms", wa->debounce_ms, "quiet time before a file is taken")->check(CLI::Range(0, 60000));
  watch->add_option("--max-files", wa->max_files, "stop after this many files (0: never)")
      ->check(CLI::Range(0, 1 << 30));
  watch->add_flag("--json", ctx.json, "machine-readable output");
  watch->add_flag("--here", wa->here,
                  "ingest in this process even when the catalog has a job queue (PostgreSQL), instead of enqueueing");
  watch->callback([&ctx, wa] { Watch(ctx, wa->debounce_ms, wa->max_files, wa->here); });

  auto* recover = app.add_subcommand("recover", "finish or roll back work interrupted by a crash");
  recover->add_flag("--json", ctx.json, "machine-readable output");
  auto recover_host = std::make_shared<std::string>();
  auto* host_option =
      recover->add_option("--host", *recover_host,
                          "settle another host's interrupted work from here (only when that host is down for good)");
  recover->callback([&ctx, recover_host, host_option] {
    // An empty name would settle this host's work and say so as if it were the other's.
    if (host_option->count() > 0 && recover_host->empty()) {
      ctx.exit_code = ctx.Fail(base::Status::InvalidArgument(
          "recover: --host needs the name of the host whose interrupted work to settle (as `triage recover` run there "
          "would name it)"));
      return;
    }
    ctx.exit_code = Recover(ctx, *recover_host);
  });

  auto* check = app.add_subcommand(
      "check", "compare the library's files with the catalog: files deleted or moved by hand, files put there by hand");
  check->add_flag("--json", ctx.json, "machine-readable output");
  auto forget = std::make_shared<bool>(false);
  auto* forget_flag =
      check->add_flag("--forget-missing", *forget,
                      "forget the items whose file is gone (their catalog entries, review entries and faces; audited)");
  auto forget_all = std::make_shared<bool>(false);
  check
      ->add_flag("--all", *forget_all,
                 "with --forget-missing: forget them also when most of the catalog's files (or all) are not in the "
                 "library (else refused: a catalog of another library, or a library folder moved, looks the same)")
      ->needs(forget_flag);
  check->callback([&ctx, forget, forget_all] { ctx.exit_code = Check(ctx, *forget, *forget_all); });
}

}  // namespace triage::cli
