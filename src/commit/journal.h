// The write-ahead journal of file moves. Each process owns a session: a folder of intent files under
// .triage/journal/<host>/<session>/ and a staging folder .triage/staging/<host>/<session>/, held by an flock on
// .triage/journal/<host>/<session>/LOCK for the life of the process. A session whose lock is free is dead: recovery
// on its own host finishes or rolls back its intents. Recovery on one host never touches another host's sessions,
// so that a lock which does not hold across hosts (NFSv3, SMB) can never make one host undo another's open work.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/proposal_store.h"

namespace triage::commit {

namespace fs = std::filesystem;

// One journaled step.
//  kStage:  move an input file into staging (ingest --move, inbox). Recovery rolls it back: the file returns.
//  kCommit: move `from` to `to` and apply `change` to the catalog. Recovery rolls it forward.
//  kPurge:  delete the trashed file `from` and the item change.item.id. Recovery rolls it forward.
//  kReplace: move the outgoing image `from` to `to` (the slot to the archive), then the incoming image
//           `incoming_from` to `incoming_to` (into the slot), then apply `replacement` to the proposal store.
//           Recovery rolls it forward, or back when the store refuses the replacement (decided meanwhile).
struct Intent {
  enum class Kind { kStage, kCommit, kPurge, kReplace };
  Kind kind = Kind::kCommit;
  std::string id;
  fs::path from;
  fs::path to;
  std::optional<catalog::CatalogChange> change;
  fs::path incoming_from;  // kReplace; empty for a removal
  fs::path incoming_to;
  std::optional<catalog::Replacement> replacement;  // kReplace
};

// Serialises intents (JSON, every field of the catalog change included).
std::string EncodeIntent(const Intent& intent);
base::Result<Intent> DecodeIntent(const std::string& text);
// A group of intents in one entry (a group commit: one durable write for many placements).
std::string EncodeGroup(const std::vector<Intent>& intents);
// Any entry's intents: one for an entry EncodeIntent wrote, all of a group's in order. kCorrupt when unreadable.
base::Result<std::vector<Intent>> DecodeEntry(const std::string& text);

// A live session's journal. Thread-safe.
class Journal {
 public:
  // Creates a new session of host `host` (base::HostName) under `state_dir` (.triage) and locks it. An empty
  // `host` puts the session directly under journal/ and staging/ (the layout before hosts; a one-host library).
  static base::Result<std::unique_ptr<Journal>> Open(const fs::path& state_dir, const std::string& host = "");
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Durably records an intent (fsync of file and folder) before the step it describes.
  base::Status Record(const Intent& intent);
  // Durably records several intents as one entry named `id` (one file, one fsync of file and folder); recording the
  // same id again replaces the entry atomically (e.g. with the intents whose step did not happen left out).
  base::Status RecordGroup(const std::string& id, const std::vector<Intent>& intents);
  // Records a group entry (as RecordGroup) that `uses` steps share: each step's end calls Done(id) as for an entry of
  // its own, and the entry is removed at the last of them (e.g. the kStage intents of many inputs to move, recorded
  // with one sync before the first of them moves).
  base::Status RecordShared(const std::string& id, const std::vector<Intent>& intents, size_t uses);
  // Removes a finished intent (or group entry); a shared entry once every step sharing it is done.
  base::Status Done(const std::string& id) { return DoneAll({id}); }
  // Removes finished entries. The removals are not synced on their own: the next entry recorded syncs the folder, and
  // with it them; an entry that a crash leaves behind describes a step that was applied, which recovery finds so
  // (Catalog::WasApplied, ProposalStore::WasApplied) and closes without doing it again. One sync less per step.
  base::Status DoneAll(const std::vector<std::string>& ids);
  // This session's staging folder (same file system as the library).
  const fs::path& staging_dir() const { return staging_dir_; }
  const std::string& session() const { return session_; }

 private:
  Journal(std::string session, fs::path dir, fs::path staging, int lock_fd)
      : session_(std::move(session)), dir_(std::move(dir)), staging_dir_(std::move(staging)), lock_fd_(lock_fd) {}
  std::string session_;
  fs::path dir_;
  fs::path staging_dir_;
  int lock_fd_;
  std::mutex shared_mu_;
  std::map<std::string, size_t> shared_uses_;  // open shared entries: the steps not yet done
};

// What recovery did.
struct RecoveryReport {
  int sessions = 0;                    // dead sessions found
  int rolled_forward = 0;              // commits and purges finished
  int rolled_back = 0;                 // staged inputs returned to where they were
  int staged_removed = 0;              // leftover staging copies deleted
  std::vector<std::string> problems;   // entries that could not be settled (kept for the next run), torn ones dropped
  std::vector<std::string> unsettled;  // of those, the entries kept for the next run (a move not yet recorded)
};

// Finishes or rolls back every intent of every dead session of host `host` under `state_dir`, and of the sessions
// made before hosts (directly under journal/), then removes their folders. Other hosts' sessions are left alone, and
// so are live sessions (locked by a running process). Safe to run at any time, repeatedly. Replacements need
// `proposals`; without it they stay open (reported as problems) for a run that has it.
base::Result<RecoveryReport> Recover(const fs::path& state_dir, catalog::Catalog& catalog,
                                     catalog::ProposalStore* proposals = nullptr, const std::string& host = "");
// True when an open journal entry of any session under `state_dir` (any host, live or dead, this process's too) moves
// or purges item `item_id`: another process may have moved its file and not yet recorded where in the catalog. A file
// missing from the item's path is then no file deleted outside triage. Read-only (torn entries are skipped).
bool ItemInFlight(const fs::path& state_dir, int64_t item_id);
// The intents of every open journal entry under `state_dir` (any host, live or dead sessions). Read-only.
std::vector<Intent> OpenIntents(const fs::path& state_dir);
// Whether `in` moves, purges or replaces item `item_id`.
bool MovesItem(const Intent& in, int64_t item_id);

// True when host `host` has journal sessions under `state_dir` (live or dead): work of that host may be open.
bool HostHasSessions(const fs::path& state_dir, const std::string& host);

}  // namespace triage::commit
