// Journaled moves: record the intent, move without overwriting, apply the catalog change, mark done.
#include "commit/committer.h"

#include <fmt/format.h>

#include "base/ids.h"
#include "base/text.h"
#include "model/image_format.h"

namespace triage::commit {
namespace {

// Closes an intent whose work did not happen (the file is still where the intent says it came from). If closing
// fails the intent stays open, and recovery finds the file at its origin and closes it then: nothing to report.
void CloseUnused(Journal& journal, const std::string& id) { static_cast<void>(journal.Done(id)); }

// Reads a staged file through `sink`: whole into `bytes` when given and the file is small enough, else in chunks.
base::Status ReadStaged(const fs::path& path, const base::FileStamp& stable, const base::ChunkSink& sink,
                        std::string* bytes) {
  if (bytes == nullptr || stable.size_bytes > Committer::kMaxKeptBytes) return base::ReadFileChunks(path, sink);
  auto read = base::ReadFile(path);
  if (!read.ok()) return read.status();
  *bytes = std::move(*read);
  if (sink && !bytes->empty()) sink(reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size());
  return base::Status::Ok();
}

}  // namespace

base::Result<Staged> Committer::StageCopy(const fs::path& source, const base::ChunkSink& sink, std::string* bytes) {
  const fs::path staged = StagingPathFor(base::RandomId(), source);
  base::Status st = bytes ? base::CopyFileSyncLaterKeeping(source, staged, sink, *bytes, kMaxKeptBytes)
                          : base::CopyFileSyncLater(source, staged, sink);
  if (st.code() == base::Code::kUnavailable) return ChangedWhileIngested(source);
  if (!st.ok()) return st;
  syncs_.Start(staged);
  return Staged{staged, "", {}, false};
}

fs::path Committer::StagingPathFor(const std::string& id, const fs::path& source) const {
  return journal_.staging_dir() / (id + base::SanitizeFileName(source.extension().string()));
}

base::Status Committer::ChangedWhileIngested(const fs::path& source) {
  return base::Status::Unavailable(
      fmt::format("{} changed while being ingested; left for the next run", source.string()));
}

base::Result<std::vector<MoveSlot>> Committer::ReserveMoves(const std::vector<fs::path>& sources) {
  std::vector<MoveSlot> slots;
  std::vector<Intent> intents;
  const std::string entry = "stage-" + base::RandomId();
  for (const fs::path& source : sources) {
    Intent intent;
    intent.kind = Intent::Kind::kStage;
    intent.id = base::RandomId();
    intent.from = fs::absolute(source);
    intent.to = StagingPathFor(intent.id, source);
    slots.push_back({entry, intent.from, intent.to});
    intents.push_back(std::move(intent));
  }
  TRIAGE_RETURN_IF_ERROR(journal_.RecordShared(entry, intents, slots.size()));
  return slots;
}

void Committer::Release(const MoveSlot& slot) { CloseUnused(journal_, slot.entry); }

base::Result<Staged> Committer::StageMove(const fs::path& source, const base::FileStamp& stable,
                                          const base::ChunkSink& sink, std::string* bytes, const MoveSlot* slot) {
  Intent intent;
  intent.kind = Intent::Kind::kStage;
  base::Status st;
  if (slot) {
    intent.id = slot->entry;
    intent.from = slot->from;
    intent.to = slot->to;
    st = base::RenameNoReplace(intent.from, intent.to);
    // Across file systems: a durable copy, then the source removed (its folder synced), as without a slot.
    if (st.code() == base::Code::kUnavailable) st = base::MoveFileDurably(intent.from, intent.to);
  } else {
    intent.id = base::RandomId();
    intent.from = fs::absolute(source);
    intent.to = StagingPathFor(intent.id, source);
    TRIAGE_RETURN_IF_ERROR(journal_.Record(intent));
    st = base::MoveFileDurably(intent.from, intent.to);
  }
  if (st.code() == base::Code::kUnavailable && !fs::exists(intent.to)) {
    CloseUnused(journal_, intent.id);
    return ChangedWhileIngested(source);  // a copy across file systems saw it change; the source stayed
  }
  if (!st.ok()) {
    CloseUnused(journal_, intent.id);
    return st;
  }
  Staged staged{intent.to, intent.id, intent.from};
  staged.folder_synced = slot == nullptr;
  // What was listed as a regular file may have been replaced by a symbolic link since (in a drop folder others write
  // to, to have a file this process may read filed and served). Staging is triage's own folder, where nobody else puts
  // anything: what the rename brought there is checked, and read, there. A link goes back where it was, untaken.
  if (base::Status regular = base::RequireRegularFile(staged.path); !regular.ok()) {
    Discard(staged);
    return base::Status::InvalidArgument(fmt::format(
        "{} was replaced after it was listed and is no longer a regular file (a symbolic link is never followed); "
        "it was left where it is, not taken",
        source.string()));
  }
  // A writer that still held the file open writes on into the staged file (a rename keeps the inode), so the
  // bytes are read first and the stamp compared after: equal stamps mean the hash is of the stable file.
  st = ReadStaged(staged.path, stable, sink, bytes);
  auto now = base::StampOf(staged.path);
  if (st.ok() && now.ok() && *now == stable) return staged;
  if (bytes) bytes->clear();
  Discard(staged);
  if (!st.ok()) {
    // The read failed in staging (a file this process may not read, moved there first): named by the input's own
    // name, where it is back now, not by the staging folder's.
    return st.WithMessage(base::ReplacedAll(st.message(), staged.path.string(), source.string()));
  }
  return ChangedWhileIngested(source);
}

base::Result<Placed> Committer::Move(Intent intent, const fs::path& dest_dir, const std::string& name,
                                     const std::string& close_intent) {
  std::error_code ec;
  fs::create_directories(dest_dir, ec);
  if (ec) return base::Status::Io(fmt::format("cannot create {}: {}", dest_dir.string(), ec.message()));
  for (int attempt = 0; attempt < 100; ++attempt) {
    intent.to = base::FirstFreeName(dest_dir, name);
    intent.change->item.path = intent.to.lexically_relative(library_).string();
    TRIAGE_RETURN_IF_ERROR(journal_.Record(intent));
    base::Status st = base::MoveFileDurably(intent.from, intent.to);
    if (st.code() == base::Code::kAlreadyExists) continue;  // another writer took the name: next suffix
    if (!st.ok()) {
      // Nothing moved: drop the commit intent; a staged input keeps its own intent, so it can still go back.
      CloseUnused(journal_, intent.id);
      return st;
    }
    // Only now is a moved input safely in place; until here its stage intent could still return it.
    if (!close_intent.empty()) TRIAGE_RETURN_IF_ERROR(journal_.Done(close_intent));
    auto id = catalog_.Apply(*intent.change);
    if (!id.ok() && intent.change->kind == catalog::CatalogChange::Kind::kRelocateItem) return UndoMove(intent, id);
    if (!id.ok()) {  // file moved, catalog not: recovery applies the change again
      return id.status().WithContext(fmt::format(
          "placed at {} but not yet recorded in the catalog (`triage recover` records it once the catalog can be "
          "written)",
          intent.change->item.path));
    }
    TRIAGE_RETURN_IF_ERROR(journal_.Done(intent.id));
    return Placed{*id, intent.to};
  }
  return base::Status::Io(fmt::format("no free name for {} in {}", name, dest_dir.string()));
}

base::Result<Placed> Committer::UndoMove(const Intent& intent, const base::Result<int64_t>& applied) {
  // A running process must not go on with a library whose file and catalog disagree until the next start recovers
  // them: the file goes back, unless the change did reach the catalog (a failure reported after its commit).
  auto reached = catalog_.WasApplied(intent.id);
  if (reached.ok() && *reached) {
    TRIAGE_RETURN_IF_ERROR(journal_.Done(intent.id));
    return Placed{intent.change->item.id, intent.to};
  }
  const std::string from = intent.from.lexically_relative(library_).generic_string();
  if (reached.ok() && base::MoveFileDurably(intent.to, intent.from).ok() && journal_.Done(intent.id).ok()) {
    return applied.status().WithContext(
        fmt::format("the catalog could not record the move, so nothing was changed ({} is where it was)", from));
  }
  return applied.status().WithContext(fmt::format(
      "the catalog could not record the move of {}; the next start of triage (or `triage recover`) finishes it", from));
}

base::Result<Placed> Committer::Place(const Staged& staged, const fs::path& dest_dir, const std::string& name,
                                      catalog::CatalogChange change) {
  if (!staged.synced) TRIAGE_RETURN_IF_ERROR(syncs_.Finish(staged.path));
  if (!staged.folder_synced) TRIAGE_RETURN_IF_ERROR(base::SyncDirectory(staged.path.parent_path()));
  Intent intent;
  intent.kind = Intent::Kind::kCommit;
  intent.id = change.journal_id.empty() ? base::RandomId() : change.journal_id;
  change.journal_id = intent.id;
  change.kind = catalog::CatalogChange::Kind::kInsertItem;
  intent.from = staged.path;
  intent.change = std::move(change);
  const std::string file_name = model::LibraryFileName(name, intent.change->item.info.format);
  return Move(std::move(intent), dest_dir, file_name, staged.stage_intent);
}

std::string NotAFileAt(const fs::path& path) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path, ec);
  switch (st.type()) {
    case fs::file_type::regular:
      return "";
    case fs::file_type::directory:
      return "a folder";
    case fs::file_type::symlink:
      return "a symbolic link";
    case fs::file_type::not_found:
    case fs::file_type::none:
      return "nothing";
    default:
      return "a special file";
  }
}

base::Result<Placed> Committer::Relocate(const model::ItemRecord& item, const fs::path& dest_dir,
                                         catalog::CatalogChange change, const std::string& name) {
  Intent intent;
  intent.kind = Intent::Kind::kCommit;
  intent.id = base::RandomId();
  change.journal_id = intent.id;
  change.kind = catalog::CatalogChange::Kind::kRelocateItem;
  change.item.id = item.id;
  intent.from = library_ / item.path;
  intent.change = std::move(change);
  // Moved by another process of this library (a second server, the CLI) since `item` was read, or by hand: said in
  // the library's terms, not as a failed rename between two server paths.
  auto gone = [&]() -> base::Status {
    auto now = catalog_.GetItem(item.id);
    if (!now.ok() && now.status().code() == base::Code::kNotFound)
      return base::Status::Conflict(fmt::format("item {} was removed meanwhile; nothing was changed", item.id));
    if (now.ok() && (now->path != item.path || now->location != item.location)) {
      return base::Status::Conflict(fmt::format(
          "item {} was decided meanwhile by somebody else (it is now at {}); nothing was changed", item.id, now->path));
    }
    if (ItemInFlight(library_ / ".triage", item.id)) {  // a purge or a move in another process, not yet recorded
      return base::Status::Conflict(fmt::format(
          "item {} is being moved or purged by another triage process right now; nothing was changed", item.id));
    }
    return base::Status::Conflict(
        fmt::format("item {}'s file is no longer at {} (moved or deleted outside triage); nothing was changed: put it "
                    "back there to decide it",
                    item.id, item.path));
  };
  if (const std::string there = NotAFileAt(intent.from); there == "nothing") {
    return gone();
  } else if (!there.empty()) {
    // A folder or a link put in its place would be filed into the library as the photo.
    return base::Status::Conflict(
        fmt::format("item {}'s file at {} was replaced outside triage by {}; nothing was changed: put the photo back "
                    "there to decide it",
                    item.id, item.path, there));
  }
  if (intent.from.parent_path() == dest_dir) {
    // Same folder: only the catalog changes.
    intent.change->item.path = item.path;
    auto id = catalog_.Apply(*intent.change);
    if (!id.ok()) return id.status();
    return Placed{*id, intent.from};
  }
  const std::string file_name = name.empty() ? intent.from.filename().string() : name;
  const fs::path from = intent.from;
  auto placed = Move(std::move(intent), dest_dir, file_name, "");
  if (!placed.ok() && placed.status().code() == base::Code::kNotFound && NotAFileAt(from) == "nothing") return gone();
  return placed;
}

namespace {

// The incoming image's path in the slot: where it is when it is in the slot's folder already (a library photo taking
// its neighbour's place keeps its name), the outgoing image's own path when it has the same name (it leaves first),
// else a free name in the slot's folder.
fs::path SlotPathFor(const fs::path& slot_dir, const fs::path& incoming, const fs::path& outgoing) {
  if (incoming.parent_path() == slot_dir) return incoming;
  fs::path exact = slot_dir / incoming.filename();
  if (exact == outgoing) return exact;
  return base::FirstFreeName(slot_dir, incoming.filename().string());
}

}  // namespace

base::Status Committer::Replace(catalog::ProposalStore& proposals, const model::ItemRecord& outgoing,
                                const model::ItemRecord* incoming, const fs::path& slot_dir,
                                catalog::Replacement replacement) {
  std::error_code ec;
  fs::create_directories(ArchiveDir(), ec);
  if (!ec) fs::create_directories(slot_dir, ec);
  if (ec) return base::Status::Io(fmt::format("cannot create {}: {}", ArchiveDir().string(), ec.message()));
  Intent intent;
  intent.kind = Intent::Kind::kReplace;
  intent.id = base::RandomId();
  intent.from = library_ / outgoing.path;
  intent.to = base::FirstFreeName(ArchiveDir(), intent.from.filename().string());
  replacement.journal_id = intent.id;
  replacement.outgoing.item_id = outgoing.id;
  replacement.outgoing.path = intent.to.lexically_relative(library_).string();
  replacement.outgoing.location = "archive";
  if (incoming) {
    intent.incoming_from = library_ / incoming->path;
    intent.incoming_to = SlotPathFor(slot_dir, intent.incoming_from, intent.from);
    replacement.incoming->item_id = incoming->id;
    replacement.incoming->path = intent.incoming_to.lexically_relative(library_).string();
    replacement.incoming->location = "library";
  }
  if (!incoming) replacement.incoming.reset();
  intent.replacement = std::move(replacement);
  TRIAGE_RETURN_IF_ERROR(journal_.Record(intent));
  base::Status st = base::MoveFileDurably(intent.from, intent.to);
  if (!st.ok()) {
    CloseUnused(journal_, intent.id);
    return st;
  }
  const bool incoming_moves = incoming && intent.incoming_to != intent.incoming_from;
  if (incoming_moves) st = base::MoveFileDurably(intent.incoming_from, intent.incoming_to);
  if (st.ok()) st = proposals.ApplyReplacement(*intent.replacement);
  if (!st.ok()) {
    // Put back what moved; if that fails too, the intent stays open and recovery settles it.
    if (incoming_moves && fs::exists(intent.incoming_to) &&
        !base::MoveFileDurably(intent.incoming_to, intent.incoming_from).ok()) {
      return st;
    }
    if (base::MoveFileDurably(intent.to, intent.from).ok()) CloseUnused(journal_, intent.id);
    return st;
  }
  return journal_.Done(intent.id);
}

base::Status Committer::Purge(const model::ItemRecord& item, const std::string& actor, const std::string& reason,
                              int64_t at) {
  // Read again now: the record may be minutes old (a long purge), and another process (a server's restore, a CLI
  // decision) may have taken the photo out of the trash since, or filed another under its name there.
  auto now = catalog_.GetItem(item.id);
  if (!now.ok()) return now.status();
  if (now->path != item.path) return catalog::MovedMeanwhile(item.id, item.path);
  Intent intent;
  intent.kind = Intent::Kind::kPurge;
  intent.id = base::RandomId();
  intent.from = library_ / item.path;
  catalog::CatalogChange change;
  change.item.id = item.id;
  change.item.path = item.path;  // recovery deletes the item only while it is still there
  change.actor = actor;
  change.reason = reason;
  change.at = at;
  intent.change = change;
  const model::AuditEntry audit = catalog::PurgeAudit(item.id, actor, reason, at);
  std::error_code ec;
  const fs::file_status there = fs::symlink_status(intent.from, ec);
  if (!fs::exists(there)) {
    // No file there: moved by another process that has not recorded where yet (its journal says so), or deleted
    // outside triage (then the item goes, as its file went).
    if (ItemInFlight(library_ / ".triage", item.id)) return catalog::MovedMeanwhile(item.id, item.path);
    return catalog_.DeleteItem(audit, item.path);
  }
  if (const auto size = fs::file_size(intent.from, ec); fs::is_regular_file(there) && !ec &&
                                                        item.fingerprint.size_bytes > 0 &&
                                                        static_cast<int64_t>(size) != item.fingerprint.size_bytes) {
    return base::Status::Conflict(fmt::format("{} is not the file item {} was ({} bytes, not {}); nothing was deleted",
                                              intent.from.string(), item.id, size, item.fingerprint.size_bytes));
  }
  ec.clear();
  TRIAGE_RETURN_IF_ERROR(journal_.Record(intent));
  const bool removed = fs::remove(intent.from, ec);
  if (ec || !removed) {
    // Not deleted (an immutable file, a read-only trash), or taken away meanwhile: the purge did not happen, and
    // recovery must not finish it in the catalog alone. The item stays as it was.
    const base::Status closed = journal_.Done(intent.id);
    const std::string note = closed.ok() ? "" : " (" + closed.message() + ")";
    if (!ec) return catalog::MovedMeanwhile(item.id, item.path).WithContext("purging" + note);
    return base::Status::Io(
        fmt::format("cannot delete {}: {}; nothing was changed{}", intent.from.string(), ec.message(), note));
  }
  TRIAGE_RETURN_IF_ERROR(catalog_.DeleteItem(audit, item.path));
  return journal_.Done(intent.id);
}

void Committer::Discard(const Staged& staged) {
  if (!staged.stage_intent.empty()) {
    // A moved input goes back where it came from, like a rollback; if that fails the intent stays for recovery.
    if (base::MoveFileDurably(staged.path, staged.original).ok()) CloseUnused(journal_, staged.stage_intent);
    return;
  }
  syncs_.Forget(staged.path);
  std::error_code ec;
  fs::remove(staged.path, ec);
}

}  // namespace triage::commit
