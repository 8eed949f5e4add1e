// SQLite catalog: review queue, statistics, audit log, persons and trash queries.
#include <fmt/format.h>

#include <algorithm>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kPendingReview =
    "SELECT id, item_id, category, reason, reason_code, faces_detected, suggested_person, created_at FROM review_queue "
    "WHERE item_id = ? AND reviewed_at IS NULL ORDER BY id DESC LIMIT 1";

// Collects rows of a statement with a reader.
template <typename T, typename Reader>
base::Result<std::vector<T>> Collect(Statement& s, Reader read) {
  std::vector<T> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read(s));
  }
}

base::Result<int64_t> Scalar(sqlite3* db, const char* sql, int64_t arg) {
  Statement s(db, sql);
  s.Bind(1, arg);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return *row ? s.Int(0) : 0;
}

}  // namespace

base::Result<model::ReviewEntry> SqliteCatalog::PendingReview(int64_t item_id) {
  std::lock_guard lock(mu_);
  Statement s(db_, kPendingReview);
  s.Bind(1, item_id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("item {} is not waiting for review", item_id));
  model::ReviewEntry e;
  e.id = s.Int(0);
  e.item_id = s.Int(1);
  e.category = s.Text(2);
  e.reason = s.Text(3);
  e.reason_code = s.Text(4);
  e.faces_detected = static_cast<int>(s.Int(5));
  e.suggested_person = s.Text(6);
  e.created_at = s.Int(7);
  return e;
}

base::Status SqliteCatalog::SkipReview(int64_t item_id, const std::string& actor, int64_t at) {
  std::lock_guard lock(mu_);
  Statement s(db_, "UPDATE review_queue SET queued_at = ? WHERE item_id = ? AND reviewed_at IS NULL");
  s.Bind(1, at).Bind(2, item_id);
  TRIAGE_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(db_) == 0)
    return base::Status::NotFound(fmt::format("item {} is not waiting for review", item_id));
  TRIAGE_RETURN_IF_ERROR(
      Statement(db_, "UPDATE items SET queue_rank = (SELECT MAX(queue_rank) FROM items) + 1 WHERE id = ?")
          .Bind(1, item_id)
          .Run());
  return InsertAudit({0, at, actor, item_id, "skip", "", "", "skipped for later"});
}

base::Result<Stats> SqliteCatalog::GetStats(int64_t since) {
  std::lock_guard lock(mu_);
  Stats st;
  auto count = [&](const char* sql, int64_t arg) { return Scalar(db_, sql, arg); };
  auto total = count("SELECT COUNT(*) FROM items WHERE created_at >= ?", since);
  if (!total.ok()) return total.status();
  st.total = *total;
  st.auto_sorted = *count("SELECT COUNT(*) FROM items WHERE auto_sorted = 1 AND created_at >= ?", since);
  st.in_review = *count("SELECT COUNT(*) FROM review_queue WHERE reviewed_at IS NULL AND created_at >= ?", since);
  st.in_library = *count("SELECT COUNT(*) FROM items WHERE location = 'library' AND created_at >= ?", since);
  st.in_trash = *count("SELECT COUNT(*) FROM items WHERE location = 'trash' AND created_at >= ?", since);
  st.in_archive = *count("SELECT COUNT(*) FROM items WHERE location = 'archive' AND created_at >= ?", since);
  st.success_rate = st.total > 0 ? static_cast<double>(st.auto_sorted) / static_cast<double>(st.total) : 0;
  Statement p(db_, "SELECT person, COUNT(*) FROM items WHERE location = 'library' AND created_at >= ? GROUP BY person");
  p.Bind(1, since);
  for (auto row = p.Step(); row.ok() && *row; row = p.Step()) st.by_person[p.Text(0)] = p.Int(1);
  Statement c(db_,
              "SELECT category, COUNT(*) FROM review_queue WHERE reviewed_at IS NULL AND created_at >= ? "
              "GROUP BY category");
  c.Bind(1, since);
  for (auto row = c.Step(); row.ok() && *row; row = c.Step()) st.by_category[c.Text(0)] = c.Int(1);
  return st;
}

base::Result<std::vector<DayStats>> SqliteCatalog::GetDailyStats(int64_t since) {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "SELECT date(at, 'unixepoch') AS day, "
              // Sorted automatically: to a person's folder or, without people, to photos/ (as items.auto_sorted).
              "SUM(action = 'ingest'), SUM(action = 'ingest' AND to_state NOT LIKE 'review/%'), "
              "SUM(action = 'ingest' AND to_state LIKE 'review/%'), SUM(action IN ('approve', 'reject')) "
              "FROM audit WHERE at >= ? GROUP BY day ORDER BY day");
  s.Bind(1, since);
  return Collect<DayStats>(s, [](const Statement& r) {
    return DayStats{r.Text(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4)};
  });
}

base::Result<std::vector<model::AuditEntry>> SqliteCatalog::ListAuditEntries(const AuditQuery& q) {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "SELECT id, at, actor, COALESCE(item_id, 0), action, from_state, to_state, reason FROM audit "
              "WHERE (? = 0 OR item_id = ?) AND (? = '' OR actor = ?) AND (? = '' OR action = ?) "
              "ORDER BY id DESC LIMIT ? OFFSET ?");
  s.Bind(1, q.item_id).Bind(2, q.item_id).Bind(3, q.actor).Bind(4, q.actor).Bind(5, q.action).Bind(6, q.action);
  s.Bind(7, std::clamp(q.limit, 1, 1000)).Bind(8, std::max(q.offset, 0));
  return Collect<model::AuditEntry>(s, [](const Statement& r) {
    return model::AuditEntry{r.Int(0), r.Int(1), r.Text(2), r.Int(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)};
  });
}

base::Result<int64_t> SqliteCatalog::AddPerson(const std::string& name, int64_t at) {
  std::lock_guard lock(mu_);
  Statement s(db_, "INSERT INTO persons (name, created_at) VALUES (?, ?)");
  base::Status st = s.Bind(1, name).Bind(2, at).Run();
  if (st.code() == base::Code::kAlreadyExists)
    return base::Status::AlreadyExists(fmt::format("{} is enrolled already", name));
  TRIAGE_RETURN_IF_ERROR(st);
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

base::Result<std::vector<model::PersonRecord>> SqliteCatalog::ListPersons() {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "SELECT p.id, p.name, p.created_at, (SELECT COUNT(*) FROM person_references r WHERE r.person_id = p.id), "
              "p.display_name FROM persons p ORDER BY p.name");
  return Collect<model::PersonRecord>(s, [](const Statement& r) {
    return model::PersonRecord{r.Int(0), r.Text(1), r.Int(2), static_cast<int>(r.Int(3)), r.Text(4)};
  });
}

base::Status SqliteCatalog::SetPersonDisplayName(const std::string& name, const std::string& display_name) {
  std::lock_guard lock(mu_);
  TRIAGE_RETURN_IF_ERROR(
      Statement(db_, "UPDATE persons SET display_name = ? WHERE name = ?").Bind(1, display_name).Bind(2, name).Run());
  if (sqlite3_changes(db_) == 0) return base::Status::NotFound(fmt::format("no person named {}", name));
  return base::Status::Ok();
}

base::Status SqliteCatalog::RemovePerson(const std::string& name) {
  std::lock_guard lock(mu_);
  TRIAGE_RETURN_IF_ERROR(Statement(db_, "DELETE FROM persons WHERE name = ?").Bind(1, name).Run());
  if (sqlite3_changes(db_) == 0) return base::Status::NotFound(fmt::format("no person named {}", name));
  return base::Status::Ok();
}

base::Result<int64_t> SqliteCatalog::AddReference(const model::PersonReference& ref) {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "INSERT INTO person_references (person_id, embedding, source) "
              "SELECT id, ?, ? FROM persons WHERE name = ?");
  s.BindBlob(1, ref.embedding.data(), ref.embedding.size() * sizeof(float)).Bind(2, ref.source).Bind(3, ref.person);
  TRIAGE_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(db_) == 0) return base::Status::NotFound(fmt::format("no person named {}", ref.person));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

// Part of Apply's transaction (REQUIRES: mu_ held): the person is created when missing, as the approval did.
base::Status SqliteCatalog::InsertReferences(const CatalogChange& change) {
  for (const model::PersonReference& ref : change.references) {
    TRIAGE_RETURN_IF_ERROR(Statement(db_, "INSERT OR IGNORE INTO persons (name, created_at) VALUES (?, ?)")
                               .Bind(1, ref.person)
                               .Bind(2, change.at)
                               .Run());
    Statement s(db_,
                "INSERT INTO person_references (id, person_id, embedding, source) "
                "SELECT ?, id, ?, ? FROM persons WHERE name = ?");
    if (ref.id > 0)
      s.Bind(1, ref.id);
    else
      s.BindNull(1);  // put back under its id, or a new one
    s.BindBlob(2, ref.embedding.data(), ref.embedding.size() * sizeof(float)).Bind(3, ref.source).Bind(4, ref.person);
    TRIAGE_RETURN_IF_ERROR(s.Run());
  }
  return base::Status::Ok();
}

// Part of Apply's transaction (REQUIRES: mu_ held).
base::Status SqliteCatalog::RemoveReferences(const CatalogChange& change) {
  for (int64_t id : change.removed_references) {
    TRIAGE_RETURN_IF_ERROR(Statement(db_, "DELETE FROM person_references WHERE id = ?").Bind(1, id).Run());
  }
  return base::Status::Ok();
}

base::Result<std::vector<model::PersonReference>> SqliteCatalog::AllReferences() {
  std::lock_guard lock(mu_);
  Statement s(
      db_,
      "SELECT r.id, p.name, r.embedding, r.source FROM person_references r JOIN persons p ON p.id = r.person_id "
      "ORDER BY r.id");
  return Collect<model::PersonReference>(s, [](const Statement& r) {
    return model::PersonReference{r.Int(0), r.Text(1), r.FloatBlob(2), r.Text(3)};
  });
}

base::Result<std::vector<model::ItemRecord>> SqliteCatalog::TrashedBefore(int64_t before) {
  ItemFilter f;
  f.location = "trash";
  f.limit = 100000;
  auto all = ListItems(f);
  if (!all.ok()) return all;
  std::vector<model::ItemRecord> out;
  for (auto& r : *all) {
    if (r.updated_at < before) out.push_back(std::move(r));
  }
  return out;
}

base::Status SqliteCatalog::DeleteItem(const model::AuditEntry& audit, const std::string& only_at) {
  std::lock_guard lock(mu_);
  auto r = [&]() -> base::Status {
    TRIAGE_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
    if (only_at.empty()) {
      TRIAGE_RETURN_IF_ERROR(Statement(db_, "DELETE FROM items WHERE id = ?").Bind(1, audit.item_id).Run());
    } else {
      TRIAGE_RETURN_IF_ERROR(
          Statement(db_, "DELETE FROM items WHERE id = ? AND path = ?").Bind(1, audit.item_id).Bind(2, only_at).Run());
      if (sqlite3_changes(db_) == 0) return catalog::MovedMeanwhile(audit.item_id, only_at);
    }
    return InsertAudit(audit);
  }();
  if (!r.ok()) {
    Rollback(db_);
    return r;
  }
  return Exec(db_, "COMMIT");
}

}  // namespace triage::catalog::sqlite
