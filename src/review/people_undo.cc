// Undoing a people action as one action: photos back where they were, then references, "not this person", clusters
// and faces as the record says they were.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "review/people_service.h"
#include "review/person_service.h"

namespace triage::review {
namespace {

std::string FolderOf(const std::string& relative_path) {
  return std::filesystem::path(relative_path).parent_path().generic_string();
}

}  // namespace

base::Status PeopleService::CheckNothingLaterTouches(int64_t action_id, const PeopleRecord& record) {
  std::set<int64_t> faces, items, clusters;
  for (const auto& f : record.faces_before) faces.insert(f.id);
  for (const auto& m : record.moves) items.insert(m.item_id);
  for (const auto& c : record.clusters_before) clusters.insert(c.id);
  auto actions = faces_.ListActions(100000);
  if (!actions.ok()) return actions.status();
  for (const auto& later : *actions) {  // newest first
    if (later.id <= action_id) break;
    if (later.undone_at) continue;
    auto theirs = PeopleRecord::FromJson(later.undo);
    if (!theirs.ok()) continue;  // a record that cannot be read changes nothing undo could restore
    const bool shared = std::any_of(theirs->faces_before.begin(), theirs->faces_before.end(),
                                    [&](const auto& f) { return faces.count(f.id) > 0; }) ||
                        std::any_of(theirs->moves.begin(), theirs->moves.end(),
                                    [&](const auto& m) { return items.count(m.item_id); }) ||
                        std::any_of(theirs->clusters_before.begin(), theirs->clusters_before.end(),
                                    [&](const auto& c) { return clusters.count(c.id) > 0; });
    if (shared) {
      return base::Status::Conflict(fmt::format(
          "people action {} ({}) changed the same faces or photos since; undo it first", later.id, later.summary));
    }
  }
  return base::Status::Ok();
}

base::Result<UndoOutcome> PeopleService::Undo(int64_t action_id, const std::string& actor, int64_t now) {
  Serialised lock(*this);
  TRIAGE_RETURN_IF_ERROR(clustering_.Refresh(now));  // another process may have changed the clusters
  auto action = faces_.GetAction(action_id);
  if (!action.ok()) return action.status();
  if (action->undone_at) return base::Status::Conflict(fmt::format("people action {} was undone already", action_id));
  auto record = PeopleRecord::FromJson(action->undo);
  if (!record.ok()) return record.status();
  TRIAGE_RETURN_IF_ERROR(CheckNothingLaterTouches(action_id, *record));
  UndoOutcome out;
  out.action_id = action_id;
  out.kind = action->kind;
  auto config = config_.Current();
  for (auto m = record->moves.rbegin(); m != record->moves.rend(); ++m) {
    auto item = catalog_.GetItem(m->item_id);
    if (!item.ok()) {
      out.errors.push_back(fmt::format("item {}: {}", m->item_id, item.status().message()));
      continue;
    }
    if (FolderOf(item->path) == m->moved_from) continue;  // the move never happened (the action was cut short)
    if (FolderOf(item->path) != m->moved_to) {
      out.errors.push_back(fmt::format("item {} moved again meanwhile (it is in {}); left where it is", m->item_id,
                                       FolderOf(item->path)));
      continue;
    }
    catalog::CatalogChange change;
    change.item.location = m->location;
    change.item.category = m->category;
    change.item.person = m->person;
    change.item.auto_sorted = m->auto_sorted;
    change.item.reasons = m->reasons;
    change.actor = actor;
    change.action = "undo";
    change.reason = fmt::format("undo of {} (people action {}) by {}", action->kind, action_id, actor);
    change.at = now;
    auto placed = committer_.Relocate(*item, config->library / m->moved_from, change);
    if (!placed.ok()) {
      out.errors.push_back(fmt::format("item {}: {}", m->item_id, placed.status().message()));
      continue;
    }
    out.restored_items.push_back(m->item_id);
  }
  TRIAGE_RETURN_IF_ERROR(faces_.RemoveReferences(record->references_added));
  if (!record->references_added_from.empty()) {  // those a later undo added back under new ids
    const std::set<std::pair<std::string, std::string>> added(record->references_added_from.begin(),
                                                              record->references_added_from.end());
    auto refs = catalog_.AllReferences();
    if (!refs.ok()) return refs.status();
    std::vector<int64_t> again;
    for (const auto& r : *refs)
      if (added.count({r.person, r.source})) again.push_back(r.id);
    if (!again.empty()) TRIAGE_RETURN_IF_ERROR(faces_.RemoveReferences(again));
  }
  for (const auto& ref : record->references_removed) {
    auto back = faces_.AddReference(ref.person, ref.embedding, ref.source);
    if (!back.ok() && back.status().code() != base::Code::kNotFound) return back.status();  // person gone meanwhile
  }
  for (const auto& [face, person] : record->rejections_added)
    TRIAGE_RETURN_IF_ERROR(clustering_.Unreject(face, person));
  for (const auto& c : record->clusters_before) {
    TRIAGE_RETURN_IF_ERROR(faces_.SetClusterPerson(c.id, c.person));
    TRIAGE_RETURN_IF_ERROR(faces_.SetClusterHidden(c.id, c.hidden));
    clustering_.SetClusterPerson(c.id, c.person);
  }
  TRIAGE_RETURN_IF_ERROR(RestoreFaces(record->faces_before, now));
  // The person the naming created goes only when nothing else is theirs (a photo approved as them since stays theirs).
  TRIAGE_RETURN_IF_ERROR(ForgetCreatedPerson(catalog_, config_.Current()->FacesDir(), record->person_created));
  TRIAGE_RETURN_IF_ERROR(faces_.MarkUndone(action_id, now));
  TRIAGE_RETURN_IF_ERROR(catalog_.AddAudit({0, now, actor, 0, "people", action->kind, "undone",
                                            fmt::format("undo of people action {}: {}", action_id, action->summary)}));
  if ((!record->references_added.empty() || !record->references_removed.empty()) && references_changed_) {
    references_changed_();
  }
  return out;
}

// A re-cluster since the record was taken may have dropped the cluster a face was in: a face of a person then goes
// back to that person's cluster as it is now (made again when they have none), any other face out of every cluster.
base::Result<int64_t> PeopleService::ClusterNow(const catalog::FaceRecord& face, int64_t now) {
  if (face.cluster_id == 0) return int64_t{0};
  auto cluster = faces_.GetCluster(face.cluster_id);
  if (cluster.ok()) return face.cluster_id;
  if (cluster.status().code() != base::Code::kNotFound) return cluster.status();
  if (face.person.empty()) return int64_t{0};
  auto existing = faces_.ClusterOfPerson(face.person);
  if (!existing.ok()) return existing.status();
  if (*existing) return (*existing)->id;
  auto created = faces_.CreateCluster(face.person, now);
  if (!created.ok()) return created.status();
  clustering_.SetClusterPerson(*created, face.person);
  return *created;
}

base::Status PeopleService::RestoreFaces(std::vector<catalog::FaceRecord> faces, int64_t now) {
  for (auto& f : faces) {
    auto cluster = ClusterNow(f, now);
    if (!cluster.ok()) return cluster.status();
    f.cluster_id = *cluster;
  }
  TRIAGE_RETURN_IF_ERROR(clustering_.Restore(faces));
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> names;
  for (const auto& f : faces) names[{f.person, f.match_kind}].push_back(f.id);
  for (const auto& [name, ids] : names) TRIAGE_RETURN_IF_ERROR(faces_.SetFacePersons(ids, name.first, name.second));
  return base::Status::Ok();
}

base::Result<catalog::FaceRecord> PeopleService::ReviewedFace(int64_t item_id, int face_index) {
  catalog::FaceFilter filter;
  filter.item_id = item_id;
  filter.with_embeddings = false;
  auto faces = faces_.ListFaces(filter);
  if (!faces.ok()) return faces.status();
  if (face_index < 0 || face_index >= static_cast<int>(faces->size())) {
    return base::Status::NotFound(fmt::format("item {} has no stored face {}", item_id, face_index));
  }
  return (*faces)[face_index];
}

std::vector<std::string> PeopleService::NamedFacesOf(int64_t item_id) {
  std::lock_guard lock(mu_);  // a read on every review card: not a wait for another process's action
  catalog::FaceFilter filter;
  filter.item_id = item_id;
  filter.with_embeddings = false;
  auto faces = faces_.ListFaces(filter);
  std::vector<std::string> out;
  if (!faces.ok()) return out;
  for (const auto& f : *faces) out.push_back(f.match_kind == "named" ? f.person : "");
  return out;
}

base::Result<nlohmann::json> PeopleService::AssignFromReview(int64_t item_id, int face_index, const std::string& person,
                                                             int64_t now) {
  Serialised lock(*this);
  auto face = ReviewedFace(item_id, face_index);
  if (!face.ok()) return face.status();
  PeopleRecord record;
  record.CaptureFaces({*face});
  auto existing = faces_.ClusterOfPerson(person);
  if (!existing.ok()) return existing.status();
  int64_t cluster = *existing ? (*existing)->id : 0;
  if (cluster == 0) {
    auto created = faces_.CreateCluster(person, now);
    if (!created.ok()) return created.status();
    cluster = *created;
  }
  clustering_.SetClusterPerson(cluster, person);
  TRIAGE_RETURN_IF_ERROR(clustering_.Place({face->id}, cluster));
  TRIAGE_RETURN_IF_ERROR(faces_.SetFacePersons({face->id}, person, "named"));
  return record.ToJson();
}

base::Result<nlohmann::json> PeopleService::ReleaseFromReview(int64_t item_id, int face_index) {
  Serialised lock(*this);
  auto face = ReviewedFace(item_id, face_index);
  if (!face.ok()) return face.status();
  if (face->person.empty()) return nlohmann::json(nullptr);
  PeopleRecord record;
  record.CaptureFaces({*face});
  TRIAGE_RETURN_IF_ERROR(clustering_.Place({face->id}, 0));
  TRIAGE_RETURN_IF_ERROR(faces_.SetFacePersons({face->id}, "", "unknown"));
  return record.ToJson();
}

base::Status PeopleService::RestoreFromReview(const nlohmann::json& before, int64_t now) {
  Serialised lock(*this);
  auto record = PeopleRecord::FromJson(before.dump());
  if (!record.ok()) return record.status();
  return RestoreFaces(record->faces_before, now);
}

}  // namespace triage::review
