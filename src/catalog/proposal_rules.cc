// The checks and audit sentences both proposal stores share.
#include "catalog/proposal_rules.h"

#include <fmt/format.h>

#include <algorithm>

namespace triage::catalog {

base::Status CheckProposalReason(const std::string& reason) {
  if (std::find(ProposalReasons().begin(), ProposalReasons().end(), reason) != ProposalReasons().end()) {
    return base::Status::Ok();
  }
  return base::Status::InvalidArgument(fmt::format(
      "reason \"{}\" is unknown; use higher_resolution, better_quality, correct_subject, user_flags or manual",
      reason));
}

base::Status CheckFlagReason(const std::string& reason) {
  static const char* kReasons[] = {"wrong_subject", "poor_quality", "wrong_person", "other"};
  if (std::any_of(std::begin(kReasons), std::end(kReasons), [&](const char* r) { return reason == r; })) {
    return base::Status::Ok();
  }
  return base::Status::InvalidArgument(
      fmt::format("flag reason \"{}\" is unknown; use wrong_subject, poor_quality, wrong_person or other", reason));
}

base::Status CheckPublicLocation(int64_t item_id, const std::string& location) {
  if (location == "library") return base::Status::Ok();
  return base::Status::InvalidArgument(fmt::format(
      "item {} is in {}, not in the library: only library images can be shown on the public page", item_id, location));
}

std::string DecisionSentence(const std::string& verb, int64_t proposal_id, const std::string& actor,
                             const std::string& rule, const std::string& notes) {
  std::string text = fmt::format("proposal {} {} by {}", proposal_id, verb, actor);
  if (!rule.empty()) text += fmt::format(" (rule {})", rule);
  if (!notes.empty()) text += ": " + notes;
  return text;
}

base::Status DuplicateProposal(int64_t existing, const ProposalRecord& p) {
  constexpr std::string_view kCover = "cover:";
  const std::string what = p.slot.rfind(kCover, 0) == 0
                               ? fmt::format("as the cover of {}", p.slot.substr(kCover.size()))
                               : fmt::format("for item {}", p.current_item_id);
  return base::Status::AlreadyExists(
      fmt::format("proposal {} already proposes item {} {}", existing, p.proposed_item_id, what));
}

std::string ItemRef(int64_t id) { return id ? fmt::format("item:{}", id) : std::string("none"); }

std::string CoverSentence(const CoverChange& c) {
  std::string reason = fmt::format("proposal {} {} by {}: {}'s cover", c.proposal_id,
                                   c.status == kProposalReverted ? "reverted" : "approved", c.actor, c.person);
  if (!c.rule.empty()) reason += fmt::format(" (rule {})", c.rule);
  if (!c.notes.empty()) reason += ": " + c.notes;
  return reason;
}

ReplacementAudit AuditOf(const Replacement& r) {
  const bool revert = r.status == kProposalReverted;
  ReplacementAudit a;
  a.action = revert ? "revert" : r.incoming ? "replaced" : "removed";
  a.subject = r.incoming ? r.incoming->item_id : r.outgoing.item_id;
  a.to = r.incoming ? r.incoming->path : r.outgoing.path;
  a.reason = DecisionSentence(revert ? "reverted" : "approved", r.proposal_id, r.actor, r.rule, r.notes);
  return a;
}

}  // namespace triage::catalog
