// Proposal workflows: where proposals come from (better near duplicates, flagged images), the policy's auto rules,
// the sweep of stale proposals, and batch decisions.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "base/text.h"
#include "review/proposal_service.h"
#include "review/review_service.h"

namespace triage::review {
namespace {

using catalog::ProposalRecord;

constexpr int64_t kDaySeconds = 86400;

// Why `candidate` would be better in `original`'s slot, or nullopt. Smaller than the minimum size is never better, nor
// is a copy with fewer pixels than the original, whatever its score (a downscaled copy loses the compression marks
// the score counts against the original, and with them the detail).
std::optional<std::string> BetterBy(const catalog::ImageFigures& candidate, const catalog::ImageFigures& original,
                                    const config::ProposalOptions& options) {
  if (candidate.width < options.min_width || candidate.height < options.min_height) return std::nullopt;
  const int64_t pixels = int64_t{candidate.width} * candidate.height;
  const int64_t original_pixels = int64_t{original.width} * original.height;
  if (pixels > original_pixels) return "higher_resolution";
  if (pixels < original_pixels) return std::nullopt;
  if (candidate.score >= 0 && original.score >= 0 && candidate.score > original.score) return "better_quality";
  return std::nullopt;
}

}  // namespace

base::Result<int> ProposalService::ProposeFromNearDuplicates(int64_t now) {
  const config::ProposalOptions options = config_.Current()->proposals;
  catalog::ItemFilter filter;
  filter.location = "review";
  filter.category = "near_duplicates";
  filter.pending_review_only = true;
  filter.limit = 500;
  int proposed = 0;
  for (;;) {
    auto items = catalog_.ListItems(filter);
    if (!items.ok()) return items.status();
    for (const model::ItemRecord& item : *items) {
      auto standing = StandingOriginal(catalog_, item);
      if (!standing.ok()) return standing.status();
      const std::optional<model::ItemRecord>& original = *standing;
      if (!original || original->location != "library") continue;
      auto reason = BetterBy(FiguresOf(item), FiguresOf(*original), options);
      if (!reason) continue;
      catalog::ProposalFilter seen;
      seen.item_id = item.id;
      seen.limit = 1;
      auto earlier = store_.ListProposals(seen);  // proposed once already (decided or not): not again
      if (!earlier.ok()) return earlier.status();
      if (!earlier->empty()) continue;
      auto p = Propose({original->id, item.id, *reason, "workflow:near_duplicates"}, now);
      if (p.ok())
        ++proposed;
      else if (p.status().code() != base::Code::kAlreadyExists)
        return p.status();
    }
    if (static_cast<int>(items->size()) < filter.limit) return proposed;
    filter.after_id = items->back().id;
  }
}

base::Result<int> ProposalService::ProposeFromFlags(int64_t now) {
  auto flagged = store_.FlaggedItems(config_.Current()->proposals.flag_threshold);
  if (!flagged.ok()) return flagged.status();
  int proposed = 0;
  for (const catalog::VoteTally& tally : *flagged) {
    auto item = catalog_.GetItem(tally.item_id);
    if (!item.ok() || item->location != "library") continue;
    catalog::ProposalFilter seen;
    seen.item_id = item->id;
    seen.limit = 1000;
    auto earlier = store_.ListProposals(seen);
    if (!earlier.ok()) return earlier.status();
    bool covered = std::any_of(earlier->begin(), earlier->end(), [&](const ProposalRecord& p) {
      return p.current_item_id == item->id && (p.status == catalog::kProposalPending || p.reason == "user_flags");
    });
    if (covered) continue;
    auto p = Propose({item->id, 0, "user_flags", "workflow:flags"}, now);
    if (p.ok())
      ++proposed;
    else if (p.status().code() != base::Code::kAlreadyExists)
      return p.status();
  }
  return proposed;
}

namespace {

// Every pending proposal, newest first.
base::Result<std::vector<ProposalRecord>> PendingProposals(ProposalService& service) {
  std::vector<ProposalRecord> out;
  catalog::ProposalFilter filter;
  filter.status = catalog::kProposalPending;
  filter.limit = 1000;
  for (;;) {
    auto page = service.List(filter);
    if (!page.ok()) return page.status();
    out.insert(out.end(), page->begin(), page->end());
    if (static_cast<int>(page->size()) < filter.limit) return out;
    filter.offset += filter.limit;
  }
}

}  // namespace

base::Status ProposalService::RunAutoRules(int64_t now, const std::string& actor, WorkflowReport& report) {
  const config::ProposalOptions options = config_.Current()->proposals;
  if (!options.auto_approve && !options.auto_deny) return base::Status::Ok();
  auto pending = PendingProposals(*this);
  if (!pending.ok()) return pending.status();
  for (const ProposalRecord& p : *pending) {
    if (p.proposed_item_id == 0 || p.proposed.score < 0) continue;  // removals and unscored images wait for a person
    if (options.auto_approve && p.proposed.score >= options.auto_approve_threshold) {
      auto tally = store_.TallyOf(p.proposed_item_id);
      if (!tally.ok()) return tally.status();
      if (tally->flags > 0) continue;
      if (Approve(p.id, actor, "", now, "auto_approve_threshold").ok()) ++report.auto_approved;
    } else if (options.auto_deny && p.proposed.score < options.auto_deny_threshold) {
      if (Deny(p.id, actor, "", now, "auto_deny_threshold").ok()) ++report.auto_denied;
    }
  }
  return base::Status::Ok();
}

base::Result<int> ProposalService::Sweep(const std::string& actor, int64_t now) {
  std::lock_guard lock(pass_mu_);
  return SweepLocked(actor, now);
}

base::Result<int> ProposalService::SweepLocked(const std::string& actor, int64_t now) {
  const int64_t cutoff = now - int64_t{config_.Current()->proposals.stale_proposal_days} * kDaySeconds;
  auto pending = PendingProposals(*this);
  if (!pending.ok()) return pending.status();
  int archived = 0;
  for (const ProposalRecord& p : *pending) {
    if (p.proposed_at >= cutoff) continue;
    auto done = Archive(p.id, actor, "", now, "stale_proposal_days");
    if (done.ok())
      ++archived;
    else if (done.status().code() != base::Code::kConflict)
      return done.status();
  }
  return archived;
}

std::string WorkflowReport::Sentence() const {
  return fmt::format(
      "proposed {} from near duplicates, {} from flags, {} covers; auto-approved {}, auto-denied {}, "
      "archived {} stale",
      from_near_duplicates, from_flags, from_covers, auto_approved, auto_denied, archived_stale);
}

base::Result<WorkflowReport> ProposalService::RunWorkflows(int64_t now, const std::string& actor) {
  std::lock_guard lock(pass_mu_);
  WorkflowReport report;
  auto near = ProposeFromNearDuplicates(now);
  if (!near.ok()) return near.status();
  report.from_near_duplicates = *near;
  auto flags = ProposeFromFlags(now);
  if (!flags.ok()) return flags.status();
  report.from_flags = *flags;
  auto covers = ProposeFromCovers(now);
  if (!covers.ok()) return covers.status();
  report.from_covers = *covers;
  TRIAGE_RETURN_IF_ERROR(RunAutoRules(now, actor, report));
  auto swept = SweepLocked(actor, now);
  if (!swept.ok()) return swept.status();
  report.archived_stale = *swept;
  return report;
}

base::Result<std::vector<int64_t>> ProposalService::BatchIds(const BatchRequest& request, int64_t now) {
  if (!request.ids.empty()) return request.ids;
  if (!request.min_score && !request.max_score && !request.older_than_s) {
    return base::Status::InvalidArgument("a batch names ids or at least one of min_score, max_score, older_than");
  }
  auto pending = PendingProposals(*this);
  if (!pending.ok()) return pending.status();
  std::vector<int64_t> ids;
  for (const ProposalRecord& p : *pending) {
    if (request.min_score && !(p.proposed.score > *request.min_score)) continue;
    if (request.max_score && !(p.proposed.score >= 0 && p.proposed.score < *request.max_score)) continue;
    if (request.older_than_s && p.proposed_at > now - *request.older_than_s) continue;
    if (request.without_flags && p.proposed_item_id != 0) {
      auto tally = store_.TallyOf(p.proposed_item_id);
      if (!tally.ok()) return tally.status();
      if (tally->flags > 0) continue;
    }
    ids.push_back(p.id);
  }
  return ids;
}

base::Status ProposalService::CheckDecisionAction(const std::string& action) {
  if (action == "approve" || action == "deny" || action == "archive") return base::Status::Ok();
  return base::Status::InvalidArgument(fmt::format("action \"{}\" is unknown; use approve, deny or archive", action));
}

base::Result<catalog::ProposalRecord> ProposalService::DecideRecorded(int64_t id, const std::string& action,
                                                                      const std::string& actor,
                                                                      const std::string& notes, int64_t now,
                                                                      nlohmann::json& undone) {
  auto before = store_.GetProposal(id);
  if (!before.ok()) return before.status();
  nlohmann::json entry = UndoEntryBefore(*before);
  base::Result<ProposalRecord> done = action == "approve" ? Approve(id, actor, notes, now)
                                      : action == "deny"  ? Deny(id, actor, notes, now)
                                                          : Archive(id, actor, notes, now);
  if (!done.ok() || entry.is_null()) return done;
  TRIAGE_RETURN_IF_ERROR(UndoEntryAfter(entry));
  undone.push_back(std::move(entry));
  return done;
}

base::Result<std::string> ProposalService::RecordDecisions(const std::string& action, const nlohmann::json& undone,
                                                           const std::string& actor, int64_t now) {
  if (!undo_ || undone.empty()) return std::string();
  return undo_->Record("proposal_batch", actor, {{"action", action}, {"proposals", undone}},
                       fmt::format("{} {}", action, base::Counted(undone.size(), "proposal")), now);
}

base::Result<catalog::ProposalRecord> ProposalService::Decide(int64_t id, const std::string& action,
                                                              const std::string& actor, const std::string& notes,
                                                              int64_t now, std::string* undo_token) {
  TRIAGE_RETURN_IF_ERROR(CheckDecisionAction(action));
  std::lock_guard lock(decide_mu_);  // the decision and its undo record are one step
  nlohmann::json undone = nlohmann::json::array();
  auto done = DecideRecorded(id, action, actor, notes, now, undone);
  if (!done.ok() || !undo_token) return done;
  auto token = RecordDecisions(action, undone, actor, now);
  if (!token.ok()) return token.status();
  *undo_token = *token;
  return done;
}

base::Result<BatchResult> ProposalService::Batch(const BatchRequest& request, const std::string& actor, int64_t now) {
  TRIAGE_RETURN_IF_ERROR(CheckDecisionAction(request.action));
  auto ids = BatchIds(request, now);
  if (!ids.ok()) return ids.status();
  std::lock_guard lock(decide_mu_);  // the batch is one action: no other decision falls between its parts
  BatchResult result;
  nlohmann::json undone = nlohmann::json::array();
  for (int64_t id : *ids) {
    auto before = store_.GetProposal(id);
    if (before.status().code() == base::Code::kNotFound) {  // named back, but not matched: there is nothing to decide
      result.not_found.push_back(id);
      continue;
    }
    ++result.matched;
    base::Result<ProposalRecord> done = DecideRecorded(id, request.action, actor, request.notes, now, undone);
    if (done.ok()) {
      ++result.done;
      result.ids.push_back(id);
      continue;
    }
    auto now_status = store_.GetProposal(id);
    if (now_status.ok() && now_status->status == catalog::kProposalStale) ++result.stale;
    result.failed.emplace_back(id, done.status().message());
  }
  auto token = RecordDecisions(request.action, undone, actor, now);
  if (!token.ok()) return token.status();
  result.undo = *token;
  return result;
}

base::Result<double> ProposalService::CommunityScore(int64_t item_id) {
  auto tally = store_.TallyOf(item_id);
  if (!tally.ok()) return tally.status();
  const config::ProposalOptions options = config_.Current()->proposals;
  return tally->up * options.upvote_weight + tally->down * options.downvote_weight + tally->flags * options.flag_weight;
}

}  // namespace triage::review
