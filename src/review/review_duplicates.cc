// Duplicates decided as duplicates: keep the new copy (it takes the original's place, the original goes to the
// trash), keep the existing one (the new copy goes to the trash), or keep both (the new copy is filed next to it).
#include <fmt/format.h>

#include <filesystem>

#include "model/decision.h"
#include "review/review_service.h"

namespace triage::review {

base::Result<ReviewService::Done> ReviewService::FileLike(const model::ItemRecord& item, const model::ItemRecord& place,
                                                          const std::string& actor, int64_t now,
                                                          const std::string& reason) {
  catalog::CatalogChange change;
  // A byte copy shows the same faces as the photo it joins: what a reviewer said of them there holds here too (kept in
  // its place, the copy would otherwise come back with every face unnamed).
  if (!item.fingerprint.sha256.empty() && item.fingerprint.sha256 == place.fingerprint.sha256) {
    auto theirs = catalog_.FacesOf(place.id);
    auto mine = catalog_.FacesOf(item.id);
    if (theirs.ok() && mine.ok() && theirs->size() == mine->size()) {
      for (size_t i = 0; i < mine->size(); ++i) {
        const model::FaceLabel& said = (*theirs)[i].label;
        if (said.Decided() && !(*mine)[i].label.Decided()) change.face_labels.emplace_back(static_cast<int>(i), said);
      }
    }
  }
  change.item.location = place.location;
  change.item.category = place.location == "review" ? place.category : "";
  change.item.person = place.person;
  change.item.auto_sorted = false;
  change.actor = actor;
  change.action = "duplicate";
  change.reason = reason;
  change.at = now;
  nlohmann::json undo = RelocationUndo("duplicate", item, item);
  const auto folder = std::filesystem::path(place.path).parent_path();
  auto placed = committer_.Relocate(item, committer_.library() / folder, change);
  if (!placed.ok()) return placed.status();
  auto after = catalog_.GetItem(item.id);
  if (!after.ok()) return after.status();
  undo["path"] = after->path;
  return Done{*after, std::move(undo), ""};
}

base::Result<model::ItemRecord> ReviewService::DecideDuplicate(int64_t id, const std::string& keep,
                                                               const std::string& actor, int64_t now,
                                                               const std::string& seen_in, std::string* undo_token,
                                                               std::optional<int64_t> compared_with) {
  if (keep != "new" && keep != "existing" && keep != "both") {
    return base::Status::InvalidArgument(fmt::format("keep \"{}\": must be new, existing or both", keep));
  }
  std::lock_guard lock(decide_mu_);
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  if (!item->duplicate_of) {
    return base::Status::InvalidArgument(fmt::format("item {} is not a duplicate of another item", id));
  }
  // Kept beside an original that waits in review, a copy waits there too, as a photo of its own: decided as a
  // duplicate once, it is not decided as one again (a second "keep existing" would trash what "keep both" kept).
  if (!model::IsDuplicateCategory(item->category)) {
    return base::Status::Conflict(fmt::format(
        "{} (item {}) was decided as a duplicate already and waits in review/{} as a photo of its own; decide it there",
        std::filesystem::path(item->path).filename().string(), id, item->category));
  }
  auto standing = StandingOriginal(catalog_, *item);
  if (!standing.ok()) return standing.status();
  if (!*standing) {
    auto gone = catalog_.GetItem(*item->duplicate_of);
    return base::Status::Conflict(fmt::format(
        "item {} duplicates item {}, which is {}; decide item {} as a single photo", id, *item->duplicate_of,
        !gone.ok()                    ? "gone"
        : gone->location == "archive" ? "in the archive (an approved proposal replaced it)"
                                      : "in the trash",
        id));
  }
  const model::ItemRecord* original = &**standing;
  const std::string name = std::filesystem::path(item->path).filename().string();
  const std::string other = std::filesystem::path(original->path).filename().string();
  // Two reviewers (or two tabs) with cards of two copies of one photo: the first "keep" put its copy in the
  // original's place, and the second card still shows the original. Its decision was made against that photo.
  if (compared_with && *compared_with != original->id) {
    const std::string folder = std::filesystem::path(original->path).parent_path().string();
    auto shown = catalog_.GetItem(*compared_with);
    const bool replaced = *compared_with == *item->duplicate_of && shown.ok() && shown->location == "trash";
    return base::Status::Conflict(
        replaced ? fmt::format("{} (item {}) was compared with item {}, but the photo it duplicates is now {} (item "
                               "{}, in {}), kept in its place meanwhile: look at the two again",
                               name, id, *compared_with, other, original->id, folder)
                 : fmt::format("{} (item {}) duplicates {} (item {}, in {}), not item {}: look at the two again", name,
                               id, other, original->id, folder, *compared_with));
  }
  // An original that waits as a duplicate itself is decided first: a copy kept in its place or beside it would wait
  // in review/duplicates as a duplicate of a photo that may be trashed next.
  if (keep != "existing" && original->location == "review" && model::IsDuplicateCategory(original->category)) {
    return base::Status::Conflict(fmt::format(
        "{} (item {}), the photo {} duplicates, waits in review/{} as a duplicate itself: decide item {} first, or "
        "keep the existing copy",
        other, original->id, name, original->category, original->id));
  }
  nlohmann::json changes = nlohmann::json::array();
  std::string summary;
  model::ItemRecord result;
  if (keep == "existing") {
    auto done = Trash(*item, "duplicate", fmt::format("{} kept item {} instead", actor, original->id), actor, now);
    if (!done.ok()) return done.status();
    changes.push_back(done->undo);
    result = done->item;
    summary = fmt::format("kept {}, moved the copy {} to the trash", other, name);
  } else {
    if (keep == "new") {
      auto trashed =
          Trash(*original, "duplicate", fmt::format("{} kept the better copy, item {}", actor, id), actor, now);
      if (!trashed.ok()) return trashed.status();
      changes.push_back(trashed->undo);
    }
    auto filed =
        FileLike(*item, *original, actor, now,
                 fmt::format("{} kept it {} item {}", actor, keep == "new" ? "instead of" : "beside", original->id));
    if (!filed.ok()) {
      // Both moves or neither: the original trashed for a copy that could not take its place goes back.
      if (!changes.empty()) {
        if (base::Status back = RevertRelocation(changes.front(), actor, now); !back.ok()) {
          return filed.status().WithContext(
              fmt::format("keeping item {}; item {} is in the trash and could not be put back ({}): restore it "
                          "from the trash",
                          id, original->id, back.message()));
        }
      }
      return filed.status().WithContext(fmt::format("keeping item {} (nothing was changed)", id));
    }
    changes.push_back(filed->undo);
    result = filed->item;
    summary = keep == "new" ? fmt::format("kept {} in place of {}, which went to the trash", name, other)
                            : fmt::format("kept both {} and {}", name, other);
  }
  nlohmann::json undo = {{"kind", "bulk"}, {"changes", std::move(changes)}};
  return Finish("duplicate", Done{result, std::move(undo), summary}, actor, now, undo_token);
}

}  // namespace triage::review
