// The gallery facts of one item, derived from its stored analysis whenever that is written (migration 7's
// gallery_facts and dimension_scores). Internal to catalog/sqlite.
#pragma once

#include <sqlite3.h>

#include <cstdint>

#include "base/status.h"
#include "model/decision.h"

namespace triage::catalog::sqlite {

// Replaces the item's facts and dimension scores. REQUIRES: the catalog's lock held, inside the caller's transaction.
base::Status WriteGalleryFacts(sqlite3* db, int64_t item_id, const model::StoredAnalysis& stored);

}  // namespace triage::catalog::sqlite
