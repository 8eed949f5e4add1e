// Group commit: many placements under one journal entry, one sync per folder and one catalog transaction.
#include <fmt/format.h>

#include <map>
#include <set>

#include "base/files.h"
#include "base/ids.h"
#include "commit/committer.h"
#include "model/image_format.h"

namespace triage::commit {

// The state of one PlaceAll call; vectors of placements, intents and results share their indexes.
struct Committer::Group {
  std::string id;  // the journal entry's name
  std::vector<Placement> placements;
  std::vector<Intent> intents;
  std::vector<base::Result<Placed>> results;
  std::vector<size_t> planned;   // placements whose intent the entry holds
  std::vector<size_t> moved;     // placements whose file is at its intent's `to`
  std::vector<size_t> collided;  // another writer took the name meanwhile: placed one by one after
  bool keep_entry = false;       // something is left for recovery to finish
};

namespace {

// The kCommit intent that places `p` under a name free on disk and not promised to another file of the group.
base::Result<Intent> IntentFor(const Placement& p, const fs::path& library, std::set<fs::path>& reserved) {
  std::error_code ec;
  fs::create_directories(p.dest_dir, ec);
  if (ec) return base::Status::Io(fmt::format("cannot create {}: {}", p.dest_dir.string(), ec.message()));
  Intent in;
  in.kind = Intent::Kind::kCommit;
  in.id = p.change.journal_id.empty() ? base::RandomId() : p.change.journal_id;
  in.from = p.staged.path;
  in.to = base::FirstFreeName(p.dest_dir, model::LibraryFileName(p.name, p.change.item.info.format), reserved);
  reserved.insert(in.to);
  in.change = p.change;
  in.change->journal_id = in.id;
  in.change->kind = catalog::CatalogChange::Kind::kInsertItem;
  in.change->item.path = in.to.lexically_relative(library).string();
  return in;
}

std::vector<Intent> IntentsAt(const std::vector<Intent>& intents, const std::vector<size_t>& at) {
  std::vector<Intent> out;
  out.reserve(at.size());
  for (size_t i : at) out.push_back(intents[i]);
  return out;
}

}  // namespace

std::vector<base::Result<Placed>> Committer::PlaceAll(std::vector<Placement> placements) {
  Group g;
  g.id = "group-" + base::RandomId();
  g.placements = std::move(placements);
  g.results.assign(g.placements.size(), base::Status::Io("not placed"));
  g.intents.resize(g.placements.size());
  std::set<fs::path> reserved;
  // Inputs moved into staging with a slot are made durable there once per folder, before the entry names them.
  std::map<fs::path, base::Status> staging_synced;
  for (size_t i = 0; i < g.placements.size(); ++i) {
    if (!g.placements[i].staged.folder_synced) {
      const fs::path folder = g.placements[i].staged.path.parent_path();
      auto it = staging_synced.find(folder);
      if (it == staging_synced.end()) it = staging_synced.emplace(folder, base::SyncDirectory(folder)).first;
      if (!it->second.ok()) {
        g.results[i] = it->second;
        continue;
      }
      g.placements[i].staged.folder_synced = true;
    }
    // Staged copies are durable here (their syncs began when they were staged), before the journal entry names them.
    if (!g.placements[i].staged.synced) {
      if (base::Status synced = syncs_.Finish(g.placements[i].staged.path); !synced.ok()) {
        g.results[i] = synced;
        continue;
      }
      g.placements[i].staged.synced = true;
    }
    auto intent = IntentFor(g.placements[i], library_, reserved);
    if (!intent.ok()) {
      g.results[i] = intent.status();
      continue;
    }
    g.intents[i] = std::move(*intent);
    g.planned.push_back(i);
  }
  if (g.planned.empty()) return std::move(g.results);
  // Durable before the first move: from here on a crash leaves nothing half-placed.
  base::Status recorded = journal_.RecordGroup(g.id, IntentsAt(g.intents, g.planned));
  if (!recorded.ok()) {
    for (size_t i : g.planned) g.results[i] = recorded;
    return std::move(g.results);
  }
  MoveAll(g);
  ApplyChanges(g);
  for (size_t i : g.collided) {
    const Placement& p = g.placements[i];
    const std::string file_name = model::LibraryFileName(p.name, p.change.item.info.format);
    g.results[i] = Move(std::move(g.intents[i]), p.dest_dir, file_name, p.staged.stage_intent);
  }
  return std::move(g.results);
}

// Moves every planned file; the entry is rewritten without the ones that did not move (the caller discards or
// places them again, so recovery must not look for them), then each destination folder is synced once.
void Committer::MoveAll(Group& g) {
  std::vector<size_t> unmoved;
  std::set<fs::path> folders;
  for (size_t i : g.planned) {
    const Intent& in = g.intents[i];
    base::Status st = base::RenameNoReplace(in.from, in.to);
    if (st.code() == base::Code::kUnavailable) st = base::MoveFileDurably(in.from, in.to);  // across file systems
    if (st.ok()) {
      g.moved.push_back(i);
      folders.insert(in.to.parent_path());
      continue;
    }
    if (st.code() == base::Code::kAlreadyExists)
      g.collided.push_back(i);
    else
      g.results[i] = st;
    unmoved.push_back(i);
  }
  // Should this rewrite fail, recovery reports the inputs that were not placed as problems; nothing is lost.
  if (!unmoved.empty()) static_cast<void>(journal_.RecordGroup(g.id, IntentsAt(g.intents, g.moved)));
  for (const fs::path& folder : folders) {
    if (!base::SyncDirectory(folder).ok()) g.keep_entry = true;  // recovery checks those moves at the next start
  }
}

// One transaction for the moved files' changes (each on its own when that fails), then the entry and the moved
// inputs' stage intents are closed with one sync.
void Committer::ApplyChanges(Group& g) {
  std::vector<catalog::CatalogChange> changes;
  std::vector<std::string> finished;  // stage intents of moved inputs: nothing to roll back any more
  for (size_t i : g.moved) {
    changes.push_back(*g.intents[i].change);
    if (!g.placements[i].staged.stage_intent.empty()) finished.push_back(g.placements[i].staged.stage_intent);
  }
  auto ids = changes.empty() ? base::Result<std::vector<int64_t>>(std::vector<int64_t>()) : catalog_.ApplyAll(changes);
  for (size_t k = 0; k < g.moved.size(); ++k) {
    const size_t i = g.moved[k];
    auto id = ids.ok() ? base::Result<int64_t>((*ids)[k]) : catalog_.Apply(changes[k]);
    if (!id.ok()) {
      // The file moved, the catalog did not record it: the entry stays open and recovery applies the change again.
      // Said so, so that nobody takes the photo for lost (or ingests it a second time).
      g.results[i] = id.status().WithContext(fmt::format(
          "placed at {} but not yet recorded in the catalog (`triage recover` records it once the catalog can be "
          "written)",
          g.intents[i].to.lexically_relative(library_).string()));
      g.keep_entry = true;
      continue;
    }
    g.results[i] = Placed{*id, g.intents[i].to};
  }
  if (!g.keep_entry) finished.push_back(g.id);
  // An entry that stays open is replayed by the next recovery, which skips what was applied.
  static_cast<void>(journal_.DoneAll(finished));
}

}  // namespace triage::commit
