// Proposal decisions: propose, approve (a journaled replacement), deny, archive, revert.
#include "review/proposal_service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/text.h"

namespace triage::review {
namespace {

namespace fs = std::filesystem;
using catalog::ProposalRecord;

bool Usable(const model::ItemRecord& item) { return item.location == "library" || item.location == "review"; }

}  // namespace

catalog::ImageFigures FiguresOf(const model::ItemRecord& item) {
  return {item.info.width, item.info.height, item.quality.scored ? item.quality.aggregate * 10 : -1,
          item.fingerprint.size_bytes, item.sharpness};
}

base::Status ProposalService::CheckReason(const std::string& reason) {
  const auto& reasons = catalog::ProposalReasons();
  if (std::find(reasons.begin(), reasons.end(), reason) != reasons.end()) return base::Status::Ok();
  return base::Status::InvalidArgument(
      fmt::format("reason \"{}\" is unknown; use one of: {}", reason, fmt::join(reasons, ", ")));
}

base::Result<ProposalRecord> ProposalService::Propose(const ProposalRequest& request, int64_t now) {
  TRIAGE_RETURN_IF_ERROR(CheckReason(request.reason));
  if (request.current_item_id == request.proposed_item_id) {
    return base::Status::InvalidArgument(fmt::format("item {} cannot replace itself", request.current_item_id));
  }
  auto current = catalog_.GetItem(request.current_item_id);
  if (!current.ok()) return current.status();
  if (current->location != "library") {
    return base::Status::InvalidArgument(
        fmt::format("item {} is in {}, not in the library: it holds no slot", current->id, current->location));
  }
  ProposalRecord p;
  p.slot = current->path;
  p.current_item_id = current->id;
  p.current = FiguresOf(*current);
  p.reason = request.reason;
  p.proposed_by = request.proposed_by;
  p.proposed_at = now;
  if (request.proposed_item_id != 0) {
    auto proposed = catalog_.GetItem(request.proposed_item_id);
    if (!proposed.ok()) return proposed.status();
    if (!Usable(*proposed)) {
      return base::Status::InvalidArgument(
          fmt::format("item {} is in the {}; only an image in the library or in review can be proposed", proposed->id,
                      proposed->location));
    }
    p.proposed_item_id = proposed->id;
    p.proposed = FiguresOf(*proposed);
  }
  auto id = store_.AddProposal(p);
  if (!id.ok()) return id.status();
  return store_.GetProposal(*id);
}

base::Status ProposalService::Expect(const ProposalRecord& p, const char* status, const char* verb) {
  if (p.status == status) return base::Status::Ok();
  return base::Status::Conflict(
      fmt::format("proposal {} is {}; only {} proposal can be {}", p.id, p.status, base::WithArticle(status), verb));
}

base::Result<std::string> ProposalService::StaleBecause(const ProposalRecord& p) {
  if (!catalog::CoverPerson(p.slot).empty()) return CoverStaleBecause(p);
  auto current = catalog_.GetItem(p.current_item_id);
  if (!current.ok() && current.status().code() != base::Code::kNotFound) return current.status();
  if (!current.ok()) return fmt::format("item {} (the current image) is gone", p.current_item_id);
  if (current->location != "library" || current->path != p.slot) {
    return fmt::format("the current image moved from {} to {}", p.slot, current->path);
  }
  // Moved or deleted by hand, outside triage: the catalog still places it there, but there is nothing to move.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(config_.Current()->library / current->path, ec)) {
    return fmt::format("the current image's file {} is missing (moved or deleted outside triage)", current->path);
  }
  if (p.proposed_item_id == 0) return std::string();
  auto proposed = catalog_.GetItem(p.proposed_item_id);
  if (!proposed.ok() && proposed.status().code() != base::Code::kNotFound) return proposed.status();
  if (!proposed.ok() || !Usable(*proposed)) {
    return fmt::format("item {} (the proposed image) {}", p.proposed_item_id,
                       !proposed.ok()                    ? "is gone"
                       : proposed->location == "trash"   ? "was deleted since it was proposed (it is in the trash)"
                       : proposed->location == "archive" ? "was archived since it was proposed"
                                                         : "is no longer in the library or review");
  }
  if (!std::filesystem::is_regular_file(config_.Current()->library / proposed->path, ec)) {
    return fmt::format("the proposed image's file {} is missing (moved or deleted outside triage)", proposed->path);
  }
  // An image that took another slot by an approved proposal since stays there: moving it on would empty that slot,
  // and reverting the first approval could then not put things back.
  catalog::ProposalFilter approved;
  approved.status = catalog::kProposalApproved;
  approved.item_id = p.proposed_item_id;
  approved.limit = 1000;
  auto filled = store_.ListProposals(approved);
  if (!filled.ok()) return filled.status();
  for (const ProposalRecord& q : *filled) {
    if (q.id != p.id && q.proposed_item_id == p.proposed_item_id && catalog::CoverPerson(q.slot).empty()) {
      return fmt::format("item {} (the proposed image) took {} by proposal {}", p.proposed_item_id, q.slot, q.id);
    }
  }
  // A reviewer who decided the proposed image since (kept both copies, filed it under a person) has said where it
  // goes: approving would move it on and undo that decision behind their back. One back in review (restored, a
  // decision undone) waits as it did. Times are whole seconds: a decision in the second the proposal was made counts
  // as made before it.
  if (proposed->location == "review") return std::string();
  auto history = catalog_.ListAudit(p.proposed_item_id, "", 50, 0);
  if (!history.ok()) return history.status();
  for (const model::AuditEntry& e : *history) {
    if (e.at <= p.proposed_at) break;  // newest first
    if (e.from_state.rfind("review/", 0) != 0 || e.from_state == e.to_state) continue;
    return fmt::format("item {} (the proposed image) was moved from {} to {} by {} since it was proposed",
                       p.proposed_item_id, e.from_state, e.to_state, e.actor);
  }
  return std::string();
}

base::Result<ProposalRecord> ProposalService::Approve(int64_t id, const std::string& actor, const std::string& notes,
                                                      int64_t now, const std::string& rule) {
  std::lock_guard lock(decide_mu_);
  auto p = store_.GetProposal(id);
  if (!p.ok()) return p.status();
  TRIAGE_RETURN_IF_ERROR(Expect(*p, catalog::kProposalPending, "approved"));
  auto stale = StaleBecause(*p);
  if (!stale.ok()) return stale.status();
  if (!stale->empty()) {
    TRIAGE_RETURN_IF_ERROR(
        store_.ChangeStatus({id, catalog::kProposalPending, catalog::kProposalStale, actor, *stale, rule, now}));
    return base::Status::Conflict(fmt::format("proposal {} is stale ({}); it was not applied", id, *stale));
  }
  if (const std::string person = catalog::CoverPerson(p->slot); !person.empty()) {
    TRIAGE_RETURN_IF_ERROR(store_.ApplyCover(
        {id, person, p->current_item_id, p->proposed_item_id, catalog::kProposalApproved, actor, notes, rule, now}));
    MarkSupersededStale(*p, actor, now);
    return store_.GetProposal(id);
  }
  auto current = catalog_.GetItem(p->current_item_id);
  if (!current.ok()) return current.status();
  std::optional<model::ItemRecord> proposed;
  if (p->proposed_item_id != 0) {
    auto item = catalog_.GetItem(p->proposed_item_id);
    if (!item.ok()) return item.status();
    proposed = *item;
  }
  catalog::Replacement r;
  r.proposal_id = id;
  r.status = catalog::kProposalApproved;
  r.outgoing.person = current->person;
  r.incoming = catalog::ItemPlacement{0, "", "library", current->person};  // the slot's person passes on
  r.actor = actor;
  r.notes = notes;
  r.rule = rule;
  r.at = now;
  fs::path slot_dir = committer_.library() / fs::path(p->slot).parent_path();
  TRIAGE_RETURN_IF_ERROR(committer_.Replace(store_, *current, proposed ? &*proposed : nullptr, slot_dir, r));
  MarkSupersededStale(*p, actor, now);
  return store_.GetProposal(id);
}

std::string ProposalService::SupersededNote(int64_t approved_id) {
  return fmt::format("proposal {} was approved", approved_id);
}

// Best effort: the approval stands whatever happens here, and a sibling left pending is found stale when someone
// approves it (StaleBecause runs again then).
void ProposalService::MarkSupersededStale(const ProposalRecord& approved, const std::string& actor, int64_t now) {
  auto siblings = SiblingsOf(approved, catalog::kProposalPending);
  if (!siblings.ok()) return;
  for (const ProposalRecord& q : *siblings) {
    auto stale = StaleBecause(q);
    if (!stale.ok() || stale->empty()) continue;
    static_cast<void>(store_.ChangeStatus({q.id, catalog::kProposalPending, catalog::kProposalStale, actor,
                                           fmt::format("{}: {}", SupersededNote(approved.id), *stale), "", now}));
  }
}

base::Result<std::vector<ProposalRecord>> ProposalService::SiblingsOf(const ProposalRecord& p, const char* status) {
  std::vector<ProposalRecord> out;
  std::set<int64_t> seen{p.id};
  for (int64_t item : {p.current_item_id, p.proposed_item_id}) {
    if (item == 0) continue;
    catalog::ProposalFilter f;
    f.status = status;
    f.item_id = item;
    f.limit = 1000;
    auto listed = store_.ListProposals(f);
    if (!listed.ok()) return listed.status();
    for (ProposalRecord& q : *listed) {
      if (seen.insert(q.id).second) out.push_back(std::move(q));
    }
  }
  return out;
}

base::Result<ProposalRecord> ProposalService::Close(int64_t id, const char* status, const std::string& actor,
                                                    const std::string& notes, int64_t now, const std::string& rule) {
  std::lock_guard lock(decide_mu_);
  auto p = store_.GetProposal(id);
  if (!p.ok()) return p.status();
  TRIAGE_RETURN_IF_ERROR(Expect(*p, catalog::kProposalPending, status));
  TRIAGE_RETURN_IF_ERROR(store_.ChangeStatus({id, catalog::kProposalPending, status, actor, notes, rule, now}));
  return store_.GetProposal(id);
}

base::Result<ProposalRecord> ProposalService::Deny(int64_t id, const std::string& actor, const std::string& notes,
                                                   int64_t now, const std::string& rule) {
  return Close(id, catalog::kProposalDenied, actor, notes, now, rule);
}

base::Result<ProposalRecord> ProposalService::Archive(int64_t id, const std::string& actor, const std::string& notes,
                                                      int64_t now, const std::string& rule) {
  return Close(id, catalog::kProposalArchived, actor, notes, now, rule);
}

base::Result<ProposalRecord> ProposalService::Revert(int64_t id, const std::string& actor, const std::string& notes,
                                                     int64_t now) {
  std::lock_guard lock(decide_mu_);
  auto p = store_.GetProposal(id);
  if (!p.ok()) return p.status();
  TRIAGE_RETURN_IF_ERROR(Expect(*p, catalog::kProposalApproved, "reverted"));
  if (const std::string person = catalog::CoverPerson(p->slot); !person.empty()) {  // the previous cover back
    TRIAGE_RETURN_IF_ERROR(store_.ApplyCover(
        {id, person, p->proposed_item_id, p->current_item_id, catalog::kProposalReverted, actor, notes, "", now}));
    return store_.GetProposal(id);
  }
  if (p->proposed_item_id == 0) return RevertRemoval(*p, actor, notes, now);
  auto replaced = catalog_.GetItem(p->current_item_id);
  auto successor = catalog_.GetItem(p->proposed_item_id);
  if (!replaced.ok()) return replaced.status();
  // The image that took the slot was deleted since (purged from the trash, or waiting there): the slot is empty, and
  // the image it replaced comes back to it alone. Refusing left that image in the archive for good ("no item 41").
  if ((!successor.ok() && successor.status().code() == base::Code::kNotFound) ||
      (successor.ok() && successor->location == "trash")) {
    return RevertRemoval(*p, actor, notes, now);
  }
  if (!successor.ok()) return successor.status();
  if (replaced->location != "archive" || successor->location != "library") {
    // Only what is out of place is named: the image it replaced should wait in the archive, its successor in the
    // library.
    std::vector<std::string> wrong;
    if (replaced->location != "archive")
      wrong.push_back(fmt::format("item {} (the image it replaced) is in {}, not in the archive", replaced->id,
                                  replaced->location));
    if (successor->location != "library")
      wrong.push_back(fmt::format("item {} (the image it put in the slot) is in {}, not in the library", successor->id,
                                  successor->location));
    return base::Status::Conflict(
        fmt::format("proposal {} cannot be reverted: {}; nothing was changed", id, fmt::join(wrong, " and ")));
  }
  catalog::Replacement r;
  r.proposal_id = id;
  r.status = catalog::kProposalReverted;
  r.outgoing.person = successor->person;
  r.incoming = catalog::ItemPlacement{0, "", "library", successor->person};
  r.actor = actor;
  r.notes = notes;
  r.at = now;
  fs::path slot_dir = committer_.library() / fs::path(successor->path).parent_path();
  TRIAGE_RETURN_IF_ERROR(committer_.Replace(store_, *successor, &*replaced, slot_dir, r));
  return store_.GetProposal(id);
}

// An approved proposal that only took its image out of the library (flagged by visitors, archived by hand): the image
// goes back from the archive to its place, the proposal becomes reverted.
base::Result<ProposalRecord> ProposalService::RevertRemoval(const ProposalRecord& p, const std::string& actor,
                                                            const std::string& notes, int64_t now) {
  auto removed = catalog_.GetItem(p.current_item_id);
  if (!removed.ok()) return removed.status();
  if (removed->location != "archive") {
    return base::Status::Conflict(
        fmt::format("proposal {} cannot be reverted: item {} is in {} (expected the archive); nothing was changed",
                    p.id, removed->id, removed->location));
  }
  const fs::path slot(p.slot);
  catalog::CatalogChange change;
  change.item.location = "library";
  change.item.person = removed->person;
  change.item.auto_sorted = removed->auto_sorted;
  change.item.reasons = removed->reasons;
  change.actor = actor;
  change.action = "revert";
  change.reason =
      fmt::format("proposal {} reverted by {}: back in {}", p.id, actor, slot.parent_path().generic_string());
  change.at = now;
  // Its own name when that is free in the folder (the slot's), else suffixed.
  auto placed = committer_.Relocate(*removed, committer_.library() / slot.parent_path(), change, slot.filename());
  if (!placed.ok()) return placed.status();
  TRIAGE_RETURN_IF_ERROR(
      store_.ChangeStatus({p.id, catalog::kProposalApproved, catalog::kProposalReverted, actor, notes, "", now}));
  return store_.GetProposal(p.id);
}

base::Status ProposalService::SetPublic(int64_t id, bool is_public, const std::string& actor, int64_t now) {
  TRIAGE_RETURN_IF_ERROR(store_.SetPublic(id, is_public, actor, now));
  // The mark is made: a failure to write its audit line is said, not undone.
  return catalog_.AddAudit({0, now, actor, id, "public", is_public ? "off" : "on", is_public ? "on" : "off",
                            is_public ? "shown on the public voting page" : "taken off the public voting page"});
}

}  // namespace triage::review
