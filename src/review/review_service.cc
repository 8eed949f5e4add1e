// Review decisions: each one a journaled relocation with the reviewer recorded.
#include "review/review_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>
#include <utility>

#include "base/text.h"
#include "catalog/policy_names.h"
#include "commit/journal.h"
#include "decide/decide.h"
#include "model/decision.h"
#include "model/image_format.h"
#include "review/person_service.h"
#include "review/shown_images.h"

namespace triage::review {

namespace {

std::string FolderOf(const std::string& relative_path) {
  return std::filesystem::path(relative_path).parent_path().generic_string();
}

std::string FileName(const std::string& relative_path) {
  return std::filesystem::path(relative_path).filename().string();
}

// Where an item lies, as a reviewer knows the place: "the trash" rather than the state folder's path.
std::string PlaceWords(const std::string& folder) {
  if (folder.rfind(".triage/trash", 0) == 0) return "the trash";
  if (folder.rfind(".triage/archive", 0) == 0) return "the archive";
  return folder;
}

// A copy waiting as a duplicate of a photo that is still in the library or in review is decided as a duplicate (keep
// new, existing or both), never approved or kept alone: that would file a second copy of one picture without a word.
// Once its original is in the trash, in the archive or gone, or after "keep both", it is a photo of its own.
base::Status RefuseUndecidedCopy(catalog::Catalog& catalog, const model::ItemRecord& item, const char* action) {
  auto standing = StandingOriginal(catalog, item);
  if (!standing.ok()) return standing.status();
  if (!*standing) return base::Status::Ok();
  const model::ItemRecord* original = &**standing;
  return base::Status::Conflict(fmt::format(
      "{} (item {}) is a copy of {} (item {}): {} it alone would file the same picture twice; decide it as a "
      "duplicate instead: keep the new copy, the existing one, or both (`triage review duplicate {} --keep both`)",
      FileName(item.path), item.id, original->path, original->id, action, item.id));
}

}  // namespace

base::Result<std::optional<model::ItemRecord>> StandingOriginal(catalog::Catalog& catalog,
                                                                const model::ItemRecord& copy) {
  using Standing = std::optional<model::ItemRecord>;
  if (!copy.duplicate_of || copy.location != "review" || !model::IsDuplicateCategory(copy.category)) return Standing();
  auto original = catalog.GetItem(*copy.duplicate_of);
  if (!original.ok() && original.status().code() != base::Code::kNotFound) return original.status();
  if (original.ok() && !model::LeftTheLibrary(original->location)) return Standing(*original);
  // The copies of it decided already: kept in its place or beside it (in the library first, then in review).
  catalog::ItemFilter f;
  f.duplicate_of = *copy.duplicate_of;
  f.limit = 1000;
  auto siblings = catalog.ListItems(f);
  if (!siblings.ok()) return siblings.status();
  // Preferred: a byte copy of this one (the same file: the comparison is then of equals), then one in the library.
  Standing best;
  auto rank = [&](const model::ItemRecord& s) {
    return (s.fingerprint.sha256 == copy.fingerprint.sha256 ? 2 : 0) + (s.location == "library" ? 1 : 0);
  };
  for (const model::ItemRecord& s : *siblings) {
    if (s.id == copy.id || model::LeftTheLibrary(s.location)) continue;
    if (s.location == "review" && model::IsDuplicateCategory(s.category)) continue;  // waiting as a copy itself
    if (!best || rank(s) > rank(*best)) best = s;
  }
  return best;
}

namespace {

// kConflict when `seen_in` is given and `item` is no longer in that folder.
base::Status StillWhereSeen(const model::ItemRecord& item, const std::string& seen_in) {
  if (seen_in.empty() || FolderOf(item.path) == seen_in) return base::Status::Ok();
  return base::Status::Conflict(
      fmt::format("{} (item {}) is no longer in {}: it was moved to {} meanwhile, from another window or by another "
                  "reviewer; nothing was changed",
                  FileName(item.path), item.id, seen_in, PlaceWords(FolderOf(item.path))));
}

}  // namespace

base::Result<model::ItemRecord> ReviewService::PendingItem(int64_t id, const std::string& seen_in) {
  auto item = catalog_.GetItem(id);
  if (!item.ok()) return item.status();
  TRIAGE_RETURN_IF_ERROR(StillWhereSeen(*item, seen_in));
  // An item that exists but waits no more was decided or moved: a conflict with where it is now (409, exit 5), not a
  // missing item.
  auto pending = catalog_.PendingReview(id);
  if (!pending.ok() && pending.status().code() == base::Code::kNotFound) {
    if (!seen_in.empty()) {
      return base::Status::Conflict(fmt::format(
          "{} (item {}) in {} was decided meanwhile, from another window or by another reviewer; nothing was changed",
          FileName(item->path), id, seen_in));
    }
    return base::Status::Conflict(
        fmt::format("{} (item {}) is not waiting for review: it is in {}; nothing was changed", FileName(item->path),
                    id, PlaceWords(FolderOf(item->path))));
  }
  if (!pending.ok()) return pending.status();
  return item;
}

base::Result<std::vector<model::PersonReference>> ReviewService::FaceToLearn(int64_t id, const std::string& person) {
  std::vector<model::PersonReference> out;
  if (!config_.Current()->review.learn_from_approvals) return out;
  auto faces = catalog_.FacesOf(id);
  if (!faces.ok()) return faces.status();
  if (faces->size() == 1 && !faces->front().embedding.empty()) {
    out.push_back({0, person, faces->front().embedding, fmt::format("item:{}", id)});
  }
  return out;
}

nlohmann::json ReviewService::RelocationUndo(const std::string& kind, const model::ItemRecord& before,
                                             const model::ItemRecord& after) {
  if (!undo_) return nullptr;
  nlohmann::json undo = {{"kind", kind},
                         {"item", before.id},
                         {"path", after.path},
                         {"folder", FolderOf(before.path)},
                         {"location", before.location},
                         {"category", before.category},
                         {"person", before.person},
                         {"auto_sorted", before.auto_sorted},
                         {"references", nlohmann::json::array()},
                         {"person_created", ""}};
  // A photo taken out of the trash goes back to it, if undone, as of when it was deleted: its time there counts on.
  if (before.location == "trash") undo["since"] = before.updated_at;
  auto entry = catalog_.PendingReview(before.id);
  if (entry.ok()) {  // the review entry the decision closes, to reopen as it was
    undo["review_reason"] = entry->reason;
    undo["review_code"] = entry->reason_code;
  }
  return undo;
}

base::Result<ReviewService::Done> ReviewService::DoApprove(int64_t id, const std::string& person_name,
                                                           const std::string& actor, int64_t now,
                                                           const std::string& seen_in) {
  auto person = config::SanitizePersonName(person_name);
  if (!person.ok()) return person.status();
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  TRIAGE_RETURN_IF_ERROR(RefuseUndecidedCopy(catalog_, *item, "approving"));
  // Nobody has seen what an unreadable file shows (there is no picture to look at), so it is not filed as a person's.
  if (item->category == "unreadable") {
    return base::Status::InvalidArgument(
        fmt::format("{} (item {}) could not be read as an image, so it cannot be sorted under a person; keep it "
                    "without a person or delete it",
                    FileName(item->path), id));
  }
  TRIAGE_RETURN_IF_ERROR(CheckApprovedPersonIsInPhoto(*item, *person));
  auto added = AddPersonAsTyped(catalog_, *person, person_name, now);
  if (!added.ok() && added.status().code() != base::Code::kAlreadyExists) return added.status();
  catalog::CatalogChange change;
  change.item.location = "library";
  change.item.person = *person;
  change.item.auto_sorted = false;
  change.actor = actor;
  change.action = "approve";
  const std::string written = catalog::WrittenName(catalog_, *person);
  change.reason = fmt::format("approved as {} by {}", written, actor);
  change.at = now;
  auto learnt = FaceToLearn(id, *person);
  if (!learnt.ok()) return learnt.status();
  change.references = std::move(*learnt);
  nlohmann::json undo = RelocationUndo("approve", *item, *item);
  // The reference travels in the journaled change: it is added with the move, or after a crash by recovery.
  auto placed = committer_.Relocate(*item, config_.Current()->FacesDir() / *person, change);
  if (!placed.ok()) return placed.status();
  if (!change.references.empty() && references_changed_) references_changed_();
  auto after = catalog_.GetItem(id);
  if (!after.ok()) return after.status();
  undo["path"] = after->path;
  undo["person_created"] = added.ok() ? *person : "";
  if (after->faces_detected == 1) undo["clusters"] = AssignInClusters(id, 0, *person, now);
  if (!change.references.empty()) {
    auto refs = catalog_.AllReferences();
    if (!refs.ok()) return refs.status();
    const std::string source = fmt::format("item:{}", id);
    for (const auto& r : *refs) {
      if (r.person == *person && r.source == source) undo["references"].push_back(r.id);
    }
  }
  return Done{*after, std::move(undo), fmt::format("approved {} as {}", FileName(after->path), written)};
}

base::Result<ReviewService::Done> ReviewService::DoKeep(int64_t id, const std::string& actor, int64_t now,
                                                        const std::string& seen_in) {
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  TRIAGE_RETURN_IF_ERROR(RefuseUndecidedCopy(catalog_, *item, "keeping"));
  auto config = config_.Current();
  catalog::CatalogChange change;
  change.item.location = "library";
  change.item.auto_sorted = false;
  change.actor = actor;
  change.action = "keep";
  change.reason = fmt::format("kept without a person by {}", actor);
  change.at = now;
  nlohmann::json undo = RelocationUndo("keep", *item, *item);
  auto placed = committer_.Relocate(*item, config->PhotosDir() / model::PhotoMonthFolder(item->info.taken_at), change);
  if (!placed.ok()) return placed.status();
  auto after = catalog_.GetItem(id);
  if (!after.ok()) return after.status();
  undo["path"] = after->path;
  return Done{*after, std::move(undo), fmt::format("kept {} in {}", FileName(after->path), FolderOf(after->path))};
}

base::Result<ReviewService::Done> ReviewService::DoReject(int64_t id, const std::string& actor, int64_t now,
                                                          const std::string& seen_in) {
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  const int days = config_.Current()->review.trash_retention_days;
  return Trash(*item, "reject", fmt::format("rejected by {}; purged after {} days", actor, days), actor, now);
}

base::Result<ReviewService::Done> ReviewService::DoDiscard(int64_t id, const std::string& actor, int64_t now,
                                                           const std::string& seen_in) {
  auto item = catalog_.GetItem(id);
  if (!item.ok()) return item.status();
  TRIAGE_RETURN_IF_ERROR(StillWhereSeen(*item, seen_in));
  if (item->location != "library") {
    return base::Status::Conflict(
        fmt::format("{} (item {}) is not in the library: it is in {}; {}nothing was changed", FileName(item->path), id,
                    PlaceWords(FolderOf(item->path)),
                    item->location == "review"
                        ? "a photo waiting for review is decided on the Review page (Delete there moves it to the "
                          "trash); "
                        : ""));
  }
  const int days = config_.Current()->review.trash_retention_days;
  return Trash(*item, "discard",
               fmt::format("moved to the trash from the library by {}; purged after {} days", actor, days), actor, now);
}

base::Result<ReviewService::Done> ReviewService::Trash(const model::ItemRecord& item, const std::string& action,
                                                       const std::string& reason, const std::string& actor,
                                                       int64_t now) {
  catalog::CatalogChange change;
  change.item.location = "trash";
  change.item.category = item.category;
  change.item.person = item.person;
  change.actor = actor;
  change.action = action;
  change.reason = reason;
  change.at = now;
  nlohmann::json undo = RelocationUndo(action, item, item);
  auto placed = committer_.Relocate(item, config_.Current()->StateDir() / "trash", change);
  if (!placed.ok()) return placed.status();
  auto after = catalog_.GetItem(item.id);
  if (!after.ok()) return after.status();
  if (undo.is_object()) undo["path"] = after->path;
  return Done{*after, std::move(undo), fmt::format("moved {} to the trash", FileName(after->path))};
}

base::Result<ReviewService::Done> ReviewService::DoSkip(int64_t id, const std::string& actor, int64_t now,
                                                        const std::string& seen_in) {
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  nlohmann::json undo;
  if (undo_) {
    auto place = undo_->store().QueuePlaceOf(id);
    if (!place.ok()) return place.status();
    undo = {{"kind", "skip"},
            {"item", id},
            {"folder", FolderOf(item->path)},
            {"rank", place->rank},
            {"queued_at", place->queued_at}};
  }
  TRIAGE_RETURN_IF_ERROR(catalog_.SkipReview(id, actor, now));
  return Done{*item, std::move(undo), fmt::format("skipped {}", FileName(item->path))};
}

base::Result<ReviewService::Done> ReviewService::DoOne(const std::string& action, int64_t id, const std::string& person,
                                                       const std::string& actor, int64_t now,
                                                       const std::string& seen_in) {
  if (action == "approve") return DoApprove(id, person, actor, now, seen_in);
  if (action == "keep") return DoKeep(id, actor, now, seen_in);
  if (action == "reject") return DoReject(id, actor, now, seen_in);
  if (action == "name_face") return DoNameFace(id, 0, person, actor, now, seen_in, /*only_face=*/true);
  return DoSkip(id, actor, now, seen_in);
}

base::Result<model::ItemRecord> ReviewService::Finish(const std::string& kind, base::Result<Done> done,
                                                      const std::string& actor, int64_t now, std::string* undo_token) {
  if (!done.ok()) return done.status();
  if (undo_ && undo_token) {
    // Each change remembers the item's newest audit entry, so that an undo can tell a later decision that left the
    // file where this one put it (rejected, restored, rejected again) from nothing having happened.
    if (done->undo.contains("changes")) {
      for (auto& change : done->undo["changes"]) StampLatestAudit(change);
    } else {
      StampLatestAudit(done->undo);
    }
    // The decision is made (file moved, catalog written, audited): a token that cannot be stored now (a full disk)
    // leaves it without an undo, never reported as a decision that failed.
    auto token = undo_->Record(kind, actor, done->undo, done->summary, now);
    // The answer then carries no undo, so the page offers none.
    if (token.ok())
      *undo_token = *token;
    else
      undo_token->clear();
  }
  return std::move(done->item);
}

base::Result<model::ItemRecord> ReviewService::Approve(int64_t id, const std::string& person, const std::string& actor,
                                                       int64_t now, const std::string& seen_in,
                                                       std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  return Finish("approve", DoApprove(id, person, actor, now, seen_in), actor, now, undo_token);
}

base::Result<model::ItemRecord> ReviewService::Keep(int64_t id, const std::string& actor, int64_t now,
                                                    const std::string& seen_in, std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  return Finish("keep", DoKeep(id, actor, now, seen_in), actor, now, undo_token);
}

base::Result<model::ItemRecord> ReviewService::Reject(int64_t id, const std::string& actor, int64_t now,
                                                      const std::string& seen_in, std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  return Finish("reject", DoReject(id, actor, now, seen_in), actor, now, undo_token);
}

base::Result<ApplyReport> ReviewService::ApplyCurrentPolicy(const std::string& actor, int64_t now,
                                                            const MatchNowFn& match_now, std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  BeforeMoveFn before_move;
  if (undo_ && undo_token) {
    before_move = [this](const model::ItemRecord& before) { return RelocationUndo("apply-policy", before, before); };
  }
  auto report = ApplyPolicy(catalog_, committer_, *config_.Current(), actor, now, match_now, before_move);
  if (!report.ok() || report->undo.empty() || !undo_token) return report;
  // Every move of the re-sort taken back by one undo, as a bulk decision is (Finish leaves the token empty when it
  // cannot be stored).
  nlohmann::json undo = {{"kind", "bulk"}, {"changes", std::exchange(report->undo, {})}};
  const std::string summary = fmt::format("re-sorted the review queue under the saved policy: moved {}",
                                          report->moved == 1 ? "1 photo" : fmt::format("{} photos", report->moved));
  static_cast<void>(Finish("apply-policy", Done{{}, std::move(undo), summary}, actor, now, undo_token));
  return report;
}

base::Status ReviewService::Skip(int64_t id, const std::string& actor, int64_t now, const std::string& seen_in,
                                 std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  return Finish("skip", DoSkip(id, actor, now, seen_in), actor, now, undo_token).status();
}

base::Result<std::vector<BulkOutcome>> ReviewService::Bulk(const std::vector<int64_t>& ids, const std::string& action,
                                                           const std::string& person, const std::string& actor,
                                                           int64_t now, const SeenIn& seen_in,
                                                           std::string* undo_token) {
  if (action != "approve" && action != "keep" && action != "reject" && action != "skip" && action != "name_face") {
    return base::Status::InvalidArgument(
        fmt::format("unknown bulk action \"{}\": allowed are approve, keep, reject, skip, name_face", action));
  }
  if (action == "approve") {
    auto name = config::SanitizePersonName(person);
    if (!name.ok()) return name.status();
  }
  std::lock_guard lock(decide_mu_);
  if (action == "name_face") {  // one person for every photo: an unknown name is refused before anything changes
    auto enrolled = EnrolledPerson(person);
    if (!enrolled.ok()) return enrolled.status();
  }
  std::vector<BulkOutcome> out;
  nlohmann::json changes = nlohmann::json::array();
  std::set<int64_t> taken;
  for (int64_t id : ids) {
    if (!taken.insert(id).second) continue;  // an id given twice is one photo, decided and counted once
    auto seen = seen_in.find(id);
    auto done = DoOne(action, id, person, actor, now, seen == seen_in.end() ? std::string() : seen->second);
    const base::Status& st = done.status();
    out.push_back({id, st.ok(), st.ok() ? "" : st.message(), st.code() == base::Code::kConflict});
    if (done.ok()) changes.push_back(std::move(done->undo));
  }
  if (!changes.empty()) {
    nlohmann::json undo = {{"kind", "bulk"}, {"changes", std::move(changes)}};
    const std::string photos = base::Counted(undo["changes"].size(), "photo");
    std::string summary = action == "approve"     ? "approved " + photos
                          : action == "keep"      ? "kept " + photos
                          : action == "reject"    ? "moved " + photos + " to the trash"
                          : action == "name_face" ? "named the face of " + photos
                                                  : "skipped " + photos;
    if (action == "approve" || action == "name_face") {
      auto key = config::SanitizePersonName(person);
      summary += " as " + (key.ok() ? catalog::WrittenName(catalog_, *key) : person);
    }
    // The decisions are made whether or not their token could be stored: a failure leaves them without an undo.
    static_cast<void>(Finish("bulk", Done{{}, std::move(undo), summary}, actor, now, undo_token));
  }
  return out;
}

base::Result<model::ItemRecord> ReviewService::TrashedItem(int64_t id) {
  auto item = catalog_.GetItem(id);
  if (!item.ok()) return item.status();
  if (item->location != "trash") {
    return base::Status::Conflict(
        fmt::format("item {} is not in the trash (it is in {}); nothing was changed", id, FolderOf(item->path)));
  }
  return item;
}

base::Result<std::string> ReviewService::TrashedFrom(int64_t id) {
  // The newest move into the trash says where from (a folder of the library, "review/<category>", ...).
  catalog::AuditQuery query;
  query.item_id = id;
  query.limit = 1000;
  auto entries = catalog_.ListAuditEntries(query);
  if (!entries.ok()) return entries.status();
  for (const model::AuditEntry& e : *entries) {
    // A move into it: an analysis of a photo in the trash is audited from the trash to the trash.
    if (e.to_state == "trash" && e.from_state != "trash") return e.from_state;
  }
  return std::string();
}

base::Result<ReviewService::Done> ReviewService::DoRestore(int64_t id, const std::string& actor, int64_t now) {
  auto item = TrashedItem(id);
  if (!item.ok()) return item.status();
  auto from = TrashedFrom(id);
  if (!from.ok()) return from.status();
  // A photo the library held (a duplicate's original, kept in favour of its copy) goes back to its library folder;
  // one from review goes back to the review folder of its category, pending again.
  // An identical file that took its place meanwhile (the copy kept instead of it) stays: this one waits beside it as
  // its copy, in review/duplicates, rather than lying in the library twice. One that waits as a copy itself (of this
  // photo, as like as not) is decided on its own card; this one goes back as it was.
  std::optional<model::ItemRecord> twin;
  if (config_.Current()->policy.check_exact_duplicates && !item->fingerprint.sha256.empty()) {
    auto found = catalog_.FindBySha256(item->fingerprint.sha256);
    if (!found.ok()) return found.status();
    auto other = *found && **found != id ? catalog_.GetItem(**found) : base::Status::NotFound("none");
    if (other.ok() && !(other->location == "review" && model::IsDuplicateCategory(other->category))) twin = *other;
  }
  const bool to_library = !twin && (from->rfind("faces/", 0) == 0 || from->rfind("photos/", 0) == 0) &&
                          from->find("..") == std::string::npos;
  std::string category = item->category.empty() ? "unidentified" : item->category;
  catalog::CatalogChange change;
  change.item.location = to_library ? "library" : "review";
  change.item.category = to_library ? item->category : category;
  change.item.person = item->person;
  if (twin) {
    model::Decision copy = decide::ExactDuplicateDecision(twin->id, twin->path);
    category = copy.category;
    change.item.category = copy.category;
    change.item.reasons = copy.reasons;
    change.item.duplicate_of = twin->id;
    change.set_duplicate_of = true;
    change.review_reason = copy.Summary();
  } else if (!to_library) {  // pending again for the reasons it was sent to review, said as they were said then
    change.item.reasons = item->reasons;
    model::Decision sent;
    sent.reasons = item->reasons;
    change.review_reason = sent.Summary();
  }
  change.actor = actor;
  change.action = "restore";
  change.reason = fmt::format("restored from the trash by {}", actor);
  change.at = now;
  nlohmann::json undo = RelocationUndo("restore", *item, *item);
  const std::filesystem::path folder =
      to_library ? config_.Current()->library / *from : config_.Current()->ReviewDir() / category;
  // The trash suffixes a name another trashed file has ("a_1.jpg"); back out, the photo takes its own name again
  // where that is free.
  const std::string name =
      item->original_name.empty() ? std::string() : model::LibraryFileName(item->original_name, item->info.format);
  auto placed = committer_.Relocate(*item, folder, change, name);
  if (!placed.ok()) return placed.status();
  auto after = catalog_.GetItem(id);
  if (!after.ok()) return after.status();
  undo["path"] = after->path;
  return Done{*after, std::move(undo), fmt::format("restored {} from the trash", FileName(after->path))};
}

base::Result<model::ItemRecord> ReviewService::Discard(int64_t id, const std::string& actor, int64_t now,
                                                       const std::string& seen_in, std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  return Finish("discard", DoDiscard(id, actor, now, seen_in), actor, now, undo_token);
}

base::Result<model::ItemRecord> ReviewService::Restore(int64_t id, const std::string& actor, int64_t now,
                                                       std::string* undo_token) {
  std::lock_guard lock(decide_mu_);
  return Finish("restore", DoRestore(id, actor, now), actor, now, undo_token);
}

base::Status ReviewService::PurgeOne(int64_t id, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  auto item = TrashedItem(id);
  if (!item.ok()) return item.status();
  TRIAGE_RETURN_IF_ERROR(committer_.Purge(*item, actor, fmt::format("purged from the trash by {}", actor), now));
  ForgetShownImages(catalog_, *config_.Current(), *item);
  return base::Status::Ok();
}

base::Status ReviewService::Forget(int64_t id, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  auto item = catalog_.GetItem(id);
  if (!item.ok()) return item.status();
  // Gone, or replaced by a folder or a link (which stays where it is: it is not the item's).
  if (commit::NotAFileAt(committer_.library() / item->path).empty()) {
    return base::Status::Conflict(fmt::format(
        "item {}'s file is still at {}; nothing was changed: only an item whose file was deleted outside triage is "
        "forgotten ({} it to move it to the trash)",
        id, item->path, item->location == "review" ? "reject" : "discard"));
  }
  // Another process (a server's decision, a worker) may have moved the file and not yet recorded where: its journal
  // says so, and once recorded the path differs, so the item is deleted only while it still names the missing file.
  if (commit::ItemInFlight(committer_.library() / ".triage", id)) {
    return base::Status::Conflict(fmt::format(
        "item {}'s file is being moved from {} by another triage process; nothing was changed", id, item->path));
  }
  const std::string from = item->location == "trash" ? "trash" : FolderOf(item->path);
  return catalog_.DeleteItem(
      {0, now, actor, id, "forget", from, "",
       fmt::format("its file {} was deleted outside triage; forgotten by {}", item->path, actor)},
      item->path);
}

base::Result<int> ReviewService::PurgeTrash(int64_t now, const std::string& actor) {
  const int retention_days = config_.Current()->review.trash_retention_days;
  int64_t before = now - int64_t{retention_days} * 86400;
  auto old = catalog_.TrashedBefore(before);
  if (!old.ok()) return old.status();
  int purged = 0;
  for (const auto& item : *old) {
    base::Status st = committer_.Purge(item, actor, fmt::format("in trash longer than {} days", retention_days), now);
    if (st.code() == base::Code::kConflict) continue;  // restored meanwhile (by another process): not purged
    if (!st.ok()) return st;
    ForgetShownImages(catalog_, *config_.Current(), item);
    ++purged;
  }
  return purged;
}

}  // namespace triage::review
