// SQLite catalog: connection, migrations, changes (insert/relocate) and item queries.
#include "catalog/sqlite/sqlite_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "catalog/queue_order.h"
#include "catalog/row_codec.h"
#include "catalog/sqlite/item_row.h"
#include "catalog/sqlite/schema.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {

#define TRIAGE_ITEM_OWN_COLUMNS                                                                                   \
  "id, path, original_name, original_path, source, url, sha256, phash, size_bytes, width, height, format, "       \
  "taken_at, camera, location, category, person, duplicate_of, reasons, auto_sorted, faces_detected, sharpness, " \
  "exposure, created_at, updated_at, phash_center, "
const char* const kItemColumns =
    TRIAGE_ITEM_OWN_COLUMNS "(SELECT a.analysis FROM analyses a WHERE a.item_id = items.id)";
// As kItemColumns, the quality score's column NULL (ReadItem leaves the quality unset).
const char* const kItemColumnsWithoutQuality = TRIAGE_ITEM_OWN_COLUMNS "NULL";
#undef TRIAGE_ITEM_OWN_COLUMNS

namespace {

// A new item's id is never one an item had before, purged since: the audit keeps that item's lines under its id,
// and a photo given the id would inherit its history (SQLite hands out the largest id + 1, so purging the newest item
// freed its id). The audit's item index answers its largest id at once.
constexpr const char* kInsertItem =
    "INSERT INTO items (id, path, original_name, original_path, source, url, sha256, phash, size_bytes, width, height, "
    "format, taken_at, camera, location, category, person, duplicate_of, reasons, auto_sorted, faces_detected, "
    "sharpness, exposure, created_at, updated_at, phash_center, signature) "
    "VALUES (MAX(COALESCE((SELECT MAX(id) FROM items), 0), COALESCE((SELECT MAX(item_id) FROM audit), 0)) + 1, "
    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

constexpr const char* kInsertFace =
    "INSERT INTO faces (item_id, x, y, w, h, score, landmarks, embedding, person, match_kind, distance, confidence, "
    "eye_aspect_ratio, size_px) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?, MIN(?4, ?5))";

// A face by its place in FacesOf order (by id).
constexpr const char* kSetFaceLabel =
    "UPDATE faces SET named_as = ?, untracked = ? WHERE id = (SELECT id FROM faces WHERE item_id = ? ORDER BY id "
    "LIMIT 1 OFFSET ?)";

constexpr const char* kInsertReview =
    "INSERT INTO review_queue (item_id, category, reason, reason_code, faces_detected, suggested_person, created_at, "
    "queued_at) VALUES (?,?,?,?,?,?,?,?)";

constexpr const char* kCloseReview =
    "UPDATE review_queue SET reviewed_at = ?, reviewed_by = ?, action = ? WHERE item_id = ? AND reviewed_at IS NULL";

constexpr const char* kRelocateItem =
    "UPDATE items SET path = ?, location = ?, category = ?, person = ?, auto_sorted = ?, updated_at = ? WHERE id = ?";

constexpr const char* kInsertAudit =
    "INSERT INTO audit (at, actor, item_id, action, from_state, to_state, reason) VALUES (?,?,?,?,?,?,?)";

constexpr const char* kMarkApplied = "INSERT INTO applied_journal (id, item_id, at) VALUES (?,?,?)";

constexpr const char* kSeenJournal = "SELECT item_id FROM applied_journal WHERE id = ?";

// Review order is insertion order until a reviewer skips an item.
constexpr const char* kRankByInsertion = "UPDATE items SET queue_rank = id WHERE id = ?";

constexpr const char* kFindBySha256 =
    "SELECT id FROM items WHERE sha256 = ? AND location != 'trash' ORDER BY id LIMIT 1";

// An item by id and by path: the SQL is built once, for the statement cache (an ingest looks items up thousands of
// times while it checks near-duplicate candidates).
const char* ItemByIdSql() {
  static const std::string sql = fmt::format("SELECT {} FROM items WHERE id = ?", kItemColumns);
  return sql.c_str();
}
const char* ItemWithoutQualityByIdSql() {
  static const std::string sql = fmt::format("SELECT {} FROM items WHERE id = ?", kItemColumnsWithoutQuality);
  return sql.c_str();
}
const char* ItemByPathSql() {
  static const std::string sql = fmt::format("SELECT {} FROM items WHERE path = ?", kItemColumns);
  return sql.c_str();
}

// The quality score inside a stored analysis column (MessagePack, or JSON text from before the binary form).
model::QualityScore QualityOf(const Statement& s, int col) {
  if (s.IsNull(col)) return {};
  if (s.IsBlob(col)) return QualityOfAnalysis({true, s.Bytes(col)});
  std::string text = s.Text(col);
  return QualityOfAnalysis({false, std::vector<uint8_t>(text.begin(), text.end())});
}

}  // namespace

model::ItemRecord ReadItem(const Statement& s) {
  model::ItemRecord r;
  r.id = s.Int(0);
  r.path = s.Text(1);
  r.original_name = s.Text(2);
  r.original_path = s.Text(3);
  r.source = s.Text(4);
  r.url = s.Text(5);
  r.fingerprint.sha256 = s.Text(6);
  r.fingerprint.has_phash = !s.IsNull(7);
  r.fingerprint.phash = static_cast<uint64_t>(s.Int(7));
  r.fingerprint.size_bytes = s.Int(8);
  r.info.width = static_cast<int>(s.Int(9));
  r.info.height = static_cast<int>(s.Int(10));
  r.info.format = s.Text(11);
  r.info.taken_at = s.Text(12);
  r.info.camera = s.Text(13);
  r.location = s.Text(14);
  r.category = s.Text(15);
  r.person = s.Text(16);
  if (!s.IsNull(17)) r.duplicate_of = s.Int(17);
  r.reasons = ParseReasons(s.Text(18));
  r.auto_sorted = s.Int(19) != 0;
  r.faces_detected = static_cast<int>(s.Int(20));
  r.sharpness = s.Real(21);
  r.exposure = s.Real(22);
  r.created_at = s.Int(23);
  r.updated_at = s.Int(24);
  r.fingerprint.phash_center = s.IsNull(25) ? r.fingerprint.phash : static_cast<uint64_t>(s.Int(25));
  r.quality = QualityOf(s, 26);
  return r;
}

namespace {

// WHERE clause and arguments for an ItemFilter.
struct Where {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> args;
  void Add(const std::string& clause, std::variant<int64_t, std::string> arg) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += clause;
    args.push_back(std::move(arg));
  }
  void Bind(Statement& s, int first = 1) const {
    for (size_t i = 0; i < args.size(); ++i) {
      std::visit([&](const auto& v) { s.Bind(first + static_cast<int>(i), v); }, args[i]);
    }
  }
};

Where WhereOf(const ItemFilter& f) {
  Where w;
  if (f.location) w.Add("location = ?", *f.location);
  if (f.category) w.Add("category = ?", *f.category);
  if (f.person) w.Add("person = ?", *f.person);
  if (f.source) w.Add("source = ?", *f.source);
  if (f.pending_review_only) w.Add("id IN (SELECT item_id FROM review_queue WHERE reviewed_at IS NULL AND 1 = ?)", 1);
  if (f.duplicate_of) w.Add("duplicate_of = ?", *f.duplicate_of);
  if (f.after_id > 0) w.Add(f.newest_first ? "id < ?" : "id > ?", f.after_id);
  return w;
}

}  // namespace

base::Result<std::unique_ptr<SqliteCatalog>> SqliteCatalog::Open(const std::filesystem::path& db_path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return base::Status::Io(fmt::format("cannot open catalog {}: {}", db_path.string(), msg));
  }
  std::unique_ptr<SqliteCatalog> c(new SqliteCatalog(db));
  sqlite3_busy_timeout(db, 10'000);
  // A catalog deleted or replaced under a running serve or watch: nothing more is committed to the file it had open.
  sqlite3_commit_hook(db, RefuseCommitToAMovedFile, db);
  // Reads go through a memory map and a 64 MiB page cache rather than a pread per page: a policy simulation or a
  // gallery page reads many rows, and every request of the review UI reads a few. Temporary tables and statement
  // journals stay in memory: an ingest's group transaction otherwise wrote a temporary file of about 1.7 MB per
  // group, in 4 KiB writes.
  base::Status st = Exec(db,
                         "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
                         "PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;");
  if (st.ok()) st = c->Migrate();
  if (st.ok()) st = c->BackfillGalleryFacts();
  if (!st.ok()) return st.WithContext(db_path.string());
  return c;
}

SqliteCatalog::SqliteCatalog(sqlite3* db) : db_(db), statements_(std::make_unique<StatementCache>(db)) {}

SqliteCatalog::~SqliteCatalog() {
  statements_.reset();  // finalized first: a connection with statements left does not close
  sqlite3_close(db_);
}

base::Status SqliteCatalog::Migrate() {
  std::lock_guard lock(mu_);
  TRIAGE_RETURN_IF_ERROR(Exec(db_, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  auto r = InTransaction<int64_t>(db_, [&]() -> base::Result<int64_t> {
    Statement q(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    auto row = q.Step();
    if (!row.ok()) return row.status();
    int64_t version = q.Int(0);
    const auto& all = Migrations();
    if (version > static_cast<int64_t>(all.size())) {
      return base::Status::Unavailable(
          fmt::format("catalog schema version {} is newer than this triage knows ({})", version, all.size()));
    }
    for (size_t v = static_cast<size_t>(version); v < all.size(); ++v) {
      TRIAGE_RETURN_IF_ERROR(Exec(db_, all[v]));
      TRIAGE_RETURN_IF_ERROR(Statement(db_, "INSERT INTO schema_version VALUES (?)").Bind(1, int64_t(v + 1)).Run());
    }
    return static_cast<int64_t>(all.size());
  });
  return r.status();
}

base::Result<bool> SqliteCatalog::WasApplied(const std::string& journal_id) {
  std::lock_guard lock(mu_);
  Statement q = statements_->Get(kSeenJournal);
  q.Bind(1, journal_id);
  return q.Step();
}

base::Result<int64_t> SqliteCatalog::Apply(const CatalogChange& change) {
  std::lock_guard lock(mu_);
  return InTransaction<int64_t>(db_, [&] { return ApplyUnlocked(change); });
}

base::Result<std::vector<int64_t>> SqliteCatalog::ApplyAll(const std::vector<CatalogChange>& changes) {
  std::lock_guard lock(mu_);
  return InTransaction<std::vector<int64_t>>(db_, [&]() -> base::Result<std::vector<int64_t>> {
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

base::Result<int64_t> SqliteCatalog::ApplyUnlocked(const CatalogChange& change) {
  Statement seen = statements_->Get(kSeenJournal);
  seen.Bind(1, change.journal_id);
  auto row = seen.Step();
  if (!row.ok()) return row.status();
  if (*row) return seen.Int(0);
  base::Result<int64_t> id = change.item.id;
  if (change.kind == CatalogChange::Kind::kInsertItem) id = InsertItem(change);
  if (change.kind == CatalogChange::Kind::kRelocateItem) id = RelocateItem(change);
  if (!id.ok()) return id;
  TRIAGE_RETURN_IF_ERROR(InsertReferences(change));
  TRIAGE_RETURN_IF_ERROR(RemoveReferences(change));
  for (const auto& [index, label] : change.face_labels) {
    Statement q = statements_->Get(kSetFaceLabel);
    q.Bind(1, label.named_as).Bind(2, int64_t{label.untracked}).Bind(3, *id).Bind(4, int64_t{index});
    TRIAGE_RETURN_IF_ERROR(q.Run());
  }
  if (change.kind == CatalogChange::Kind::kReferences) {
    TRIAGE_RETURN_IF_ERROR(
        InsertAudit({0, change.at, change.actor, change.item.id, change.action, "", "", change.reason}));
  }
  TRIAGE_RETURN_IF_ERROR(
      statements_->Get(kMarkApplied).Bind(1, change.journal_id).Bind(2, *id).Bind(3, change.at).Run());
  return id;
}

base::Result<int64_t> SqliteCatalog::InsertItem(const CatalogChange& change) {
  const model::ItemRecord& r = change.item;
  Statement s = statements_->Get(kInsertItem);
  s.Bind(1, r.path).Bind(2, r.original_name).Bind(3, r.original_path).Bind(4, r.source).Bind(5, r.url);
  s.Bind(6, r.fingerprint.sha256);
  if (r.fingerprint.has_phash)
    s.Bind(7, static_cast<int64_t>(r.fingerprint.phash));
  else
    s.BindNull(7);
  s.Bind(8, r.fingerprint.size_bytes).Bind(9, r.info.width).Bind(10, r.info.height).Bind(11, r.info.format);
  s.Bind(12, r.info.taken_at).Bind(13, r.info.camera).Bind(14, r.location).Bind(15, r.category).Bind(16, r.person);
  if (r.duplicate_of)
    s.Bind(17, *r.duplicate_of);
  else
    s.BindNull(17);
  s.Bind(18, ReasonsJson(r.reasons)).Bind(19, int64_t{r.auto_sorted}).Bind(20, r.faces_detected);
  s.Bind(21, r.sharpness).Bind(22, r.exposure).Bind(23, change.at).Bind(24, change.at);
  if (r.fingerprint.has_phash)
    s.Bind(25, static_cast<int64_t>(r.fingerprint.phash_center));
  else
    s.BindNull(25);
  const std::vector<uint8_t>& sig = r.fingerprint.signature;
  if (sig.empty())
    s.BindNull(26);
  else
    s.BindBlob(26, sig.data(), sig.size());
  TRIAGE_RETURN_IF_ERROR(s.Run());
  int64_t id = sqlite3_last_insert_rowid(db_);
  TRIAGE_RETURN_IF_ERROR(statements_->Get(kRankByInsertion).Bind(1, id).Run());
  TRIAGE_RETURN_IF_ERROR(InsertFaces(id, change.faces));
  if (change.analysis) TRIAGE_RETURN_IF_ERROR(InsertAnalysis(id, *change.analysis));
  if (r.location == "review") {
    std::string code = r.reasons.empty() ? r.category : r.reasons.front().code;
    std::string text;
    for (const auto& reason : r.reasons) text += (text.empty() ? "" : " ") + reason.text;
    Statement q = statements_->Get(kInsertReview);
    q.Bind(1, id).Bind(2, r.category).Bind(3, text).Bind(4, code).Bind(5, r.faces_detected).Bind(6, r.person);
    q.Bind(7, change.at).Bind(8, change.at);
    TRIAGE_RETURN_IF_ERROR(q.Run());
  }
  TRIAGE_RETURN_IF_ERROR(InsertAudit({0, change.at, change.actor, id, change.action.empty() ? "ingest" : change.action,
                                      r.original_path, StateOf(r), change.reason}));
  return id;
}

base::Status SqliteCatalog::InsertFaces(int64_t item_id, const std::vector<model::Face>& faces) {
  for (const model::Face& f : faces) {
    Statement fs = statements_->Get(kInsertFace);
    fs.Bind(1, item_id).Bind(2, double{f.box.x}).Bind(3, double{f.box.y}).Bind(4, double{f.box.width});
    fs.Bind(5, double{f.box.height}).Bind(6, double{f.detection_score}).Bind(7, LandmarksJson(f.landmarks));
    fs.BindBlob(8, f.embedding.data(), f.embedding.size() * sizeof(float));
    fs.Bind(9, f.match.person).Bind(10, std::string(model::MatchKindName(f.match.kind)));
    fs.Bind(11, f.match.distance).Bind(12, f.match.confidence).Bind(13, f.eye_aspect_ratio);
    TRIAGE_RETURN_IF_ERROR(fs.Run());
  }
  return base::Status::Ok();
}

base::Result<int64_t> SqliteCatalog::RelocateItem(const CatalogChange& change) {
  const model::ItemRecord& r = change.item;
  Statement get = statements_->Get(ItemByIdSql());
  get.Bind(1, r.id);
  auto row = get.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no item {}", r.id));
  model::ItemRecord before = ReadItem(get);
  Statement s(db_, kRelocateItem);
  s.Bind(1, r.path).Bind(2, r.location).Bind(3, r.category).Bind(4, r.person).Bind(5, int64_t{r.auto_sorted});
  s.Bind(6, change.since > 0 ? change.since : change.at).Bind(7, r.id);
  TRIAGE_RETURN_IF_ERROR(s.Run());
  if (!r.reasons.empty()) {  // re-decided by the policy: the new reasons replace the old
    TRIAGE_RETURN_IF_ERROR(Statement(db_, "UPDATE items SET reasons = ? WHERE id = ?")
                               .Bind(1, ReasonsJson(r.reasons))
                               .Bind(2, r.id)
                               .Run());
  }
  if (change.set_duplicate_of) {
    Statement d(db_, "UPDATE items SET duplicate_of = ? WHERE id = ?");
    if (r.duplicate_of)
      d.Bind(1, *r.duplicate_of);
    else
      d.BindNull(1);
    TRIAGE_RETURN_IF_ERROR(d.Bind(2, r.id).Run());
  }
  TRIAGE_RETURN_IF_ERROR(
      Statement(db_, kCloseReview).Bind(1, change.at).Bind(2, change.actor).Bind(3, change.action).Bind(4, r.id).Run());
  if (r.location == "review") {
    std::string code = r.reasons.empty() ? change.action : r.reasons.front().code;
    if (!change.review_code.empty()) code = change.review_code;
    const std::string& text = change.review_reason.empty() ? change.reason : change.review_reason;
    Statement q(db_, kInsertReview);
    q.Bind(1, r.id).Bind(2, r.category).Bind(3, text).Bind(4, code).Bind(5, before.faces_detected);
    q.Bind(6, r.person).Bind(7, change.at).Bind(8, change.at);
    TRIAGE_RETURN_IF_ERROR(q.Run());
  }
  TRIAGE_RETURN_IF_ERROR(
      InsertAudit({0, change.at, change.actor, r.id, change.action, StateOf(before), StateOf(r), change.reason}));
  return r.id;
}

base::Status SqliteCatalog::InsertAudit(const model::AuditEntry& e) {
  Statement s = statements_->Get(kInsertAudit);
  s.Bind(1, e.at).Bind(2, e.actor);
  if (e.item_id > 0)
    s.Bind(3, e.item_id);
  else
    s.BindNull(3);
  s.Bind(4, e.action).Bind(5, e.from_state).Bind(6, e.to_state).Bind(7, e.reason);
  return s.Run();
}

base::Status SqliteCatalog::AddAudit(const model::AuditEntry& entry) {
  std::lock_guard lock(mu_);
  return InsertAudit(entry);
}

base::Result<model::ItemRecord> SqliteCatalog::ItemById(const char* sql, int64_t id) {
  std::lock_guard lock(mu_);
  Statement s = statements_->Get(sql);
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no item {}", id));
  return ReadItem(s);
}

base::Result<model::ItemRecord> SqliteCatalog::GetItem(int64_t id) { return ItemById(ItemByIdSql(), id); }

base::Result<model::ItemRecord> SqliteCatalog::GetItemWithoutQuality(int64_t id) {
  return ItemById(ItemWithoutQualityByIdSql(), id);
}

base::Result<std::optional<model::ItemRecord>> SqliteCatalog::FindByPath(const std::string& relative_path) {
  std::lock_guard lock(mu_);
  Statement s = statements_->Get(ItemByPathSql());
  s.Bind(1, relative_path);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<model::ItemRecord>();
  return std::optional<model::ItemRecord>(ReadItem(s));
}

base::Result<std::optional<int64_t>> SqliteCatalog::FindBySha256(const std::string& sha256) {
  std::lock_guard lock(mu_);
  Statement s = statements_->Get(kFindBySha256);
  s.Bind(1, sha256);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(s.Int(0));
}

base::Result<std::optional<int64_t>> SqliteCatalog::FindByOriginalPath(const std::string& original_path) {
  std::lock_guard lock(mu_);
  Statement s(db_, "SELECT id FROM items WHERE original_path = ? ORDER BY id DESC LIMIT 1");
  s.Bind(1, original_path);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  return std::optional<int64_t>(s.Int(0));
}

base::Result<std::vector<HashEntry>> SqliteCatalog::AllPerceptualHashes() {
  std::lock_guard lock(mu_);
  Statement s(
      db_,
      "SELECT id, phash, COALESCE(phash_center, phash) FROM items WHERE phash IS NOT NULL AND location != 'trash'");
  std::vector<HashEntry> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({s.Int(0), static_cast<uint64_t>(s.Int(1)), static_cast<uint64_t>(s.Int(2))});
  }
  return out;
}

base::Result<std::vector<model::ItemRecord>> SqliteCatalog::ListItems(const ItemFilter& f) {
  std::lock_guard lock(mu_);
  Where w = WhereOf(f);
  const std::string order = ItemOrderSql(f.queue_order, f.newest_first, f.by_change);
  std::string sql = fmt::format("SELECT {} FROM items{} ORDER BY {} LIMIT ? OFFSET ?", kItemColumns, w.sql, order);
  Statement s(db_, sql.c_str());
  w.Bind(s);
  s.Bind(static_cast<int>(w.args.size()) + 1, std::clamp(f.limit, 1, 100000));
  s.Bind(static_cast<int>(w.args.size()) + 2, std::max(f.offset, 0));
  std::vector<model::ItemRecord> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadItem(s));
  }
  return out;
}

base::Result<int64_t> SqliteCatalog::CountItems(const ItemFilter& f) {
  std::lock_guard lock(mu_);
  ItemFilter unpaged = f;
  unpaged.after_id = 0;
  Where w = WhereOf(unpaged);
  Statement s(db_, ("SELECT COUNT(*) FROM items" + w.sql).c_str());
  w.Bind(s);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int(0);
}

base::Result<std::vector<model::Face>> SqliteCatalog::FacesOf(int64_t item_id) {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "SELECT x, y, w, h, score, landmarks, embedding, person, match_kind, distance, confidence, "
              "eye_aspect_ratio, named_as, untracked FROM faces WHERE item_id = ? ORDER BY id");
  s.Bind(1, item_id);
  std::vector<model::Face> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    model::Face f;
    f.box = {float(s.Real(0)), float(s.Real(1)), float(s.Real(2)), float(s.Real(3))};
    f.detection_score = float(s.Real(4));
    f.landmarks = ParseLandmarks(s.Text(5));
    f.embedding = s.FloatBlob(6);
    f.match.person = s.Text(7);
    f.match.kind = ParseMatchKind(s.Text(8));
    f.match.distance = s.Real(9);
    f.match.confidence = s.Real(10);
    f.eye_aspect_ratio = s.Real(11);
    f.label = {s.Text(12), s.Int(13) != 0};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace triage::catalog::sqlite
