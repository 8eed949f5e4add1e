// The gallery facts of one item, derived from its stored analysis whenever that is written (migration 7's
// gallery_facts and dimension_scores). Internal to catalog/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "catalog/sqlite/statement.h"
#include "model/decision.h"

namespace triage::catalog::sqlite {

// Writes facts for many items with its statements prepared once (a batch of rewritten analyses).
class GalleryFactsWriter {
 public:
  explicit GalleryFactsWriter(sqlite3* db);
  // With the connection's kept statements (leased for the writer's life: one item's insert needs no preparing).
  explicit GalleryFactsWriter(StatementCache& statements);
  // Replaces the item's facts and dimension scores. REQUIRES: the catalog's lock held, inside the caller's
  // transaction.
  base::Status Write(int64_t item_id, const model::StoredAnalysis& stored);

 private:
  // True when the stored dimension scores are these (a change of weights moves the aggregate only).
  base::Result<bool> SameDimensions(int64_t item_id, const std::vector<model::DimensionScore>& dimensions);

  Statement upsert_facts_, select_dimensions_, delete_dimensions_, insert_dimension_;
};

// One item's facts (GalleryFactsWriter::Write with statements of its own).
base::Status WriteGalleryFacts(sqlite3* db, int64_t item_id, const model::StoredAnalysis& stored);

}  // namespace triage::catalog::sqlite
