// Faces named one by one in a group photo: each face gets an enrolled person or "nobody tracked"; once every face is
// decided, the policy (decide/) routes a photo of the named persons through the journaled commit path.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "base/ids.h"
#include "base/text.h"
#include "catalog/policy_names.h"
#include "decide/decide.h"
#include "review/people_service.h"
#include "review/review_service.h"

namespace triage::review {

using nlohmann::json;

namespace {

std::string FolderOf(const std::string& relative_path) {
  return std::filesystem::path(relative_path).parent_path().generic_string();
}

std::string FileName(const std::string& relative_path) {
  return std::filesystem::path(relative_path).filename().string();
}

json LabelJson(const model::FaceLabel& label) { return {{"named_as", label.named_as}, {"untracked", label.untracked}}; }

model::FaceLabel LabelFrom(const json& j) { return {j.at("named_as"), j.at("untracked")}; }

std::string LabelWords(const model::FaceLabel& label) { return label.untracked ? "nobody tracked" : label.named_as; }

// The reference faces learnt from one face, saved whole so that an undo can put them back under their ids.
json SavedReferences(const std::vector<model::PersonReference>& refs) {
  json out = json::array();
  for (const auto& r : refs)
    out.push_back({{"id", r.id}, {"person", r.person}, {"embedding", r.embedding}, {"source", r.source}});
  return out;
}

}  // namespace

base::Result<std::string> ReviewService::EnrolledAlready(const std::string& typed) {
  auto key = config::SanitizePersonName(typed);
  if (!key.ok()) return key.status();
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  for (const auto& p : *persons) {
    auto written = config::SanitizePersonName(p.display_name);
    if (p.name == *key || (!p.display_name.empty() && written.ok() && *written == *key)) return p.name;
  }
  return std::string();
}

base::Result<std::string> ReviewService::EnrolledPerson(const std::string& name) {
  auto persons = catalog_.ListPersons();
  if (!persons.ok()) return persons.status();
  auto sanitized = config::SanitizePersonName(name);
  std::string all;
  for (const auto& p : *persons) {
    if (p.name == name || (sanitized.ok() && p.name == *sanitized)) return p.name;
    all += (all.empty() ? "" : ", ") + p.shown_name();
  }
  return base::Status::NotFound(
      fmt::format("no enrolled person \"{}\" (enrolled: {})", name, all.empty() ? "nobody yet" : all));
}

std::string NameNow(const std::vector<model::Face>& faces, const std::vector<std::string>& clustered, size_t i) {
  const model::FaceLabel& label = faces.at(i).label;
  if (label.untracked || label.named_as.empty()) return "";
  return i < clustered.size() && !clustered[i].empty() ? clustered[i] : label.named_as;
}

// The photo as its named faces make it: each named face a certain match of its person, dismissed faces left out.
base::Result<model::Decision> ReviewService::RouteNamedFaces(const model::ItemRecord& item,
                                                             const std::vector<model::Face>& faces, int labelled_now,
                                                             const std::string& actor) {
  model::Analysis a;
  model::CatalogFacts facts;
  auto stored = catalog_.GetAnalysis(item.id);
  if (stored.ok() && *stored && (*stored)->version > 0) {
    a = (*stored)->analysis;
    facts = decide::StandingFacts((*stored)->facts, item.duplicate_of, item.category);
  } else {  // items stored before analyses were: what the item row knows
    a.readable = true;
    a.faces_analysed = true;
    a.info = item.info;
    a.sharpness = item.sharpness;
    a.exposure = item.exposure;
  }
  a.faces.clear();
  a.untracked_faces = 0;
  // A face named earlier on this card whose cluster was renamed (or that was moved to someone else) on the People page
  // since is that person now; the face labelled by this very naming is what it was just named.
  const std::vector<std::string> clustered = people_ ? people_->NamedFacesOf(item.id) : std::vector<std::string>();
  for (size_t i = 0; i < faces.size(); ++i) {
    const model::Face& f = faces[i];
    if (f.label.untracked) {
      ++a.untracked_faces;
      continue;
    }
    const std::string person = static_cast<int>(i) == labelled_now ? f.label.named_as : NameNow(faces, clustered, i);
    model::Face named;
    named.box = f.box;
    named.eye_aspect_ratio = f.eye_aspect_ratio;
    named.match = {model::MatchKind::kKnown, person, 0.0, 1.0, {{person, 0.0, 1.0}}};
    a.faces.push_back(std::move(named));
  }
  auto named = catalog::PolicyWithNames(catalog_, config_.Current()->policy);
  if (!named.ok()) return named.status();
  model::Policy policy = std::move(*named);
  policy.auto_sort_enabled = true;  // a reviewer's word, not an automatic sort: a pause does not hold it back
  model::Decision d = decide::Decide(a, policy, facts);
  decide::CreditNaming(d, actor, policy);
  return d;
}

// One person cannot be in a photo twice: naming face `face` as `person` is refused when another face of the photo is
// that person already, named on this card or (still open here) in a cluster named on the People page.
base::Status ReviewService::CheckNotInPhotoTwice(const model::ItemRecord& item, const std::vector<model::Face>& faces,
                                                 int face, const std::string& person) {
  const std::vector<std::string> clustered = people_ ? people_->NamedFacesOf(item.id) : std::vector<std::string>();
  for (int other = 0; other < static_cast<int>(faces.size()); ++other) {
    if (other == face) continue;
    const model::FaceLabel& label = faces[other].label;
    const bool named_here = !label.untracked && label.named_as == person;
    const bool named_there =
        !label.Decided() && other < static_cast<int>(clustered.size()) && clustered[other] == person;
    if (!named_here && !named_there) continue;
    const std::string written = catalog::WrittenName(catalog_, person);
    return base::Status::Conflict(fmt::format(
        "face {} of {} is {} already ({}): one person cannot be in a photo twice; name face {} as somebody else first "
        "if it is not {}",
        other + 1, FileName(item.path), written, named_here ? "named on this card" : "named on the People page",
        other + 1, written));
  }
  return base::Status::Ok();
}

base::Status ReviewService::CheckApprovedPersonIsInPhoto(const model::ItemRecord& item, const std::string& person) {
  auto faces = catalog_.FacesOf(item.id);
  if (!faces.ok()) return faces.status();
  if (faces->empty() || !std::all_of(faces->begin(), faces->end(), [](const auto& f) { return f.label.Decided(); }))
    return base::Status::Ok();  // a face nobody decided yet may be theirs
  // Named on the card, under the name its cluster has now (renamed on the People page since).
  const std::vector<std::string> clustered = people_ ? people_->NamedFacesOf(item.id) : std::vector<std::string>();
  std::vector<std::string> words;
  for (size_t i = 0; i < faces->size(); ++i) {
    const model::FaceLabel& label = (*faces)[i].label;
    const std::string name = NameNow(*faces, clustered, i);
    if (!label.untracked && (name == person || label.named_as == person)) return base::Status::Ok();
    words.push_back(fmt::format("face {} is {}", i + 1, label.untracked ? "nobody tracked" : name));
  }
  return base::Status::Conflict(fmt::format(
      "every face of {} is decided and none is {} ({}): name a face as {} on the card first, or keep the photo "
      "without a person",
      FileName(item.path), person, fmt::join(words, ", "), person));
}

base::Result<ReviewService::Done> ReviewService::LabelFace(int64_t id, int face, const std::string& person_name,
                                                           const std::string& actor, int64_t now,
                                                           const std::string& seen_in, bool only_face) {
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  auto faces = catalog_.FacesOf(id);
  if (!faces.ok()) return faces.status();
  if (faces->empty()) {
    return base::Status::InvalidArgument(
        fmt::format("item {} ({}) has no detected face to name", id, FileName(item->path)));
  }
  if (only_face && faces->size() > 1) {
    return base::Status::InvalidArgument(fmt::format("item {} ({}) has {} faces; name them one by one on its card", id,
                                                     FileName(item->path), faces->size()));
  }
  if (face < 0 || face >= static_cast<int>(faces->size())) {
    return base::Status::NotFound(fmt::format(
        "item {} has no face at index {} (indexes count from 0; its {} are faces 1 to {} on its card, at "
        "indexes 0 to {})",
        id, face, base::Counted(static_cast<long long>(faces->size()), "face"), faces->size(), faces->size() - 1));
  }
  model::FaceLabel label{"", true};
  if (!person_name.empty()) {
    auto person = EnrolledPerson(person_name);
    if (!person.ok()) return person.status();
    label = {*person, false};
    TRIAGE_RETURN_IF_ERROR(CheckNotInPhotoTwice(*item, *faces, face, *person));
  }
  model::Face& named = (*faces)[face];
  const model::FaceLabel before = named.label;
  named.label = label;
  const std::string source = model::ReferenceSource(id, face);
  auto refs = catalog_.AllReferences();
  if (!refs.ok()) return refs.status();
  std::vector<model::PersonReference> taught;  // by an earlier naming of this face, which this one replaces
  std::copy_if(refs->begin(), refs->end(), std::back_inserter(taught),
               [&](const auto& r) { return r.source == source; });
  catalog::CatalogChange change;
  change.item.id = id;
  change.face_labels = {{face, label}};
  for (const auto& r : taught) change.removed_references.push_back(r.id);
  if (!label.untracked && config_.Current()->review.learn_from_approvals && !named.embedding.empty()) {
    change.references.push_back({0, label.named_as, named.embedding, source});
  }
  change.actor = actor;
  change.action = "name-face";
  change.at = now;
  const int open =
      static_cast<int>(std::count_if(faces->begin(), faces->end(), [](const auto& f) { return !f.label.Decided(); }));
  change.reason = fmt::format("face {} of {} in {} marked as {} by {}", face + 1, faces->size(), FileName(item->path),
                              LabelWords(label), actor);
  json undo = RelocationUndo("name_face", *item, *item);
  if (undo_) {
    json reasons = json::array();
    for (const auto& r : item->reasons) reasons.push_back({{"code", r.code}, {"text", r.text}});
    undo.update({{"face", face},
                 {"before", LabelJson(before)},
                 {"label", LabelJson(label)},
                 {"restore", SavedReferences(taught)},
                 {"moved", false},
                 {"reasons", reasons}});
  }
  if (open == 0) return FileNamedFaces(*item, *faces, std::move(change), std::move(undo));
  change.kind = catalog::CatalogChange::Kind::kReferences;
  change.journal_id = base::RandomId();
  auto applied = catalog_.Apply(change);
  if (!applied.ok()) return applied.status();
  if (references_changed_ && (!change.references.empty() || !taught.empty())) references_changed_();
  return Done{*item, std::move(undo), change.reason};
}

// Every face is decided: the item goes where the policy sends a photo of the named persons, with the last label and
// its reference in the same journaled change.
base::Result<ReviewService::Done> ReviewService::FileNamedFaces(const model::ItemRecord& item,
                                                                const std::vector<model::Face>& faces,
                                                                catalog::CatalogChange change, json undo) {
  auto routed =
      RouteNamedFaces(item, faces, change.face_labels.empty() ? -1 : change.face_labels.front().first, change.actor);
  if (!routed.ok()) return routed.status();
  const model::Decision& d = *routed;
  auto config = config_.Current();
  std::filesystem::path dest;
  if (d.destination == model::Destination::kLibrary) {
    change.item.location = "library";
    change.item.person = d.person;
    change.item.reasons = d.reasons;
    dest = d.person.empty() ? config->PhotosDir() / d.library_folder : config->FacesDir() / d.person;
  } else {
    change.item.location = "review";
    change.item.category = d.category;
    change.item.person = d.person;
    change.item.reasons = d.reasons;
    change.review_reason = d.Summary();
    change.review_code = d.reasons.front().code;
    dest = config->ReviewDir() / d.category;
  }
  change.item.auto_sorted = false;
  const bool stays = d.destination == model::Destination::kReview && d.category == item.category;
  const std::string folder = std::filesystem::relative(dest, committer_.library()).generic_string();
  if (stays) {
    change.reason += fmt::format("; every face decided, it stays in {}: {}", FolderOf(item.path), d.Summary());
  } else if (d.destination == model::Destination::kLibrary) {
    change.reason += fmt::format("; every face decided, filed in {}", folder);
  } else {
    change.reason += fmt::format("; every face decided, to {}: {}", folder, d.Summary());
  }
  if (stays) {
    change.kind = catalog::CatalogChange::Kind::kReferences;
    change.journal_id = base::RandomId();
    auto applied = catalog_.Apply(change);
    if (!applied.ok()) return applied.status();
  } else {
    auto placed = committer_.Relocate(item, dest, change);
    if (!placed.ok()) return placed.status();
  }
  if (references_changed_) references_changed_();
  auto after = catalog_.GetItem(item.id);
  if (!after.ok()) return after.status();
  if (undo.is_object()) {
    undo["path"] = after->path;
    undo["moved"] = !stays;
  }
  return Done{*after, std::move(undo), change.reason};
}

// The label, then what undoing it needs: the reference ids the naming added and the face's place in the clusters.
base::Result<ReviewService::Done> ReviewService::DoNameFace(int64_t id, int face, const std::string& person,
                                                            const std::string& actor, int64_t now,
                                                            const std::string& seen_in, bool only_face) {
  auto done = LabelFace(id, face, person, actor, now, seen_in, only_face);
  if (!done.ok()) return done;
  json clusters = nullptr;
  if (person.empty()) {
    clusters = ReleaseInClusters(id, face);
  } else {
    auto enrolled = EnrolledPerson(person);  // as LabelFace stored it
    if (enrolled.ok()) clusters = AssignInClusters(id, face, *enrolled, now);
  }
  if (!undo_ || !done->undo.is_object()) return done;
  auto refs = catalog_.AllReferences();
  if (!refs.ok()) return refs.status();
  const std::string source = model::ReferenceSource(id, face);
  for (const auto& r : *refs) {
    if (r.source == source) done->undo["references"].push_back(r.id);
  }
  done->undo["clusters"] = std::move(clusters);
  return done;
}

base::Result<FaceNaming> ReviewService::NameFace(int64_t id, int face, const std::string& person,
                                                 const std::string& actor, int64_t now, const std::string& seen_in,
                                                 std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  auto done = DoNameFace(id, face, person, actor, now, seen_in);
  const bool moved = done.ok() && done->undo.is_object() && done->undo.value("moved", false);
  const bool learnt =
      done.ok() && done->undo.is_object() && done->undo.contains("references") && !done->undo["references"].empty();
  std::string summary = done.ok() ? done->summary : "";
  auto item = Finish("name_face", std::move(done), actor, now, undo_token);
  if (!item.ok()) return item.status();
  auto faces = catalog_.FacesOf(id);
  if (!faces.ok()) return faces.status();
  FaceNaming out{*item, *faces, 0, moved, summary, learnt};
  out.open =
      static_cast<int>(std::count_if(faces->begin(), faces->end(), [](const auto& f) { return !f.label.Decided(); }));
  return out;
}

base::Status ReviewService::CheckFaceLabel(const json& undo) {
  std::lock_guard lock(decide_mu_);
  if (undo.value("moved", false)) return UnmovedSince(undo).status();
  const int64_t id = undo.at("item");
  auto item = PendingItem(id, undo.at("folder"));
  if (!item.ok() && item.status().code() == base::Code::kNotFound) {
    return base::Status::Conflict(fmt::format("item {} was decided since; nothing was changed", id));
  }
  if (!item.ok()) return item.status();
  auto faces = catalog_.FacesOf(id);
  if (!faces.ok()) return faces.status();
  const int face = undo.at("face");
  if (face >= static_cast<int>(faces->size()) || !((*faces)[face].label == LabelFrom(undo.at("label")))) {
    return base::Status::Conflict(
        fmt::format("face {} of item {} was named again since; nothing was changed", face + 1, id));
  }
  return base::Status::Ok();
}

// The label before, the references it replaced, and (when the naming filed the item) the file back where it was.
base::Status ReviewService::RevertFaceLabel(const json& undo, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  if (undo.value("moved", false)) return RevertRelocation(undo, actor, now);
  TRIAGE_RETURN_IF_ERROR(CheckFaceLabel(undo));
  catalog::CatalogChange change;
  change.kind = catalog::CatalogChange::Kind::kReferences;
  change.journal_id = base::RandomId();
  change.item.id = undo.at("item");
  change.actor = actor;
  change.action = "undo";
  change.reason = fmt::format("naming of face {} undone by {}", undo.at("face").get<int>() + 1, actor);
  change.at = now;
  LabelUndo(undo, change);
  auto applied = catalog_.Apply(change);
  if (!applied.ok()) return applied.status();
  RestoreClusters(undo, now);
  if (references_changed_) references_changed_();
  return base::Status::Ok();
}

json ReviewService::AssignInClusters(int64_t id, int face, const std::string& person, int64_t now) {
  if (!people_) return nullptr;
  auto before = people_->AssignFromReview(id, face, person, now);
  return before.ok() ? *before : json(nullptr);
}

json ReviewService::ReleaseInClusters(int64_t id, int face) {
  if (!people_) return nullptr;
  auto before = people_->ReleaseFromReview(id, face);
  return before.ok() ? *before : json(nullptr);
}

void ReviewService::RestoreClusters(const json& undo, int64_t now) {
  if (!people_ || !undo.contains("clusters") || undo.at("clusters").is_null()) return;
  // Best effort, as the assignment was: the decision itself is reverted either way.
  static_cast<void>(people_->RestoreFromReview(undo.at("clusters"), now));
}

void ReviewService::LabelUndo(const json& undo, catalog::CatalogChange& change) {
  if (!undo.contains("face")) return;
  change.face_labels = {{undo.at("face").get<int>(), LabelFrom(undo.at("before"))}};
  change.removed_references = undo.at("references").get<std::vector<int64_t>>();
  for (const json& r : undo.at("restore")) {
    change.references.push_back(
        {r.at("id"), r.at("person"), r.at("embedding").get<std::vector<float>>(), r.at("source")});
  }
}

}  // namespace triage::review
