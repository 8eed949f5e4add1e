// Recovery of dead journal sessions: commits and purges roll forward, staged inputs roll back.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "base/files.h"
#include "commit/journal.h"

namespace triage::commit {
namespace {

bool Exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

// Finishes a commit: the file ends at `to` (or a free name beside it) and the change is applied once.
base::Status RollForwardCommit(Intent in, catalog::Catalog& catalog, const fs::path& library) {
  auto applied = catalog.WasApplied(in.id);
  if (!applied.ok()) return applied.status();
  bool from = Exists(in.from), to = Exists(in.to);
  if (*applied) {
    if (from && !to) return base::MoveFileDurably(in.from, in.to);
    return base::Status::Ok();
  }
  if (from) {
    if (to) {
      // `to` was taken by another file (moves are atomic renames inside the library): take a free name.
      in.to = base::FirstFreeName(in.to.parent_path(), in.to.filename().string());
      in.change->item.path = in.to.lexically_relative(library).string();
    }
    std::error_code ec;
    fs::create_directories(in.to.parent_path(), ec);
    TRIAGE_RETURN_IF_ERROR(base::MoveFileDurably(in.from, in.to));
  } else if (!to) {
    return base::Status::NotFound(fmt::format("neither {} nor {} exists", in.from.string(), in.to.string()));
  }
  return catalog.Apply(*in.change).status();
}

// `undone` is set when there was something to roll back: an intent shared by many inputs (Committer::ReserveMoves)
// names some that never moved, or were placed since.
base::Status RollBackStage(const Intent& in, bool& undone) {
  bool from = Exists(in.from), to = Exists(in.to);
  undone = to;
  if (to && !from) {
    std::error_code ec;
    fs::create_directories(in.from.parent_path(), ec);
    return base::MoveFileDurably(in.to, in.from);
  }
  if (to && from) {
    // A cross-device move stopped before unlinking the original leaves the same bytes twice: the copy goes. Other
    // bytes at `from` are a file put there since (a photo of the same name dropped into the inbox again): both are
    // kept, the input returning under a free name beside it.
    if (base::SameFileContents(in.from, in.to)) {
      std::error_code ec;
      fs::remove(in.to, ec);
      return base::Status::Ok();
    }
    return base::MoveFileDurably(in.to, base::FirstFreeName(in.from.parent_path(), in.from.filename().string()));
  }
  return base::Status::Ok();
}

// Returns true in `undone` when the file could not be deleted: then the purge is rolled back (the item stays in the
// trash, as the failed purge left it), never finished in the catalog alone.
base::Status RollForwardPurge(const Intent& in, catalog::Catalog& catalog, bool& undone) {
  std::error_code ec;
  fs::remove(in.from, ec);
  if (ec && Exists(in.from)) {
    undone = true;
    return base::Status::Ok();
  }
  auto item = catalog.GetItem(in.change->item.id);
  if (!item.ok() && item.status().code() == base::Code::kNotFound) return base::Status::Ok();  // already deleted
  if (!item.ok()) return item.status().WithContext("recovering a purge");  // the catalog failed: retry next start
  // Moved out of the trash since (an entry that names the path; older ones do not): not purged.
  const std::string& at = in.change->item.path;
  if (!at.empty() && item->path != at) {
    undone = true;
    return base::Status::Ok();
  }
  return catalog.DeleteItem(catalog::PurgeAudit(in.change->item.id, in.change->actor, in.change->reason, in.change->at),
                            at);
}

// One move of a replacement, done if it was not: the file ends at `to`. `refilled`: `from` may hold another file once
// the move is done (the incoming image took the outgoing one's exact path). kNotFound when the file is at neither
// place; kAlreadyExists when both are taken (another file took `to` before the move).
base::Status FinishMove(const fs::path& from, const fs::path& to, bool refilled) {
  const bool at_from = Exists(from), at_to = Exists(to);
  if (from == to) {  // a file that stays where it is (already in the slot's folder)
    return at_to ? base::Status::Ok() : base::Status::NotFound(fmt::format("{} does not exist", to.string()));
  }
  if (at_to && (!at_from || refilled)) return base::Status::Ok();
  if (at_to) return base::Status::AlreadyExists(fmt::format("{} and {} both exist", from.string(), to.string()));
  if (!at_from) return base::Status::NotFound(fmt::format("neither {} nor {} exists", from.string(), to.string()));
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  return base::MoveFileDurably(from, to);
}

// Undoes one move of a replacement if it was done.
base::Status UndoMove(const fs::path& from, const fs::path& to) {
  if (Exists(to) && !Exists(from)) return base::MoveFileDurably(to, from);
  return base::Status::Ok();
}

// Finishes a replacement: both moves, then the store's transaction; rolls both moves back when the store refuses it
// (the proposal was decided, or an item removed, meanwhile), so the slot keeps the old image.
base::Status RollForwardReplace(const Intent& in, catalog::ProposalStore* proposals) {
  if (!proposals) return base::Status::Unavailable("a replacement needs the proposal store; left for the next run");
  auto applied = proposals->WasApplied(in.id);
  if (!applied.ok()) return applied.status();
  const bool has_incoming = in.replacement->incoming.has_value();
  TRIAGE_RETURN_IF_ERROR(FinishMove(in.from, in.to, has_incoming && in.incoming_to == in.from));
  if (has_incoming) {
    base::Status st = FinishMove(in.incoming_from, in.incoming_to, false);
    if (!st.ok()) {
      if (!*applied) static_cast<void>(UndoMove(in.from, in.to));  // the old image goes back to its slot
      return st;
    }
  }
  if (*applied) return base::Status::Ok();
  base::Status st = proposals->ApplyReplacement(*in.replacement);
  if (st.code() != base::Code::kConflict && st.code() != base::Code::kNotFound) return st;
  if (has_incoming) TRIAGE_RETURN_IF_ERROR(UndoMove(in.incoming_from, in.incoming_to));
  return UndoMove(in.from, in.to);
}

// One intent and the journal entry (file) it was read from: a group entry holds many.
struct Entry {
  Intent intent;
  fs::path file;
};

std::vector<Entry> ReadIntents(const fs::path& dir, RecoveryReport& report) {
  std::vector<Entry> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".json") continue;
    auto text = base::ReadFile(e.path());
    auto intents = text.ok() ? DecodeEntry(*text) : base::Result<std::vector<Intent>>(text.status());
    if (!intents.ok()) {
      // A torn write (the intent never became durable, so its step never started): drop it.
      report.problems.push_back(fmt::format("{}: {}", e.path().string(), intents.status().message()));
      fs::remove(e.path(), ec);
      continue;
    }
    for (Intent& in : *intents) out.push_back({std::move(in), e.path()});
  }
  // Commits first (they may consume a staged input), then purges, then stages roll back.
  std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    auto rank = [](Intent::Kind k) {
      return k == Intent::Kind::kCommit || k == Intent::Kind::kReplace ? 0 : k == Intent::Kind::kPurge ? 1 : 2;
    };
    return rank(a.intent.kind) < rank(b.intent.kind);
  });
  return out;
}

// Where a session recorded in a library since moved (`from`, its old folder) has its files now (`to`).
struct Rebase {
  fs::path from, to;
  fs::path operator()(const fs::path& p) const {
    if (from.empty() || p.empty()) return p;
    const fs::path rel = p.lexically_relative(from);
    return rel.empty() || *rel.begin() == ".." ? p : to / rel;
  }
};

// Settles one dead session; returns false if something must wait for the next run.
bool RecoverSession(const fs::path& dir, const fs::path& staging, catalog::Catalog& catalog,
                    catalog::ProposalStore* proposals, const fs::path& library, RecoveryReport& report,
                    const Rebase& rebase = {}) {
  std::set<fs::path> unsettled;  // entries with an intent left for the next run: kept whole (replaying is idempotent)
  std::vector<fs::path> settled;
  for (Entry& e : ReadIntents(dir, report)) {
    Intent& in = e.intent;
    for (fs::path* p : {&in.from, &in.to, &in.incoming_from, &in.incoming_to}) *p = rebase(*p);
    base::Status st;
    bool undone = false;
    if (in.kind == Intent::Kind::kCommit)
      st = RollForwardCommit(in, catalog, library);
    else if (in.kind == Intent::Kind::kPurge)
      st = RollForwardPurge(in, catalog, undone);
    else if (in.kind == Intent::Kind::kReplace)
      st = RollForwardReplace(in, proposals);
    else
      st = RollBackStage(in, undone);
    std::error_code ec;
    if (!st.ok() && in.kind == Intent::Kind::kCommit && st.code() == base::Code::kNotFound &&
        fs::weakly_canonical(in.from.parent_path(), ec) == fs::weakly_canonical(staging, ec)) {
      // The file it was to place is nowhere, and it was to come from this session's staging folder as it is now
      // (deleted from there by hand): nothing is left to record, ever. (Paths of a folder since moved or copied are
      // kept for a run that can settle them.)
      report.problems.push_back(fmt::format("journal entry {}: {}: nothing to record, dropped", in.id, st.message()));
      settled.push_back(e.file);
      continue;
    }
    if (!st.ok()) {
      report.problems.push_back(fmt::format("journal entry {}: {}", in.id, st.message()));
      report.unsettled.push_back(report.problems.back());
      unsettled.insert(e.file);
      continue;
    }
    if (in.kind != Intent::Kind::kStage)
      (undone ? report.rolled_back : report.rolled_forward)++;
    else if (undone)
      report.rolled_back++;
    settled.push_back(e.file);
  }
  std::error_code ec;
  for (const fs::path& file : settled) {
    if (!unsettled.count(file)) fs::remove(file, ec);
  }
  if (!unsettled.empty()) return false;
  for (const auto& e : fs::directory_iterator(staging, ec)) {
    (void)e;
    report.staged_removed++;
  }
  fs::remove_all(staging, ec);
  return true;
}

}  // namespace

namespace {

// A session's name: 16 hex digits (Journal::Open).
bool IsSessionName(const std::string& name) {
  return name.size() == 16 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A session folder still under its hidden name (Journal::Open) whose process died while opening it holds nothing but
// its lock: removed once its lock is free and it is a minute old (a process opening one now is not disturbed).
void RemoveDeadOpening(const fs::path& dir) {
  if (!IsSessionName(dir.filename().string().substr(1))) return;
  std::error_code ec;
  const auto age = fs::file_time_type::clock::now() - fs::last_write_time(dir, ec);
  if (ec || age < std::chrono::minutes(1)) return;
  const fs::path lock = dir / "LOCK";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) fs::remove_all(dir, ec);
  ::close(fd);
}

// Settles the dead sessions among the folders of `journals` whose staging folders are in `stagings`. With
// `legacy_only`, a folder counts only when it is a session (holds a LOCK file): sessions without a host sit beside
// the host folders, which must never be taken for sessions.
void RecoverSessions(const fs::path& journals, const fs::path& stagings, bool legacy_only, catalog::Catalog& catalog,
                     catalog::ProposalStore* proposals, const fs::path& library, RecoveryReport& report) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(journals, ec)) {
    if (!e.is_directory()) continue;
    if (e.path().filename().string().front() == '.') {
      RemoveDeadOpening(e.path());
      continue;
    }
    fs::path lock = e.path() / "LOCK";
    if (legacy_only && !Exists(lock)) continue;  // a host's folder, not a session
    int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);  // a live process owns it
      continue;
    }
    report.sessions++;
    fs::path staging = stagings / e.path().filename();
    // A session records the library it was in (Journal::Open). Another one: this library was copied or moved with
    // an interrupted run in its journal. Copied, the original still holds the very session, and settles it itself:
    // settling it here would move the original's files. Moved, its paths are rebased onto this folder.
    Rebase rebase;
    auto recorded = base::ReadFile(lock);
    std::string was = recorded.ok() ? *recorded : "";
    while (!was.empty() && (was.back() == '\n' || was.back() == '\r')) was.pop_back();
    const fs::path here = fs::weakly_canonical(library, ec);
    if (!was.empty() && fs::path(was) != here) {
      const fs::path original_session = fs::path(was) / e.path().lexically_relative(library);
      if (!e.path().lexically_relative(library).empty() && Exists(original_session)) {
        report.problems.push_back(fmt::format(
            "journal session {} is the interrupted run of the library at {}, which this folder was copied from: "
            "left to that library, dropped here",
            e.path().filename().string(), was));
        fs::remove_all(staging, ec);
        fs::remove_all(e.path(), ec);
        ::close(fd);
        continue;
      }
      rebase = {fs::path(was), here};
    }
    if (RecoverSession(e.path(), staging, catalog, proposals, library, report, rebase)) fs::remove_all(e.path(), ec);
    ::close(fd);
  }
}

// Staging folders without a journal session (a crash between creating the two): only copies can be there.
void RemoveOrphanStaging(const fs::path& journals, const fs::path& stagings, bool sessions_only) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(stagings, ec)) {
    std::string name = e.path().filename().string();
    if (sessions_only && !IsSessionName(name)) continue;  // another host's staging folder
    if (e.is_directory() && !Exists(journals / name) && !Exists(journals / ("." + name))) fs::remove_all(e.path(), ec);
  }
}

}  // namespace

base::Result<RecoveryReport> Recover(const fs::path& state_dir, catalog::Catalog& catalog,
                                     catalog::ProposalStore* proposals, const std::string& host) {
  RecoveryReport report;
  fs::path library = state_dir.parent_path();
  const fs::path journals = state_dir / "journal";
  const fs::path stagings = state_dir / "staging";
  RecoverSessions(journals, stagings, true, catalog, proposals, library, report);
  RemoveOrphanStaging(journals, stagings, true);
  if (!host.empty()) {
    RecoverSessions(journals / host, stagings / host, false, catalog, proposals, library, report);
    RemoveOrphanStaging(journals / host, stagings / host, false);
  }
  TRIAGE_RETURN_IF_ERROR(base::SyncDirectory(journals));
  if (!host.empty() && Exists(journals / host)) TRIAGE_RETURN_IF_ERROR(base::SyncDirectory(journals / host));
  return report;
}

namespace {

// Adds the intents of the journal entries under `dir` (a session's folder, or a host's folder of sessions when `depth`
// > 0) to `out`.
void CollectIntents(const fs::path& dir, int depth, std::vector<Intent>& out) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) {
      if (depth > 0) CollectIntents(e.path(), depth - 1, out);
      continue;
    }
    if (e.path().extension() != ".json") continue;
    auto text = base::ReadFile(e.path());
    if (!text.ok()) continue;  // finished and removed meanwhile
    auto intents = DecodeEntry(*text);
    if (!intents.ok()) continue;  // being written: its step has not started
    for (Intent& in : *intents) out.push_back(std::move(in));
  }
}

}  // namespace

std::vector<Intent> OpenIntents(const fs::path& state_dir) {
  std::vector<Intent> out;
  CollectIntents(state_dir / "journal", 2, out);  // journal/<host>/<session>/ or journal/<session>/
  return out;
}

bool MovesItem(const Intent& in, int64_t item_id) {
  if (in.change && in.change->item.id == item_id) return true;
  return in.replacement && (in.replacement->outgoing.item_id == item_id ||
                            (in.replacement->incoming && in.replacement->incoming->item_id == item_id));
}

bool ItemInFlight(const fs::path& state_dir, int64_t item_id) {
  const std::vector<Intent> open = OpenIntents(state_dir);
  return std::any_of(open.begin(), open.end(), [&](const Intent& in) { return MovesItem(in, item_id); });
}

bool HostHasSessions(const fs::path& state_dir, const std::string& host) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_dir / "journal" / host, ec)) {
    if (e.is_directory()) return true;
  }
  return false;
}

}  // namespace triage::commit
