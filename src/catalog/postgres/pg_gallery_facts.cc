// Gallery facts from a stored analysis: what the gallery filters and sorts on, as columns.
#include "catalog/postgres/pg_gallery_facts.h"

#include "model/groups.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kUpsertFacts =
    "INSERT INTO gallery_facts (item_id, taken_at_ms, quality_category, aggregate, eyes_closed, lens, "
    "sharpness_score, composition_score) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (item_id) DO UPDATE SET "
    "taken_at_ms = EXCLUDED.taken_at_ms, quality_category = EXCLUDED.quality_category, aggregate = EXCLUDED.aggregate, "
    "eyes_closed = EXCLUDED.eyes_closed, lens = EXCLUDED.lens, sharpness_score = EXCLUDED.sharpness_score, "
    "composition_score = EXCLUDED.composition_score";

constexpr const char* kDeleteDimensions = "DELETE FROM dimension_scores WHERE item_id = $1";
constexpr const char* kInsertDimension = "INSERT INTO dimension_scores (item_id, dimension, score) VALUES ($1,$2,$3)";

// A dimension's score, when the image was scored on it.
std::optional<double> DimensionScore(const model::QualityScore& q, const char* name) {
  if (!q.scored) return std::nullopt;
  for (const auto& d : q.dimensions) {
    if (d.name == name) return d.score;
  }
  return std::nullopt;
}

}  // namespace

base::Status WriteGalleryFacts(Connection& conn, int64_t item_id, const model::StoredAnalysis& stored) {
  const model::Analysis& a = stored.analysis;
  const model::QualityScore& q = a.quality;
  Params p;
  p.Add(item_id).AddOptional(model::CaptureTimeMs(a.info.taken_at)).Add(q.scored ? q.category : std::string());
  p.AddOptional(q.scored ? std::optional<double>(q.aggregate) : std::nullopt);
  p.Add(static_cast<int64_t>(q.eyes_closed)).Add(a.info.lens);
  p.AddOptional(DimensionScore(q, "sharpness")).AddOptional(DimensionScore(q, "composition"));
  TRIAGE_RETURN_IF_ERROR(conn.Run(kUpsertFacts, p));
  TRIAGE_RETURN_IF_ERROR(conn.Run(kDeleteDimensions, Params().Add(item_id)));
  if (!q.scored) return base::Status::Ok();
  for (const model::DimensionScore& dim : q.dimensions) {
    TRIAGE_RETURN_IF_ERROR(conn.Run(kInsertDimension, Params().Add(item_id).Add(dim.name).Add(double{dim.score})));
  }
  return base::Status::Ok();
}

}  // namespace triage::catalog::postgres
