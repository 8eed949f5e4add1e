// PostgreSQL catalog: item reads, review queue, statistics, audit log, persons and trash.
#include <fmt/format.h>

#include <algorithm>

#include "catalog/postgres/pg_catalog.h"
#include "catalog/postgres/pg_rows.h"
#include "catalog/queue_order.h"
#include "catalog/row_codec.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kFindBySha256 =
    "SELECT id FROM items WHERE sha256 = $1 AND location != 'trash' ORDER BY id LIMIT 1";

constexpr const char* kFacesOf =
    "SELECT x, y, w, h, score, landmarks, embedding, person, match_kind, distance, confidence, eye_aspect_ratio, "
    "named_as, untracked FROM faces WHERE item_id = $1 ORDER BY id";

constexpr const char* kPendingReview =
    "SELECT id, item_id, category, reason, reason_code, faces_detected, suggested_person, created_at FROM review_queue "
    "WHERE item_id = $1 AND reviewed_at IS NULL ORDER BY id DESC LIMIT 1";

constexpr const char* kSkipReview = "UPDATE review_queue SET queued_at = $1 WHERE item_id = $2 AND reviewed_at IS NULL";
constexpr const char* kMoveToQueueEnd =
    "UPDATE items SET queue_rank = (SELECT MAX(queue_rank) FROM items) + 1 WHERE id = $1";

// One row of counts since a time: total, auto-sorted, pending review, in library, in trash.
constexpr const char* kStatCounts =
    "SELECT COUNT(*), COUNT(*) FILTER (WHERE auto_sorted = 1), "
    "(SELECT COUNT(*) FROM review_queue WHERE reviewed_at IS NULL AND created_at >= $1), "
    "COUNT(*) FILTER (WHERE location = 'library'), COUNT(*) FILTER (WHERE location = 'trash'), "
    "COUNT(*) FILTER (WHERE location = 'archive') "
    "FROM items WHERE created_at >= $1";
constexpr const char* kStatsByPerson =
    "SELECT person, COUNT(*) FROM items WHERE location = 'library' AND created_at >= $1 GROUP BY person";
constexpr const char* kStatsByCategory =
    "SELECT category, COUNT(*) FROM review_queue WHERE reviewed_at IS NULL AND created_at >= $1 GROUP BY category";

constexpr const char* kDailyStats =
    "SELECT to_char(to_timestamp(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, "
    "COUNT(*) FILTER (WHERE action = 'ingest'), "
    // Sorted automatically: to a person's folder or, without people, to photos/ (as items.auto_sorted).
    "COUNT(*) FILTER (WHERE action = 'ingest' AND to_state NOT LIKE 'review/%'), "
    "COUNT(*) FILTER (WHERE action = 'ingest' AND to_state LIKE 'review/%'), "
    "COUNT(*) FILTER (WHERE action IN ('approve', 'reject')) "
    "FROM audit WHERE at >= $1 GROUP BY day ORDER BY day";

constexpr const char* kListAudit =
    "SELECT id, at, actor, COALESCE(item_id, 0), action, from_state, to_state, reason FROM audit "
    "WHERE ($1::bigint = 0 OR item_id = $1::bigint) AND ($2::text = '' OR actor = $2::text) "
    "AND ($5::text = '' OR action = $5::text) ORDER BY id DESC LIMIT $3 OFFSET $4";

constexpr const char* kAddPerson = "INSERT INTO persons (name, created_at) VALUES ($1, $2) RETURNING id";
constexpr const char* kListPersons =
    "SELECT p.id, p.name, p.created_at, (SELECT COUNT(*) FROM person_references r WHERE r.person_id = p.id), "
    "p.display_name FROM persons p ORDER BY p.name";
constexpr const char* kRemovePerson = "DELETE FROM persons WHERE name = $1";
constexpr const char* kSetPersonDisplayName = "UPDATE persons SET display_name = $2 WHERE name = $1";
constexpr const char* kAllReferences =
    "SELECT r.id, p.name, r.embedding, r.source FROM person_references r JOIN persons p ON p.id = r.person_id "
    "ORDER BY r.id";

constexpr const char* kTrashedBefore = "location = 'trash' AND updated_at < $1 ORDER BY id";
constexpr const char* kDeleteItem = "DELETE FROM items WHERE id = $1";
constexpr const char* kDeleteItemAt = "DELETE FROM items WHERE id = $1 AND path = $2 RETURNING id";

// WHERE clause and parameters for an ItemFilter; placeholders numbered as they are added.
struct Where {
  std::string sql;
  Params params;
  template <typename T>
  void Add(const std::string& clause, const T& arg) {
    params.Add(arg);
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += fmt::format(fmt::runtime(clause), params.size());
  }
};

Where WhereOf(const ItemFilter& f) {
  Where w;
  if (f.location) w.Add("location = ${}", *f.location);
  if (f.category) w.Add("category = ${}", *f.category);
  if (f.person) w.Add("person = ${}", *f.person);
  if (f.source) w.Add("source = ${}", *f.source);
  if (f.pending_review_only) {
    w.Add("id IN (SELECT item_id FROM review_queue WHERE reviewed_at IS NULL AND 1 = ${})", 1);
  }
  if (f.duplicate_of) w.Add("duplicate_of = ${}", *f.duplicate_of);
  if (f.after_id > 0) w.Add(f.newest_first ? "id < ${}" : "id > ${}", f.after_id);
  return w;
}

base::Result<std::vector<model::ItemRecord>> ReadItems(const base::Result<Rows>& rows) {
  if (!rows.ok()) return rows.status();
  std::vector<model::ItemRecord> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadItem(*rows, i));
  return out;
}

model::Face ReadFace(const Rows& r, int i) {
  model::Face f;
  f.box = {float(r.Real(i, 0)), float(r.Real(i, 1)), float(r.Real(i, 2)), float(r.Real(i, 3))};
  f.detection_score = float(r.Real(i, 4));
  f.landmarks = ParseLandmarks(r.Text(i, 5));
  f.embedding = r.Floats(i, 6);
  f.match.person = r.Text(i, 7);
  f.match.kind = ParseMatchKind(r.Text(i, 8));
  f.match.distance = r.Real(i, 9);
  f.match.confidence = r.Real(i, 10);
  f.eye_aspect_ratio = r.Real(i, 11);
  f.label = {r.Text(i, 12), r.Int(i, 13) != 0};
  return f;
}

}  // namespace

model::ItemRecord ReadItem(const Rows& s, int i) {
  model::ItemRecord r;
  r.id = s.Int(i, 0);
  r.path = s.Text(i, 1);
  r.original_name = s.Text(i, 2);
  r.original_path = s.Text(i, 3);
  r.source = s.Text(i, 4);
  r.url = s.Text(i, 5);
  r.fingerprint.sha256 = s.Text(i, 6);
  r.fingerprint.has_phash = !s.IsNull(i, 7);
  r.fingerprint.phash = static_cast<uint64_t>(s.Int(i, 7));
  r.fingerprint.size_bytes = s.Int(i, 8);
  r.info.width = static_cast<int>(s.Int(i, 9));
  r.info.height = static_cast<int>(s.Int(i, 10));
  r.info.format = s.Text(i, 11);
  r.info.taken_at = s.Text(i, 12);
  r.info.camera = s.Text(i, 13);
  r.location = s.Text(i, 14);
  r.category = s.Text(i, 15);
  r.person = s.Text(i, 16);
  if (!s.IsNull(i, 17)) r.duplicate_of = s.Int(i, 17);
  r.reasons = ParseReasons(s.Text(i, 18));
  r.auto_sorted = s.Int(i, 19) != 0;
  r.faces_detected = static_cast<int>(s.Int(i, 20));
  r.sharpness = s.Real(i, 21);
  r.exposure = s.Real(i, 22);
  r.created_at = s.Int(i, 23);
  r.updated_at = s.Int(i, 24);
  r.fingerprint.phash_center = s.IsNull(i, 25) ? r.fingerprint.phash : static_cast<uint64_t>(s.Int(i, 25));
  if (!s.IsNull(i, 26)) r.quality = QualityOfAnalysis({true, s.Bytes(i, 26)});
  return r;
}

base::Result<model::ItemRecord> PgCatalog::GetItem(int64_t id) {
  std::lock_guard lock(mu_);
  auto items =
      ReadItems(conn_->Query(fmt::format("SELECT {} FROM items WHERE id = $1", kItemColumns), Params().Add(id)));
  if (!items.ok()) return items.status();
  if (items->empty()) return base::Status::NotFound(fmt::format("no item {}", id));
  return std::move(items->front());
}

base::Result<std::optional<model::ItemRecord>> PgCatalog::FindByPath(const std::string& relative_path) {
  std::lock_guard lock(mu_);
  auto items = ReadItems(
      conn_->Query(fmt::format("SELECT {} FROM items WHERE path = $1", kItemColumns), Params().Add(relative_path)));
  if (!items.ok()) return items.status();
  if (items->empty()) return std::optional<model::ItemRecord>();
  return std::optional<model::ItemRecord>(std::move(items->front()));
}

base::Result<std::optional<int64_t>> PgCatalog::FindBySha256(const std::string& sha256) {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query(kFindBySha256, Params().Add(sha256));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows->Int(0, 0));
}

base::Result<std::optional<int64_t>> PgCatalog::FindByOriginalPath(const std::string& original_path) {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query("SELECT id FROM items WHERE original_path = $1 ORDER BY id DESC LIMIT 1",
                           Params().Add(original_path));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows->Int(0, 0));
}

base::Result<std::vector<model::ItemRecord>> PgCatalog::ListItems(const ItemFilter& f) {
  std::lock_guard lock(mu_);
  Where w = WhereOf(f);
  const std::string order = ItemOrderSql(f.queue_order, f.newest_first, f.by_change);
  w.params.Add(std::clamp(f.limit, 1, 100000)).Add(std::max(f.offset, 0));
  std::string sql = fmt::format("SELECT {} FROM items{} ORDER BY {} LIMIT ${} OFFSET ${}", kItemColumns, w.sql, order,
                                w.params.size() - 1, w.params.size());
  return ReadItems(conn_->Query(sql, w.params));
}

base::Result<int64_t> PgCatalog::CountItems(const ItemFilter& f) {
  std::lock_guard lock(mu_);
  ItemFilter unpaged = f;
  unpaged.after_id = 0;
  Where w = WhereOf(unpaged);
  auto rows = conn_->Query("SELECT COUNT(*) FROM items" + w.sql, w.params);
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

base::Result<std::vector<model::Face>> PgCatalog::FacesOf(int64_t item_id) {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query(kFacesOf, Params().Add(item_id));
  if (!rows.ok()) return rows.status();
  std::vector<model::Face> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(ReadFace(*rows, i));
  return out;
}

base::Result<model::ReviewEntry> PgCatalog::PendingReview(int64_t item_id) {
  std::lock_guard lock(mu_);
  auto s = conn_->Query(kPendingReview, Params().Add(item_id));
  if (!s.ok()) return s.status();
  if (s->empty()) return base::Status::NotFound(fmt::format("item {} is not waiting for review", item_id));
  model::ReviewEntry e;
  e.id = s->Int(0, 0);
  e.item_id = s->Int(0, 1);
  e.category = s->Text(0, 2);
  e.reason = s->Text(0, 3);
  e.reason_code = s->Text(0, 4);
  e.faces_detected = static_cast<int>(s->Int(0, 5));
  e.suggested_person = s->Text(0, 6);
  e.created_at = s->Int(0, 7);
  return e;
}

base::Status PgCatalog::SkipReview(int64_t item_id, const std::string& actor, int64_t at) {
  std::lock_guard lock(mu_);
  return InTransaction<int64_t>(
             *conn_,
             [&]() -> base::Result<int64_t> {
               auto skipped = conn_->Query(kSkipReview, Params().Add(at).Add(item_id));
               if (!skipped.ok()) return skipped.status();
               if (skipped->affected() == 0) {
                 return base::Status::NotFound(fmt::format("item {} is not waiting for review", item_id));
               }
               TRIAGE_RETURN_IF_ERROR(conn_->Run(kMoveToQueueEnd, Params().Add(item_id)));
               TRIAGE_RETURN_IF_ERROR(InsertAudit({0, at, actor, item_id, "skip", "", "", "skipped for later"}));
               return item_id;
             })
      .status();
}

base::Result<Stats> PgCatalog::GetStats(int64_t since) {
  std::lock_guard lock(mu_);
  auto counts = conn_->Query(kStatCounts, Params().Add(since));
  if (!counts.ok()) return counts.status();
  Stats st;
  st.total = counts->Int(0, 0);
  st.auto_sorted = counts->Int(0, 1);
  st.in_review = counts->Int(0, 2);
  st.in_library = counts->Int(0, 3);
  st.in_trash = counts->Int(0, 4);
  st.in_archive = counts->Int(0, 5);
  st.success_rate = st.total > 0 ? static_cast<double>(st.auto_sorted) / static_cast<double>(st.total) : 0;
  auto persons = conn_->Query(kStatsByPerson, Params().Add(since));
  if (!persons.ok()) return persons.status();
  for (int i = 0; i < persons->size(); ++i) st.by_person[persons->Text(i, 0)] = persons->Int(i, 1);
  auto categories = conn_->Query(kStatsByCategory, Params().Add(since));
  if (!categories.ok()) return categories.status();
  for (int i = 0; i < categories->size(); ++i) st.by_category[categories->Text(i, 0)] = categories->Int(i, 1);
  return st;
}

base::Result<std::vector<DayStats>> PgCatalog::GetDailyStats(int64_t since) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kDailyStats, Params().Add(since));
  if (!r.ok()) return r.status();
  std::vector<DayStats> out;
  for (int i = 0; i < r->size(); ++i)
    out.push_back({r->Text(i, 0), r->Int(i, 1), r->Int(i, 2), r->Int(i, 3), r->Int(i, 4)});
  return out;
}

base::Result<std::vector<model::AuditEntry>> PgCatalog::ListAuditEntries(const AuditQuery& q) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(
      kListAudit,
      Params().Add(q.item_id).Add(q.actor).Add(std::clamp(q.limit, 1, 1000)).Add(std::max(q.offset, 0)).Add(q.action));
  if (!r.ok()) return r.status();
  std::vector<model::AuditEntry> out;
  for (int i = 0; i < r->size(); ++i) {
    out.push_back({r->Int(i, 0), r->Int(i, 1), r->Text(i, 2), r->Int(i, 3), r->Text(i, 4), r->Text(i, 5), r->Text(i, 6),
                   r->Text(i, 7)});
  }
  return out;
}

base::Result<int64_t> PgCatalog::AddPerson(const std::string& name, int64_t at) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kAddPerson, Params().Add(name).Add(at));
  if (r.status().code() == base::Code::kAlreadyExists) {
    return base::Status::AlreadyExists(fmt::format("{} is enrolled already", name));
  }
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Result<std::vector<model::PersonRecord>> PgCatalog::ListPersons() {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kListPersons);
  if (!r.ok()) return r.status();
  std::vector<model::PersonRecord> out;
  for (int i = 0; i < r->size(); ++i) {
    out.push_back({r->Int(i, 0), r->Text(i, 1), r->Int(i, 2), static_cast<int>(r->Int(i, 3)), r->Text(i, 4)});
  }
  return out;
}

base::Status PgCatalog::SetPersonDisplayName(const std::string& name, const std::string& display_name) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kSetPersonDisplayName, Params().Add(name).Add(display_name));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) return base::Status::NotFound(fmt::format("no person named {}", name));
  return base::Status::Ok();
}

base::Status PgCatalog::RemovePerson(const std::string& name) {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kRemovePerson, Params().Add(name));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) return base::Status::NotFound(fmt::format("no person named {}", name));
  return base::Status::Ok();
}

base::Result<std::vector<model::PersonReference>> PgCatalog::AllReferences() {
  std::lock_guard lock(mu_);
  auto r = conn_->Query(kAllReferences);
  if (!r.ok()) return r.status();
  std::vector<model::PersonReference> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->Int(i, 0), r->Text(i, 1), r->Floats(i, 2), r->Text(i, 3)});
  return out;
}

base::Result<std::vector<model::ItemRecord>> PgCatalog::TrashedBefore(int64_t before) {
  std::lock_guard lock(mu_);
  return ReadItems(
      conn_->Query(fmt::format("SELECT {} FROM items WHERE {}", kItemColumns, kTrashedBefore), Params().Add(before)));
}

base::Status PgCatalog::DeleteItem(const model::AuditEntry& audit, const std::string& only_at) {
  std::lock_guard lock(mu_);
  return InTransaction<int64_t>(*conn_,
                                [&]() -> base::Result<int64_t> {
                                  if (only_at.empty()) {
                                    TRIAGE_RETURN_IF_ERROR(conn_->Run(kDeleteItem, Params().Add(audit.item_id)));
                                  } else {
                                    auto gone = conn_->Query(kDeleteItemAt, Params().Add(audit.item_id).Add(only_at));
                                    if (!gone.ok()) return gone.status();
                                    if (gone->empty()) return catalog::MovedMeanwhile(audit.item_id, only_at);
                                  }
                                  TRIAGE_RETURN_IF_ERROR(InsertAudit(audit));
                                  return audit.item_id;
                                })
      .status();
}

}  // namespace triage::catalog::postgres
