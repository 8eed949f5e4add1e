// People from the photos themselves: naming a face cluster (which enrols its best faces and re-decides the waiting
// photos of that person through the journaled commit path), merging, splitting, "not this person", removing and
// reassigning faces, hiding clusters — each one logged with what undoing it needs, and undone as one action by Undo.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/face_store.h"
#include "commit/committer.h"
#include "config/config_store.h"
#include "faces/face_clustering.h"
#include "review/people_record.h"

namespace triage::review {

// What one people action did.
struct PeopleOutcome {
  int64_t action_id = 0;   // pass to Undo
  int64_t cluster_id = 0;  // the cluster acted on (naming into a person's cluster: that one)
  std::string person;
  int64_t faces = 0;  // faces whose place or name changed
  int64_t references_added = 0;
  std::vector<int64_t>
      moved_items;  // photos moved: waiting ones re-decided; on a rename, those in the old name's folder
  std::vector<std::string> moved_to;  // the folder each of moved_items went to ("faces/ada", "review/unidentified")
  std::vector<std::string> errors;    // "item 12: ..." for photos that could not be moved (the rest went through)
};

struct UndoOutcome {
  int64_t action_id = 0;
  std::string kind;
  std::vector<int64_t> restored_items;  // photos moved back
  std::vector<std::string> errors;      // photos that had moved again meanwhile stay where they are
};

// A cluster with its faces for listing (faces without embeddings).
struct ClusterView {
  catalog::ClusterRecord cluster;
  std::vector<catalog::FaceRecord> faces;
};

// Thread-safe: actions are serialised. Each people action first reads the clusters as the catalog holds them
// (FaceClustering::Refresh): another process (`triage faces ...` while the server runs) may have changed them.
class PeopleService {
 public:
  PeopleService(config::ConfigStore& config, catalog::Catalog& catalog, catalog::FaceStore& faces,
                faces::FaceClustering& clustering, commit::Committer& committer)
      : config_(config), catalog_(catalog), faces_(faces), clustering_(clustering), committer_(committer) {}

  // Names cluster `cluster_id` as `person` (created when new; when they already have a cluster, this one's faces
  // join it): its faces become that person's (except faces marked "not this person" for them), its best faces (by
  // size and detection score) are enrolled as references up to face_clustering.max_references_per_person, and the
  // single-face photos of its faces waiting in review are re-decided and moved where the policy now sends them.
  // With `rename`, a cluster named as someone else is relabelled: its faces stop being the old name's references (and
  // so do their photos approved as the old name), and its photos in faces/<old name>/ move to the new name's folder.
  // References the old name has from elsewhere (enrolled photos) stay theirs.
  // kNotFound (no cluster), kInvalidArgument (bad name), kConflict (named as someone else: rename explicitly).
  base::Result<PeopleOutcome> Name(int64_t cluster_id, const std::string& person, const std::string& actor, int64_t now,
                                   bool rename = false);
  // Moves every face of `from` into `into`. Clusters named as two different persons are not merged (kConflict).
  // When `into` (or `from`) is named, the merged faces become that person's and their waiting photos are re-decided.
  base::Result<PeopleOutcome> Merge(int64_t from, int64_t into, const std::string& actor, int64_t now);
  // Moves `face_ids` (all in `cluster_id`) into a new unnamed cluster. kConflict when a face is elsewhere (split off or
  // moved since the caller looked).
  base::Result<PeopleOutcome> Split(int64_t cluster_id, const std::vector<int64_t>& face_ids, const std::string& actor,
                                    int64_t now);
  // "Not this person": each face leaves the cluster of the person it was given and never joins them again; it stops
  // being their reference, and its single-face photo in their folder is re-decided without them (to review, unless
  // it matches someone else). With `expected` (the person the caller saw the faces as), kConflict and nothing changes
  // when a face is given to someone else now (renamed or moved meanwhile).
  base::Result<PeopleOutcome> NotThisPerson(const std::vector<int64_t>& face_ids, const std::string& actor, int64_t now,
                                            const std::string& expected = "");
  // Takes faces out of every cluster (they stay out until placed by hand).
  base::Result<PeopleOutcome> Remove(const std::vector<int64_t>& face_ids, const std::string& actor, int64_t now);
  // Puts faces into cluster `cluster_id` (taking its name; their waiting photos are re-decided when it has one).
  base::Result<PeopleOutcome> Reassign(const std::vector<int64_t>& face_ids, int64_t cluster_id,
                                       const std::string& actor, int64_t now);
  base::Result<PeopleOutcome> SetHidden(int64_t cluster_id, bool hidden, const std::string& actor, int64_t now);

  // A face named in review (review_service.h: per face, in bulk, or approving a single-face photo): face `face_index`
  // of item `item_id` (FacesOf order) becomes `person`'s ("named") and is pinned in their cluster (created when they
  // have none), so that the People page shows it under them and a re-cluster keeps it. Not logged as a people action:
  // the review decision's undo calls RestoreFromReview with what this returns. kNotFound (no such face).
  base::Result<nlohmann::json> AssignFromReview(int64_t item_id, int face_index, const std::string& person,
                                                int64_t now);
  // The person each face of item `item_id` (FacesOf order) was named as on this page or in review (a named cluster:
  // match kind "named"), "" for a face nobody named; empty when the item's faces are not stored.
  std::vector<std::string> NamedFacesOf(int64_t item_id);
  // A face marked "not a person I track" in review: when it was given to a person (named or matched), it leaves their
  // cluster and stays out of every cluster until placed by hand. Returns what undo needs (RestoreFromReview), or null
  // when the face was nobody's (nothing changes). kNotFound (no such face).
  base::Result<nlohmann::json> ReleaseFromReview(int64_t item_id, int face_index);
  // Puts faces back as AssignFromReview or ReleaseFromReview found them (cluster, pin, person).
  base::Status RestoreFromReview(const nlohmann::json& before, int64_t now);

  // Undoes people action `action_id` as one action: faces, clusters, names, "not this person", references and the
  // photos it moved go back. kNotFound, kConflict (undone already).
  base::Result<UndoOutcome> Undo(int64_t action_id, const std::string& actor, int64_t now);

  // Clusters by size (largest first) with their faces.
  base::Result<std::vector<ClusterView>> Clusters(bool include_hidden);
  // Every face given to `person` (named or matched) with its distance from their faces' centre, the farthest
  // (likeliest mistakes) first. kNotFound when no such person is enrolled.
  base::Result<std::vector<std::pair<catalog::FaceRecord, double>>> PersonFaces(const std::string& person);

  // Called after references changed (naming enrols; undo removes), e.g. to reload a running matcher.
  void OnReferencesChanged(std::function<void()> callback) { references_changed_ = std::move(callback); }

 private:
  base::Result<std::vector<catalog::FaceRecord>> FacesIn(int64_t cluster_id);
  // Face `face_index` of item `item_id` in FacesOf order. kNotFound.
  base::Result<catalog::FaceRecord> ReviewedFace(int64_t item_id, int face_index);
  base::Result<std::vector<catalog::FaceRecord>> FacesById(const std::vector<int64_t>& ids);
  base::Status Enrol(const std::string& person, const std::vector<catalog::FaceRecord>& faces, PeopleRecord& record);
  // Re-decides the waiting single-face photos of `faces` (and, with `filed_as`, those in the library in that person's
  // folder as that person); `why` ends each move's audit reason. Each move is added to `record` and saved under
  // `out.action_id` (Begin) right after it happens.
  base::Status RouteWaiting(const std::vector<catalog::FaceRecord>& faces, const std::string& why,
                            const std::string& actor, int64_t now, PeopleRecord& record, PeopleOutcome& out,
                            const std::string& filed_as = "");
  // Faces that left their person (the second of each pair; "" for none): their photos filed in that person's folder,
  // and their waiting ones, are decided again as the faces are now (named by their new cluster, or matched). `what`
  // is the action in words ("split from", "marked not"): the audit reason says "faces <what> <person> by <actor>".
  // Call after the faces changed, with the records from before.
  base::Status RefileLeaving(const std::vector<std::pair<catalog::FaceRecord, std::string>>& leaving,
                             const std::string& what, const std::string& actor, int64_t now, PeopleRecord& record,
                             PeopleOutcome& out);
  // Moves the library photos of `faces` filed under `from_person` (in faces/<from_person>/, the person's folder) to
  // faces/<to_person>/, each move recorded like RouteWaiting's. Photos a reviewer kept elsewhere stay.
  base::Status RefileRenamed(const std::vector<catalog::FaceRecord>& faces, const std::string& from_person,
                             const std::string& to_person, const std::string& actor, int64_t now, PeopleRecord& record,
                             PeopleOutcome& out);
  // Logs the action with what it changed so far (before it moves photos: a crash then still leaves a record that
  // undoes what was done); returns its id.
  base::Result<int64_t> Begin(const PeopleRecord& record, const std::string& kind, const std::string& actor,
                              int64_t now);
  base::Result<PeopleOutcome> Finish(PeopleRecord& record, PeopleOutcome out, const std::string& kind,
                                     const std::string& summary, const std::string& actor, int64_t now);
  base::Status Unname(const std::vector<catalog::FaceRecord>& faces);
  // Faces back in the clusters and with the persons a record saved of them.
  // Puts faces back where a record says they were; a cluster a re-cluster dropped meanwhile is replaced by the face's
  // person's cluster now (ClusterNow).
  base::Status RestoreFaces(std::vector<catalog::FaceRecord> faces, int64_t now);
  base::Result<int64_t> ClusterNow(const catalog::FaceRecord& face, int64_t now);

  config::ConfigStore& config_;
  // kConflict naming the newest later action (not undone) that changed a face, photo or cluster this record restores:
  // undoing this one first would put back a state the later one built on (photos under a person undone meanwhile).
  base::Status CheckNothingLaterTouches(int64_t action_id, const PeopleRecord& record);
  // The person a face is given to: its cluster's name, else its own match when known or named; "" for nobody.
  base::Result<std::string> PersonOf(const catalog::FaceRecord& f);
  // Drops the references each face gave (source face:<id>; with a person beside it, also the item:<id> references of
  // that person: its photo approved as them) and keeps them in `record` for undo. Reads the references once.
  base::Status DropReferencesOf(const std::vector<std::pair<catalog::FaceRecord, std::string>>& faces,
                                PeopleRecord& record);
  catalog::Catalog& catalog_;
  catalog::FaceStore& faces_;
  faces::FaceClustering& clustering_;
  commit::Committer& committer_;
  std::function<void()> references_changed_;
  std::recursive_mutex mu_;
  // Held by the outermost action of this process (see Serialised): another process (`triage faces ...` beside the
  // server, or two commands) waits for it, so that the check an action makes (named already? undone already?) and the
  // change it makes are one step.
  int depth_ = 0;
  std::optional<base::FileLock> across_processes_;

  // An action's lock: the in-process mutex, and on the outermost call a file lock on .triage/leases/people.lock.
  class Serialised {
   public:
    explicit Serialised(PeopleService& s);
    ~Serialised();
    Serialised(const Serialised&) = delete;
    Serialised& operator=(const Serialised&) = delete;

   private:
    PeopleService& s_;
    std::lock_guard<std::recursive_mutex> lock_;
  };
};

// The JSON shapes the CLI and the API share.
// {"id", "item_id", "box": {"x", "y", "w", "h"}} (+ "person", "cluster", "score", "size_px" when `detail`).
nlohmann::json FaceJson(const catalog::FaceRecord& face, bool detail = false);
// {"clusters": [{"id", "person", "size", "faces": [FaceJson...]}]} (+ "hidden" when `detail`).
nlohmann::json ClustersJson(const std::vector<ClusterView>& clusters, bool detail = false);
// {"action_id", "cluster_id", "person", "faces", "references_added", "moved_items", "errors"}
nlohmann::json OutcomeJson(const PeopleOutcome& outcome);
// {"id", "at", "actor", "kind", "summary", "undone"}
nlohmann::json ActionJson(const catalog::PeopleAction& action);
// {"action_id", "kind", "restored_items", "errors"}
nlohmann::json UndoJson(const UndoOutcome& outcome);

}  // namespace triage::review
