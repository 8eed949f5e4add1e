// Undo tokens: what a decision left behind so that it can be reverted once, by its author (or a role allowed to),
// before it expires. An interface of its own beside Catalog; the SQLite one shares the catalog's database.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace triage::catalog {

struct UndoRecord {
  std::string token;       // random, unguessable; the key
  std::string kind;        // "approve", "reject", "keep", "skip", "bulk", "person_list", "reference_remove", ...
  std::string actor;       // who made the change the token reverts
  std::string payload;     // JSON: what the kind's inverse needs (opaque here)
  std::string summary;     // a sentence for people ("approved bbt1.jpg as penny")
  int64_t created_at = 0;  // unix seconds
  int64_t expires_at = 0;  // unix seconds; refused from then on
  // unix seconds: 0 while unused; minus the time of the claim while an undo is under way; the time it was undone.
  int64_t used_at = 0;
};

// Where an item stands in the review queue (what a skip changes).
struct QueuePlace {
  int64_t rank = 0;       // the item's order among pending items
  int64_t queued_at = 0;  // unix seconds its open review entry was (re)queued
};

// Thread-safety: implementations are thread-safe; each call is atomic.
class UndoStore {
 public:
  virtual ~UndoStore() = default;
  UndoStore(const UndoStore&) = delete;
  UndoStore& operator=(const UndoStore&) = delete;

  // Stores a new token. kAlreadyExists when the token is taken.
  virtual base::Status AddUndo(const UndoRecord& record) = 0;
  // The token's record, used or not, expired or not. kNotFound when there is none (or it was removed).
  virtual base::Result<UndoRecord> FindUndo(const std::string& token) = 0;
  // Marks the token's undo under way at `now` (used_at = -now) if it is unexpired and unused, or under way since
  // before `stale_before` (a process that died while undoing it): true when this call did (only one caller can win).
  virtual base::Result<bool> ClaimUndo(const std::string& token, int64_t now, int64_t stale_before) = 0;
  // Marks a claimed token undone at `now`.
  virtual base::Status FinishUndo(const std::string& token, int64_t now) = 0;
  // Marks a claimed token unused again (its undo failed and changed nothing).
  virtual base::Status ReleaseUndo(const std::string& token) = 0;
  // Deletes tokens that expired before `now`; returns how many.
  virtual base::Result<int64_t> RemoveExpiredUndo(int64_t now) = 0;

  // The queue place of an item with an open review entry. kNotFound when it has none.
  virtual base::Result<QueuePlace> QueuePlaceOf(int64_t item_id) = 0;
  // Puts an item with an open review entry back at `place` (an undone skip), audited as "undo" by `actor`.
  // kNotFound when it has no open review entry.
  virtual base::Status RestoreQueuePlace(int64_t item_id, const QueuePlace& place, const std::string& actor,
                                         int64_t at) = 0;

 protected:
  UndoStore() = default;
};

}  // namespace triage::catalog
