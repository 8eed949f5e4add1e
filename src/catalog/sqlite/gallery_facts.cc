// Gallery facts from a stored analysis: what the gallery filters and sorts on, as columns.
#include "catalog/sqlite/gallery_facts.h"

#include "catalog/sqlite/statement.h"
#include "model/groups.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kUpsertFacts =
    "INSERT OR REPLACE INTO gallery_facts (item_id, taken_at_ms, quality_category, aggregate, eyes_closed, lens, "
    "sharpness_score, composition_score) VALUES (?,?,?,?,?,?,?,?)";

constexpr const char* kInsertDimension = "INSERT INTO dimension_scores (item_id, dimension, score) VALUES (?,?,?)";

// A dimension's score, when the image was scored on it.
const model::DimensionScore* Dimension(const model::QualityScore& q, const char* name) {
  for (const auto& d : q.dimensions) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

void BindScore(Statement& s, int index, const model::QualityScore& q, const char* name) {
  const model::DimensionScore* d = q.scored ? Dimension(q, name) : nullptr;
  if (d != nullptr)
    s.Bind(index, d->score);
  else
    s.BindNull(index);
}

}  // namespace

base::Status WriteGalleryFacts(sqlite3* db, int64_t item_id, const model::StoredAnalysis& stored) {
  const model::Analysis& a = stored.analysis;
  const model::QualityScore& q = a.quality;
  Statement s(db, kUpsertFacts);
  s.Bind(1, item_id);
  if (auto ms = model::CaptureTimeMs(a.info.taken_at))
    s.Bind(2, *ms);
  else
    s.BindNull(2);
  s.Bind(3, q.scored ? q.category : std::string());
  if (q.scored)
    s.Bind(4, q.aggregate);
  else
    s.BindNull(4);
  s.Bind(5, int64_t{q.eyes_closed}).Bind(6, a.info.lens);
  BindScore(s, 7, q, "sharpness");
  BindScore(s, 8, q, "composition");
  TRIAGE_RETURN_IF_ERROR(s.Run());
  TRIAGE_RETURN_IF_ERROR(Statement(db, "DELETE FROM dimension_scores WHERE item_id = ?").Bind(1, item_id).Run());
  if (!q.scored) return base::Status::Ok();
  Statement d(db, kInsertDimension);
  for (const model::DimensionScore& dim : q.dimensions) {
    TRIAGE_RETURN_IF_ERROR(d.Bind(1, item_id).Bind(2, dim.name).Bind(3, dim.score).Run());
    d.Reset();
  }
  return base::Status::Ok();
}

}  // namespace triage::catalog::sqlite
