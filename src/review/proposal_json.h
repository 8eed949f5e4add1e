// The one JSON mapping of proposals, shared by the CLI and the HTTP API.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/proposal_store.h"
#include "review/proposal_service.h"

namespace triage::review {

// Every status a proposal can have (catalog/proposal_store.h), for filters.
inline const std::vector<std::string>& ProposalStatuses() {
  static const std::vector<std::string> kStatuses = {catalog::kProposalPending, catalog::kProposalApproved,
                                                     catalog::kProposalDenied,  catalog::kProposalArchived,
                                                     catalog::kProposalStale,   catalog::kProposalReverted};
  return kStatuses;
}

// The fields every listing shows: id, status, reason, slot, current_item_id, proposed_item_id, proposed_by,
// proposed_at (unix seconds).
nlohmann::json ProposalSummaryJson(const catalog::ProposalRecord& p);
// The summary with both images' figures (current, proposed: width, height, score, size_bytes, sharpness) and the
// review fields (reviewed_by, reviewed_at, review_notes, applied_at, rule).
nlohmann::json ProposalJson(const catalog::ProposalRecord& p);
// What a run of the workflows did: from_near_duplicates, from_flags, from_covers, auto_approved, auto_denied,
// archived_stale.
nlohmann::json WorkflowReportJson(const WorkflowReport& r);

}  // namespace triage::review
