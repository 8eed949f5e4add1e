// The inverse of a batch of proposal decisions, redeemed with one undo token: every proposal the batch decided is
// pending again, and an approval's images go back where they were (the replaced image into its slot, the proposed
// one into the folder it came from, its review entry reopened), each move journaled through the committer.
#include <fmt/format.h>

#include <filesystem>

#include "review/proposal_service.h"

namespace triage::review {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// kConflict unless item `id` is at `path` in `location`.
base::Status ExpectAt(catalog::Catalog& catalog, int64_t id, const std::string& path, const std::string& location) {
  auto item = catalog.GetItem(id);
  if (!item.ok() && item.status().code() != base::Code::kNotFound) return item.status();
  if (!item.ok() || item->path != path || item->location != location) {
    return base::Status::Conflict(
        fmt::format("item {} has moved since the batch (expected {}); nothing was changed", id, path));
  }
  return base::Status::Ok();
}

}  // namespace

void ProposalService::EnableUndo(UndoService& undo) {
  undo_ = &undo;
  undo.registry().Register("proposal_batch",
                           {[this](const json& u) { return CheckBatchUndo(u); },
                            [this](const json& u, const std::string& a, int64_t t) { return RevertBatch(u, a, t); }});
}

json ProposalService::UndoEntryBefore(const catalog::ProposalRecord& p) {
  json entry = {{"id", p.id},
                {"current_item", p.current_item_id},
                {"proposed_item", p.proposed_item_id},
                {"slot_folder", fs::path(p.slot).parent_path().generic_string()}};
  if (auto current = catalog_.GetItem(p.current_item_id); current.ok()) entry["current_person"] = current->person;
  if (p.proposed_item_id == 0) return entry;
  auto proposed = catalog_.GetItem(p.proposed_item_id);
  if (!proposed.ok()) return entry;  // the decision fails on it; nothing to undo then
  entry["folder"] = fs::path(proposed->path).parent_path().generic_string();
  entry["location"] = proposed->location;
  entry["category"] = proposed->category;
  entry["person"] = proposed->person;
  entry["auto_sorted"] = proposed->auto_sorted;
  if (auto review = catalog_.PendingReview(proposed->id); review.ok()) {
    entry["review_reason"] = review->reason;
    entry["review_code"] = review->reason_code;
  }
  return entry;
}

base::Status ProposalService::UndoEntryAfter(json& entry) {
  auto p = store_.GetProposal(entry.at("id"));
  if (!p.ok()) return p.status();
  entry["status"] = p->status;
  entry["cover_of"] = catalog::CoverPerson(p->slot);  // a cover moves no file: its undo is Revert
  if (p->status == catalog::kProposalApproved) {
    auto superseded = SupersededBy(*p);
    if (!superseded.ok()) return superseded.status();
    entry["superseded"] = *superseded;
  }
  if (p->status != catalog::kProposalApproved || !entry["cover_of"].get<std::string>().empty()) {
    return base::Status::Ok();
  }
  for (const char* side : {"current", "proposed"}) {
    const int64_t id = entry.at(fmt::format("{}_item", side));
    if (id == 0) continue;
    auto item = catalog_.GetItem(id);
    if (!item.ok()) return item.status();
    entry[fmt::format("{}_path", side)] = item->path;
  }
  return base::Status::Ok();
}

base::Result<std::vector<int64_t>> ProposalService::SupersededBy(const catalog::ProposalRecord& approved) {
  auto stale = SiblingsOf(approved, catalog::kProposalStale);
  if (!stale.ok()) return stale.status();
  std::vector<int64_t> out;
  const std::string note = SupersededNote(approved.id) + ":";
  for (const catalog::ProposalRecord& q : *stale) {
    if (q.review_notes.starts_with(note)) out.push_back(q.id);
  }
  return out;
}

base::Status ProposalService::CheckBatchUndo(const json& payload) {
  std::lock_guard lock(decide_mu_);
  for (const json& entry : payload.at("proposals")) {
    auto p = store_.GetProposal(entry.at("id"));
    if (!p.ok()) return p.status();
    if (p->status != entry.at("status")) {
      return base::Status::Conflict(fmt::format("proposal {} is {} now, no longer {}; nothing was changed", p->id,
                                                p->status, entry.at("status").get<std::string>()));
    }
    if (p->status != catalog::kProposalApproved) continue;
    if (const std::string person = catalog::CoverPerson(p->slot); !person.empty()) {
      auto cover = store_.CoverOf(person);
      if (!cover.ok()) return cover.status();
      if (*cover != p->proposed_item_id) {
        return base::Status::Conflict(fmt::format("{}'s cover changed since the batch; nothing was changed", person));
      }
      continue;
    }
    TRIAGE_RETURN_IF_ERROR(ExpectAt(catalog_, p->current_item_id, entry.at("current_path"), "archive"));
    if (p->proposed_item_id != 0) {
      TRIAGE_RETURN_IF_ERROR(ExpectAt(catalog_, p->proposed_item_id, entry.at("proposed_path"), "library"));
    }
  }
  return base::Status::Ok();
}

base::Status ProposalService::RevertBatch(const json& payload, const std::string& actor, int64_t now) {
  std::lock_guard lock(decide_mu_);
  TRIAGE_RETURN_IF_ERROR(CheckBatchUndo(payload));
  const json& entries = payload.at("proposals");
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->at("status") == catalog::kProposalApproved) {
      TRIAGE_RETURN_IF_ERROR(ReopenApproved(*it, actor, now));
      // The proposals the approval made stale match their slots again. One that left "stale" meanwhile stays as it is.
      for (int64_t sibling : it->value("superseded", std::vector<int64_t>())) {
        auto q = store_.GetProposal(sibling);
        if (q.ok() && q->status == catalog::kProposalStale) {
          TRIAGE_RETURN_IF_ERROR(store_.Reopen(sibling, catalog::kProposalStale, actor, now));
        }
      }
    } else {
      TRIAGE_RETURN_IF_ERROR(store_.Reopen(it->at("id"), it->at("status"), actor, now));
      // Denied or archived, its slot may have changed since (another proposal archived the photo): pending again
      // it would be a second proposal for a slot that is gone, so it comes back stale, saying why.
      auto reopened = store_.GetProposal(it->at("id"));
      if (!reopened.ok()) return reopened.status();
      auto stale = StaleBecause(*reopened);
      if (!stale.ok()) return stale.status();
      if (!stale->empty()) {
        TRIAGE_RETURN_IF_ERROR(store_.ChangeStatus(
            {reopened->id, catalog::kProposalPending, catalog::kProposalStale, actor, *stale, "", now}));
      }
    }
  }
  return base::Status::Ok();
}

// The replaced image back into its slot (Revert, or a move out of the archive for a removal), then the proposed
// image back to its folder, then the proposal pending again.
base::Status ProposalService::ReopenApproved(const json& entry, const std::string& actor, int64_t now) {
  const int64_t id = entry.at("id");
  if (!entry.value("cover_of", "").empty()) {
    auto reverted = Revert(id, actor, "undo of a batch", now);
    if (!reverted.ok()) return reverted.status();
    return store_.Reopen(id, catalog::kProposalReverted, actor, now);
  }
  const bool removal = entry.at("proposed_item") == 0;
  catalog::CatalogChange change;
  change.actor = actor;
  change.action = "undo";
  change.reason = fmt::format("approval of proposal {} undone by {}", id, actor);
  change.at = now;
  std::string folder;
  int64_t moving = 0;
  if (removal) {
    moving = entry.at("current_item");
    folder = entry.at("slot_folder");
    change.item.location = "library";
    change.item.person = entry.value("current_person", "");
  } else {
    auto reverted = Revert(id, actor, "undo of a batch", now);
    if (!reverted.ok()) return reverted.status();
    moving = entry.at("proposed_item");
    folder = entry.at("folder");
    change.item.location = entry.at("location");
    change.item.category = entry.at("category");
    change.item.person = entry.at("person");
    change.item.auto_sorted = entry.at("auto_sorted");
    change.review_reason = entry.value("review_reason", "");
    change.review_code = entry.value("review_code", "");
  }
  auto item = catalog_.GetItem(moving);
  if (!item.ok()) return item.status();
  change.item.reasons = item->reasons;
  auto placed = committer_.Relocate(*item, committer_.library() / folder, change);
  if (!placed.ok()) return placed.status();
  return store_.Reopen(id, removal ? catalog::kProposalApproved : catalog::kProposalReverted, actor, now);
}

}  // namespace triage::review
