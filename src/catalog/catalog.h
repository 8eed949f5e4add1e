// The catalog: what the library holds and what happened to it. An interface with one contract;
// catalog/sqlite/ is the embedded implementation. Only catalog/ speaks SQL.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/item.h"

namespace triage::catalog {

// One state change, applied in a single transaction. Commit journals it before touching files and
// replays it after a crash, so applying is idempotent: a change whose journal_id was applied is skipped.
struct CatalogChange {
  // kReferences: no item changes; only `references` are added and `removed_references` deleted, audited about
  // item.id when it is set (0: about no item).
  enum class Kind { kInsertItem, kRelocateItem, kReferences };
  Kind kind = Kind::kInsertItem;
  std::string journal_id;                         // unique per change
  model::ItemRecord item;                         // insert: the whole record (id ignored); relocate: id + new
                                                  // path/location/category/person/auto_sorted
  std::vector<model::Face> faces;                 // insert: faces to store
  std::optional<model::StoredAnalysis> analysis;  // insert: the analysis and facts the item was decided on
  // Reference embeddings to add (an approval teaching a face), in the same transaction as the item change, so
  // a crash cannot keep the move and lose the learning. A missing person is created. A reference with an id > 0
  // is put back under that id (an undone removal).
  std::vector<model::PersonReference> references;
  // Reference ids to delete in the same transaction (an undone approval forgets the face it taught; a reference
  // removed by hand). Ids that no longer exist are skipped.
  std::vector<int64_t> removed_references;
  // Labels to set on item.id's faces (index: the face's place in FacesOf order), in the same transaction: a reviewer
  // naming faces one by one (also with kReferences, which then audits about item.id).
  std::vector<std::pair<int, model::FaceLabel>> face_labels;
  // Relocate to review: the open review entry's sentence and code. Empty: `reason`, and the first of the item's
  // reasons' codes (else `action`). An undo sets them to the entry the decision closed.
  std::string review_reason;
  std::string review_code;
  // Relocate: item.duplicate_of replaces the item's own (a photo restored from the trash beside an identical file
  // that took its place waits as that file's copy). Otherwise the item keeps the one it has.
  bool set_duplicate_of = false;
  // Relocate: when the item's new place dates from (its updated_at), 0 for `at`. An undone restore puts the photo back
  // in the trash as of its deletion, so that its time there is not started over.
  int64_t since = 0;
  std::string actor = "system";
  std::string action;  // audit action: "ingest", "approve", "reject", "skip", "restore", "undo"
  std::string reason;  // audit reason (sentence)
  int64_t at = 0;      // unix seconds
};

struct ItemFilter {
  std::optional<std::string> location;  // "library" | "review" | "trash"
  std::optional<std::string> category;
  std::optional<std::string> person;
  std::optional<std::string> source;
  bool pending_review_only = false;     // items with an open review entry
  std::optional<int64_t> duplicate_of;  // items filed as copies of this one
  int64_t after_id = 0;                 // keyset paging: id > after_id (ascending) ...
  int offset = 0;                       // ... or plain offset
  int limit = 100;                      // 1..1000
  bool newest_first = false;
  // The latest change first (updated_at, then the item's latest audit entry, descending): the trash as its photos
  // were deleted. Not with after_id.
  bool by_change = false;
  bool queue_order = false;  // review queue order: by arrival, skipped items last (else by id)
};

struct HashEntry {
  int64_t id = 0;
  uint64_t phash = 0;
  uint64_t phash_center = 0;
};

// One change to the set of hashes the near-duplicate index holds: `present` false means "forget this id" (the item
// went to the trash or was deleted).
struct HashChange {
  int64_t id = 0;
  bool present = false;
  uint64_t phash = 0;
  uint64_t phash_center = 0;
};

struct HashChanges {
  int64_t cursor = 0;               // pass to the next call to get only what changed after these
  std::vector<HashChange> changes;  // in the order they happened; replaying them in order is idempotent
};

// An item with its stored analysis: what policy simulation and apply-policy replay decide() on.
struct AnalysedItem {
  int64_t id = 0;
  std::string path;
  std::string location;  // "library" | "review"
  std::string category;
  std::string person;
  bool auto_sorted = false;
  model::StoredAnalysis analysis;
  // The photo this one was filed as a copy of (items.duplicate_of); set but outside a duplicate category, a person
  // decided it as a duplicate already (kept it beside or instead of the original).
  std::optional<int64_t> duplicate_of;
};

// Which audit entries to list (Catalog::ListAuditEntries).
struct AuditQuery {
  int64_t item_id = 0;  // 0: every item
  std::string actor;    // "": every actor
  std::string action;   // "": every action
  int limit = 50;       // 1..1000
  int offset = 0;
};

// One item's stored analysis (quality recompute).
struct StoredAnalysisRow {
  int64_t item_id = 0;
  model::StoredAnalysis analysis;
  // Set when `analysis` was made anew from the item's file (pipeline::Reanalyse): the item's own image facts (size,
  // format, capture time, camera, perceptual hashes, near-duplicate signature, sharpness, exposure) are brought up to
  // it as well, and these faces are stored when the item has none yet (an unreadable photo read at last). Faces
  // already stored keep their ids, names and clusters.
  std::optional<std::vector<model::Face>> refresh_item = std::nullopt;
  // Listed by ListStoredAnalyses: the item is in the trash (rescored, so that a restore brings it back on the
  // library's scale, but no sample of that scale).
  bool in_trash = false;
};

// How much of each stored analysis a listing parses: all of it, or what scoring reads (version, readability, the
// image's size, format and capture facts, the quality measures; faces, score and facts left empty), which costs
// a fraction of it.
enum class AnalysisParts { kWhole, kMeasures };

struct Stats {
  int64_t total = 0;
  int64_t auto_sorted = 0;
  int64_t in_review = 0;  // pending review entries
  int64_t in_library = 0;
  int64_t in_trash = 0;
  int64_t in_archive = 0;                      // images approved proposals replaced (kept for a revert, never purged)
  std::map<std::string, int64_t> by_person;    // library items per person
  std::map<std::string, int64_t> by_category;  // pending review per category
  double success_rate = 0;                     // auto_sorted / ingested in the period, 0..1
};

struct DayStats {
  std::string day;  // YYYY-MM-DD (UTC)
  int64_t ingested = 0;
  int64_t auto_sorted = 0;
  int64_t to_review = 0;
  int64_t reviewed = 0;
};

// Thread-safety: a Catalog may be used from several threads; each call is atomic.
class Catalog {
 public:
  virtual ~Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Applies `change` in one transaction with its audit entry, review-queue rows and references. Idempotent by
  // journal_id.
  // Returns the item id (new or relocated). kAlreadyExists if an item with the same path exists.
  virtual base::Result<int64_t> Apply(const CatalogChange& change) = 0;
  // Applies many changes in one transaction, all or nothing (a group commit; bulk loads), each as Apply would
  // (idempotent by journal id). Returns their item ids in order. The first failing change's error fails them all.
  virtual base::Result<std::vector<int64_t>> ApplyAll(const std::vector<CatalogChange>& changes) = 0;
  // True when a change with this journal id was applied.
  virtual base::Result<bool> WasApplied(const std::string& journal_id) = 0;

  virtual base::Result<model::ItemRecord> GetItem(int64_t id) = 0;
  // As GetItem, its quality score left unset: for lookups that read where an item is and what it is a copy of (the
  // near-duplicate lookups of an ingest make thousands). A backend may read less for it; by default it reads it all.
  virtual base::Result<model::ItemRecord> GetItemWithoutQuality(int64_t id) {
    auto item = GetItem(id);
    if (item.ok()) item->quality = {};
    return item;
  }
  virtual base::Result<std::optional<model::ItemRecord>> FindByPath(const std::string& relative_path) = 0;
  // Oldest item (not in trash) with this SHA-256, if any.
  virtual base::Result<std::optional<int64_t>> FindBySha256(const std::string& sha256) = 0;
  // Newest item (trash included) ingested from `original_path` (where the input was: a path or a URL), if any. Not
  // indexed: for the rare question whether an earlier attempt placed an input.
  virtual base::Result<std::optional<int64_t>> FindByOriginalPath(const std::string& original_path) = 0;
  // Perceptual hashes of every item not in trash that has them, to build the near-duplicate index.
  virtual base::Result<std::vector<HashEntry>> AllPerceptualHashes() = 0;
  // Every present hash with the cursor of the change log at that moment, as one consistent snapshot.
  virtual base::Result<HashChanges> PerceptualHashSnapshot() = 0;
  // What changed in that set after `cursor` (from a snapshot or an earlier call), by this process or any other.
  // Cheap when nothing changed (one indexed lookup).
  virtual base::Result<HashChanges> PerceptualHashChangesSince(int64_t cursor) = 0;
  // The analysis an item was decided on; nullopt for items ingested before analyses were stored.
  virtual base::Result<std::optional<model::StoredAnalysis>> GetAnalysis(int64_t item_id) = 0;
  // The near-duplicate signature stored with an item (model::Fingerprint::signature); empty when it has none.
  // kNotFound when there is no such item.
  virtual base::Result<std::vector<uint8_t>> NearDuplicateSignature(int64_t item_id) = 0;
  // Items whose place the policy decides, with their stored analyses, by ascending id after `after_id`: pending
  // review items and auto-sorted library items (a person's decision is not the policy's to revisit). `limit` 1..10000.
  virtual base::Result<std::vector<AnalysedItem>> ListAnalysedItems(int64_t after_id, int limit) = 0;
  // Every stored analysis, by ascending item id after `after_id`, those of items in the trash flagged (in_trash);
  // `limit` 1..10000.
  virtual base::Result<std::vector<StoredAnalysisRow>> ListStoredAnalyses(int64_t after_id, int limit,
                                                                          AnalysisParts parts) = 0;
  // Replaces these items' stored analyses in one transaction (quality recompute); items without one are skipped.
  virtual base::Status UpdateAnalyses(const std::vector<StoredAnalysisRow>& rows) = 0;
  virtual base::Result<std::vector<model::ItemRecord>> ListItems(const ItemFilter& filter) = 0;
  virtual base::Result<int64_t> CountItems(const ItemFilter& filter) = 0;
  // An item's faces in a stable order (the order an index into them means), each with its label.
  virtual base::Result<std::vector<model::Face>> FacesOf(int64_t item_id) = 0;

  // The open review entry of an item (kNotFound when none).
  virtual base::Result<model::ReviewEntry> PendingReview(int64_t item_id) = 0;
  // Marks an item's open review entry as skipped: it stays pending, moved to the back of the queue.
  virtual base::Status SkipReview(int64_t item_id, const std::string& actor, int64_t at) = 0;

  virtual base::Result<Stats> GetStats(int64_t since) = 0;
  virtual base::Result<std::vector<DayStats>> GetDailyStats(int64_t since) = 0;
  virtual base::Status AddAudit(const model::AuditEntry& entry) = 0;
  // Audit entries, newest first, of one item (0: any), by one actor ("": any), of one action ("": any).
  virtual base::Result<std::vector<model::AuditEntry>> ListAuditEntries(const AuditQuery& query) = 0;
  base::Result<std::vector<model::AuditEntry>> ListAudit(int64_t item_id, const std::string& actor, int limit,
                                                         int offset) {
    return ListAuditEntries({item_id, actor, "", limit, offset});
  }

  // Persons and their reference embeddings.
  virtual base::Result<int64_t> AddPerson(const std::string& name, int64_t at) = 0;  // kAlreadyExists
  virtual base::Result<std::vector<model::PersonRecord>> ListPersons() = 0;
  virtual base::Status RemovePerson(const std::string& name) = 0;  // kNotFound
  // The name shown for a person ("" shows the folder name); kNotFound when nobody has that name.
  virtual base::Status SetPersonDisplayName(const std::string& name, const std::string& display_name) = 0;
  // The new reference's id; kNotFound when no person has that name.
  virtual base::Result<int64_t> AddReference(const model::PersonReference& ref) = 0;
  virtual base::Result<std::vector<model::PersonReference>> AllReferences() = 0;

  // Items in trash longer than `before` (unix seconds): for purging.
  virtual base::Result<std::vector<model::ItemRecord>> TrashedBefore(int64_t before) = 0;
  // Deletes item `audit.item_id` and writes `audit` in the same transaction (PurgeAudit for the trash's purge). With
  // `only_at`, only while the item's path is that one: kConflict otherwise, nothing changed (another process moved it
  // meanwhile: a restore out of the trash, a decision).
  virtual base::Status DeleteItem(const model::AuditEntry& audit, const std::string& only_at = "") = 0;

 protected:
  Catalog() = default;
};

// kConflict: item `id` is no longer at `path` (DeleteItem's `only_at`).
inline base::Status MovedMeanwhile(int64_t id, const std::string& path) {
  return base::Status::Conflict("item " + std::to_string(id) + " is no longer at " + path +
                                ": it was moved meanwhile (by another process); nothing was deleted");
}

// The audit line of purging item `id` from the trash (its file deleted with it).
inline model::AuditEntry PurgeAudit(int64_t id, const std::string& actor, const std::string& reason, int64_t at) {
  return {0, at, actor, id, "purge", "trash", "", reason};
}

}  // namespace triage::catalog
