// What every ProposalStore checks and writes alike, whatever its backend: the reasons it accepts and the sentences
// and states of the audit entries its decisions leave.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "catalog/proposal_store.h"

namespace triage::catalog {

// Who a vote or flag (a row of votes or flags aliased `t`, a string literal) counts for, in SQL both backends run: a
// signed-in user as themself, an anonymous session as its network address. A cookie is its holder's to drop, so
// tallies and the flag threshold count one client once however many sessions it opens.
#define TRIAGE_COUNTED_AS_SQL(t) \
  "CASE WHEN " t ".voter LIKE 'session:%' THEN 'address:' || " t ".address ELSE " t ".voter END"
#define TRIAGE_FLAGGER_SQL TRIAGE_COUNTED_AS_SQL("f")
// An item's tally (up votes, down votes, flags), each voter counted as above; the item id is parameter `p`.
// clang-format off
#define TRIAGE_TALLY_SQL(p)                                                                                          \
  "SELECT (SELECT COUNT(DISTINCT " TRIAGE_COUNTED_AS_SQL("v") ") FROM votes v WHERE v.item_id = " p " AND v.value > 0), " \
  "(SELECT COUNT(DISTINCT " TRIAGE_COUNTED_AS_SQL("v") ") FROM votes v WHERE v.item_id = " p " AND v.value < 0), "        \
  "(SELECT COUNT(DISTINCT " TRIAGE_FLAGGER_SQL ") FROM flags f WHERE f.item_id = " p ")"
// clang-format on

// kInvalidArgument naming the reason and the choices unless it is one of ProposalReasons().
base::Status CheckProposalReason(const std::string& reason);
// kInvalidArgument naming the reason and the choices unless it is wrong_subject, poor_quality, wrong_person or other.
base::Status CheckFlagReason(const std::string& reason);

// kInvalidArgument unless an item at `location` may be shown on the public page (only library images are).
base::Status CheckPublicLocation(int64_t item_id, const std::string& location);

// "proposal 7 denied by bob (rule r): notes": a decision's audit reason.
std::string DecisionSentence(const std::string& verb, int64_t proposal_id, const std::string& actor,
                             const std::string& rule, const std::string& notes);

// kAlreadyExists for a proposal pending already for the same images: "proposal 7 already proposes item 28 for item
// 12", or "... as the cover of ada" for a cover slot.
base::Status DuplicateProposal(int64_t existing, const ProposalRecord& p);

// "item:12", or "none" for 0: a cover as the audit shows it.
std::string ItemRef(int64_t id);
// The audit reason of a cover change.
std::string CoverSentence(const CoverChange& change);

// The audit entry an applied replacement leaves (besides its from-state, the slot's path before).
struct ReplacementAudit {
  std::string action;   // "replaced" | "removed" | "revert"
  int64_t subject = 0;  // the item it is about: the incoming one, else the outgoing one
  std::string to;       // the path the subject has afterwards
  std::string reason;   // DecisionSentence(approved | reverted, ...)
};
ReplacementAudit AuditOf(const Replacement& replacement);

}  // namespace triage::catalog
