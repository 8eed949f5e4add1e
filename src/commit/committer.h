// The only code that moves files: stages inputs, places images in the library or review, relocates items
// on review decisions and purges the trash — each step journaled first, then done, then marked done.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/file_stamp.h"
#include "base/files.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "commit/background_sync.h"
#include "commit/journal.h"

namespace triage::commit {

struct Staged {
  fs::path path;              // in the session's staging folder
  std::string stage_intent;   // open kStage intent for moved inputs ("" for copies)
  fs::path original;          // where a moved input came from
  bool synced = true;         // false: a copy whose bytes are made durable when it is placed
  bool folder_synced = true;  // false: moved in with a MoveSlot; the staging folder is synced when it is placed
};

// A name in staging reserved for an input to move in, under a kStage intent already recorded (Committer::ReserveMoves).
struct MoveSlot {
  std::string entry;  // the shared journal entry that holds the intent
  fs::path from;      // the input
  fs::path to;        // its name in staging
};

struct Placed {
  int64_t item_id = 0;
  fs::path path;  // absolute final path
};

// One staged input to place with PlaceAll: what Place takes.
struct Placement {
  Staged staged;
  fs::path dest_dir;
  std::string name;  // as sent; the file's name is model::LibraryFileName(name, change.item.info.format)
  catalog::CatalogChange change;
};

// What lies at an item's path when it is not the item's file, in words: "" when a regular file is there, else
// "nothing" (deleted or moved outside triage), "a folder", "a symbolic link" or "a special file" (put there by hand in
// its place). Links are not followed.
std::string NotAFileAt(const fs::path& path);

// Thread-safe as long as the journal and catalog are (they are).
class Committer {
 public:
  Committer(Journal& journal, catalog::Catalog& catalog, fs::path library)
      : journal_(journal), catalog_(catalog), library_(std::move(library)) {}

  // Files up to this size are read into memory once when staged with `bytes` (StageCopy, StageMove), so that the
  // hash, the staged copy and the decoder all take them from there; larger ones are read in chunks.
  static constexpr int64_t kMaxKeptBytes = int64_t{256} << 20;

  // Copies `source` into staging; `sink` sees every byte read (for hashing). The original is untouched. The copy is
  // made durable when it is placed (Place, PlaceAll), before the journal names it: a crash before that loses only a
  // staged copy, whose original is still where it was. When `bytes` is given, it receives the staged file's contents
  // (read once; empty for a file larger than kMaxKeptBytes, which is then read in chunks).
  // kUnavailable ("... changed while being ingested; left for the next run") when it changed during the copy.
  base::Result<Staged> StageCopy(const fs::path& source, const base::ChunkSink& sink, std::string* bytes = nullptr);
  // Moves `source` into staging under a journaled kStage intent (after a crash it goes back where it was), then
  // reads the staged file through `sink` (for hashing), and into `bytes` when given (as StageCopy). If its size or
  // mtime then differ from `stable` (the stamp it had when it was found stable), a writer was still at work: it goes
  // back where it was and the result is kUnavailable ("... changed while being ingested; left for the next run").
  // With a `slot` (ReserveMoves; its `from` is `source`), the intent is the one recorded with the slot, and the
  // rename into staging is made durable when the input is placed (Place, PlaceAll) rather than at once: a crash
  // before that leaves the input where it was, or in staging, where recovery finds the intent and returns it. The
  // slot is used up either way (its intent closed when the input is placed or returned).
  base::Result<Staged> StageMove(const fs::path& source, const base::FileStamp& stable, const base::ChunkSink& sink,
                                 std::string* bytes = nullptr, const MoveSlot* slot = nullptr);
  // Reserves names in staging for `sources` to move in, their kStage intents recorded as one journal entry (one sync
  // for them all, where StageMove alone records and syncs one intent per input). Each slot goes to StageMove, or back
  // through Release when its input is not staged after all.
  base::Result<std::vector<MoveSlot>> ReserveMoves(const std::vector<fs::path>& sources);
  void Release(const MoveSlot& slot);
  // Adopts a file already in staging (a download).
  Staged Adopt(const fs::path& staged_file) { return {staged_file, "", {}}; }

  // Moves `staged` to `dest_dir` under model::LibraryFileName(name, change.item.info.format) (safe, with an extension
  // of the image's format; a suffix on collision, never an overwrite) and applies `change` (item.path is filled in
  // here). Closes the staged input's kStage intent.
  base::Result<Placed> Place(const Staged& staged, const fs::path& dest_dir, const std::string& name,
                             catalog::CatalogChange change);

  // Places a group of staged inputs as Place would each (a group commit): one durable journal entry holding every
  // placement's intent, the moves (each name free and distinct within the group), one sync per destination folder,
  // one catalog transaction for all changes, then the entry closed with one sync. As crash-safe as Place: recovery
  // rolls every placement of an open entry forward. Returns one result per placement, in order: its Placed, or why
  // it was not placed — nothing moved for it (its intent is taken out of the entry first, so the caller may Discard
  // it), or, as with Place, moved with the catalog change left to recovery. When the group's transaction fails, each
  // change is applied on its own, so that one bad change fails alone.
  std::vector<base::Result<Placed>> PlaceAll(std::vector<Placement> group);

  // Moves an existing item to `dest_dir` (as `name`, by default its own file name; suffixed on collision) and applies
  // the relocation.
  base::Result<Placed> Relocate(const model::ItemRecord& item, const fs::path& dest_dir, catalog::CatalogChange change,
                                const std::string& name = "");

  // Replaces one image by another in one journaled step: `outgoing` moves to the archive (.triage/archive/, never
  // deleted), `incoming` (when given) into `slot_dir` (the outgoing image's exact path when its name is the same and
  // free, else its own name there, suffixed on collision), then `replacement` (paths filled in here) is applied to
  // `proposals` in one transaction. On failure nothing has changed, or the open intent is finished or rolled back
  // by recovery: the slot holds the old or the new image, and the other is where it was or in the archive.
  base::Status Replace(catalog::ProposalStore& proposals, const model::ItemRecord& outgoing,
                       const model::ItemRecord* incoming, const fs::path& slot_dir, catalog::Replacement replacement);
  // Where replaced images go.
  fs::path ArchiveDir() const { return library_ / ".triage" / "archive"; }

  // Deletes a trashed item's file and its catalog row.
  base::Status Purge(const model::ItemRecord& item, const std::string& actor, const std::string& reason, int64_t at);

  // Removes a staged copy that will not be placed (e.g. ingest failed before deciding).
  void Discard(const Staged& staged);

  const fs::path& library() const { return library_; }
  // The session's staging folder, for downloads and uploads.
  const fs::path& StagingDir() const { return journal_.staging_dir(); }

 private:
  static base::Status ChangedWhileIngested(const fs::path& source);
  // The session's staging folder's name for an input `source` staged under `id` (its extension kept, made safe).
  fs::path StagingPathFor(const std::string& id, const fs::path& source) const;
  // PlaceAll's steps (place_all.cc).
  struct Group;
  void MoveAll(Group& g);
  void ApplyChanges(Group& g);
  // After a relocation's catalog change failed (`applied`): the file moved back and the intent closed, so that file
  // and catalog agree again at once; or, when the change did reach the catalog, the relocation done.
  base::Result<Placed> UndoMove(const Intent& intent, const base::Result<int64_t>& applied);
  base::Result<Placed> Move(Intent intent, const fs::path& dest_dir, const std::string& name,
                            const std::string& close_intent);
  Journal& journal_;
  catalog::Catalog& catalog_;
  fs::path library_;
  BackgroundSync syncs_;  // of staged copies, started when they are staged and finished when they are placed
};

}  // namespace triage::commit
