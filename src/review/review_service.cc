// Review decisions: each one a journaled relocation with the reviewer recorded.
#include "review/review_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

namespace triage::review {

namespace {

std::string FolderOf(const std::string& relative_path) {
  return std::filesystem::path(relative_path).parent_path().generic_string();
}

}  // namespace

base::Result<model::ItemRecord> ReviewService::PendingItem(int64_t id, const std::string& seen_in) {
  auto item = catalog_.GetItem(id);
  if (!item.ok()) return item.status();
  if (!seen_in.empty() && FolderOf(item->path) != seen_in) {
    return base::Status::Conflict(fmt::format("item {} is no longer in {} (it is in {} now); nothing was changed", id,
                                              seen_in, FolderOf(item->path)));
  }
  auto pending = catalog_.PendingReview(id);
  if (!pending.ok() && !seen_in.empty() && pending.status().code() == base::Code::kNotFound) {
    return base::Status::Conflict(
        fmt::format("item {} in {} was decided meanwhile; nothing was changed", id, seen_in));
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

base::Result<model::ItemRecord> ReviewService::Approve(int64_t id, const std::string& person_name,
                                                       const std::string& actor, int64_t now,
                                                       const std::string& seen_in) {
  auto person = config::SanitizePersonName(person_name);
  if (!person.ok()) return person.status();
  std::lock_guard lock(decide_mu_);
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  auto added = catalog_.AddPerson(*person, now);
  if (!added.ok() && added.status().code() != base::Code::kAlreadyExists) return added.status();
  catalog::CatalogChange change;
  change.item.location = "library";
  change.item.person = *person;
  change.item.auto_sorted = false;
  change.actor = actor;
  change.action = "approve";
  change.reason = fmt::format("approved as {} by {}", *person, actor);
  change.at = now;
  auto learnt = FaceToLearn(id, *person);
  if (!learnt.ok()) return learnt.status();
  change.references = std::move(*learnt);
  // The reference travels in the journaled change: it is added with the move, or after a crash by recovery.
  auto placed = committer_.Relocate(*item, config_.Current()->FacesDir() / *person, change);
  if (!placed.ok()) return placed.status();
  if (!change.references.empty() && references_changed_) references_changed_();
  return catalog_.GetItem(id);
}

base::Result<model::ItemRecord> ReviewService::Keep(int64_t id, const std::string& actor, int64_t now,
                                                    const std::string& seen_in) {
  std::lock_guard lock(decide_mu_);
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  auto config = config_.Current();
  catalog::CatalogChange change;
  change.item.location = "library";
  change.item.auto_sorted = false;
  change.actor = actor;
  change.action = "keep";
  change.reason = fmt::format("kept without a person by {}", actor);
  change.at = now;
  auto placed = committer_.Relocate(*item, config->PhotosDir() / model::PhotoMonthFolder(item->info.taken_at), change);
  if (!placed.ok()) return placed.status();
  return catalog_.GetItem(id);
}

base::Result<model::ItemRecord> ReviewService::Reject(int64_t id, const std::string& actor, int64_t now,
                                                      const std::string& seen_in) {
  std::lock_guard lock(decide_mu_);
  auto item = PendingItem(id, seen_in);
  if (!item.ok()) return item.status();
  catalog::CatalogChange change;
  change.item.location = "trash";
  change.item.category = item->category;
  change.item.person = item->person;
  change.actor = actor;
  change.action = "reject";
  auto config = config_.Current();
  change.reason = fmt::format("rejected by {}; purged after {} days", actor, config->review.trash_retention_days);
  change.at = now;
  auto placed = committer_.Relocate(*item, config->StateDir() / "trash", change);
  if (!placed.ok()) return placed.status();
  return catalog_.GetItem(id);
}

base::Status ReviewService::Skip(int64_t id, const std::string& actor, int64_t now, const std::string& seen_in) {
  std::lock_guard lock(decide_mu_);
  if (!seen_in.empty()) {
    auto item = PendingItem(id, seen_in);
    if (!item.ok()) return item.status();
  }
  return catalog_.SkipReview(id, actor, now);
}

base::Result<std::vector<BulkOutcome>> ReviewService::Bulk(const std::vector<int64_t>& ids, const std::string& action,
                                                          const std::string& person, const std::string& actor,
                                                          int64_t now, const SeenIn& seen_in) {
  if (action != "approve" && action != "keep" && action != "reject" && action != "skip") {
    return base::Status::InvalidArgument(
        fmt::format("unknown bulk action \"{}\": allowed are approve, keep, reject, skip", action));
  }
  if (action == "approve") {
    auto name = config::SanitizePersonName(person);
    if (!name.ok()) return name.status();
  }
  std::vector<BulkOutcome> out;
  for (int64_t id : ids) {
    auto seen = seen_in.find(id);
    std::string where = seen == seen_in.end() ? std::string() : seen->second;
    base::Status st;
    if (action == "approve") st = Approve(id, person, actor, now, where).status();
    else if (action == "keep") st = Keep(id, actor, now, where).status();
    else if (action == "reject") st = Reject(id, actor, now, where).status();
    else st = Skip(id, actor, now, where);
    out.push_back({id, st.ok(), st.ok() ? "" : st.message(), st.code() == base::Code::kConflict});
  }
  return out;
}

base::Result<model::ItemRecord> ReviewService::TrashedItem(int64_t id) {
  auto item = catalog_.GetItem(id);
  if (!item.ok()) return item.status();
  if (item->location != "trash") {
    return base::Status::Conflict(fmt::format("item {} is not in the trash (it is in {}); nothing was changed", id,
                                              FolderOf(item->path)));
  }
  return item;
}

base::Result<model::ItemRecord> ReviewService::Restore(int64_t id, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  auto item = TrashedItem(id);
  if (!item.ok()) return item.status();
  const std::string category = item->category.empty() ? "unidentified" : item->category;
  catalog::CatalogChange change;
  change.item.location = "review";
  change.item.category = category;
  change.item.person = item->person;
  change.item.reasons = item->reasons;   // pending again for the reasons it was sent to review
  change.actor = actor;
  change.action = "restore";
  change.reason = fmt::format("restored from the trash by {}", actor);
  change.at = now;
  auto placed = committer_.Relocate(*item, config_.Current()->ReviewDir() / category, change);
  if (!placed.ok()) return placed.status();
  return catalog_.GetItem(id);
}

base::Status ReviewService::PurgeOne(int64_t id, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  auto item = TrashedItem(id);
  if (!item.ok()) return item.status();
  return committer_.Purge(*item, actor, fmt::format("purged from the trash by {}", actor), now);
}

base::Result<int> ReviewService::PurgeTrash(int64_t now, const std::string& actor) {
  const int retention_days = config_.Current()->review.trash_retention_days;
  int64_t before = now - int64_t{retention_days} * 86400;
  auto old = catalog_.TrashedBefore(before);
  if (!old.ok()) return old.status();
  int purged = 0;
  for (const auto& item : *old) {
    base::Status st = committer_.Purge(item, actor,
                                       fmt::format("in trash longer than {} days", retention_days),
                                       now);
    if (!st.ok()) return st;
    ++purged;
  }
  return purged;
}

}  // namespace triage::review
