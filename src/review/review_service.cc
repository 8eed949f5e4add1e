// Review decisions: each one a journaled relocation with the reviewer recorded.
#include "review/review_service.h"

#include <fmt/format.h>

namespace triage::review {

base::Result<model::ItemRecord> ReviewService::PendingItem(int64_t id) {
  auto item = catalog_.GetItem(id);
  if (!item.ok()) return item.status();
  auto pending = catalog_.PendingReview(id);
  if (!pending.ok()) return pending.status();
  return item;
}

base::Result<std::vector<model::PersonReference>> ReviewService::FaceToLearn(int64_t id, const std::string& person) {
  std::vector<model::PersonReference> out;
  if (!config_.review.learn_from_approvals) return out;
  auto faces = catalog_.FacesOf(id);
  if (!faces.ok()) return faces.status();
  if (faces->size() == 1 && !faces->front().embedding.empty()) {
    out.push_back({0, person, faces->front().embedding, fmt::format("item:{}", id)});
  }
  return out;
}

base::Result<model::ItemRecord> ReviewService::Approve(int64_t id, const std::string& person_name,
                                                       const std::string& actor, int64_t now) {
  auto person = config::SanitizePersonName(person_name);
  if (!person.ok()) return person.status();
  auto item = PendingItem(id);
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
  auto placed = committer_.Relocate(*item, config_.FacesDir() / *person, change);
  if (!placed.ok()) return placed.status();
  if (!change.references.empty() && references_changed_) references_changed_();
  return catalog_.GetItem(id);
}

base::Result<model::ItemRecord> ReviewService::Reject(int64_t id, const std::string& actor, int64_t now) {
  auto item = PendingItem(id);
  if (!item.ok()) return item.status();
  catalog::CatalogChange change;
  change.item.location = "trash";
  change.item.category = item->category;
  change.item.person = item->person;
  change.actor = actor;
  change.action = "reject";
  change.reason = fmt::format("rejected by {}; purged after {} days", actor, config_.review.trash_retention_days);
  change.at = now;
  auto placed = committer_.Relocate(*item, config_.StateDir() / "trash", change);
  if (!placed.ok()) return placed.status();
  return catalog_.GetItem(id);
}

base::Status ReviewService::Skip(int64_t id, const std::string& actor, int64_t now) {
  return catalog_.SkipReview(id, actor, now);
}

base::Result<std::vector<BulkOutcome>> ReviewService::Bulk(const std::vector<int64_t>& ids, const std::string& action,
                                                          const std::string& person, const std::string& actor,
                                                          int64_t now) {
  if (action != "approve" && action != "reject" && action != "skip") {
    return base::Status::InvalidArgument(
        fmt::format("unknown bulk action \"{}\": allowed are approve, reject, skip", action));
  }
  if (action == "approve") {
    auto name = config::SanitizePersonName(person);
    if (!name.ok()) return name.status();
  }
  std::vector<BulkOutcome> out;
  for (int64_t id : ids) {
    base::Status st;
    if (action == "approve") st = Approve(id, person, actor, now).status();
    else if (action == "reject") st = Reject(id, actor, now).status();
    else st = Skip(id, actor, now);
    out.push_back({id, st.ok(), st.ok() ? "" : st.message()});
  }
  return out;
}

base::Result<int> ReviewService::PurgeTrash(int64_t now, const std::string& actor) {
  int64_t before = now - int64_t{config_.review.trash_retention_days} * 86400;
  auto old = catalog_.TrashedBefore(before);
  if (!old.ok()) return old.status();
  int purged = 0;
  for (const auto& item : *old) {
    base::Status st = committer_.Purge(item, actor,
                                       fmt::format("in trash longer than {} days", config_.review.trash_retention_days),
                                       now);
    if (!st.ok()) return st;
    ++purged;
  }
  return purged;
}

}  // namespace triage::review
