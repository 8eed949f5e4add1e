// Faces, clusters, rejections and people actions on the catalog's SQLite connection.
#include "catalog/sqlite/sqlite_face_store.h"

#include <fmt/format.h>

#include "catalog/face_sql.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

// ClusterState(): the clusters, the people actions and "not this person", each as counts, top ids and names.
constexpr const char* kClusterState =
    "SELECT (SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COALESCE(SUM(hidden), 0) || ':' || "
    "COALESCE(GROUP_CONCAT(id || '=' || person, ','), '') FROM face_clusters) || '|' || "
    "(SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COUNT(undone_at) || ':' || "
    "COALESCE(SUM(summary = 'in progress'), 0) FROM people_actions) || '|' || (SELECT COUNT(*) FROM face_rejections)";
constexpr const char* kFaceColumns =
    "id, item_id, x, y, w, h, score, person, match_kind, distance, COALESCE(cluster_id, 0), neighbours, core, size_px, "
    "pinned";

constexpr const char* kActionColumns = "id, at, actor, kind, summary, undo, undone_at";

FaceRecord ReadFace(const Statement& s, bool with_embedding) {
  FaceRecord f;
  f.id = s.Int(0);
  f.item_id = s.Int(1);
  f.box = {static_cast<float>(s.Real(2)), static_cast<float>(s.Real(3)), static_cast<float>(s.Real(4)),
           static_cast<float>(s.Real(5))};
  f.detection_score = s.Real(6);
  f.person = s.Text(7);
  f.match_kind = s.Text(8);
  f.distance = s.Real(9);
  f.cluster_id = s.Int(10);
  f.neighbours = static_cast<int>(s.Int(11));
  f.core = s.Int(12) != 0;
  f.size_px = s.Real(13);
  f.pinned = s.Int(14) != 0;
  if (with_embedding && s.IsBlob(15)) f.embedding = s.FloatBlob(15);
  return f;
}

ClusterRecord ReadCluster(const Statement& s) { return {s.Int(0), s.Text(1), s.Int(2) != 0, s.Int(4), s.Int(3)}; }

PeopleAction ReadAction(const Statement& s) {
  PeopleAction a{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), std::nullopt};
  if (!s.IsNull(6)) a.undone_at = s.Int(6);
  return a;
}

template <typename T, typename Reader>
base::Result<std::vector<T>> Rows(Statement& s, Reader read) {
  std::vector<T> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read(s));
  }
}

}  // namespace

template <typename Body>
base::Status SqliteFaceStore::InTransaction(Body body) {
  sqlite3* db = catalog_.handle();
  TRIAGE_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  base::Status st = body(db);
  if (st.ok()) st = Exec(db, "COMMIT");
  if (!st.ok()) Rollback(db);
  return st;
}

base::Result<FaceRecord> SqliteFaceStore::GetFace(int64_t id) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT {}, embedding FROM faces WHERE id = ?", kFaceColumns).c_str());
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no face {}", id));
  return ReadFace(s, true);
}

base::Result<std::vector<FaceRecord>> SqliteFaceStore::ListFaces(const FaceFilter& filter) {
  if (filter.limit < 1 || filter.limit > 100000) {
    return base::Status::InvalidArgument(fmt::format("limit {}: must be from 1 to 100000", filter.limit));
  }
  std::string where = "id > ?";
  if (filter.cluster_id) where += *filter.cluster_id == 0 ? " AND cluster_id IS NULL" : " AND cluster_id = ?";
  if (filter.person) where += " AND person = ?";
  if (filter.item_id) where += " AND item_id = ?";
  if (!filter.include_trashed) where += kFaceOutsideTrash;
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT {}, {} FROM faces WHERE {} ORDER BY id LIMIT ?", kFaceColumns,
                                             filter.with_embeddings ? "embedding" : "NULL", where)
                                     .c_str());
  int i = 1;
  s.Bind(i++, filter.after_id);
  if (filter.cluster_id && *filter.cluster_id != 0) s.Bind(i++, *filter.cluster_id);
  if (filter.person) s.Bind(i++, *filter.person);
  if (filter.item_id) s.Bind(i++, *filter.item_id);
  s.Bind(i, filter.limit);
  const bool embeddings = filter.with_embeddings;
  return Rows<FaceRecord>(s, [embeddings](const Statement& r) { return ReadFace(r, embeddings); });
}

base::Result<std::pair<int64_t, int64_t>> SqliteFaceStore::FaceWatermark() {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "SELECT COALESCE(MAX(id), 0), COUNT(*) FROM faces");
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return std::make_pair(s.Int(0), s.Int(1));
}

base::Result<std::string> SqliteFaceStore::ClusterState() {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), kClusterState);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Text(0);
}

base::Result<int64_t> SqliteFaceStore::CountUnclusteredFaces() {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), kCountUnclusteredFaces);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int(0);
}

base::Status SqliteFaceStore::SetAssignments(const std::vector<FaceAssignment>& assignments) {
  if (assignments.empty()) return base::Status::Ok();
  auto lock = catalog_.Lock();
  return InTransaction([&](sqlite3* db) {
    Statement s(db, "UPDATE faces SET cluster_id = ?, neighbours = ?, core = ?, pinned = ? WHERE id = ?");
    for (const FaceAssignment& a : assignments) {
      if (a.cluster_id == 0)
        s.BindNull(1);
      else
        s.Bind(1, a.cluster_id);
      TRIAGE_RETURN_IF_ERROR(
          s.Bind(2, a.neighbours).Bind(3, a.core ? 1 : 0).Bind(4, a.pinned ? 1 : 0).Bind(5, a.face_id).Run());
      s.Reset();
    }
    return base::Status::Ok();
  });
}

base::Status SqliteFaceStore::SetFacePersons(const std::vector<int64_t>& face_ids, const std::string& person,
                                             const std::string& match_kind) {
  if (face_ids.empty()) return base::Status::Ok();
  auto lock = catalog_.Lock();
  return InTransaction([&](sqlite3* db) {
    Statement s(db, "UPDATE faces SET person = ?, match_kind = ? WHERE id = ?");
    for (int64_t id : face_ids) {
      TRIAGE_RETURN_IF_ERROR(s.Bind(1, person).Bind(2, match_kind).Bind(3, id).Run());
      s.Reset();
    }
    return base::Status::Ok();
  });
}

base::Result<int64_t> SqliteFaceStore::CreateCluster(const std::string& person, int64_t at) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "INSERT INTO face_clusters (person, created_at) VALUES (?, ?)");
  TRIAGE_RETURN_IF_ERROR(s.Bind(1, person).Bind(2, at).Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(catalog_.handle()));
}

base::Result<ClusterRecord> SqliteFaceStore::GetCluster(int64_t id) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT {} FROM face_clusters c WHERE c.id = ?", kClusterColumns).c_str());
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no cluster {}", id));
  return ReadCluster(s);
}

base::Result<std::vector<ClusterRecord>> SqliteFaceStore::ListClusters(bool include_hidden) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT {} FROM face_clusters c WHERE {}{} ORDER BY 5 DESC, c.id",
                                             kClusterColumns, kClusterShown, include_hidden ? "" : " AND c.hidden = 0")
                                     .c_str());
  return Rows<ClusterRecord>(s, ReadCluster);
}

base::Result<std::optional<ClusterRecord>> SqliteFaceStore::ClusterOfPerson(const std::string& person) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              fmt::format("SELECT {} FROM face_clusters c WHERE c.person = ? AND EXISTS (SELECT 1 FROM faces f WHERE "
                          "f.cluster_id = c.id) ORDER BY c.id LIMIT 1",
                          kClusterColumns)
                  .c_str());
  s.Bind(1, person);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<ClusterRecord>();
  return std::optional<ClusterRecord>(ReadCluster(s));
}

base::Status SqliteFaceStore::SetClusterPerson(int64_t cluster_id, const std::string& person) {
  auto lock = catalog_.Lock();
  return InTransaction([&](sqlite3* db) {
    TRIAGE_RETURN_IF_ERROR(
        Statement(db, "UPDATE face_clusters SET person = ? WHERE id = ?").Bind(1, person).Bind(2, cluster_id).Run());
    if (sqlite3_changes(db) == 0) return base::Status::NotFound(fmt::format("no cluster {}", cluster_id));
    return Statement(db, "UPDATE faces SET person = ?, match_kind = ? WHERE cluster_id = ?")
        .Bind(1, person)
        .Bind(2, std::string(person.empty() ? "unknown" : "named"))
        .Bind(3, cluster_id)
        .Run();
  });
}

base::Status SqliteFaceStore::SetClusterHidden(int64_t cluster_id, bool hidden) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "UPDATE face_clusters SET hidden = ? WHERE id = ?");
  TRIAGE_RETURN_IF_ERROR(s.Bind(1, hidden ? 1 : 0).Bind(2, cluster_id).Run());
  if (sqlite3_changes(catalog_.handle()) == 0) return base::Status::NotFound(fmt::format("no cluster {}", cluster_id));
  return base::Status::Ok();
}

base::Status SqliteFaceStore::DropEmptyClusters() {
  auto lock = catalog_.Lock();
  return Exec(
      catalog_.handle(),
      "DELETE FROM face_clusters WHERE NOT EXISTS (SELECT 1 FROM faces f WHERE f.cluster_id = face_clusters.id)");
}

base::Status SqliteFaceStore::AddRejection(int64_t face_id, const std::string& person, int64_t at) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "INSERT OR IGNORE INTO face_rejections (face_id, person, at) VALUES (?, ?, ?)");
  base::Status st = s.Bind(1, face_id).Bind(2, person).Bind(3, at).Run();
  if (!st.ok() && st.message().find("FOREIGN KEY") != std::string::npos) {
    return base::Status::NotFound(fmt::format("no face {}", face_id));
  }
  return st;
}

base::Status SqliteFaceStore::RemoveRejection(int64_t face_id, const std::string& person) {
  auto lock = catalog_.Lock();
  return Statement(catalog_.handle(), "DELETE FROM face_rejections WHERE face_id = ? AND person = ?")
      .Bind(1, face_id)
      .Bind(2, person)
      .Run();
}

base::Result<std::vector<std::pair<int64_t, std::string>>> SqliteFaceStore::ListRejections() {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "SELECT face_id, person FROM face_rejections ORDER BY face_id, person");
  return Rows<std::pair<int64_t, std::string>>(s,
                                               [](const Statement& r) { return std::make_pair(r.Int(0), r.Text(1)); });
}

base::Result<int64_t> SqliteFaceStore::AddReference(const std::string& person, const std::vector<float>& embedding,
                                                    const std::string& source) {
  auto lock = catalog_.Lock();
  Statement s(
      catalog_.handle(),
      "INSERT INTO person_references (person_id, embedding, source) SELECT id, ?, ? FROM persons WHERE name = ?");
  s.BindBlob(1, embedding.data(), embedding.size() * sizeof(float)).Bind(2, source).Bind(3, person);
  TRIAGE_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(catalog_.handle()) == 0) return base::Status::NotFound(fmt::format("no person named {}", person));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(catalog_.handle()));
}

base::Status SqliteFaceStore::RemoveReferences(const std::vector<int64_t>& ids) {
  if (ids.empty()) return base::Status::Ok();
  auto lock = catalog_.Lock();
  return InTransaction([&](sqlite3* db) {
    Statement s(db, "DELETE FROM person_references WHERE id = ?");
    for (int64_t id : ids) {
      TRIAGE_RETURN_IF_ERROR(s.Bind(1, id).Run());
      s.Reset();
    }
    return base::Status::Ok();
  });
}

base::Result<int64_t> SqliteFaceStore::LogAction(const PeopleAction& action) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "INSERT INTO people_actions (at, actor, kind, summary, undo) VALUES (?, ?, ?, ?, ?)");
  TRIAGE_RETURN_IF_ERROR(s.Bind(1, action.at)
                             .Bind(2, action.actor)
                             .Bind(3, action.kind)
                             .Bind(4, action.summary)
                             .Bind(5, action.undo)
                             .Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(catalog_.handle()));
}

base::Status SqliteFaceStore::UpdateAction(int64_t id, const std::string& summary, const std::string& undo) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "UPDATE people_actions SET summary = ?, undo = ? WHERE id = ?");
  TRIAGE_RETURN_IF_ERROR(s.Bind(1, summary).Bind(2, undo).Bind(3, id).Run());
  if (sqlite3_changes(catalog_.handle()) == 0) return base::Status::NotFound(fmt::format("no people action {}", id));
  return base::Status::Ok();
}

base::Result<PeopleAction> SqliteFaceStore::GetAction(int64_t id) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT {} FROM people_actions WHERE id = ?", kActionColumns).c_str());
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no people action {}", id));
  return ReadAction(s);
}

base::Result<std::vector<PeopleAction>> SqliteFaceStore::ListActions(int limit) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              fmt::format("SELECT {} FROM people_actions ORDER BY id DESC LIMIT ?", kActionColumns).c_str());
  s.Bind(1, limit);
  return Rows<PeopleAction>(s, ReadAction);
}

base::Status SqliteFaceStore::MarkUndone(int64_t id, int64_t at) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "UPDATE people_actions SET undone_at = ? WHERE id = ? AND undone_at IS NULL");
  TRIAGE_RETURN_IF_ERROR(s.Bind(1, at).Bind(2, id).Run());
  if (sqlite3_changes(catalog_.handle()) == 0) {
    return base::Status::Conflict(fmt::format("people action {} does not exist or was undone already", id));
  }
  return base::Status::Ok();
}

}  // namespace triage::catalog::sqlite
