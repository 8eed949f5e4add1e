// Face clusters kept up to date over the catalog's faces: the index (persisted as <state>/faces.hnsw, rebuilt from the
// catalog when missing, unreadable or behind it), the incremental density model (faces/cluster_model.h), and the
// stored assignments. New faces are clustered as their photo is committed; `Recluster` redoes everything and keeps
// names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/face_store.h"
#include "faces/cluster_model.h"
#include "faces/face_index.h"

namespace triage::faces {

struct ReclusterReport {
  int64_t faces = 0;
  int64_t clusters = 0;  // clusters with faces afterwards
  int64_t named = 0;     // of which carry a person's name
  double seconds = 0;
};

// Thread-safe: every call is serialised.
class FaceClustering {
 public:
  // Loads the index from `index_file` (rebuilding it from `store` when missing, unreadable or stale) and every face's
  // stored state; faces never clustered yet (stored while clustering was off) are clustered now.
  static base::Result<std::unique_ptr<FaceClustering>> Open(catalog::FaceStore& store, std::filesystem::path index_file,
                                                            ClusterRules rules, int64_t now);

  // Reads every face's stored cluster state, the clusters' names and "not this person" again, keeping the index in
  // memory (adding faces it lacks, dropping purged ones). Another process writing the same catalog (`triage faces
  // name|undo|...`, a worker's ingest) changes clusters behind this object's back: a people action calls this first, so
  // that it acts on the catalog as it is, not as it was when this object last looked.
  base::Status Refresh(int64_t now);

  // Clusters the faces of item `item_id` (just committed) and stores the result. A face matched at ingest as a known
  // person that the density rule leaves alone joins that person's cluster (created when they have none). A cluster
  // without a name that the new faces formed or joined merges into the person's cluster whose centre lies within
  // rules.match_distance of its own (the nearest), as a re-cluster would name it.
  base::Status AddItem(int64_t item_id, int64_t now);
  // Clusters every face from scratch under `rules`; a re-formed cluster keeps the person whose faces make up at least
  // half of it, or whose faces' centre lies within `match_distance` of its centre. Faces placed by hand stay placed;
  // "not this person" holds.
  base::Result<ReclusterReport> Recluster(const ClusterRules& rules, double match_distance, int64_t now);

  // People actions (review/people_service.h) change clusters through these, each storing what it changed.
  // Moves faces into `cluster` (0: out of every cluster) and pins them there.
  base::Status Place(const std::vector<int64_t>& face_ids, int64_t cluster);
  // Moves every face of `from` into `to`.
  base::Status Merge(int64_t from, int64_t to);
  // Records a person's name for a cluster in the model (the store is written by the caller).
  void SetClusterPerson(int64_t cluster, const std::string& person);
  // "Not this person": the face leaves a cluster named as `person` and never joins one again.
  base::Status Reject(int64_t face_id, const std::string& person, int64_t now);
  base::Status Unreject(int64_t face_id, const std::string& person);
  // Puts faces back where a record of them says they were (cluster and pinned flag; undo).
  base::Status Restore(const std::vector<catalog::FaceRecord>& faces);
  // The cluster face `id` is in now (0: none or unknown face).
  int64_t ClusterOf(int64_t face_id) const;

  // The mean embedding of the faces of `cluster`; empty when it has none.
  std::vector<float> Centre(int64_t cluster) const;
  // Distance of face `id` from the centre of its cluster (0 when it has none).
  double DistanceFromCentre(int64_t face_id) const;
  // For each of `clusters`: up to `limit` other clusters whose centres lie within `max_distance` of its own, nearest
  // first (merge suggestions). One pass over the faces, then centre against centre.
  std::map<int64_t, std::vector<std::pair<int64_t, double>>> Suggestions(const std::vector<int64_t>& clusters,
                                                                         double max_distance, size_t limit) const;

  // Writes the index to its file.
  base::Status Save() const;
  size_t size() const;
  const FaceIndex& index() const { return *index_; }

 private:
  FaceClustering(catalog::FaceStore& store, std::filesystem::path index_file, ClusterRules rules);
  base::Status Load(int64_t now);
  // Rebuilds the model from the store over the index as it is; `rebuild`: the index was just created empty.
  base::Status ReadStore(int64_t now, bool rebuild);
  // Remembers the store's ClusterState() as this object's own picture of it (after reading or writing it).
  base::Status NoteStoreState();
  base::Status Persist(const std::set<int64_t>& changed);
  base::Status AddFace(const catalog::FaceRecord& face, int64_t now, std::set<int64_t>& changed);
  base::Status AttachToPerson(const catalog::FaceRecord& face, int64_t now, std::set<int64_t>& changed);
  std::vector<float> CentreLocked(int64_t cluster) const;
  // Merges unnamed `cluster` into the nearest named cluster within rules_.match_distance, when every face of it may
  // join that cluster.
  base::Status JoinNearestPerson(int64_t cluster, std::set<int64_t>& changed);
  void RebuildModel(const ClusterRules& rules);

  catalog::FaceStore& store_;
  std::filesystem::path index_file_;
  ClusterRules rules_;
  int64_t now_ = 0;
  std::unique_ptr<FaceIndex> index_;
  std::unique_ptr<ClusterModel> model_;
  int64_t max_face_id_ = 0;
  std::string state_;  // the store's ClusterState() when this object last read or wrote it
  mutable std::recursive_mutex mu_;
};

// The embedding size faces are clustered on (faces/embedding_net.h).
inline constexpr size_t kClusterDimensions = 128;

}  // namespace triage::faces
