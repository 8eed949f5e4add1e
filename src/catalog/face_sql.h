// Face store SQL that both backends run as it is (no values to bind).
#pragma once

namespace triage::catalog {

// The faces in no cluster whose photo is not in the trash.
inline constexpr const char* kCountUnclusteredFaces =
    "SELECT COUNT(*) FROM faces f JOIN items i ON i.id = f.item_id "
    "WHERE f.cluster_id IS NULL AND i.location != 'trash'";

}  // namespace triage::catalog
