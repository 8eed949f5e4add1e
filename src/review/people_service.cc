// People actions over face clusters: name, merge, split, not this person, remove, reassign, hide.
#include "review/people_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "base/text.h"
#include "catalog/policy_names.h"
#include "decide/decide.h"
#include "review/person_service.h"
#include "review/policy_service.h"

namespace triage::review {
namespace {

// Faces as good references first: larger and more surely detected.
double Quality(const catalog::FaceRecord& f) { return f.size_px * f.detection_score; }

// A cluster that holds no face any more (merged into another, its faces split off or removed) is no one to name or
// hide: acting on it would make a person with no face, or log an action that changes nothing.
base::Status EmptyCluster(int64_t id) {
  return base::Status::NotFound(fmt::format(
      "cluster {} has no faces any more (merged into another, maybe from another window, or its faces were split off "
      "or removed), so nothing was changed: act on the cluster they are in now (the People page shows it; "
      "`triage faces clusters` lists them)",
      id));
}

// Moves `item` from folder `from` into `to` under `change`. The move is recorded first and saved under the action: if
// the process dies after it, undo still finds the photo (a move that never happened is skipped by undo, the photo being
// where it was). A move that fails is reported in `out.errors` and dropped from the record; the caller goes on.
base::Status MoveRecorded(catalog::FaceStore& store, commit::Committer& committer, const std::filesystem::path& library,
                          const model::ItemRecord& item, const std::filesystem::path& from,
                          const std::filesystem::path& to, catalog::CatalogChange change, PeopleRecord& record,
                          PeopleOutcome& out) {
  record.moves.push_back({item.id, item.location, item.category, item.person, item.auto_sorted, item.reasons,
                          from.lexically_relative(library).generic_string(),
                          to.lexically_relative(library).generic_string()});
  TRIAGE_RETURN_IF_ERROR(store.UpdateAction(out.action_id, catalog::PeopleAction::kInProgress, record.ToJson().dump()));
  auto placed = committer.Relocate(item, to, std::move(change));
  if (!placed.ok()) {
    record.moves.pop_back();
    out.errors.push_back(fmt::format("item {}: {}", item.id, placed.status().message()));
    return base::Status::Ok();
  }
  out.moved_items.push_back(item.id);
  out.moved_to.push_back(to.lexically_relative(library).generic_string());
  return base::Status::Ok();
}

}  // namespace

base::Result<std::vector<catalog::FaceRecord>> PeopleService::FacesIn(int64_t cluster_id) {
  catalog::FaceFilter filter;
  filter.cluster_id = cluster_id;
  filter.limit = 100000;
  return faces_.ListFaces(filter);
}

base::Result<std::vector<catalog::FaceRecord>> PeopleService::FacesById(const std::vector<int64_t>& ids) {
  if (ids.empty()) return base::Status::InvalidArgument("no faces given");
  std::vector<catalog::FaceRecord> out;
  for (int64_t id : ids) {
    auto f = faces_.GetFace(id);
    if (!f.ok()) return f.status();
    out.push_back(std::move(*f));
  }
  return out;
}

PeopleService::Serialised::Serialised(PeopleService& s) : s_(s), lock_(s.mu_) {
  if (s_.depth_++ > 0) return;
  // A library whose state folder cannot take the lock (read-only) still acts, serialised within this process.
  auto file = base::FileLock::Acquire(s_.config_.Current()->StateDir() / "leases" / "people.lock");
  if (file.ok()) s_.across_processes_.emplace(std::move(*file));
}

PeopleService::Serialised::~Serialised() {
  if (--s_.depth_ == 0) s_.across_processes_.reset();
}

base::Status PeopleService::Enrol(const std::string& person, const std::vector<catalog::FaceRecord>& faces,
                                  PeopleRecord& record) {
  auto refs = catalog_.AllReferences();
  if (!refs.ok()) return refs.status();
  std::set<std::string> sources;
  int64_t have = 0;
  for (const auto& r : *refs) {
    if (r.person != person) continue;
    ++have;
    sources.insert(r.source);
  }
  std::vector<const catalog::FaceRecord*> best;
  for (const auto& f : faces) {
    if (!f.embedding.empty() && !sources.count(fmt::format("face:{}", f.id))) best.push_back(&f);
  }
  std::stable_sort(best.begin(), best.end(), [](auto* a, auto* b) { return Quality(*a) > Quality(*b); });
  int64_t room = std::max<int64_t>(0, config_.Current()->face_clustering.max_references_per_person - have);
  for (size_t i = 0; i < best.size() && room > 0; ++i) {
    // A photo a reviewer put in the trash teaches nobody's face (looked up only for the faces that would be taken).
    auto item = catalog_.GetItem(best[i]->item_id);
    if (item.ok() && item->location == "trash") continue;
    auto id = faces_.AddReference(person, best[i]->embedding, fmt::format("face:{}", best[i]->id));
    if (!id.ok()) return id.status();
    record.references_added.push_back(*id);
    record.references_added_from.emplace_back(person, fmt::format("face:{}", best[i]->id));
    --room;
  }
  return base::Status::Ok();
}

base::Status PeopleService::RouteWaiting(const std::vector<catalog::FaceRecord>& faces, const std::string& why,
                                         const std::string& actor, int64_t now, PeopleRecord& record,
                                         PeopleOutcome& out, const std::string& filed_as) {
  auto config = config_.Current();
  auto named_policy = catalog::PolicyWithNames(catalog_, config->policy);
  if (!named_policy.ok()) return named_policy.status();
  // The faces matched against the persons enrolled now, as apply-policy matches them (named faces by the reviewer's
  // word, "not this person" respected): stored analyses keep no embeddings.
  auto match_now = MatchNow(catalog_, faces_);
  if (!match_now.ok()) return match_now.status();
  std::set<int64_t> seen;
  for (const auto& f : faces) {
    if (!seen.insert(f.item_id).second) continue;
    auto item = catalog_.GetItem(f.item_id);
    if (!item.ok() || item->faces_detected != 1) continue;
    const std::filesystem::path from = (config->library / item->path).parent_path();
    const bool waiting = item->location == "review" && catalog_.PendingReview(item->id).ok();
    const bool filed = !filed_as.empty() && item->location == "library" && item->person == filed_as &&
                       from == config->FacesDir() / filed_as;
    // The policy sorted it into photos/ for having no tracked person: a face of it named now files it as a new photo
    // with that face would be (one a person kept there stays).
    const bool sorted_without_person = item->location == "library" && item->person.empty() && item->auto_sorted;
    if (!waiting && !filed && !sorted_without_person) continue;
    auto stored = catalog_.GetAnalysis(item->id);
    if (!stored.ok() || !*stored || (*stored)->version == 0 || (*stored)->analysis.faces.size() != 1) continue;
    model::Analysis analysis = (*stored)->analysis;
    // A face of a cluster a reviewer named is that person by their word (its own reference would match it at
    // distance 0 anyway); any other face is matched, and the matcher respects "not this person".
    const bool named = f.match_kind == "named" && !f.person.empty();
    TRIAGE_RETURN_IF_ERROR((*match_now)(item->id, analysis.faces));
    model::Policy policy = *named_policy;
    // A reviewer's word is not an automatic sort, and a pause holds back new sorting, not what is filed already.
    if (named || filed) policy.auto_sort_enabled = true;
    if (sorted_without_person && !policy.auto_sort_enabled) continue;  // paused: it stays where it was sorted
    model::Decision d =
        decide::Decide(analysis, policy, decide::StandingFacts((*stored)->facts, item->duplicate_of, item->category));
    if (named) decide::CreditNaming(d, actor, policy);
    const std::filesystem::path to = config->FolderFor(d);
    if (to == from) continue;
    catalog::CatalogChange change;
    change.item.location = d.destination == model::Destination::kLibrary ? "library" : "review";
    change.item.category = d.category;
    change.item.person = d.person;
    change.item.auto_sorted = !named && d.destination == model::Destination::kLibrary;
    change.item.reasons = d.reasons;
    change.actor = actor;
    change.action = "name-cluster";
    change.reason = fmt::format("{} ({})", d.Summary(), why);
    change.at = now;
    TRIAGE_RETURN_IF_ERROR(
        MoveRecorded(faces_, committer_, config->library, *item, from, to, std::move(change), record, out));
  }
  return base::Status::Ok();
}

base::Status PeopleService::RefileLeaving(const std::vector<std::pair<catalog::FaceRecord, std::string>>& leaving,
                                          const std::string& what, const std::string& actor, int64_t now,
                                          PeopleRecord& record, PeopleOutcome& out) {
  std::map<std::string, std::vector<int64_t>> by_person;
  for (const auto& [f, person] : leaving)
    if (!person.empty()) by_person[person].push_back(f.id);
  for (const auto& [person, ids] : by_person) {
    auto now_faces = FacesById(ids);  // as they are now: unnamed, or named by the cluster they joined
    if (!now_faces.ok()) return now_faces.status();
    TRIAGE_RETURN_IF_ERROR(RouteWaiting(*now_faces, fmt::format("faces {} {} by {}", what, person, actor), actor, now,
                                        record, out, person));
  }
  return base::Status::Ok();
}

base::Status PeopleService::RefileRenamed(const std::vector<catalog::FaceRecord>& faces, const std::string& from_person,
                                          const std::string& to_person, const std::string& actor, int64_t now,
                                          PeopleRecord& record, PeopleOutcome& out) {
  auto config = config_.Current();
  const std::filesystem::path old_folder = config->FacesDir() / from_person;
  std::set<int64_t> seen;
  for (const auto& f : faces) {
    if (!seen.insert(f.item_id).second) continue;
    auto item = catalog_.GetItem(f.item_id);
    if (!item.ok() || item->location != "library" || item->person != from_person) continue;
    const std::filesystem::path from = (config->library / item->path).parent_path();
    if (from != old_folder) continue;  // kept elsewhere by a reviewer: not the person's folder to follow
    catalog::CatalogChange change;
    change.item.location = "library";
    change.item.category = item->category;
    change.item.person = to_person;
    change.item.auto_sorted = item->auto_sorted;
    change.item.reasons = item->reasons;
    change.actor = actor;
    change.action = "name-cluster";
    change.reason = fmt::format("faces of {} renamed {} by {}", from_person, to_person, actor);
    change.at = now;
    TRIAGE_RETURN_IF_ERROR(MoveRecorded(faces_, committer_, config->library, *item, from,
                                        config->FacesDir() / to_person, std::move(change), record, out));
  }
  return base::Status::Ok();
}

base::Result<int64_t> PeopleService::Begin(const PeopleRecord& record, const std::string& kind,
                                           const std::string& actor, int64_t now) {
  return faces_.LogAction(
      {0, now, actor, kind, catalog::PeopleAction::kInProgress, record.ToJson().dump(), std::nullopt});
}

base::Result<PeopleOutcome> PeopleService::Finish(PeopleRecord& record, PeopleOutcome out, const std::string& kind,
                                                  const std::string& summary, const std::string& actor, int64_t now) {
  if (out.action_id == 0) {
    auto id = Begin(record, kind, actor, now);
    if (!id.ok()) return id.status();
    out.action_id = *id;
  }
  TRIAGE_RETURN_IF_ERROR(faces_.UpdateAction(out.action_id, summary, record.ToJson().dump()));
  out.references_added = static_cast<int64_t>(record.references_added.size());
  TRIAGE_RETURN_IF_ERROR(
      catalog_.AddAudit({0, now, actor, 0, "people", kind, fmt::format("action {}", out.action_id), summary}));
  if ((!record.references_added.empty() || !record.references_removed.empty()) && references_changed_) {
    references_changed_();
  }
  return out;
}

base::Result<std::string> PeopleService::PersonOf(const catalog::FaceRecord& f) {
  std::string person = f.Assigned() ? f.person : "";
  if (f.cluster_id == 0) return person;
  auto cluster = faces_.GetCluster(f.cluster_id);
  if (!cluster.ok()) return cluster.status();
  return cluster->person.empty() ? person : cluster->person;
}

base::Status PeopleService::DropReferencesOf(const std::vector<std::pair<catalog::FaceRecord, std::string>>& faces,
                                             PeopleRecord& record) {
  auto refs = catalog_.AllReferences();
  if (!refs.ok()) return refs.status();
  std::set<std::string> of_faces;
  std::set<std::pair<std::string, std::string>> of_photos;  // (source, person)
  std::map<int64_t, std::vector<int64_t>> faces_of_item;    // face ids in the order review numbers them
  for (const auto& [f, person] : faces) {
    of_faces.insert(fmt::format("face:{}", f.id));
    if (person.empty()) continue;
    // A photo approved as the person taught matching its face too; so did the face named on a group photo's card.
    of_photos.emplace(model::ReferenceSource(f.item_id), person);
    auto [at, fresh] = faces_of_item.try_emplace(f.item_id);
    if (fresh) {
      catalog::FaceFilter filter;
      filter.item_id = f.item_id;
      filter.with_embeddings = false;
      auto listed = faces_.ListFaces(filter);
      if (!listed.ok()) return listed.status();
      for (const auto& g : *listed) at->second.push_back(g.id);
    }
    const auto index = std::find(at->second.begin(), at->second.end(), f.id) - at->second.begin();
    if (index < static_cast<std::ptrdiff_t>(at->second.size()))
      of_photos.emplace(model::ReferenceSource(f.item_id, static_cast<int>(index)), person);
  }
  std::vector<int64_t> ids;
  for (auto& r : *refs) {
    if (!of_faces.count(r.source) && !of_photos.count({r.source, r.person})) continue;
    ids.push_back(r.id);
    record.references_removed.push_back(std::move(r));
  }
  return ids.empty() ? base::Status::Ok() : faces_.RemoveReferences(ids);
}

base::Result<PeopleOutcome> PeopleService::Name(int64_t cluster_id, const std::string& raw_person,
                                                const std::string& actor, int64_t now, bool rename) {
  auto name = config::SanitizePersonName(raw_person);
  if (!name.ok()) return name.status();
  Serialised lock(*this);
  TRIAGE_RETURN_IF_ERROR(clustering_.Refresh(now));  // another process may have changed the clusters
  auto cluster = faces_.GetCluster(cluster_id);
  if (!cluster.ok()) return cluster.status();
  if (!cluster->person.empty() && cluster->person != *name && !rename) {
    return base::Status::Conflict(
        fmt::format("cluster {} is named {} already; rename it explicitly", cluster_id, cluster->person));
  }
  PeopleRecord record;
  record.CaptureCluster(*cluster);
  auto members = FacesIn(cluster_id);
  if (!members.ok()) return members.status();
  if (members->empty()) return EmptyCluster(cluster_id);
  record.CaptureFaces(*members);
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  if (std::none_of(persons->begin(), persons->end(), [&](const auto& p) { return p.name == *name; })) {
    auto added = AddPersonAsTyped(catalog_, *name, raw_person, now);
    if (!added.ok()) return added.status();
    record.person_created = *name;
  }
  // Logged before anything else changes: a crash from here on leaves a record that undoes what was done.
  auto begun = Begin(record, "name", actor, now);
  if (!begun.ok()) return begun.status();
  const int64_t action_id = *begun;
  // A rename: the faces stop being the old name's references (new photos of this face would still be sorted under it).
  const std::string renamed_from = cluster->person != *name ? cluster->person : "";
  if (!renamed_from.empty()) {
    std::vector<std::pair<catalog::FaceRecord, std::string>> relabelled;
    for (const auto& f : *members) relabelled.emplace_back(f, renamed_from);
    TRIAGE_RETURN_IF_ERROR(DropReferencesOf(relabelled, record));
    TRIAGE_RETURN_IF_ERROR(faces_.UpdateAction(action_id, catalog::PeopleAction::kInProgress, record.ToJson().dump()));
  }
  int64_t target = cluster_id;
  auto existing = faces_.ClusterOfPerson(*name);
  if (!existing.ok()) return existing.status();
  if (*existing && (*existing)->id != cluster_id) {  // they have a cluster: this one's faces join it
    target = (*existing)->id;
    record.CaptureCluster(**existing);
    auto theirs = FacesIn(target);
    if (!theirs.ok()) return theirs.status();
    record.CaptureFaces(*theirs);
    TRIAGE_RETURN_IF_ERROR(faces_.UpdateAction(action_id, catalog::PeopleAction::kInProgress, record.ToJson().dump()));
    TRIAGE_RETURN_IF_ERROR(clustering_.Merge(cluster_id, target));
    TRIAGE_RETURN_IF_ERROR(faces_.SetClusterPerson(cluster_id, ""));
  }
  // Faces marked "not this person" for them stay out.
  auto rejections = faces_.ListRejections();
  if (!rejections.ok()) return rejections.status();
  std::vector<int64_t> refused;
  for (const auto& [face, who] : *rejections) {
    if (who == *name && clustering_.ClusterOf(face) == target) refused.push_back(face);
  }
  TRIAGE_RETURN_IF_ERROR(clustering_.Place(refused, 0));
  TRIAGE_RETURN_IF_ERROR(faces_.SetClusterPerson(target, *name));
  clustering_.SetClusterPerson(target, *name);
  auto named = FacesIn(target);
  if (!named.ok()) return named.status();
  TRIAGE_RETURN_IF_ERROR(Enrol(*name, *named, record));
  PeopleOutcome out;
  out.cluster_id = target;
  out.person = *name;
  out.faces = static_cast<int64_t>(named->size());
  out.action_id = action_id;
  TRIAGE_RETURN_IF_ERROR(faces_.UpdateAction(action_id, catalog::PeopleAction::kInProgress, record.ToJson().dump()));
  TRIAGE_RETURN_IF_ERROR(
      RouteWaiting(*named, fmt::format("faces named {} by {}", *name, actor), actor, now, record, out));
  if (!renamed_from.empty())
    TRIAGE_RETURN_IF_ERROR(RefileRenamed(*members, renamed_from, *name, actor, now, record, out));
  return Finish(record, std::move(out), "name",
                renamed_from.empty() ? fmt::format("cluster {} named {}", cluster_id, *name)
                                     : fmt::format("cluster {} renamed from {} to {}", cluster_id, renamed_from, *name),
                actor, now);
}

base::Result<PeopleOutcome> PeopleService::Merge(int64_t from, int64_t into, const std::string& actor, int64_t now) {
  if (from == into) return base::Status::InvalidArgument(fmt::format("cannot merge cluster {} into itself", from));
  Serialised lock(*this);
  TRIAGE_RETURN_IF_ERROR(clustering_.Refresh(now));  // another process may have changed the clusters
  auto a = faces_.GetCluster(from);
  if (!a.ok()) return a.status();
  auto b = faces_.GetCluster(into);
  if (!b.ok()) return b.status();
  if (!a->person.empty() && !b->person.empty() && a->person != b->person) {
    return base::Status::Conflict(fmt::format(
        "cluster {} is {} and cluster {} is {}: different persons are not merged; to make them one person, rename "
        "one to the other's name",
        from, a->person, into, b->person));
  }
  const std::string person = b->person.empty() ? a->person : b->person;
  PeopleRecord record;
  record.CaptureCluster(*a);
  record.CaptureCluster(*b);
  auto moving = FacesIn(from);
  if (!moving.ok()) return moving.status();
  auto staying = FacesIn(into);
  if (!staying.ok()) return staying.status();
  record.CaptureFaces(*moving);
  record.CaptureFaces(*staying);
  TRIAGE_RETURN_IF_ERROR(clustering_.Merge(from, into));
  TRIAGE_RETURN_IF_ERROR(faces_.SetClusterPerson(from, ""));
  PeopleOutcome out;
  out.cluster_id = into;
  out.person = person;
  out.faces = static_cast<int64_t>(moving->size());
  if (!person.empty()) {
    TRIAGE_RETURN_IF_ERROR(faces_.SetClusterPerson(into, person));
    clustering_.SetClusterPerson(into, person);
    auto merged = FacesIn(into);
    if (!merged.ok()) return merged.status();
    auto begun = Begin(record, "merge", actor, now);
    if (!begun.ok()) return begun.status();
    out.action_id = *begun;
    // The faces that join a named person teach them, as naming their cluster would have.
    TRIAGE_RETURN_IF_ERROR(Enrol(person, *merged, record));
    TRIAGE_RETURN_IF_ERROR(
        faces_.UpdateAction(out.action_id, catalog::PeopleAction::kInProgress, record.ToJson().dump()));
    TRIAGE_RETURN_IF_ERROR(
        RouteWaiting(*merged, fmt::format("faces named {} by {}", person, actor), actor, now, record, out));
  }
  return Finish(record, std::move(out), "merge", fmt::format("cluster {} merged into {}", from, into), actor, now);
}

base::Result<PeopleOutcome> PeopleService::Split(int64_t cluster_id, const std::vector<int64_t>& face_ids,
                                                 const std::string& actor, int64_t now) {
  Serialised lock(*this);
  TRIAGE_RETURN_IF_ERROR(clustering_.Refresh(now));  // another process may have changed the clusters
  auto cluster = faces_.GetCluster(cluster_id);
  if (!cluster.ok()) return cluster.status();
  auto faces = FacesById(face_ids);
  if (!faces.ok()) return faces.status();
  for (const auto& f : *faces) {
    if (f.cluster_id != cluster_id) {
      // Split off or moved meanwhile (another tab, another user): the page was out of date.
      return base::Status::Conflict(fmt::format(
          "a face you selected (face {}) is no longer in this cluster: it was split off or moved since the page was "
          "shown; nothing was changed",
          f.id));
    }
  }
  PeopleRecord record;
  record.CaptureCluster(*cluster);
  record.CaptureFaces(*faces);
  std::vector<std::pair<catalog::FaceRecord, std::string>> leaving;  // a named cluster's faces stop being its person's
  for (const auto& f : *faces) {
    auto given = PersonOf(f);
    if (!given.ok()) return given.status();
    leaving.emplace_back(f, *given);
  }
  auto created = faces_.CreateCluster("", now);
  if (!created.ok()) return created.status();
  TRIAGE_RETURN_IF_ERROR(clustering_.Place(face_ids, *created));
  TRIAGE_RETURN_IF_ERROR(Unname(*faces));
  PeopleOutcome out;
  out.cluster_id = *created;
  out.faces = static_cast<int64_t>(faces->size());
  std::vector<std::pair<catalog::FaceRecord, std::string>> faces_only;  // a photo approved as the person still is
  for (const auto& [f, person] : leaving) faces_only.emplace_back(f, "");
  TRIAGE_RETURN_IF_ERROR(DropReferencesOf(faces_only, record));
  auto begun = Begin(record, "split", actor, now);
  if (!begun.ok()) return begun.status();
  out.action_id = *begun;
  TRIAGE_RETURN_IF_ERROR(RefileLeaving(leaving, "split from", actor, now, record, out));
  return Finish(
      record, std::move(out), "split",
      fmt::format("{} split from cluster {} into {}", base::Counted(faces->size(), "face"), cluster_id, *created),
      actor, now);
}

base::Status PeopleService::Unname(const std::vector<catalog::FaceRecord>& faces) {
  std::vector<int64_t> named;
  for (const auto& f : faces)
    if (f.match_kind == "named" || f.match_kind == "known") named.push_back(f.id);
  return faces_.SetFacePersons(named, "", "unknown");
}

base::Result<PeopleOutcome> PeopleService::NotThisPerson(const std::vector<int64_t>& face_ids, const std::string& actor,
                                                         int64_t now, const std::string& expected) {
  Serialised lock(*this);
  TRIAGE_RETURN_IF_ERROR(clustering_.Refresh(now));  // another process may have changed the clusters
  auto faces = FacesById(face_ids);
  if (!faces.ok()) return faces.status();
  for (const auto& f : *faces) {  // all checked before anything changes
    auto given = PersonOf(f);
    if (!given.ok()) return given.status();
    if (!expected.empty() && *given != expected) {
      return base::Status::Conflict(fmt::format(
          "a face you selected (face {}) is {} now, not {}'s: the faces were renamed or moved since the page was "
          "shown; nothing was changed",
          f.id, given->empty() ? std::string("nobody's") : *given + "'s", expected));
    }
  }
  PeopleRecord record;
  record.CaptureFaces(*faces);
  PeopleOutcome out;
  std::vector<std::pair<catalog::FaceRecord, std::string>> refused;
  for (const auto& f : *faces) {
    auto given = PersonOf(f);
    if (!given.ok()) return given.status();
    const std::string& person = *given;
    if (person.empty()) {
      return base::Status::InvalidArgument(fmt::format("face {} is not given to any person; nothing to refuse", f.id));
    }
    TRIAGE_RETURN_IF_ERROR(clustering_.Reject(f.id, person, now));
    record.rejections_added.emplace_back(f.id, person);
    refused.emplace_back(f, person);
    out.person = person;
  }
  TRIAGE_RETURN_IF_ERROR(DropReferencesOf(refused, record));
  TRIAGE_RETURN_IF_ERROR(Unname(*faces));
  out.faces = static_cast<int64_t>(faces->size());
  // Their photos leave the refused person's folder (and waiting ones are re-decided), matched without that person.
  auto begun = Begin(record, "not_this_person", actor, now);
  if (!begun.ok()) return begun.status();
  out.action_id = *begun;
  TRIAGE_RETURN_IF_ERROR(RefileLeaving(refused, "marked not", actor, now, record, out));
  return Finish(record, std::move(out), "not_this_person",
                fmt::format("{} marked not {}", base::Counted(faces->size(), "face"), out.person), actor, now);
}

base::Result<PeopleOutcome> PeopleService::Remove(const std::vector<int64_t>& face_ids, const std::string& actor,
                                                  int64_t now) {
  Serialised lock(*this);
  TRIAGE_RETURN_IF_ERROR(clustering_.Refresh(now));  // another process may have changed the clusters
  auto faces = FacesById(face_ids);
  if (!faces.ok()) return faces.status();
  PeopleRecord record;
  record.CaptureFaces(*faces);
  std::vector<std::pair<catalog::FaceRecord, std::string>> taken_out, leaving;
  for (const auto& f : *faces) {
    auto given = PersonOf(f);
    if (!given.ok()) return given.status();
    taken_out.emplace_back(f, "");  // a photo approved as the person still is
    leaving.emplace_back(f, *given);
  }
  TRIAGE_RETURN_IF_ERROR(clustering_.Place(face_ids, 0));
  TRIAGE_RETURN_IF_ERROR(DropReferencesOf(taken_out, record));
  TRIAGE_RETURN_IF_ERROR(Unname(*faces));
  PeopleOutcome out;
  out.faces = static_cast<int64_t>(faces->size());
  auto begun = Begin(record, "remove", actor, now);
  if (!begun.ok()) return begun.status();
  out.action_id = *begun;
  TRIAGE_RETURN_IF_ERROR(RefileLeaving(leaving, "taken out of", actor, now, record, out));
  return Finish(record, std::move(out), "remove",
                fmt::format("{} taken out of their clusters", base::Counted(out.faces, "face")), actor, now);
}

base::Result<PeopleOutcome> PeopleService::Reassign(const std::vector<int64_t>& face_ids, int64_t cluster_id,
                                                    const std::string& actor, int64_t now) {
  Serialised lock(*this);
  TRIAGE_RETURN_IF_ERROR(clustering_.Refresh(now));  // another process may have changed the clusters
  auto cluster = faces_.GetCluster(cluster_id);
  if (!cluster.ok()) return cluster.status();
  auto faces = FacesById(face_ids);
  if (!faces.ok()) return faces.status();
  auto rejections = faces_.ListRejections();
  if (!rejections.ok()) return rejections.status();
  for (const auto& [face, who] : *rejections) {
    if (who == cluster->person && std::count(face_ids.begin(), face_ids.end(), face)) {
      return base::Status::InvalidArgument(fmt::format("face {} was marked not {}", face, who));
    }
  }
  PeopleRecord record;
  record.CaptureFaces(*faces);
  // Faces leaving a person stop being that person's references.
  std::vector<std::pair<catalog::FaceRecord, std::string>> leaving;
  for (const auto& f : *faces) {
    auto given = PersonOf(f);
    if (!given.ok()) return given.status();
    if (!given->empty() && *given != cluster->person) leaving.emplace_back(f, *given);
  }
  TRIAGE_RETURN_IF_ERROR(clustering_.Place(face_ids, cluster_id));
  TRIAGE_RETURN_IF_ERROR(DropReferencesOf(leaving, record));
  PeopleOutcome out;
  out.cluster_id = cluster_id;
  out.person = cluster->person;
  out.faces = static_cast<int64_t>(faces->size());
  if (cluster->person.empty()) {
    TRIAGE_RETURN_IF_ERROR(Unname(*faces));
  } else {
    TRIAGE_RETURN_IF_ERROR(faces_.SetFacePersons(face_ids, cluster->person, "named"));
  }
  auto begun = Begin(record, "reassign", actor, now);
  if (!begun.ok()) return begun.status();
  out.action_id = *begun;
  // Photos filed under the person the faces left follow them (to the new person's folder, or back to review).
  TRIAGE_RETURN_IF_ERROR(RefileLeaving(leaving, "moved from", actor, now, record, out));
  if (!cluster->person.empty()) {
    auto moved = FacesById(face_ids);
    if (!moved.ok()) return moved.status();
    TRIAGE_RETURN_IF_ERROR(
        RouteWaiting(*moved, fmt::format("faces named {} by {}", cluster->person, actor), actor, now, record, out));
  }
  return Finish(record, std::move(out), "reassign",
                fmt::format("{} moved to cluster {}", base::Counted(faces->size(), "face"), cluster_id), actor, now);
}

base::Result<PeopleOutcome> PeopleService::SetHidden(int64_t cluster_id, bool hidden, const std::string& actor,
                                                     int64_t now) {
  Serialised lock(*this);
  auto cluster = faces_.GetCluster(cluster_id);
  if (!cluster.ok()) return cluster.status();
  auto members = FacesIn(cluster_id);
  if (!members.ok()) return members.status();
  if (members->empty()) return EmptyCluster(cluster_id);
  if (cluster->hidden == hidden) {
    return base::Status::Conflict(
        fmt::format("cluster {} is {} already; nothing was changed", cluster_id, hidden ? "hidden" : "shown"));
  }
  PeopleRecord record;
  record.CaptureCluster(*cluster);
  TRIAGE_RETURN_IF_ERROR(faces_.SetClusterHidden(cluster_id, hidden));
  PeopleOutcome out;
  out.cluster_id = cluster_id;
  out.person = cluster->person;
  return Finish(record, std::move(out), hidden ? "hide" : "show",
                fmt::format("cluster {} {}", cluster_id, hidden ? "hidden" : "shown"), actor, now);
}

base::Result<std::vector<ClusterView>> PeopleService::Clusters(bool include_hidden) {
  auto clusters = faces_.ListClusters(include_hidden);
  if (!clusters.ok()) return clusters.status();
  std::vector<ClusterView> out;
  for (const auto& c : *clusters) {
    catalog::FaceFilter filter;
    filter.cluster_id = c.id;
    filter.limit = 100000;
    filter.with_embeddings = false;
    filter.include_trashed = false;
    auto faces = faces_.ListFaces(filter);
    if (!faces.ok()) return faces.status();
    out.push_back({c, std::move(*faces)});
  }
  return out;
}

base::Result<std::vector<std::pair<catalog::FaceRecord, double>>> PeopleService::PersonFaces(
    const std::string& person) {
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  if (std::none_of(persons->begin(), persons->end(), [&](const auto& p) { return p.name == person; })) {
    return base::Status::NotFound(fmt::format("no person named {}", person));
  }
  catalog::FaceFilter filter;
  filter.person = person;
  filter.limit = 100000;
  filter.include_trashed = false;
  auto faces = faces_.ListFaces(filter);
  if (!faces.ok()) return faces.status();
  std::vector<catalog::FaceRecord> theirs;
  for (auto& f : *faces)
    if (f.Assigned() && !f.embedding.empty()) theirs.push_back(std::move(f));
  std::vector<double> centre;
  for (const auto& f : theirs) {
    centre.resize(f.embedding.size(), 0.0);
    for (size_t i = 0; i < f.embedding.size() && i < centre.size(); ++i) centre[i] += f.embedding[i];
  }
  for (double& x : centre) x /= static_cast<double>(theirs.size());
  std::vector<std::pair<catalog::FaceRecord, double>> out;
  for (auto& f : theirs) {
    double sum = 0;
    for (size_t i = 0; i < f.embedding.size() && i < centre.size(); ++i)
      sum += (f.embedding[i] - centre[i]) * (f.embedding[i] - centre[i]);
    f.embedding.clear();
    out.emplace_back(std::move(f), std::sqrt(sum));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

}  // namespace triage::review
