// Face store SQL that both backends run as it is (no values to bind).
#pragma once

namespace triage::catalog {

// The faces in no cluster whose photo is not in the trash.
inline constexpr const char* kCountUnclusteredFaces =
    "SELECT COUNT(*) FROM faces f JOIN items i ON i.id = f.item_id "
    "WHERE f.cluster_id IS NULL AND i.location != 'trash'";

// A cluster's columns as ReadCluster reads them (table alias c); its size counts the faces whose photo is not in the
// trash, so a photo deleted from the library no longer counts for the person or cluster it showed.
inline constexpr const char* kClusterColumns =
    "c.id, c.person, c.hidden, c.created_at, (SELECT COUNT(*) FROM faces f JOIN items i ON i.id = f.item_id "
    "WHERE f.cluster_id = c.id AND i.location != 'trash')";

// The condition a listed cluster meets (alias c): a face of it outside the trash.
inline constexpr const char* kClusterShown =
    "EXISTS (SELECT 1 FROM faces f JOIN items i ON i.id = f.item_id WHERE f.cluster_id = c.id AND "
    "i.location != 'trash')";

// Appended to a faces query's WHERE when FaceFilter::include_trashed is false.
inline constexpr const char* kFaceOutsideTrash = " AND item_id IN (SELECT id FROM items WHERE location != 'trash')";

}  // namespace triage::catalog
