// SQLite catalog: stored analyses (explain, policy simulation) and the perceptual-hash change log.
//
// An analysis is stored as MessagePack (a BLOB): policy simulation reads every one of them, and parsing the binary
// form costs about half of parsing JSON text. Rows written as JSON text by earlier versions are still read.
#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "catalog/row_codec.h"
#include "catalog/sqlite/gallery_facts.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kInsertAnalysis = "INSERT OR REPLACE INTO analyses (item_id, version, analysis) VALUES (?,?,?)";

constexpr const char* kHashLogHead = "SELECT COALESCE(MAX(seq), 0) FROM hash_log";

constexpr const char* kPresentHashes =
    "SELECT id, phash, COALESCE(phash_center, phash) FROM items WHERE phash IS NOT NULL AND location != 'trash'";

// Every logged change after a cursor, with the item's state now (a missing item reads as deleted).
constexpr const char* kHashChangesSince =
    "SELECT l.seq, l.item_id, i.phash, COALESCE(i.phash_center, i.phash), i.location "
    "FROM hash_log l LEFT JOIN items i ON i.id = l.item_id WHERE l.seq > ? ORDER BY l.seq";

constexpr const char* kAnalysedItems =
    "SELECT i.id, i.path, i.location, i.category, i.person, i.auto_sorted, a.analysis, i.duplicate_of FROM items i "
    "JOIN analyses a ON a.item_id = i.id "
    "WHERE i.id > ? AND (i.location = 'review' OR (i.location = 'library' AND i.auto_sorted = 1)) "
    "ORDER BY i.id LIMIT ?";

constexpr const char* kStoredAnalyses =
    "SELECT a.item_id, a.analysis, CASE WHEN i.location = 'trash' THEN 1 ELSE 0 END "
    "FROM analyses a JOIN items i ON i.id = a.item_id WHERE a.item_id > ? ORDER BY a.item_id LIMIT ?";

constexpr const char* kSignature = "SELECT signature FROM items WHERE id = ?";

constexpr const char* kUpdateAnalysis = "UPDATE analyses SET version = ?, analysis = ? WHERE item_id = ?";

constexpr const char* kCountFaces = "SELECT COUNT(*) FROM faces WHERE item_id = ?";

constexpr const char* kRefreshItem =
    "UPDATE items SET width = ?, height = ?, format = ?, taken_at = ?, camera = ?, phash = ?, phash_center = ?, "
    "signature = ?, sharpness = ?, exposure = ?, faces_detected = ? WHERE id = ?";

StoredAnalysisBytes ReadAnalysisColumn(const Statement& s, int col) {
  if (s.IsBlob(col)) return {true, s.Bytes(col)};
  std::string text = s.Text(col);
  return {false, std::vector<uint8_t>(text.begin(), text.end())};
}

// Binds (after_id, limit) to a page query and calls `row(s)` for each row it returns. REQUIRES: the lock held.
template <typename Row>
base::Status ReadPage(sqlite3* db, const char* sql, int64_t after_id, int limit, Row row) {
  Statement s(db, sql);
  s.Bind(1, after_id).Bind(2, limit);
  for (;;) {
    auto stepped = s.Step();
    if (!stepped.ok()) return stepped.status();
    if (!*stepped) return base::Status::Ok();
    row(s);
  }
}

}  // namespace

base::Status SqliteCatalog::InsertAnalysis(int64_t item_id, const model::StoredAnalysis& analysis) {
  std::vector<uint8_t> bytes = EncodeAnalysis(analysis);
  TRIAGE_RETURN_IF_ERROR(statements_->Get(kInsertAnalysis)
                             .Bind(1, item_id)
                             .Bind(2, analysis.version)
                             .BindBlob(3, bytes.data(), bytes.size())
                             .Run());
  return GalleryFactsWriter(*statements_).Write(item_id, analysis);
}

// Analyses stored before the gallery facts existed get theirs once, a page at a time.
base::Status SqliteCatalog::BackfillGalleryFacts() {
  std::lock_guard lock(mu_);
  for (;;) {
    std::vector<StoredAnalysisRow> rows;
    {
      Statement s(db_,
                  "SELECT a.item_id, a.analysis FROM analyses a WHERE NOT EXISTS "
                  "(SELECT 1 FROM gallery_facts g WHERE g.item_id = a.item_id) ORDER BY a.item_id LIMIT 5000");
      for (;;) {
        auto row = s.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        rows.push_back({s.Int(0), ParseAnalysis(ReadAnalysisColumn(s, 1))});
      }
    }
    if (rows.empty()) return base::Status::Ok();
    TRIAGE_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
    GalleryFactsWriter facts(db_);
    for (const StoredAnalysisRow& r : rows) {
      base::Status st = facts.Write(r.item_id, r.analysis);
      if (!st.ok()) {
        Rollback(db_);
        return st;
      }
    }
    TRIAGE_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
  }
}

base::Result<HashChanges> SqliteCatalog::PerceptualHashSnapshot() {
  std::lock_guard lock(mu_);
  HashChanges out;
  // One read transaction: the head and the hashes are one snapshot, so nothing falls between them.
  TRIAGE_RETURN_IF_ERROR(Exec(db_, "BEGIN"));
  base::Status read = [&]() -> base::Status {
    Statement head(db_, kHashLogHead);
    auto row = head.Step();
    if (!row.ok()) return row.status();
    out.cursor = head.Int(0);
    Statement s(db_, kPresentHashes);
    for (;;) {
      auto r = s.Step();
      if (!r.ok()) return r.status();
      if (!*r) return base::Status::Ok();
      out.changes.push_back({s.Int(0), true, static_cast<uint64_t>(s.Int(1)), static_cast<uint64_t>(s.Int(2))});
    }
  }();
  if (!read.ok()) {
    Rollback(db_);
    return read;
  }
  TRIAGE_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
  return out;
}

base::Result<HashChanges> SqliteCatalog::PerceptualHashChangesSince(int64_t cursor) {
  std::lock_guard lock(mu_);
  HashChanges out;
  out.cursor = cursor;
  Statement s = statements_->Get(kHashChangesSince);
  s.Bind(1, cursor);
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.cursor = s.Int(0);
    bool present = !s.IsNull(2) && !s.IsNull(4) && s.Text(4) != "trash";
    out.changes.push_back({s.Int(1), present, static_cast<uint64_t>(s.Int(2)), static_cast<uint64_t>(s.Int(3))});
  }
  return out;
}

base::Result<std::optional<model::StoredAnalysis>> SqliteCatalog::GetAnalysis(int64_t item_id) {
  std::lock_guard lock(mu_);
  Statement s(db_, "SELECT analysis FROM analyses WHERE item_id = ?");
  s.Bind(1, item_id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<model::StoredAnalysis>();
  return std::optional<model::StoredAnalysis>(ParseAnalysis(ReadAnalysisColumn(s, 0)));
}

base::Result<std::vector<uint8_t>> SqliteCatalog::NearDuplicateSignature(int64_t item_id) {
  std::lock_guard lock(mu_);
  Statement s = statements_->Get(kSignature);
  s.Bind(1, item_id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no item {}", item_id));
  return s.Bytes(0);
}

base::Result<std::vector<AnalysedItem>> SqliteCatalog::ListAnalysedItems(int64_t after_id, int limit) {
  if (limit < 1 || limit > 10000) return base::Status::InvalidArgument("limit must be 1..10000");
  std::vector<AnalysedItem> out;
  std::vector<StoredAnalysisBytes> stored;
  {
    std::lock_guard lock(mu_);
    TRIAGE_RETURN_IF_ERROR(ReadPage(db_, kAnalysedItems, after_id, limit, [&](const Statement& s) {
      out.push_back({s.Int(0),
                     s.Text(1),
                     s.Text(2),
                     s.Text(3),
                     s.Text(4),
                     s.Int(5) != 0,
                     {},
                     s.IsNull(7) ? std::nullopt : std::optional<int64_t>(s.Int(7))});
      stored.push_back(ReadAnalysisColumn(s, 6));
    }));
  }
  // Parsing is most of the cost of a page and needs no lock: it runs on every core.
  tbb::parallel_for(size_t{0}, out.size(), [&](size_t i) { out[i].analysis = ParseAnalysis(stored[i]); });
  return out;
}

base::Result<std::vector<StoredAnalysisRow>> SqliteCatalog::ListStoredAnalyses(int64_t after_id, int limit,
                                                                               AnalysisParts parts) {
  if (limit < 1 || limit > 10000) return base::Status::InvalidArgument("limit must be 1..10000");
  std::vector<StoredAnalysisRow> out;
  std::vector<StoredAnalysisBytes> stored;
  {
    std::lock_guard lock(mu_);
    TRIAGE_RETURN_IF_ERROR(ReadPage(db_, kStoredAnalyses, after_id, limit, [&](const Statement& s) {
      out.push_back({s.Int(0), {}});
      out.back().in_trash = s.Int(2) != 0;
      stored.push_back(ReadAnalysisColumn(s, 1));
    }));
  }
  // As in ListAnalysedItems: parsing needs no lock, so a writer (recompute's previous page) can run beside it.
  tbb::parallel_for(size_t{0}, out.size(), [&](size_t i) {
    out[i].analysis = parts == AnalysisParts::kMeasures ? ParseAnalysisMeasures(stored[i]) : ParseAnalysis(stored[i]);
  });
  return out;
}

base::Status SqliteCatalog::RefreshItemFacts(const StoredAnalysisRow& row) {
  Statement count(db_, kCountFaces);
  count.Bind(1, row.item_id);
  auto stepped = count.Step();
  if (!stepped.ok()) return stepped.status();
  const int64_t stored_faces = count.Int(0);
  if (stored_faces == 0) TRIAGE_RETURN_IF_ERROR(InsertFaces(row.item_id, *row.refresh_item));
  const model::Analysis& a = row.analysis.analysis;
  const model::Fingerprint& fp = a.fingerprint;
  Statement s(db_, kRefreshItem);
  s.Bind(1, a.info.width).Bind(2, a.info.height).Bind(3, a.info.format).Bind(4, a.info.taken_at);
  s.Bind(5, a.info.camera);
  if (fp.has_phash) {
    s.Bind(6, static_cast<int64_t>(fp.phash)).Bind(7, static_cast<int64_t>(fp.phash_center));
  } else {
    s.BindNull(6).BindNull(7);
  }
  if (fp.signature.empty())
    s.BindNull(8);
  else
    s.BindBlob(8, fp.signature.data(), fp.signature.size());
  s.Bind(9, a.sharpness).Bind(10, a.exposure);
  s.Bind(11, stored_faces == 0 ? static_cast<int64_t>(row.refresh_item->size()) : stored_faces).Bind(12, row.item_id);
  return s.Run();
}

base::Status SqliteCatalog::UpdateAnalyses(const std::vector<StoredAnalysisRow>& rows) {
  const std::vector<std::vector<uint8_t>> encoded = EncodeAnalyses(rows);
  std::lock_guard lock(mu_);
  TRIAGE_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  base::Status written = [&]() -> base::Status {
    Statement s(db_, kUpdateAnalysis);
    GalleryFactsWriter facts(db_);
    for (size_t i = 0; i < rows.size(); ++i) {
      const StoredAnalysisRow& r = rows[i];
      TRIAGE_RETURN_IF_ERROR(
          s.Bind(1, r.analysis.version).BindBlob(2, encoded[i].data(), encoded[i].size()).Bind(3, r.item_id).Run());
      s.Reset();
      if (sqlite3_changes(db_) == 0) continue;
      TRIAGE_RETURN_IF_ERROR(facts.Write(r.item_id, r.analysis));
      if (r.refresh_item) TRIAGE_RETURN_IF_ERROR(RefreshItemFacts(r));
    }
    return base::Status::Ok();
  }();
  if (!written.ok()) {
    Rollback(db_);
    return written;
  }
  return Exec(db_, "COMMIT");
}

}  // namespace triage::catalog::sqlite
