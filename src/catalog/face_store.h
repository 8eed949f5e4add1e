// Faces as records for clustering and the People page: each stored face with its cluster, density and size, the
// clusters and the person each was named as, "not this person" per face, and the log of people actions with what
// undoing each needs. An interface over the catalog's storage, beside Catalog (which keeps items and references).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/face.h"

namespace triage::catalog {

struct FaceRecord {
  int64_t id = 0;
  int64_t item_id = 0;
  model::Box box;                // full-image pixels
  double detection_score = 0;    // 0..1
  std::vector<float> embedding;  // empty for faces stored without one
  std::string person;            // the nearest enrolled person at ingest, or the person its cluster was named as
  std::string match_kind;        // "known" | "low_confidence" | "unknown" (ingest's match), "named" (by a person)
  bool Assigned() const { return !person.empty() && (match_kind == "known" || match_kind == "named"); }
  double distance = 0;     // to the nearest reference at ingest
  int64_t cluster_id = 0;  // 0: in no cluster
  int neighbours = -1;     // good faces within the cluster distance, itself included (-1: not clustered yet)
  bool core = false;       // a core face of the density rule
  bool pinned = false;     // placed by a person (or a known match): the density rule leaves it there
  double size_px = 0;      // the box's shorter side
};

// What clustering changes of one face.
struct FaceAssignment {
  int64_t face_id = 0;
  int64_t cluster_id = 0;
  int neighbours = 0;
  bool core = false;
  bool pinned = false;
};

struct ClusterRecord {
  int64_t id = 0;
  std::string person;  // "" while unnamed
  bool hidden = false;
  int64_t size = 0;  // faces in it whose photo is not in the trash
  int64_t created_at = 0;
};

struct FaceFilter {
  std::optional<int64_t> cluster_id;  // 0: faces in no cluster
  std::optional<std::string> person;
  std::optional<int64_t> item_id;
  int64_t after_id = 0;  // keyset paging by ascending id
  int limit = 1000;      // 1..100000
  bool with_embeddings = true;
  // false: only faces whose photo is not in the trash (what the People pages show); true for the actions and models,
  // which keep a deleted photo's faces so that restoring it brings them back as they were.
  bool include_trashed = true;
};

// One logged people action and how to undo it (the payload is the service's JSON; the store only keeps it).
struct PeopleAction {
  int64_t id = 0;
  int64_t at = 0;
  std::string actor;
  std::string kind;     // "name" | "merge" | "split" | "not_this_person" | "remove" | ...
  std::string summary;  // a sentence for people; kInProgress until the action's last step is done
  std::string undo;     // JSON, what undoing needs
  std::optional<int64_t> undone_at;

  // The summary of an action begun and not yet finished (a crash may leave it so).
  static constexpr const char* kInProgress = "in progress";
  bool Unfinished() const { return summary == kInProgress && !undone_at; }
};

// Thread-safety: implementations are thread-safe; each call is atomic.
class FaceStore {
 public:
  virtual ~FaceStore() = default;
  FaceStore(const FaceStore&) = delete;
  FaceStore& operator=(const FaceStore&) = delete;

  // kNotFound when there is no such face.
  virtual base::Result<FaceRecord> GetFace(int64_t id) = 0;
  virtual base::Result<std::vector<FaceRecord>> ListFaces(const FaceFilter& filter) = 0;
  // The highest face id and the number of faces (what a persisted index checks itself against).
  virtual base::Result<std::pair<int64_t, int64_t>> FaceWatermark() = 0;
  // A digest of what people actions and re-clustering change (the clusters' ids, names and hidden flags, the people
  // actions and their undos, "not this person"), read without visiting the faces. Another process changed clusters
  // when it differs from the last one read (FaceClustering reads the store again then).
  virtual base::Result<std::string> ClusterState() = 0;
  // The faces in no cluster whose photo is not in the trash (faces seen too seldom to form a cluster yet).
  virtual base::Result<int64_t> CountUnclusteredFaces() = 0;

  // Stores clustering results for many faces in one transaction.
  virtual base::Status SetAssignments(const std::vector<FaceAssignment>& assignments) = 0;
  // Sets the person and match kind of these faces in one transaction.
  virtual base::Status SetFacePersons(const std::vector<int64_t>& face_ids, const std::string& person,
                                      const std::string& match_kind) = 0;

  // A new empty cluster; returns its id.
  virtual base::Result<int64_t> CreateCluster(const std::string& person, int64_t at) = 0;
  // kNotFound when there is no such cluster.
  virtual base::Result<ClusterRecord> GetCluster(int64_t id) = 0;
  // Every cluster with at least one face outside the trash (and hidden ones only when asked), largest first.
  virtual base::Result<std::vector<ClusterRecord>> ListClusters(bool include_hidden) = 0;
  // The cluster named as `person` that holds faces, if any (the oldest when several do).
  virtual base::Result<std::optional<ClusterRecord>> ClusterOfPerson(const std::string& person) = 0;
  // Names a cluster (every face in it becomes "named" as `person`; "" unnames them: "unknown") in one transaction.
  // kNotFound.
  virtual base::Status SetClusterPerson(int64_t cluster_id, const std::string& person) = 0;
  virtual base::Status SetClusterHidden(int64_t cluster_id, bool hidden) = 0;
  // Replaces every cluster: forgets clusters with no faces left (after a full re-cluster).
  virtual base::Status DropEmptyClusters() = 0;

  // "Not this person": remembered per face.
  virtual base::Status AddRejection(int64_t face_id, const std::string& person, int64_t at) = 0;
  virtual base::Status RemoveRejection(int64_t face_id, const std::string& person) = 0;
  // Every (face id, person) rejection, by face id.
  virtual base::Result<std::vector<std::pair<int64_t, std::string>>> ListRejections() = 0;

  // Adds a reference embedding to a person (who must exist: kNotFound); returns its id.
  virtual base::Result<int64_t> AddReference(const std::string& person, const std::vector<float>& embedding,
                                             const std::string& source) = 0;
  virtual base::Status RemoveReferences(const std::vector<int64_t>& ids) = 0;

  virtual base::Result<int64_t> LogAction(const PeopleAction& action) = 0;
  // Replaces an action's summary and undo record (an action records its progress as it goes). kNotFound.
  virtual base::Status UpdateAction(int64_t id, const std::string& summary, const std::string& undo) = 0;
  // kNotFound when there is no such action.
  virtual base::Result<PeopleAction> GetAction(int64_t id) = 0;
  // The newest first.
  virtual base::Result<std::vector<PeopleAction>> ListActions(int limit) = 0;
  // kConflict when it was undone already.
  virtual base::Status MarkUndone(int64_t id, int64_t at) = 0;

 protected:
  FaceStore() = default;
};

}  // namespace triage::catalog
