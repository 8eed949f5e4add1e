// PostgreSQL catalog: connection, migrations and changes (insert, relocate) in one transaction each.
#include "catalog/postgres/pg_catalog.h"

#include <fmt/format.h>

#include "catalog/postgres/pg_gallery_facts.h"
#include "catalog/postgres/pg_rows.h"
#include "catalog/postgres/schema.h"
#include "catalog/row_codec.h"

namespace triage::catalog::postgres {
namespace {

// Held while migrating, so that two processes opening a fresh database do not both create the tables.
constexpr const char* kMigrationLock = "SELECT pg_advisory_lock(7461726962)";
constexpr const char* kMigrationUnlock = "SELECT pg_advisory_unlock(7461726962)";

constexpr const char* kInsertItem =
    "INSERT INTO items (path, original_name, original_path, source, url, sha256, phash, size_bytes, width, height, "
    "format, taken_at, camera, location, category, person, duplicate_of, reasons, auto_sorted, faces_detected, "
    "sharpness, exposure, created_at, updated_at, phash_center, signature) "
    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26) "
    "RETURNING id";

constexpr const char* kSetQueueRank = "UPDATE items SET queue_rank = id WHERE id = $1";

constexpr const char* kInsertFace =
    "INSERT INTO faces (item_id, x, y, w, h, score, landmarks, embedding, person, match_kind, distance, confidence, "
    "eye_aspect_ratio, size_px) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13, LEAST($4::float8, $5::float8))";

constexpr const char* kInsertReview =
    "INSERT INTO review_queue (item_id, category, reason, reason_code, faces_detected, suggested_person, created_at, "
    "queued_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)";

constexpr const char* kCloseReview =
    "UPDATE review_queue SET reviewed_at = $1, reviewed_by = $2, action = $3 WHERE item_id = $4 AND reviewed_at IS "
    "NULL";

constexpr const char* kRelocateItem =
    "UPDATE items SET path = $1, location = $2, category = $3, person = $4, auto_sorted = $5, updated_at = $6 "
    "WHERE id = $7";

constexpr const char* kUpdateReasons = "UPDATE items SET reasons = $1 WHERE id = $2";

constexpr const char* kInsertAudit =
    "INSERT INTO audit (at, actor, item_id, action, from_state, to_state, reason) VALUES ($1,$2,$3,$4,$5,$6,$7)";

// Two hosts replaying the same journal entry meet here: the second waits for the first and then sees it applied.
constexpr const char* kLockJournalId = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
constexpr const char* kAppliedItem = "SELECT item_id FROM applied_journal WHERE id = $1";
constexpr const char* kMarkApplied = "INSERT INTO applied_journal (id, item_id, at) VALUES ($1,$2,$3)";

constexpr const char* kInsertAnalysis =
    "INSERT INTO analyses (item_id, version, analysis) VALUES ($1,$2,$3) "
    "ON CONFLICT (item_id) DO UPDATE SET version = EXCLUDED.version, analysis = EXCLUDED.analysis";

constexpr const char* kCreatePersonIfMissing =
    "INSERT INTO persons (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";

constexpr const char* kInsertReference =
    "INSERT INTO person_references (person_id, embedding, source) SELECT id, $1, $2 FROM persons WHERE name = $3";

// An undone removal puts a reference back under its id (the sequence has handed that id out already).
constexpr const char* kRestoreReference =
    "INSERT INTO person_references (id, person_id, embedding, source) SELECT $4, id, $1, $2 FROM persons "
    "WHERE name = $3";

constexpr const char* kRemoveReference = "DELETE FROM person_references WHERE id = $1";
// A face by its place in FacesOf order (by id).
constexpr const char* kSetFaceLabel =
    "UPDATE faces SET named_as = $1, untracked = $2 WHERE id = (SELECT id FROM faces WHERE item_id = $3 ORDER BY id "
    "LIMIT 1 OFFSET $4)";

Params& AddHash(Params& p, bool has, uint64_t hash) { return has ? p.Add(static_cast<int64_t>(hash)) : p.AddNull(); }

}  // namespace

base::Result<std::unique_ptr<PgCatalog>> PgCatalog::Open(const std::string& url) {
  auto conn = Connection::Open(url);
  if (!conn.ok()) return conn.status();
  std::unique_ptr<PgCatalog> c(new PgCatalog(std::move(*conn)));
  base::Status st = c->Migrate();
  if (st.ok()) st = c->BackfillGalleryFacts();
  if (!st.ok()) return st.WithContext(RedactUrl(url));
  return c;
}

int64_t PgCatalog::LatestSchemaVersion() { return static_cast<int64_t>(Migrations().size()); }

base::Status PgCatalog::Migrate() {
  std::lock_guard lock(mu_);
  TRIAGE_RETURN_IF_ERROR(conn_->Run(kMigrationLock));
  auto applied = InTransaction<int64_t>(*conn_, [&]() -> base::Result<int64_t> {
    TRIAGE_RETURN_IF_ERROR(conn_->Run("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"));
    auto rows = conn_->Query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (!rows.ok()) return rows.status();
    int64_t version = rows->Int(0, 0);
    const auto& all = Migrations();
    if (version > static_cast<int64_t>(all.size())) {
      return base::Status::Unavailable(
          fmt::format("catalog schema version {} is newer than this triage knows ({})", version, all.size()));
    }
    for (size_t v = static_cast<size_t>(version); v < all.size(); ++v) {
      TRIAGE_RETURN_IF_ERROR(conn_->Script(all[v]));
      TRIAGE_RETURN_IF_ERROR(
          conn_->Run("INSERT INTO schema_version VALUES ($1)", Params().Add(static_cast<int64_t>(v + 1))));
    }
    return static_cast<int64_t>(all.size());
  });
  base::Status unlocked = conn_->Run(kMigrationUnlock);
  TRIAGE_RETURN_IF_ERROR(applied.status());
  return unlocked;
}

base::Result<bool> PgCatalog::WasApplied(const std::string& journal_id) {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query(kAppliedItem, Params().Add(journal_id));
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

base::Result<int64_t> PgCatalog::Apply(const CatalogChange& change) {
  std::lock_guard lock(mu_);
  return InTransaction<int64_t>(*conn_, [&] { return ApplyUnlocked(change); });
}

base::Result<std::vector<int64_t>> PgCatalog::ApplyAll(const std::vector<CatalogChange>& changes) {
  std::lock_guard lock(mu_);
  return InTransaction<std::vector<int64_t>>(*conn_, [&]() -> base::Result<std::vector<int64_t>> {
    std::vector<int64_t> ids;
    ids.reserve(changes.size());
    for (const CatalogChange& change : changes) {
      auto id = ApplyUnlocked(change);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    return ids;
  });
}

base::Result<int64_t> PgCatalog::ApplyUnlocked(const CatalogChange& change) {
  TRIAGE_RETURN_IF_ERROR(conn_->Run(kLockJournalId, Params().Add(change.journal_id)));
  auto seen = conn_->Query(kAppliedItem, Params().Add(change.journal_id));
  if (!seen.ok()) return seen.status();
  if (!seen->empty()) return seen->Int(0, 0);
  base::Result<int64_t> id = change.item.id;
  if (change.kind == CatalogChange::Kind::kInsertItem) id = InsertItem(change);
  if (change.kind == CatalogChange::Kind::kRelocateItem) id = RelocateItem(change);
  if (!id.ok()) return id;
  TRIAGE_RETURN_IF_ERROR(InsertReferences(change));
  for (int64_t ref : change.removed_references) {
    TRIAGE_RETURN_IF_ERROR(conn_->Run(kRemoveReference, Params().Add(ref)));
  }
  for (const auto& [index, label] : change.face_labels) {
    Params p;
    p.Add(label.named_as).Add(int64_t{label.untracked}).Add(*id).Add(int64_t{index});
    TRIAGE_RETURN_IF_ERROR(conn_->Run(kSetFaceLabel, p));
  }
  if (change.kind == CatalogChange::Kind::kReferences) {
    TRIAGE_RETURN_IF_ERROR(
        InsertAudit({0, change.at, change.actor, change.item.id, change.action, "", "", change.reason}));
  }
  TRIAGE_RETURN_IF_ERROR(conn_->Run(kMarkApplied, Params().Add(change.journal_id).Add(*id).Add(change.at)));
  return id;
}

base::Result<int64_t> PgCatalog::InsertItem(const CatalogChange& change) {
  const model::ItemRecord& r = change.item;
  Params p;
  p.Add(r.path).Add(r.original_name).Add(r.original_path).Add(r.source).Add(r.url).Add(r.fingerprint.sha256);
  AddHash(p, r.fingerprint.has_phash, r.fingerprint.phash);
  p.Add(r.fingerprint.size_bytes).Add(r.info.width).Add(r.info.height).Add(r.info.format).Add(r.info.taken_at);
  p.Add(r.info.camera).Add(r.location).Add(r.category).Add(r.person).AddOptional(r.duplicate_of);
  p.Add(ReasonsJson(r.reasons)).Add(r.auto_sorted).Add(r.faces_detected).Add(r.sharpness).Add(r.exposure);
  p.Add(change.at).Add(change.at);
  AddHash(p, r.fingerprint.has_phash, r.fingerprint.phash_center);
  const std::vector<uint8_t>& sig = r.fingerprint.signature;
  if (sig.empty())
    p.AddNull();
  else
    p.AddBytes(sig.data(), sig.size());
  auto inserted = conn_->Query(kInsertItem, p);
  if (inserted.status().code() == base::Code::kAlreadyExists) {
    return base::Status::AlreadyExists(fmt::format("an item at {} exists already", r.path));
  }
  if (!inserted.ok()) return inserted.status();
  int64_t id = inserted->Int(0, 0);
  TRIAGE_RETURN_IF_ERROR(conn_->Run(kSetQueueRank, Params().Add(id)));
  TRIAGE_RETURN_IF_ERROR(InsertFaces(id, change.faces));
  if (change.analysis) TRIAGE_RETURN_IF_ERROR(InsertAnalysis(id, *change.analysis));
  if (r.location == "review") {
    std::string code = r.reasons.empty() ? r.category : r.reasons.front().code;
    std::string text;
    for (const auto& reason : r.reasons) text += (text.empty() ? "" : " ") + reason.text;
    TRIAGE_RETURN_IF_ERROR(InsertReview(id, r, text, code, r.faces_detected, change.at));
  }
  TRIAGE_RETURN_IF_ERROR(InsertAudit({0, change.at, change.actor, id, change.action.empty() ? "ingest" : change.action,
                                      r.original_path, StateOf(r), change.reason}));
  return id;
}

base::Status PgCatalog::InsertFaces(int64_t item_id, const std::vector<model::Face>& faces) {
  for (const model::Face& f : faces) {
    Params p;
    p.Add(item_id).Add(double{f.box.x}).Add(double{f.box.y}).Add(double{f.box.width}).Add(double{f.box.height});
    p.Add(double{f.detection_score}).Add(LandmarksJson(f.landmarks));
    p.AddBytes(f.embedding.data(), f.embedding.size() * sizeof(float));
    p.Add(f.match.person).Add(std::string(model::MatchKindName(f.match.kind))).Add(f.match.distance);
    p.Add(f.match.confidence).Add(f.eye_aspect_ratio);
    TRIAGE_RETURN_IF_ERROR(conn_->Run(kInsertFace, p));
  }
  return base::Status::Ok();
}

base::Status PgCatalog::InsertReview(int64_t item_id, const model::ItemRecord& r, const std::string& reason,
                                     const std::string& code, int faces_detected, int64_t at) {
  return conn_->Run(
      kInsertReview,
      Params().Add(item_id).Add(r.category).Add(reason).Add(code).Add(faces_detected).Add(r.person).Add(at).Add(at));
}

base::Result<int64_t> PgCatalog::RelocateItem(const CatalogChange& change) {
  const model::ItemRecord& r = change.item;
  auto found =
      conn_->Query(fmt::format("SELECT {} FROM items WHERE id = $1 FOR UPDATE", kItemColumns), Params().Add(r.id));
  if (!found.ok()) return found.status();
  if (found->empty()) return base::Status::NotFound(fmt::format("no item {}", r.id));
  model::ItemRecord before = ReadItem(*found, 0);
  Params p;
  p.Add(r.path).Add(r.location).Add(r.category).Add(r.person).Add(r.auto_sorted);
  p.Add(change.since > 0 ? change.since : change.at).Add(r.id);
  auto moved = conn_->Run(kRelocateItem, p);
  if (moved.code() == base::Code::kAlreadyExists) {
    return base::Status::AlreadyExists(fmt::format("an item at {} exists already", r.path));
  }
  TRIAGE_RETURN_IF_ERROR(moved);
  if (!r.reasons.empty()) {  // re-decided by the policy: the new reasons replace the old
    TRIAGE_RETURN_IF_ERROR(conn_->Run(kUpdateReasons, Params().Add(ReasonsJson(r.reasons)).Add(r.id)));
  }
  if (change.set_duplicate_of) {
    TRIAGE_RETURN_IF_ERROR(
        conn_->Run("UPDATE items SET duplicate_of = $1 WHERE id = $2", Params().AddOptional(r.duplicate_of).Add(r.id)));
  }
  TRIAGE_RETURN_IF_ERROR(
      conn_->Run(kCloseReview, Params().Add(change.at).Add(change.actor).Add(change.action).Add(r.id)));
  if (r.location == "review") {
    std::string code = r.reasons.empty() ? change.action : r.reasons.front().code;
    if (!change.review_code.empty()) code = change.review_code;
    const std::string& text = change.review_reason.empty() ? change.reason : change.review_reason;
    TRIAGE_RETURN_IF_ERROR(InsertReview(r.id, r, text, code, before.faces_detected, change.at));
  }
  TRIAGE_RETURN_IF_ERROR(
      InsertAudit({0, change.at, change.actor, r.id, change.action, StateOf(before), StateOf(r), change.reason}));
  return r.id;
}

base::Status PgCatalog::InsertAudit(const model::AuditEntry& e) {
  Params p;
  p.Add(e.at).Add(e.actor);
  if (e.item_id > 0)
    p.Add(e.item_id);
  else
    p.AddNull();
  p.Add(e.action).Add(e.from_state).Add(e.to_state).Add(e.reason);
  return conn_->Run(kInsertAudit, p);
}

base::Status PgCatalog::AddAudit(const model::AuditEntry& entry) {
  std::lock_guard lock(mu_);
  return InsertAudit(entry);
}

base::Status PgCatalog::InsertAnalysis(int64_t item_id, const model::StoredAnalysis& analysis) {
  std::vector<uint8_t> bytes = EncodeAnalysis(analysis);
  TRIAGE_RETURN_IF_ERROR(
      conn_->Run(kInsertAnalysis, Params().Add(item_id).Add(analysis.version).AddBytes(bytes.data(), bytes.size())));
  return WriteGalleryFacts(*conn_, item_id, analysis);
}

// Part of Apply's transaction (REQUIRES: mu_ held): the person is created when missing, as the approval did.
base::Status PgCatalog::InsertReferences(const CatalogChange& change) {
  for (const model::PersonReference& ref : change.references) {
    TRIAGE_RETURN_IF_ERROR(conn_->Run(kCreatePersonIfMissing, Params().Add(ref.person).Add(change.at)));
    Params p;
    p.AddBytes(ref.embedding.data(), ref.embedding.size() * sizeof(float)).Add(ref.source).Add(ref.person);
    if (ref.id > 0) p.Add(ref.id);
    TRIAGE_RETURN_IF_ERROR(conn_->Run(ref.id > 0 ? kRestoreReference : kInsertReference, p));
  }
  return base::Status::Ok();
}

base::Result<int64_t> PgCatalog::AddReference(const model::PersonReference& ref) {
  std::lock_guard lock(mu_);
  Params p;
  p.AddBytes(ref.embedding.data(), ref.embedding.size() * sizeof(float)).Add(ref.source).Add(ref.person);
  auto rows = conn_->Query(std::string(kInsertReference) + " RETURNING id", p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return base::Status::NotFound(fmt::format("no person named {}", ref.person));
  return rows->Int(0, 0);
}

}  // namespace triage::catalog::postgres
