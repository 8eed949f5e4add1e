// PostgreSQL catalog: stored analyses (explain, policy simulation) and the perceptual-hash change log.
#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "catalog/postgres/pg_catalog.h"
#include "catalog/postgres/pg_gallery_facts.h"
#include "catalog/row_codec.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kHashLogHead = "SELECT COALESCE(MAX(seq), 0) FROM hash_log";

constexpr const char* kPresentHashes =
    "SELECT id, phash, COALESCE(phash_center, phash) FROM items WHERE phash IS NOT NULL AND location != 'trash'";

// Every logged change after a cursor, with the item's state now (a missing item reads as deleted).
constexpr const char* kHashChangesSince =
    "SELECT l.seq, l.item_id, i.phash, COALESCE(i.phash_center, i.phash), i.location "
    "FROM hash_log l LEFT JOIN items i ON i.id = l.item_id WHERE l.seq > $1 ORDER BY l.seq";

constexpr const char* kGetAnalysis = "SELECT analysis FROM analyses WHERE item_id = $1";
constexpr const char* kSignature = "SELECT signature FROM items WHERE id = $1";

constexpr const char* kAnalysedItems =
    "SELECT i.id, i.path, i.location, i.category, i.person, i.auto_sorted, a.analysis, i.duplicate_of FROM items i "
    "JOIN analyses a ON a.item_id = i.id "
    "WHERE i.id > $1 AND (i.location = 'review' OR (i.location = 'library' AND i.auto_sorted = 1)) "
    "ORDER BY i.id LIMIT $2";

constexpr const char* kStoredAnalyses =
    "SELECT a.item_id, a.analysis, CASE WHEN i.location = 'trash' THEN 1 ELSE 0 END "
    "FROM analyses a JOIN items i ON i.id = a.item_id WHERE a.item_id > $1 ORDER BY a.item_id LIMIT $2";

constexpr const char* kAnalysesWithoutFacts =
    "SELECT a.item_id, a.analysis FROM analyses a WHERE NOT EXISTS "
    "(SELECT 1 FROM gallery_facts g WHERE g.item_id = a.item_id) ORDER BY a.item_id LIMIT 5000";

constexpr const char* kUpdateAnalysis = "UPDATE analyses SET version = $1, analysis = $2 WHERE item_id = $3";

constexpr const char* kCountFaces = "SELECT COUNT(*) FROM faces WHERE item_id = $1";

constexpr const char* kRefreshItem =
    "UPDATE items SET width = $1, height = $2, format = $3, taken_at = $4, camera = $5, phash = $6, "
    "phash_center = $7, signature = $8, sharpness = $9, exposure = $10, faces_detected = $11 WHERE id = $12";

std::vector<HashChange> PresentHashes(const Rows& r) {
  std::vector<HashChange> out;
  for (int i = 0; i < r.size(); ++i) {
    out.push_back({r.Int(i, 0), true, static_cast<uint64_t>(r.Int(i, 1)), static_cast<uint64_t>(r.Int(i, 2))});
  }
  return out;
}

}  // namespace

base::Result<std::vector<HashEntry>> PgCatalog::AllPerceptualHashes() {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kPresentHashes);
  if (!r.ok()) return r.status();
  std::vector<HashEntry> out;
  for (const HashChange& h : PresentHashes(*r)) out.push_back({h.id, h.phash, h.phash_center});
  return out;
}

base::Result<HashChanges> PgCatalog::PerceptualHashSnapshot() {
  std::lock_guard lock(mu_);
  // One snapshot for the head and the hashes, so that nothing falls between them.
  TRIAGE_RETURN_IF_ERROR(conn_->Run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  base::Result<HashChanges> out = [&]() -> base::Result<HashChanges> {
    auto head = conn_->Query(kHashLogHead);
    if (!head.ok()) return head.status();
    auto hashes = conn_->Query(kPresentHashes);
    if (!hashes.ok()) return hashes.status();
    return HashChanges{head->Int(0, 0), PresentHashes(*hashes)};
  }();
  base::Status ended = conn_->Run(out.ok() ? "COMMIT" : "ROLLBACK");
  if (out.ok() && !ended.ok()) return ended;
  return out;
}

base::Result<HashChanges> PgCatalog::PerceptualHashChangesSince(int64_t cursor) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kHashChangesSince, Params().Add(cursor));
  if (!r.ok()) return r.status();
  HashChanges out;
  out.cursor = cursor;
  for (int i = 0; i < r->size(); ++i) {
    out.cursor = r->Int(i, 0);
    bool present = !r->IsNull(i, 2) && !r->IsNull(i, 4) && r->Text(i, 4) != "trash";
    out.changes.push_back(
        {r->Int(i, 1), present, static_cast<uint64_t>(r->Int(i, 2)), static_cast<uint64_t>(r->Int(i, 3))});
  }
  return out;
}

base::Result<std::optional<model::StoredAnalysis>> PgCatalog::GetAnalysis(int64_t item_id) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kGetAnalysis, Params().Add(item_id));
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<model::StoredAnalysis>();
  return std::optional<model::StoredAnalysis>(ParseAnalysis({true, r->Bytes(0, 0)}));
}

base::Result<std::vector<uint8_t>> PgCatalog::NearDuplicateSignature(int64_t item_id) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kSignature, Params().Add(item_id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no item {}", item_id));
  return r->Bytes(0, 0);
}

base::Result<std::vector<AnalysedItem>> PgCatalog::ListAnalysedItems(int64_t after_id, int limit) {
  if (limit < 1 || limit > 10000) return base::Status::InvalidArgument("limit must be 1..10000");
  std::vector<AnalysedItem> out;
  std::vector<StoredAnalysisBytes> stored;
  {
    std::lock_guard lock(mu_);
    auto r = conn_->Query(kAnalysedItems, Params().Add(after_id).Add(limit));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      out.push_back({r->Int(i, 0),
                     r->Text(i, 1),
                     r->Text(i, 2),
                     r->Text(i, 3),
                     r->Text(i, 4),
                     r->Int(i, 5) != 0,
                     {},
                     r->IsNull(i, 7) ? std::nullopt : std::optional<int64_t>(r->Int(i, 7))});
      stored.push_back({true, r->Bytes(i, 6)});
    }
  }
  // Parsing is most of the cost of a page and needs no lock: it runs on every core.
  tbb::parallel_for(size_t{0}, out.size(), [&](size_t i) { out[i].analysis = ParseAnalysis(stored[i]); });
  return out;
}

base::Result<std::vector<StoredAnalysisRow>> PgCatalog::ListStoredAnalyses(int64_t after_id, int limit,
                                                                           AnalysisParts parts) {
  if (limit < 1 || limit > 10000) return base::Status::InvalidArgument("limit must be 1..10000");
  std::vector<StoredAnalysisRow> out;
  std::vector<StoredAnalysisBytes> stored;
  {
    std::lock_guard lock(mu_);
    auto r = conn_->Query(kStoredAnalyses, Params().Add(after_id).Add(limit));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->size(); ++i) {
      out.push_back({r->Int(i, 0), {}});
      out.back().in_trash = r->Int(i, 2) != 0;
      stored.push_back({true, r->Bytes(i, 1)});
    }
  }
  tbb::parallel_for(size_t{0}, out.size(), [&](size_t i) {
    out[i].analysis = parts == AnalysisParts::kMeasures ? ParseAnalysisMeasures(stored[i]) : ParseAnalysis(stored[i]);
  });
  return out;
}

base::Status PgCatalog::RefreshItemFacts(const StoredAnalysisRow& row) {
  auto count = conn_->Query(kCountFaces, Params().Add(row.item_id));
  if (!count.ok()) return count.status();
  const int64_t stored_faces = count->Int(0, 0);
  if (stored_faces == 0) TRIAGE_RETURN_IF_ERROR(InsertFaces(row.item_id, *row.refresh_item));
  const model::Analysis& a = row.analysis.analysis;
  const model::Fingerprint& fp = a.fingerprint;
  Params p;
  p.Add(a.info.width).Add(a.info.height).Add(a.info.format).Add(a.info.taken_at).Add(a.info.camera);
  if (fp.has_phash) {
    p.Add(static_cast<int64_t>(fp.phash)).Add(static_cast<int64_t>(fp.phash_center));
  } else {
    p.AddNull().AddNull();
  }
  if (fp.signature.empty())
    p.AddNull();
  else
    p.AddBytes(fp.signature.data(), fp.signature.size());
  p.Add(a.sharpness).Add(a.exposure);
  p.Add(stored_faces == 0 ? static_cast<int64_t>(row.refresh_item->size()) : stored_faces).Add(row.item_id);
  return conn_->Run(kRefreshItem, p);
}

base::Status PgCatalog::UpdateAnalyses(const std::vector<StoredAnalysisRow>& rows) {
  const std::vector<std::vector<uint8_t>> encoded = EncodeAnalyses(rows);
  std::lock_guard lock(mu_);
  return InTransaction<int64_t>(
             *conn_,
             [&]() -> base::Result<int64_t> {
               for (size_t i = 0; i < rows.size(); ++i) {
                 const StoredAnalysisRow& r = rows[i];
                 const std::vector<uint8_t>& bytes = encoded[i];
                 auto updated =
                     conn_->Query(kUpdateAnalysis,
                                  Params().Add(r.analysis.version).AddBytes(bytes.data(), bytes.size()).Add(r.item_id));
                 if (!updated.ok()) return updated.status();
                 if (updated->affected() == 0) continue;
                 TRIAGE_RETURN_IF_ERROR(WriteGalleryFacts(*conn_, r.item_id, r.analysis));
                 if (r.refresh_item) TRIAGE_RETURN_IF_ERROR(RefreshItemFacts(r));
               }
               return static_cast<int64_t>(rows.size());
             })
      .status();
}

base::Status PgCatalog::BackfillGalleryFacts() {
  std::lock_guard lock(mu_);
  for (;;) {
    auto r = conn_->Query(kAnalysesWithoutFacts);
    if (!r.ok()) return r.status();
    if (r->empty()) return base::Status::Ok();
    auto written = InTransaction<int64_t>(*conn_, [&]() -> base::Result<int64_t> {
      for (int i = 0; i < r->size(); ++i) {
        TRIAGE_RETURN_IF_ERROR(WriteGalleryFacts(*conn_, r->Int(i, 0), ParseAnalysis({true, r->Bytes(i, 1)})));
      }
      return static_cast<int64_t>(r->size());
    });
    if (!written.ok()) return written.status();
  }
}

}  // namespace triage::catalog::postgres
