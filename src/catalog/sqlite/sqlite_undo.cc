// Undo tokens and queue places on the catalog's SQLite connection.
#include "catalog/sqlite/sqlite_undo.h"

#include <fmt/format.h>

#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {

base::Status SqliteUndoStore::AddUndo(const UndoRecord& r) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              "INSERT INTO undo_tokens (token, kind, actor, payload, summary, created_at, expires_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.Bind(1, r.token).Bind(2, r.kind).Bind(3, r.actor).Bind(4, r.payload).Bind(5, r.summary);
  return s.Bind(6, r.created_at).Bind(7, r.expires_at).Run();
}

base::Result<UndoRecord> SqliteUndoStore::FindUndo(const std::string& token) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              "SELECT token, kind, actor, payload, summary, created_at, expires_at, COALESCE(used_at, 0) "
              "FROM undo_tokens WHERE token = ?");
  s.Bind(1, token);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound("no such undo token (unknown, or expired and removed)");
  return UndoRecord{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6), s.Int(7)};
}

base::Result<bool> SqliteUndoStore::ClaimUndo(const std::string& token, int64_t now, int64_t stale_before) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              "UPDATE undo_tokens SET used_at = -?1 WHERE token = ?2 AND expires_at > ?1 "
              "AND (used_at IS NULL OR (used_at < 0 AND -used_at < ?3))");
  TRIAGE_RETURN_IF_ERROR(s.Bind(1, now).Bind(2, token).Bind(3, stale_before).Run());
  return sqlite3_changes(catalog_.handle()) > 0;
}

base::Status SqliteUndoStore::FinishUndo(const std::string& token, int64_t now) {
  auto lock = catalog_.Lock();
  return Statement(catalog_.handle(), "UPDATE undo_tokens SET used_at = ? WHERE token = ?")
      .Bind(1, now)
      .Bind(2, token)
      .Run();
}

base::Status SqliteUndoStore::ReleaseUndo(const std::string& token) {
  auto lock = catalog_.Lock();
  return Statement(catalog_.handle(), "UPDATE undo_tokens SET used_at = NULL WHERE token = ?").Bind(1, token).Run();
}

base::Result<int64_t> SqliteUndoStore::RemoveExpiredUndo(int64_t now) {
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(
      Statement(catalog_.handle(), "DELETE FROM undo_tokens WHERE expires_at <= ?").Bind(1, now).Run());
  return static_cast<int64_t>(sqlite3_changes(catalog_.handle()));
}

base::Result<QueuePlace> SqliteUndoStore::QueuePlaceOf(int64_t item_id) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              "SELECT i.queue_rank, q.queued_at FROM items i JOIN review_queue q ON q.item_id = i.id "
              "WHERE i.id = ? AND q.reviewed_at IS NULL");
  s.Bind(1, item_id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("item {} is not waiting for review", item_id));
  return QueuePlace{s.Int(0), s.Int(1)};
}

base::Status SqliteUndoStore::RestoreQueuePlace(int64_t item_id, const QueuePlace& place, const std::string& actor,
                                                int64_t at) {
  auto lock = catalog_.Lock();
  sqlite3* db = catalog_.handle();
  TRIAGE_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  auto body = [&]() -> base::Status {
    Statement q(db, "UPDATE review_queue SET queued_at = ? WHERE item_id = ? AND reviewed_at IS NULL");
    TRIAGE_RETURN_IF_ERROR(q.Bind(1, place.queued_at).Bind(2, item_id).Run());
    if (sqlite3_changes(db) == 0)
      return base::Status::NotFound(fmt::format("item {} is not waiting for review", item_id));
    TRIAGE_RETURN_IF_ERROR(
        Statement(db, "UPDATE items SET queue_rank = ? WHERE id = ?").Bind(1, place.rank).Bind(2, item_id).Run());
    return catalog_.AddAudit({0, at, actor, item_id, "undo", "", "", "skip undone: back to its place in the queue"});
  };
  base::Status st = body();
  if (!st.ok()) {
    Rollback(db);
    return st;
  }
  return Exec(db, "COMMIT");
}

}  // namespace triage::catalog::sqlite
