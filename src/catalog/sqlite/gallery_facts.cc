// Gallery facts from a stored analysis: what the gallery filters and sorts on, as columns.
#include "catalog/sqlite/gallery_facts.h"

#include <algorithm>

#include "catalog/sqlite/statement.h"
#include "model/groups.h"

namespace triage::catalog::sqlite {
namespace {

// An update in place when the row is there (a rescore): REPLACE would delete the row and re-insert it, rewriting
// both indexes for every rescored photo.
constexpr const char* kUpsertFacts =
    "INSERT INTO gallery_facts (item_id, taken_at_ms, quality_category, aggregate, eyes_closed, lens, "
    "sharpness_score, composition_score) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (item_id) DO UPDATE SET "
    "taken_at_ms = excluded.taken_at_ms, quality_category = excluded.quality_category, aggregate = "
    "excluded.aggregate, eyes_closed = excluded.eyes_closed, lens = excluded.lens, sharpness_score = "
    "excluded.sharpness_score, composition_score = excluded.composition_score";

constexpr const char* kInsertDimension = "INSERT INTO dimension_scores (item_id, dimension, score) VALUES (?,?,?)";

constexpr const char* kSelectDimensions =
    "SELECT dimension, score FROM dimension_scores WHERE item_id = ? ORDER BY dimension";

constexpr const char* kDeleteDimensions = "DELETE FROM dimension_scores WHERE item_id = ?";

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

GalleryFactsWriter::GalleryFactsWriter(sqlite3* db)
    : upsert_facts_(db, kUpsertFacts),
      select_dimensions_(db, kSelectDimensions),
      delete_dimensions_(db, kDeleteDimensions),
      insert_dimension_(db, kInsertDimension) {}

GalleryFactsWriter::GalleryFactsWriter(StatementCache& statements)
    : upsert_facts_(statements.Get(kUpsertFacts)),
      select_dimensions_(statements.Get(kSelectDimensions)),
      delete_dimensions_(statements.Get(kDeleteDimensions)),
      insert_dimension_(statements.Get(kInsertDimension)) {}

base::Status GalleryFactsWriter::Write(int64_t item_id, const model::StoredAnalysis& stored) {
  const model::Analysis& a = stored.analysis;
  const model::QualityScore& q = a.quality;
  Statement& s = upsert_facts_;
  s.Reset();
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
  auto same = SameDimensions(item_id, q.scored ? q.dimensions : std::vector<model::DimensionScore>());
  if (!same.ok()) return same.status();
  if (*same) return base::Status::Ok();
  delete_dimensions_.Reset();
  TRIAGE_RETURN_IF_ERROR(delete_dimensions_.Bind(1, item_id).Run());
  if (!q.scored) return base::Status::Ok();
  for (const model::DimensionScore& dim : q.dimensions) {
    insert_dimension_.Reset();
    TRIAGE_RETURN_IF_ERROR(insert_dimension_.Bind(1, item_id).Bind(2, dim.name).Bind(3, dim.score).Run());
  }
  return base::Status::Ok();
}

base::Result<bool> GalleryFactsWriter::SameDimensions(int64_t item_id,
                                                      const std::vector<model::DimensionScore>& dimensions) {
  Statement& s = select_dimensions_;
  s.Reset();
  s.Bind(1, item_id);
  size_t stored = 0;
  bool same = true;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ++stored;
    if (!same) continue;
    const std::string name = s.Text(0);
    same = std::any_of(dimensions.begin(), dimensions.end(),
                       [&](const model::DimensionScore& d) { return d.name == name && d.score == s.Real(1); });
  }
  return same && stored == dimensions.size();
}

base::Status WriteGalleryFacts(sqlite3* db, int64_t item_id, const model::StoredAnalysis& stored) {
  return GalleryFactsWriter(db).Write(item_id, stored);
}

}  // namespace triage::catalog::sqlite
