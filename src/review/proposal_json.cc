// JSON of proposals.
#include "review/proposal_json.h"

#include <cmath>

namespace triage::review {
namespace {

// A score as people read it, to one decimal: 34.3, not the 34.300000000000004 its arithmetic left.
double OneDecimal(double v) { return std::round(v * 10) / 10; }

nlohmann::json FiguresJson(const catalog::ImageFigures& f) {
  return {{"width", f.width},
          {"height", f.height},
          {"score", f.score < 0 ? nlohmann::json(nullptr) : nlohmann::json(OneDecimal(f.score))},
          {"size_bytes", f.size_bytes},
          {"sharpness", f.sharpness}};
}

}  // namespace

nlohmann::json ProposalSummaryJson(const catalog::ProposalRecord& p) {
  return {{"id", p.id},
          {"status", p.status},
          {"reason", p.reason},
          {"slot", p.slot},
          {"current_item_id", p.current_item_id},
          {"proposed_item_id", p.proposed_item_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(p.proposed_item_id)},
          {"proposed_by", p.proposed_by},
          {"proposed_at", p.proposed_at}};
}

nlohmann::json ProposalJson(const catalog::ProposalRecord& p) {
  nlohmann::json j = ProposalSummaryJson(p);
  j["current"] = FiguresJson(p.current);
  j["proposed"] = p.proposed_item_id == 0 ? nlohmann::json(nullptr) : FiguresJson(p.proposed);
  j["reviewed_by"] = p.reviewed_by;
  j["reviewed_at"] = p.reviewed_at;
  j["review_notes"] = p.review_notes;
  j["applied_at"] = p.applied_at;
  j["rule"] = p.rule;
  return j;
}

nlohmann::json WorkflowReportJson(const WorkflowReport& r) {
  return {{"from_near_duplicates", r.from_near_duplicates},
          {"from_flags", r.from_flags},
          {"from_covers", r.from_covers},
          {"auto_approved", r.auto_approved},
          {"auto_denied", r.auto_denied},
          {"archived_stale", r.archived_stale}};
}

}  // namespace triage::review
