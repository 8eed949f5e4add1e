// Rows of the PostgreSQL catalog read into model types (shared by the catalog's source files).
#pragma once

#include "catalog/postgres/connection.h"
#include "model/item.h"

namespace triage::catalog::postgres {

// The columns ReadItem expects, in its order; the last is the item's stored analysis (for its quality score).
inline constexpr const char* kItemColumns =
    "id, path, original_name, original_path, source, url, sha256, phash, size_bytes, width, height, format, "
    "taken_at, camera, location, category, person, duplicate_of, reasons, auto_sorted, faces_detected, sharpness, "
    "exposure, created_at, updated_at, phash_center, "
    "(SELECT a.analysis FROM analyses a WHERE a.item_id = items.id)";

model::ItemRecord ReadItem(const Rows& rows, int row);

}  // namespace triage::catalog::postgres
