// Density clustering of faces in the style of DBSCAN, over a FaceIndex, done incrementally: a face is a core face
// when at least `min_faces` good faces (itself included) lie within `cluster_distance`; core faces within that
// distance of each other share a cluster; any other face joins the cluster of its nearest core face within the
// distance, or none. Adding a face costs a few index searches (O(log n)); nothing re-runs over the library.
// FullCluster computes the same partition from scratch (for `triage faces recluster` and to check the incremental
// path). Constraints: a face with a "not this person" never joins a cluster named as that person and never seeds or
// links clusters; two faces of one photo never join one cluster; two clusters named as different persons never merge.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "faces/face_index.h"

namespace triage::faces {

struct ClusterRules {
  double cluster_distance = 0.5;     // Euclidean embedding distance within which faces are neighbours; 0.1 .. 2
  int min_faces = 3;                 // good faces within the distance (itself included) that make a core face; 2 ..
  double min_face_size_px = 60;      // shorter box side a face needs to seed or link clusters
  double min_detection_score = 0.8;  // detection score a face needs to seed or link clusters
  size_t neighbourhood = 64;         // nearest faces examined around each face
  // A cluster without a name whose faces' centre lies within this of a person's cluster's centre is that person's
  // (policy.match_distance: the distance within which a face may be a known person).
  double match_distance = 0.6;
};

// One face as clustering sees it.
struct ClusterNode {
  int64_t id = 0;
  int64_t item_id = 0;
  double size_px = 0;
  double detection_score = 0;
  std::set<std::string> rejected;  // "not this person"
  bool pinned = false;             // placed by a person or a known match: the density rule neither moves it nor
                                   // lets it link or attract other faces
  // State the model maintains:
  int64_t cluster = 0;  // 0: none
  int neighbours = 0;   // good faces within the distance, itself included (good faces only)
  bool core = false;
};

// Not thread-safe: the owner serialises calls. The index is shared: REQUIRES it outlives the model and holds every
// node's embedding.
class ClusterModel {
 public:
  // `new_cluster` gives the id of a new, empty, unnamed cluster.
  ClusterModel(ClusterRules rules, FaceIndex& index, std::function<int64_t()> new_cluster)
      : rules_(rules), index_(index), new_cluster_(std::move(new_cluster)) {}

  const ClusterRules& rules() const { return rules_; }
  // A face good enough to seed or link clusters.
  bool Good(const ClusterNode& n) const;

  // Loads a node with its stored state, without clustering (REQUIRES: its embedding is in the index).
  void Put(ClusterNode node);
  // The person a cluster was named as (loaded state, or after naming).
  void SetClusterPerson(int64_t cluster, const std::string& person);
  // Clusters a new face (REQUIRES: its embedding is in the index, node.id is new). Returns the ids of every node whose
  // cluster, count or core flag changed (the new one included).
  std::set<int64_t> Add(ClusterNode node);
  // Puts face `id` into `cluster` (0: none) by hand and pins it there. Returns the changed ids.
  std::set<int64_t> Place(int64_t id, int64_t cluster);
  // Moves every face of cluster `from` into `to` (a merge). Returns the changed ids.
  std::set<int64_t> Merge(int64_t from, int64_t to);
  void Reject(int64_t id, const std::string& person);
  void Unreject(int64_t id, const std::string& person);
  // Puts face `id` back into `cluster` with its pinned flag as it was (undo). Returns the changed ids.
  std::set<int64_t> Restore(int64_t id, int64_t cluster, bool pinned);

  // Whether `n` may join `cluster` (not named as a person `n` is not; no other face of its photo there).
  bool Accepts(int64_t cluster, const ClusterNode& n) const;
  const ClusterNode* Find(int64_t id) const;
  const std::set<int64_t>& Members(int64_t cluster) const;
  std::string PersonOf(int64_t cluster) const;
  // Every cluster named as a person: cluster -> person.
  const std::map<int64_t, std::string>& named_clusters() const { return persons_; }
  const std::unordered_map<int64_t, ClusterNode>& nodes() const { return nodes_; }

 private:
  std::vector<Neighbour> Within(const std::vector<float>& embedding) const;
  void Assign(ClusterNode& n, int64_t cluster, std::set<int64_t>& changed);
  void BecomeCore(int64_t id, const std::vector<Neighbour>& around, std::set<int64_t>& changed);
  void ReplaceBorder(int64_t id, std::set<int64_t>& changed);
  // The cluster of the nearest core face within the distance that `n` may join; 0 when none.
  int64_t NearestCoreCluster(const ClusterNode& n, const std::vector<Neighbour>& around) const;

  ClusterRules rules_;
  FaceIndex& index_;
  std::function<int64_t()> new_cluster_;
  std::unordered_map<int64_t, ClusterNode> nodes_;
  std::unordered_map<int64_t, std::set<int64_t>> members_;  // cluster -> faces
  std::map<int64_t, std::string> persons_;                  // cluster -> person it was named as
};

struct FullResult {
  int64_t label = 0;  // 1..k; 0: in no cluster
  int neighbours = 0;
  bool core = false;
};

// The partition the density rule gives over every node (their stored state ignored), computed from scratch with one
// search per face: face id -> label. Pure but for reading the index; searches on several threads.
std::unordered_map<int64_t, FullResult> FullCluster(const ClusterRules& rules, const FaceIndex& index,
                                                    const std::vector<ClusterNode>& nodes);

}  // namespace triage::faces
