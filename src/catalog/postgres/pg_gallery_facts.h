// The gallery facts of one item, derived from its stored analysis whenever that is written (migration 5's
// gallery_facts and dimension_scores). Internal to catalog/postgres.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "catalog/postgres/connection.h"
#include "model/decision.h"

namespace triage::catalog::postgres {

// Replaces the item's facts and dimension scores. REQUIRES: the catalog's lock held, inside the caller's transaction.
base::Status WriteGalleryFacts(Connection& conn, int64_t item_id, const model::StoredAnalysis& stored);

}  // namespace triage::catalog::postgres
