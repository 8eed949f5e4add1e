// The inverses of review decisions: the item goes back where it was through the committer (a journaled move), its
// review entry and queue place come back, and what an approval taught (references, a new person) is forgotten.
#include <fmt/format.h>

#include <filesystem>

#include "base/clock.h"
#include "commit/folders.h"
#include "review/person_service.h"
#include "review/review_service.h"

namespace triage::review {

using nlohmann::json;

void ReviewService::EnableUndo(UndoService& undo) {
  undo_ = &undo;
  auto relocation = Inverse{[this](const json& u) { return CheckRelocation(u); },
                            [this](const json& u, const std::string& a, int64_t t) {
                              if (u.value("resumed", false) && AlreadyReverted(u)) return base::Status::Ok();
                              return RevertRelocation(u, a, t);
                            }};
  for (const char* kind : {"approve", "keep", "reject", "discard", "restore"}) {
    undo.registry().Register(kind, relocation);
  }
  undo.registry().Register("skip",
                           {[this](const json& u) { return CheckSkip(u); },
                            [this](const json& u, const std::string& a, int64_t t) { return RevertSkip(u, a, t); }});
  auto bulk = Inverse{[this](const json& u) { return CheckBulk(u); },
                      [this](const json& u, const std::string& a, int64_t t) { return RevertBulk(u, a, t); }};
  undo.registry().Register("bulk", bulk);
  undo.registry().Register("duplicate", bulk);
  undo.registry().Register("apply-policy", bulk);  // a re-sort of the review queue: every move it made
  undo.registry().Register("name_face", {[this](const json& u) { return CheckFaceLabel(u); },
                                         [this](const json& u, const std::string& a, int64_t t) {
                                           return RevertFaceLabel(u, a, t);
                                         }});  // two moves (the loser to the trash, the winner into place)
}

base::Result<model::ItemRecord> ReviewService::UnmovedSince(const json& undo) {
  const int64_t id = undo.at("item");
  auto item = catalog_.GetItem(id);
  if (!item.ok() && item.status().code() == base::Code::kNotFound) {
    return base::Status::Conflict(fmt::format("item {} was deleted since; nothing was changed", id));
  }
  if (!item.ok()) return item.status();
  if (item->path != undo.at("path").get<std::string>()) {
    return base::Status::Conflict(fmt::format("item {} was moved since (it is in {} now); nothing was changed", id,
                                              std::filesystem::path(item->path).parent_path().generic_string()));
  }
  // Back in the same place is not unchanged: rejected, restored and rejected again, the photo is where the first
  // rejection put it, but the second one stands. What was audited about the item since this change must all have been
  // undone: read newest first, each undo takes back the change before it.
  if (undo.contains("audit")) {
    const int64_t stamp = undo.at("audit");
    auto since = catalog_.ListAuditEntries({id, "", "", 1000, 0});
    if (!since.ok()) return since.status();
    int undone = 0;
    for (const model::AuditEntry& entry : *since) {
      if (entry.id <= stamp) break;
      // What neither moves nor decides the photo stands beside the undo: an analysis, a proposal made or refused, a
      // mark on the public voting page.
      if (entry.action == "analyse" || entry.action == "propose" || entry.action == "proposal" ||
          entry.action == "public") {
        continue;
      }
      if (entry.action == "undo") {
        ++undone;
      } else if (undone > 0) {
        --undone;
      } else {
        return base::Status::Conflict(fmt::format("item {} was changed since ({} by {} at {}); nothing was changed", id,
                                                  entry.action, entry.actor, base::IsoTime(entry.at)));
      }
    }
  }
  return item;
}

void ReviewService::StampLatestAudit(json& change) {
  if (!change.is_object() || !change.contains("item")) return;
  auto latest = catalog_.ListAuditEntries({change.at("item").get<int64_t>(), "", "", 1, 0});
  if (latest.ok() && !latest->empty()) change["audit"] = latest->front().id;
}

base::Status ReviewService::CheckRelocation(const json& undo) {
  std::lock_guard lock(decide_mu_);
  return UnmovedSince(undo).status();
}

base::Status ReviewService::RevertRelocation(const json& undo, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  auto item = UnmovedSince(undo);
  if (!item.ok()) return item.status();
  catalog::CatalogChange change;
  change.item.location = undo.at("location");
  change.item.category = undo.at("category");
  change.item.person = undo.at("person");
  change.item.auto_sorted = undo.at("auto_sorted");
  if (change.item.location == "review") {  // pending again, with the entry the decision closed
    change.item.reasons = item->reasons;
    if (undo.contains("reasons")) {  // a face naming that re-decided the item saved the reasons it had
      change.item.reasons.clear();
      for (const json& r : undo.at("reasons")) change.item.reasons.push_back({r.at("code"), r.at("text")});
    }
    change.review_reason = undo.value("review_reason", "");
    change.review_code = undo.value("review_code", "");
  }
  change.removed_references = undo.at("references").get<std::vector<int64_t>>();
  change.since = undo.value("since", int64_t{0});
  LabelUndo(undo, change);
  change.actor = actor;
  change.action = "undo";
  change.reason = fmt::format("{} undone by {}", undo.at("kind").get<std::string>(), actor);
  change.at = now;
  auto placed = committer_.Relocate(*item, committer_.library() / undo.at("folder").get<std::string>(), change);
  if (!placed.ok()) return placed.status();
  // A photo kept without a person made its date's folders (photos/<yyyy>/<mm>, photos/undated); taken back, it
  // leaves them as they were before: gone when nothing else is in them.
  commit::RemoveEmptyFoldersWithin((committer_.library() / item->path).parent_path(), config_.Current()->PhotosDir());
  RestoreClusters(undo, now);
  // Best effort: a person left behind is harmless (an empty name in the picker), so an error is not reported.
  static_cast<void>(ForgetCreatedPerson(catalog_, config_.Current()->FacesDir(), undo.at("person_created")));
  if (!change.removed_references.empty() && references_changed_) references_changed_();
  return base::Status::Ok();
}

base::Status ReviewService::CheckSkip(const json& undo) {
  std::lock_guard lock(decide_mu_);
  const int64_t id = undo.at("item");
  auto item = PendingItem(id, undo.at("folder"));
  const base::Code code = item.status().code();
  if (item.ok() || (code != base::Code::kNotFound && code != base::Code::kConflict)) return item.status();
  // A later decision on the photo stands in the way: said as such (with where the photo is now), not in the words a
  // decision made from another window gets.
  auto now = catalog_.GetItem(id);
  if (!now.ok()) return base::Status::Conflict(fmt::format("item {} was deleted since; nothing was changed", id));
  return base::Status::Conflict(fmt::format("item {} was decided since (it is in {} now); nothing was changed", id,
                                            std::filesystem::path(now->path).parent_path().generic_string()));
}

base::Status ReviewService::RevertSkip(const json& undo, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  TRIAGE_RETURN_IF_ERROR(CheckSkip(undo));
  return undo_->store().RestoreQueuePlace(undo.at("item"), {undo.at("rank"), undo.at("queued_at")}, actor, now);
}

base::Status ReviewService::CheckAny(const json& change) {
  if (change.at("kind") == "skip") return CheckSkip(change);
  return change.at("kind") == "name_face" ? CheckFaceLabel(change) : CheckRelocation(change);
}

base::Status ReviewService::RevertAny(const json& change, const std::string& actor, int64_t now) {
  if (change.at("kind") == "skip") return RevertSkip(change, actor, now);
  return change.at("kind") == "name_face" ? RevertFaceLabel(change, actor, now) : RevertRelocation(change, actor, now);
}

// A photo an undo moves back is where it was before the change: its location and folder. Said of an undo taken over
// from a process that died while running it, whose journaled moves recovery finished.
bool ReviewService::AlreadyReverted(const json& change) {
  if (change.at("kind") == "skip" || change.at("kind") == "name_face") return false;
  auto item = catalog_.GetItem(change.at("item").get<int64_t>());
  return item.ok() && item->location == change.at("location").get<std::string>() &&
         std::filesystem::path(item->path).parent_path().generic_string() == change.at("folder").get<std::string>();
}

base::Status ReviewService::CheckBulk(const json& undo) {
  std::lock_guard lock(decide_mu_);
  for (const json& change : undo.at("changes")) TRIAGE_RETURN_IF_ERROR(CheckAny(change));
  return base::Status::Ok();
}

// All or nothing as far as a check can tell: every item is checked before the first moves back, under the lock that
// serialises decisions. The last decision is reverted first. An undo resumed after its process died leaves out the
// photos it had moved back already, and takes back the rest.
base::Status ReviewService::RevertBulk(const json& undo, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  json changes = json::array();
  for (const json& change : undo.at("changes")) {
    if (!undo.value("resumed", false) || !AlreadyReverted(change)) changes.push_back(change);
  }
  TRIAGE_RETURN_IF_ERROR(CheckBulk({{"changes", changes}}));
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) TRIAGE_RETURN_IF_ERROR(RevertAny(*it, actor, now));
  return base::Status::Ok();
}

}  // namespace triage::review
