// Faces, clusters, rejections and people actions on the catalog's PostgreSQL connection.
#include "catalog/postgres/pg_face_store.h"

#include <fmt/format.h>

#include "catalog/face_sql.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kFaceColumns =
    "id, item_id, x, y, w, h, score, person, match_kind, distance, COALESCE(cluster_id, 0), neighbours, core, size_px, "
    "pinned";

constexpr const char* kActionColumns = "id, at, actor, kind, summary, undo, undone_at";

constexpr const char* kWatermark = "SELECT COALESCE(MAX(id), 0), COUNT(*) FROM faces";
// ClusterState(): the clusters, the people actions and "not this person", each as counts, top ids and names.
constexpr const char* kClusterState =
    "SELECT (SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COALESCE(SUM(hidden::int), 0) || ':' || "
    "COALESCE(STRING_AGG(id || '=' || person, ',' ORDER BY id), '') FROM face_clusters) || '|' || "
    "(SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) || ':' || COUNT(undone_at) || ':' || "
    "COUNT(*) FILTER (WHERE summary = 'in progress') FROM people_actions) || '|' || "
    "(SELECT COUNT(*) FROM face_rejections)";
constexpr const char* kSetAssignment =
    "UPDATE faces SET cluster_id = $1, neighbours = $2, core = $3, pinned = $4 "
    "WHERE id = $5";
constexpr const char* kSetFacePerson = "UPDATE faces SET person = $1, match_kind = $2 WHERE id = $3";
constexpr const char* kCreateCluster = "INSERT INTO face_clusters (person, created_at) VALUES ($1, $2) RETURNING id";
constexpr const char* kNameCluster = "UPDATE face_clusters SET person = $1 WHERE id = $2";
constexpr const char* kNameClusterFaces = "UPDATE faces SET person = $1, match_kind = $2 WHERE cluster_id = $3";
constexpr const char* kHideCluster = "UPDATE face_clusters SET hidden = $1 WHERE id = $2";
constexpr const char* kDropEmptyClusters =
    "DELETE FROM face_clusters WHERE NOT EXISTS (SELECT 1 FROM faces f WHERE f.cluster_id = face_clusters.id)";
constexpr const char* kAddRejection =
    "INSERT INTO face_rejections (face_id, person, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
constexpr const char* kRemoveRejection = "DELETE FROM face_rejections WHERE face_id = $1 AND person = $2";
constexpr const char* kListRejections = "SELECT face_id, person FROM face_rejections ORDER BY face_id, person";
constexpr const char* kAddReference =
    "INSERT INTO person_references (person_id, embedding, source) SELECT id, $1, $2 FROM persons WHERE name = $3 "
    "RETURNING id";
constexpr const char* kRemoveReference = "DELETE FROM person_references WHERE id = $1";
constexpr const char* kLogAction =
    "INSERT INTO people_actions (at, actor, kind, summary, undo) VALUES ($1, $2, $3, $4, $5) RETURNING id";
constexpr const char* kUpdateAction = "UPDATE people_actions SET summary = $1, undo = $2 WHERE id = $3";
constexpr const char* kMarkUndone = "UPDATE people_actions SET undone_at = $1 WHERE id = $2 AND undone_at IS NULL";

FaceRecord ReadFace(const Rows& r, int i, bool with_embedding) {
  FaceRecord f;
  f.id = r.Int(i, 0);
  f.item_id = r.Int(i, 1);
  f.box = {static_cast<float>(r.Real(i, 2)), static_cast<float>(r.Real(i, 3)), static_cast<float>(r.Real(i, 4)),
           static_cast<float>(r.Real(i, 5))};
  f.detection_score = r.Real(i, 6);
  f.person = r.Text(i, 7);
  f.match_kind = r.Text(i, 8);
  f.distance = r.Real(i, 9);
  f.cluster_id = r.Int(i, 10);
  f.neighbours = static_cast<int>(r.Int(i, 11));
  f.core = r.Int(i, 12) != 0;
  f.size_px = r.Real(i, 13);
  f.pinned = r.Int(i, 14) != 0;
  if (with_embedding && !r.IsNull(i, 15)) f.embedding = r.Floats(i, 15);
  return f;
}

ClusterRecord ReadCluster(const Rows& r, int i) {
  return {r.Int(i, 0), r.Text(i, 1), r.Int(i, 2) != 0, r.Int(i, 4), r.Int(i, 3)};
}

PeopleAction ReadAction(const Rows& r, int i) {
  PeopleAction a{r.Int(i, 0), r.Int(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4), r.Text(i, 5), std::nullopt};
  if (!r.IsNull(i, 6)) a.undone_at = r.Int(i, 6);
  return a;
}

template <typename T, typename Reader>
std::vector<T> ReadAll(const Rows& r, Reader read) {
  std::vector<T> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(read(r, i));
  return out;
}

// Runs a statement that changes one row; kNotFound (with `what`) when it changed none.
base::Status ChangeOne(Connection& conn, const char* sql, const Params& params, const std::string& what) {
  auto r = conn.Query(sql, params);
  if (!r.ok()) return r.status();
  if (r->affected() == 0) return base::Status::NotFound(what);
  return base::Status::Ok();
}

}  // namespace

base::Status PgFaceStore::RunEach(const char* sql, const std::vector<Params>& each) {
  if (each.empty()) return base::Status::Ok();
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(conn,
                                [&]() -> base::Result<int64_t> {
                                  for (const Params& p : each) TRIAGE_RETURN_IF_ERROR(conn.Run(sql, p));
                                  return static_cast<int64_t>(each.size());
                                })
      .status();
}

base::Result<FaceRecord> PgFaceStore::GetFace(int64_t id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(fmt::format("SELECT {}, embedding FROM faces WHERE id = $1", kFaceColumns),
                                       Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no face {}", id));
  return ReadFace(*r, 0, true);
}

base::Result<std::vector<FaceRecord>> PgFaceStore::ListFaces(const FaceFilter& filter) {
  if (filter.limit < 1 || filter.limit > 100000) {
    return base::Status::InvalidArgument(fmt::format("limit {}: must be from 1 to 100000", filter.limit));
  }
  Params p;
  p.Add(filter.after_id);
  std::string where = "id > $1";
  if (filter.cluster_id && *filter.cluster_id == 0) where += " AND cluster_id IS NULL";
  if (filter.cluster_id && *filter.cluster_id != 0)
    where += fmt::format(" AND cluster_id = ${}", p.Add(*filter.cluster_id).size());
  if (filter.person) where += fmt::format(" AND person = ${}", p.Add(*filter.person).size());
  if (filter.item_id) where += fmt::format(" AND item_id = ${}", p.Add(*filter.item_id).size());
  if (!filter.include_trashed) where += kFaceOutsideTrash;
  std::string sql = fmt::format("SELECT {}, {} FROM faces WHERE {} ORDER BY id LIMIT ${}", kFaceColumns,
                                filter.with_embeddings ? "embedding" : "NULL", where, p.Add(filter.limit).size());
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(sql, p);
  if (!r.ok()) return r.status();
  const bool embeddings = filter.with_embeddings;
  return ReadAll<FaceRecord>(*r, [embeddings](const Rows& rows, int i) { return ReadFace(rows, i, embeddings); });
}

base::Result<std::pair<int64_t, int64_t>> PgFaceStore::FaceWatermark() {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kWatermark);
  if (!r.ok()) return r.status();
  return std::make_pair(r->Int(0, 0), r->Int(0, 1));
}

base::Result<std::string> PgFaceStore::ClusterState() {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kClusterState);
  if (!r.ok()) return r.status();
  return r->Text(0, 0);
}

base::Result<int64_t> PgFaceStore::CountUnclusteredFaces() {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kCountUnclusteredFaces);
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Status PgFaceStore::SetAssignments(const std::vector<FaceAssignment>& assignments) {
  std::vector<Params> each;
  for (const FaceAssignment& a : assignments) {
    Params p;
    if (a.cluster_id == 0)
      p.AddNull();
    else
      p.Add(a.cluster_id);
    each.push_back(std::move(p.Add(a.neighbours).Add(a.core ? 1 : 0).Add(a.pinned ? 1 : 0).Add(a.face_id)));
  }
  return RunEach(kSetAssignment, each);
}

base::Status PgFaceStore::SetFacePersons(const std::vector<int64_t>& face_ids, const std::string& person,
                                         const std::string& match_kind) {
  std::vector<Params> each;
  for (int64_t id : face_ids) each.push_back(Params().Add(person).Add(match_kind).Add(id));
  return RunEach(kSetFacePerson, each);
}

base::Result<int64_t> PgFaceStore::CreateCluster(const std::string& person, int64_t at) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kCreateCluster, Params().Add(person).Add(at));
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Result<ClusterRecord> PgFaceStore::GetCluster(int64_t id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(fmt::format("SELECT {} FROM face_clusters c WHERE c.id = $1", kClusterColumns),
                                       Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no cluster {}", id));
  return ReadCluster(*r, 0);
}

base::Result<std::vector<ClusterRecord>> PgFaceStore::ListClusters(bool include_hidden) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(fmt::format("SELECT {} FROM face_clusters c WHERE {}{} ORDER BY 5 DESC, c.id",
                                                   kClusterColumns, kClusterShown,
                                                   include_hidden ? "" : " AND c.hidden = 0"));
  if (!r.ok()) return r.status();
  return ReadAll<ClusterRecord>(*r, ReadCluster);
}

base::Result<std::optional<ClusterRecord>> PgFaceStore::ClusterOfPerson(const std::string& person) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(
      fmt::format("SELECT {} FROM face_clusters c WHERE c.person = $1 AND EXISTS (SELECT 1 FROM faces f WHERE "
                  "f.cluster_id = c.id) ORDER BY c.id LIMIT 1",
                  kClusterColumns),
      Params().Add(person));
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<ClusterRecord>();
  return std::optional<ClusterRecord>(ReadCluster(*r, 0));
}

base::Status PgFaceStore::SetClusterPerson(int64_t cluster_id, const std::string& person) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(
             conn,
             [&]() -> base::Result<int64_t> {
               TRIAGE_RETURN_IF_ERROR(ChangeOne(conn, kNameCluster, Params().Add(person).Add(cluster_id),
                                                fmt::format("no cluster {}", cluster_id)));
               std::string kind = person.empty() ? "unknown" : "named";
               TRIAGE_RETURN_IF_ERROR(conn.Run(kNameClusterFaces, Params().Add(person).Add(kind).Add(cluster_id)));
               return cluster_id;
             })
      .status();
}

base::Status PgFaceStore::SetClusterHidden(int64_t cluster_id, bool hidden) {
  auto lock = catalog_.Lock();
  return ChangeOne(catalog_.connection(), kHideCluster, Params().Add(hidden ? 1 : 0).Add(cluster_id),
                   fmt::format("no cluster {}", cluster_id));
}

base::Status PgFaceStore::DropEmptyClusters() {
  auto lock = catalog_.Lock();
  return catalog_.connection().Run(kDropEmptyClusters);
}

base::Status PgFaceStore::AddRejection(int64_t face_id, const std::string& person, int64_t at) {
  auto lock = catalog_.Lock();
  base::Status st = catalog_.connection().Run(kAddRejection, Params().Add(face_id).Add(person).Add(at));
  if (!st.ok() && st.message().find("foreign key") != std::string::npos) {
    return base::Status::NotFound(fmt::format("no face {}", face_id));
  }
  return st;
}

base::Status PgFaceStore::RemoveRejection(int64_t face_id, const std::string& person) {
  auto lock = catalog_.Lock();
  return catalog_.connection().Run(kRemoveRejection, Params().Add(face_id).Add(person));
}

base::Result<std::vector<std::pair<int64_t, std::string>>> PgFaceStore::ListRejections() {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kListRejections);
  if (!r.ok()) return r.status();
  return ReadAll<std::pair<int64_t, std::string>>(
      *r, [](const Rows& rows, int i) { return std::make_pair(rows.Int(i, 0), rows.Text(i, 1)); });
}

base::Result<int64_t> PgFaceStore::AddReference(const std::string& person, const std::vector<float>& embedding,
                                                const std::string& source) {
  auto lock = catalog_.Lock();
  Params p;
  p.AddBytes(embedding.data(), embedding.size() * sizeof(float)).Add(source).Add(person);
  auto r = catalog_.connection().Query(kAddReference, p);
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no person named {}", person));
  return r->Int(0, 0);
}

base::Status PgFaceStore::RemoveReferences(const std::vector<int64_t>& ids) {
  std::vector<Params> each;
  for (int64_t id : ids) each.push_back(Params().Add(id));
  return RunEach(kRemoveReference, each);
}

base::Result<int64_t> PgFaceStore::LogAction(const PeopleAction& a) {
  auto lock = catalog_.Lock();
  auto r =
      catalog_.connection().Query(kLogAction, Params().Add(a.at).Add(a.actor).Add(a.kind).Add(a.summary).Add(a.undo));
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Status PgFaceStore::UpdateAction(int64_t id, const std::string& summary, const std::string& undo) {
  auto lock = catalog_.Lock();
  return ChangeOne(catalog_.connection(), kUpdateAction, Params().Add(summary).Add(undo).Add(id),
                   fmt::format("no people action {}", id));
}

base::Result<PeopleAction> PgFaceStore::GetAction(int64_t id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(fmt::format("SELECT {} FROM people_actions WHERE id = $1", kActionColumns),
                                       Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no people action {}", id));
  return ReadAction(*r, 0);
}

base::Result<std::vector<PeopleAction>> PgFaceStore::ListActions(int limit) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(
      fmt::format("SELECT {} FROM people_actions ORDER BY id DESC LIMIT $1", kActionColumns), Params().Add(limit));
  if (!r.ok()) return r.status();
  return ReadAll<PeopleAction>(*r, ReadAction);
}

base::Status PgFaceStore::MarkUndone(int64_t id, int64_t at) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kMarkUndone, Params().Add(at).Add(id));
  if (!r.ok()) return r.status();
  if (r->affected() == 0) {
    return base::Status::Conflict(fmt::format("people action {} does not exist or was undone already", id));
  }
  return base::Status::Ok();
}

}  // namespace triage::catalog::postgres
