// Faces, clusters, "not this person" and the people action log in the catalog's SQLite database (migration 7).
#pragma once

#include "catalog/face_store.h"
#include "catalog/sqlite/sqlite_catalog.h"

namespace triage::catalog::sqlite {

// Shares the catalog's connection and lock: thread-safe, each call atomic. REQUIRES: `catalog` outlives this.
class SqliteFaceStore final : public FaceStore {
 public:
  explicit SqliteFaceStore(SqliteCatalog& catalog) : catalog_(catalog) {}

  base::Result<FaceRecord> GetFace(int64_t id) override;
  base::Result<std::vector<FaceRecord>> ListFaces(const FaceFilter& filter) override;
  base::Result<std::pair<int64_t, int64_t>> FaceWatermark() override;
  base::Result<std::string> ClusterState() override;
  base::Result<int64_t> CountUnclusteredFaces() override;
  base::Status SetAssignments(const std::vector<FaceAssignment>& assignments) override;
  base::Status SetFacePersons(const std::vector<int64_t>& face_ids, const std::string& person,
                              const std::string& match_kind) override;
  base::Result<int64_t> CreateCluster(const std::string& person, int64_t at) override;
  base::Result<ClusterRecord> GetCluster(int64_t id) override;
  base::Result<std::vector<ClusterRecord>> ListClusters(bool include_hidden) override;
  base::Result<std::optional<ClusterRecord>> ClusterOfPerson(const std::string& person) override;
  base::Status SetClusterPerson(int64_t cluster_id, const std::string& person) override;
  base::Status SetClusterHidden(int64_t cluster_id, bool hidden) override;
  base::Status DropEmptyClusters() override;
  base::Status AddRejection(int64_t face_id, const std::string& person, int64_t at) override;
  base::Status RemoveRejection(int64_t face_id, const std::string& person) override;
  base::Result<std::vector<std::pair<int64_t, std::string>>> ListRejections() override;
  base::Result<int64_t> AddReference(const std::string& person, const std::vector<float>& embedding,
                                     const std::string& source) override;
  base::Status RemoveReferences(const std::vector<int64_t>& ids) override;
  base::Result<int64_t> LogAction(const PeopleAction& action) override;
  base::Status UpdateAction(int64_t id, const std::string& summary, const std::string& undo) override;
  base::Result<PeopleAction> GetAction(int64_t id) override;
  base::Result<std::vector<PeopleAction>> ListActions(int limit) override;
  base::Status MarkUndone(int64_t id, int64_t at) override;

 private:
  // Runs `body` in one transaction (REQUIRES: the lock held); rolls back when it fails.
  template <typename Body>
  base::Status InTransaction(Body body);
  SqliteCatalog& catalog_;
};

}  // namespace triage::catalog::sqlite
