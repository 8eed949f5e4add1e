// The order of the review queue as SQL both backends run. Skipping a photo gives it a queue rank above every other
// (queue_rank > id; an unskipped photo's rank is its id): skipped photos come last in either direction, in the order
// they were skipped, so that "newest first" does not put the photo just skipped back on top.
#pragma once

#include <string>

namespace triage::catalog {

inline std::string ItemOrderSql(bool queue_order, bool newest_first, bool by_change = false) {
  if (by_change) return "updated_at DESC, id DESC";
  if (!queue_order) return newest_first ? "id DESC" : "id ASC";
  if (!newest_first) return "queue_rank ASC, id ASC";
  return "(queue_rank > id) ASC, CASE WHEN queue_rank > id THEN queue_rank ELSE -id END ASC, id DESC";
}

}  // namespace triage::catalog
