// The order of the review queue as SQL both backends run. Skipping a photo gives it a queue rank above every other
// (queue_rank > id; an unskipped photo's rank is its id): skipped photos come last in either direction, in the order
// they were skipped, so that "newest first" does not put the photo just skipped back on top.
#pragma once

#include <string>

namespace triage::catalog {

inline std::string ItemOrderSql(bool queue_order, bool newest_first, bool by_change = false) {
  // Changes within one second (updated_at is in seconds) in the order the audit log recorded them.
  if (by_change) return "updated_at DESC, (SELECT MAX(a.id) FROM audit a WHERE a.item_id = items.id) DESC, id DESC";
  if (!queue_order) return newest_first ? "id DESC" : "id ASC";
  if (!newest_first) return "queue_rank ASC, id ASC";
  return "(queue_rank > id) ASC, CASE WHEN queue_rank > id THEN queue_rank ELSE -id END ASC, id DESC";
}

}  // namespace triage::catalog
