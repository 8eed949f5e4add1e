// What one people action changed, kept with it in the action log so that it can be undone as one action.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/face_store.h"
#include "model/decision.h"
#include "model/item.h"

namespace triage::review {

struct PeopleRecord {
  // A photo the action moved, as it was before.
  struct Move {
    int64_t item_id = 0;
    std::string location;
    std::string category;
    std::string person;
    bool auto_sorted = false;
    std::vector<model::Reason> reasons;
    std::string moved_from;  // library-relative folder it was in
    std::string moved_to;    // the folder the action put it in (undo checks it is still there)
  };

  std::vector<catalog::FaceRecord> faces_before;        // id, cluster, pinned, person, match kind
  std::vector<catalog::ClusterRecord> clusters_before;  // id, person, hidden
  std::vector<std::pair<int64_t, std::string>> rejections_added;
  std::vector<int64_t> references_added;
  // (person, source) of each reference added: a later action's undo may have dropped one and added it back under a
  // new id, which undoing this action removes too.
  std::vector<std::pair<std::string, std::string>> references_added_from;
  // References the action dropped (a face refused or taken out: it no longer teaches matching who the person is).
  std::vector<model::PersonReference> references_removed;
  std::string person_created;  // "" when the person existed
  std::vector<Move> moves;

  // Remembers faces' state before they change (the first state seen of each face is kept).
  void CaptureFaces(const std::vector<catalog::FaceRecord>& faces);
  void CaptureCluster(const catalog::ClusterRecord& cluster);

  nlohmann::json ToJson() const;
  // kCorrupt when the text is not a record.
  static base::Result<PeopleRecord> FromJson(const std::string& text);

 private:
  std::set<int64_t> captured_faces_;
  std::set<int64_t> captured_clusters_;
};

}  // namespace triage::review
