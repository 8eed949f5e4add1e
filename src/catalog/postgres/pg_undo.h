// Undo tokens and queue places in the catalog's PostgreSQL database (table undo_tokens, migration 5).
#pragma once

#include "catalog/postgres/pg_catalog.h"
#include "catalog/undo_store.h"

namespace triage::catalog::postgres {

// Shares the catalog's connection and lock: thread-safe, each call atomic. REQUIRES: `catalog` outlives this.
class PgUndoStore final : public UndoStore {
 public:
  explicit PgUndoStore(PgCatalog& catalog) : catalog_(catalog) {}

  base::Status AddUndo(const UndoRecord& record) override;
  base::Result<UndoRecord> FindUndo(const std::string& token) override;
  base::Result<bool> ClaimUndo(const std::string& token, int64_t now, int64_t stale_before) override;
  base::Status FinishUndo(const std::string& token, int64_t now) override;
  base::Status ReleaseUndo(const std::string& token) override;
  base::Result<int64_t> RemoveExpiredUndo(int64_t now) override;
  base::Result<QueuePlace> QueuePlaceOf(int64_t item_id) override;
  base::Status RestoreQueuePlace(int64_t item_id, const QueuePlace& place, const std::string& actor,
                                 int64_t at) override;

 private:
  PgCatalog& catalog_;
};

}  // namespace triage::catalog::postgres
