// Undo tokens and queue places on the catalog's PostgreSQL connection.
#include "catalog/postgres/pg_undo.h"

#include <fmt/format.h>

namespace triage::catalog::postgres {
namespace {

constexpr const char* kAddUndo =
    "INSERT INTO undo_tokens (token, kind, actor, payload, summary, created_at, expires_at) "
    "VALUES ($1,$2,$3,$4,$5,$6,$7)";
constexpr const char* kFindUndo =
    "SELECT token, kind, actor, payload, summary, created_at, expires_at, COALESCE(used_at, 0) "
    "FROM undo_tokens WHERE token = $1";
// Only one of several concurrent claimers (in any process) changes the row: the others see used_at set.
constexpr const char* kClaimUndo =
    "UPDATE undo_tokens SET used_at = -$1 WHERE token = $2 AND expires_at > $1 "
    "AND (used_at IS NULL OR (used_at < 0 AND -used_at < $3))";
constexpr const char* kFinishUndo = "UPDATE undo_tokens SET used_at = $1 WHERE token = $2";
constexpr const char* kReleaseUndo = "UPDATE undo_tokens SET used_at = NULL WHERE token = $1";
constexpr const char* kRemoveExpired = "DELETE FROM undo_tokens WHERE expires_at <= $1";
constexpr const char* kQueuePlace =
    "SELECT i.queue_rank, q.queued_at FROM items i JOIN review_queue q ON q.item_id = i.id "
    "WHERE i.id = $1 AND q.reviewed_at IS NULL";
constexpr const char* kRequeue = "UPDATE review_queue SET queued_at = $1 WHERE item_id = $2 AND reviewed_at IS NULL";
constexpr const char* kSetRank = "UPDATE items SET queue_rank = $1 WHERE id = $2";

base::Status NotWaiting(int64_t item_id) {
  return base::Status::NotFound(fmt::format("item {} is not waiting for review", item_id));
}

}  // namespace

base::Status PgUndoStore::AddUndo(const UndoRecord& r) {
  auto lock = catalog_.Lock();
  Params p;
  p.Add(r.token).Add(r.kind).Add(r.actor).Add(r.payload).Add(r.summary).Add(r.created_at).Add(r.expires_at);
  return catalog_.connection().Run(kAddUndo, p);
}

base::Result<UndoRecord> PgUndoStore::FindUndo(const std::string& token) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kFindUndo, Params().Add(token));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound("no such undo token (unknown, or expired and removed)");
  return UndoRecord{r->Text(0, 0), r->Text(0, 1), r->Text(0, 2), r->Text(0, 3),
                    r->Text(0, 4), r->Int(0, 5),  r->Int(0, 6),  r->Int(0, 7)};
}

base::Result<bool> PgUndoStore::ClaimUndo(const std::string& token, int64_t now, int64_t stale_before) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kClaimUndo, Params().Add(now).Add(token).Add(stale_before));
  if (!r.ok()) return r.status();
  return r->affected() > 0;
}

base::Status PgUndoStore::FinishUndo(const std::string& token, int64_t now) {
  auto lock = catalog_.Lock();
  return catalog_.connection().Run(kFinishUndo, Params().Add(now).Add(token));
}

base::Status PgUndoStore::ReleaseUndo(const std::string& token) {
  auto lock = catalog_.Lock();
  return catalog_.connection().Run(kReleaseUndo, Params().Add(token));
}

base::Result<int64_t> PgUndoStore::RemoveExpiredUndo(int64_t now) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kRemoveExpired, Params().Add(now));
  if (!r.ok()) return r.status();
  return r->affected();
}

base::Result<QueuePlace> PgUndoStore::QueuePlaceOf(int64_t item_id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kQueuePlace, Params().Add(item_id));
  if (!r.ok()) return r.status();
  if (r->empty()) return NotWaiting(item_id);
  return QueuePlace{r->Int(0, 0), r->Int(0, 1)};
}

base::Status PgUndoStore::RestoreQueuePlace(int64_t item_id, const QueuePlace& place, const std::string& actor,
                                            int64_t at) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(
             conn,
             [&]() -> base::Result<int64_t> {
               auto requeued = conn.Query(kRequeue, Params().Add(place.queued_at).Add(item_id));
               if (!requeued.ok()) return requeued.status();
               if (requeued->affected() == 0) return NotWaiting(item_id);
               TRIAGE_RETURN_IF_ERROR(conn.Run(kSetRank, Params().Add(place.rank).Add(item_id)));
               TRIAGE_RETURN_IF_ERROR(catalog_.AddAudit(
                   {0, at, actor, item_id, "undo", "", "", "skip undone: back to its place in the queue"}));
               return int64_t{0};
             })
      .status();
}

}  // namespace triage::catalog::postgres
