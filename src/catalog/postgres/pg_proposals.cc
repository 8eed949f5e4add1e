// Proposals on the catalog's PostgreSQL connection: add, list, decide, and apply a replacement in one transaction.
#include "catalog/postgres/pg_proposals.h"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/proposal_rules.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kProposalColumns =
    "id, slot, current_item_id, proposed_item_id, reason, current_width, current_height, current_score, current_size, "
    "current_sharpness, proposed_width, proposed_height, proposed_score, proposed_size, proposed_sharpness, "
    "proposed_by, proposed_at, status, reviewed_by, reviewed_at, review_notes, applied_at, rule";

// Two processes proposing the same pair at once meet here: the second sees the first's proposal.
constexpr const char* kLockPair =
    "SELECT pg_advisory_xact_lock(hashtextextended('proposal:' || $1::text || ':' || $2::text, 0))";
constexpr const char* kPendingPair =
    "SELECT id FROM proposals WHERE status = 'pending' AND current_item_id = $1 AND proposed_item_id = $2";

constexpr const char* kInsertProposal =
    "INSERT INTO proposals (slot, current_item_id, proposed_item_id, reason, current_width, current_height, "
    "current_score, current_size, current_sharpness, proposed_width, proposed_height, proposed_score, proposed_size, "
    "proposed_sharpness, proposed_by, proposed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) "
    "RETURNING id";

// FOR UPDATE: a decision reads the status and changes it; a concurrent decision waits and then sees the new status.
constexpr const char* kGetProposal = "SELECT {} FROM proposals WHERE id = $1 FOR UPDATE";

constexpr const char* kDecideProposal =
    "UPDATE proposals SET status = $1, reviewed_by = $2, reviewed_at = $3, review_notes = $4, rule = $5, "
    "applied_at = CASE WHEN $7 THEN $3 ELSE applied_at END WHERE id = $6";

constexpr const char* kReopenProposal =
    "UPDATE proposals SET status = 'pending', reviewed_by = '', reviewed_at = 0, review_notes = '', rule = '', "
    "applied_at = 0 WHERE id = $1";

constexpr const char* kPathOf = "SELECT path FROM items WHERE id = $1";

constexpr const char* kPlaceItem =
    "UPDATE items SET path = $1, location = $2, category = '', person = $3, updated_at = $4 "
    "WHERE id = $5";

constexpr const char* kCloseReview =
    "UPDATE review_queue SET reviewed_at = $1, reviewed_by = 'proposal', action = 'replace' "
    "WHERE item_id = $2 AND reviewed_at IS NULL";

constexpr const char* kAudit =
    "INSERT INTO audit (at, actor, item_id, action, from_state, to_state, reason) VALUES ($1,$2,$3,$4,$5,$6,$7)";

constexpr const char* kLockJournalId = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
constexpr const char* kApplied = "SELECT 1 FROM applied_journal WHERE id = $1";
constexpr const char* kMarkApplied = "INSERT INTO applied_journal (id, item_id, at) VALUES ($1,$2,$3)";

ImageFigures ReadFigures(const Rows& r, int i, int first) {
  return {static_cast<int>(r.Int(i, first)), static_cast<int>(r.Int(i, first + 1)), r.Real(i, first + 2),
          r.Int(i, first + 3), r.Real(i, first + 4)};
}

ProposalRecord ReadProposal(const Rows& r, int i) {
  ProposalRecord p;
  p.id = r.Int(i, 0);
  p.slot = r.Text(i, 1);
  p.current_item_id = r.Int(i, 2);
  p.proposed_item_id = r.Int(i, 3);
  p.reason = r.Text(i, 4);
  p.current = ReadFigures(r, i, 5);
  p.proposed = ReadFigures(r, i, 10);
  p.proposed_by = r.Text(i, 15);
  p.proposed_at = r.Int(i, 16);
  p.status = r.Text(i, 17);
  p.reviewed_by = r.Text(i, 18);
  p.reviewed_at = r.Int(i, 19);
  p.review_notes = r.Text(i, 20);
  p.applied_at = r.Int(i, 21);
  p.rule = r.Text(i, 22);
  return p;
}

Params& AddFigures(Params& p, const ImageFigures& f) {
  return p.Add(f.width).Add(f.height).Add(f.score).Add(f.size_bytes).Add(f.sharpness);
}

}  // namespace

base::Status PgProposalStore::Audit(int64_t at, const std::string& actor, int64_t item_id, const std::string& action,
                                    const std::string& from, const std::string& to, const std::string& reason) {
  Params p;
  p.Add(at).Add(actor);
  if (item_id > 0)
    p.Add(item_id);
  else
    p.AddNull();
  return catalog_.connection().Run(kAudit, p.Add(action).Add(from).Add(to).Add(reason));
}

base::Result<int64_t> PgProposalStore::AddProposal(const ProposalRecord& p) {
  TRIAGE_RETURN_IF_ERROR(CheckProposalReason(p.reason));
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(conn, [&]() -> base::Result<int64_t> {
    Params pair = Params().Add(p.current_item_id).Add(p.proposed_item_id);
    TRIAGE_RETURN_IF_ERROR(conn.Run(kLockPair, pair));
    auto dup = conn.Query(kPendingPair, pair);
    if (!dup.ok()) return dup.status();
    if (!dup->empty()) {
      return DuplicateProposal(dup->Int(0, 0), p);
    }
    Params ins;
    ins.Add(p.slot).Add(p.current_item_id).Add(p.proposed_item_id).Add(p.reason);
    AddFigures(ins, p.current);
    AddFigures(ins, p.proposed);
    auto r = conn.Query(kInsertProposal, ins.Add(p.proposed_by).Add(p.proposed_at));
    if (!r.ok()) return r.status();
    int64_t id = r->Int(0, 0);
    TRIAGE_RETURN_IF_ERROR(Audit(p.proposed_at, p.proposed_by, p.current_item_id, "propose", p.slot,
                                 p.proposed_item_id ? fmt::format("item:{}", p.proposed_item_id) : "archive",
                                 fmt::format("proposal {} ({})", id, p.reason)));
    return id;
  });
}

base::Result<ProposalRecord> PgProposalStore::GetUnlocked(int64_t id) {
  auto r = catalog_.connection().Query(fmt::format(fmt::runtime(kGetProposal), kProposalColumns), Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no proposal {}", id));
  return ReadProposal(*r, 0);
}

base::Result<ProposalRecord> PgProposalStore::ProposalIn(int64_t id, const std::string& status) {
  auto p = GetUnlocked(id);
  if (!p.ok()) return p.status();
  if (p->status != status) {
    return base::Status::Conflict(fmt::format("proposal {} is {}, not {}; nothing was changed", id, p->status, status));
  }
  return p;
}

base::Status PgProposalStore::SetDecision(int64_t id, const std::string& status, const std::string& actor, int64_t at,
                                          const std::string& notes, const std::string& rule, bool applied) {
  return catalog_.connection().Run(kDecideProposal,
                                   Params().Add(status).Add(actor).Add(at).Add(notes).Add(rule).Add(id).Add(applied));
}

base::Result<ProposalRecord> PgProposalStore::GetProposal(int64_t id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(fmt::format("SELECT {} FROM proposals WHERE id = $1", kProposalColumns),
                                       Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no proposal {}", id));
  return ReadProposal(*r, 0);
}

base::Result<std::vector<ProposalRecord>> PgProposalStore::ListProposals(const ProposalFilter& f) {
  Params p;
  std::string where = " WHERE 1 = 1";
  if (f.status) where += fmt::format(" AND status = ${}", p.Add(*f.status).size());
  if (f.reason) where += fmt::format(" AND reason = ${}", p.Add(*f.reason).size());
  if (f.item_id)
    where += fmt::format(" AND (current_item_id = ${0} OR proposed_item_id = ${0})", p.Add(*f.item_id).size());
  p.Add(std::clamp(f.limit, 1, 1000)).Add(std::max(f.offset, 0));
  std::string sql = fmt::format("SELECT {} FROM proposals{} ORDER BY proposed_at DESC, id DESC LIMIT ${} OFFSET ${}",
                                kProposalColumns, where, p.size() - 1, p.size());
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(sql, p);
  if (!r.ok()) return r.status();
  std::vector<ProposalRecord> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(ReadProposal(*r, i));
  return out;
}

base::Status PgProposalStore::ChangeStatus(const StatusChange& c) {
  auto lock = catalog_.Lock();
  return InTransaction<int64_t>(
             catalog_.connection(),
             [&]() -> base::Result<int64_t> {
               auto p = ProposalIn(c.proposal_id, c.from_status);
               if (!p.ok()) return p.status();
               TRIAGE_RETURN_IF_ERROR(SetDecision(c.proposal_id, c.to_status, c.actor, c.at, c.notes, c.rule, false));
               TRIAGE_RETURN_IF_ERROR(Audit(c.at, c.actor, p->current_item_id, "proposal", c.from_status, c.to_status,
                                            DecisionSentence(c.to_status, c.proposal_id, c.actor, c.rule, c.notes)));
               return int64_t{0};
             })
      .status();
}

base::Status PgProposalStore::Reopen(int64_t proposal_id, const std::string& from_status, const std::string& actor,
                                     int64_t at) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(conn,
                                [&]() -> base::Result<int64_t> {
                                  auto p = ProposalIn(proposal_id, from_status);
                                  if (!p.ok()) return p.status();
                                  TRIAGE_RETURN_IF_ERROR(conn.Run(kReopenProposal, Params().Add(proposal_id)));
                                  TRIAGE_RETURN_IF_ERROR(Audit(
                                      at, actor, p->current_item_id, "undo", from_status, kProposalPending,
                                      fmt::format("proposal {} {} undone by {}", proposal_id, from_status, actor)));
                                  return int64_t{0};
                                })
      .status();
}

base::Status PgProposalStore::PlaceItem(const ItemPlacement& to, int64_t at) {
  Connection& conn = catalog_.connection();
  auto placed = conn.Query(kPlaceItem, Params().Add(to.path).Add(to.location).Add(to.person).Add(at).Add(to.item_id));
  if (!placed.ok()) return placed.status();
  if (placed->affected() == 0) return base::Status::NotFound(fmt::format("no item {}", to.item_id));
  return conn.Run(kCloseReview, Params().Add(at).Add(to.item_id));
}

base::Status PgProposalStore::RecordReplacement(const Replacement& r, const std::string& old_path) {
  const bool revert = r.status == kProposalReverted;
  TRIAGE_RETURN_IF_ERROR(SetDecision(r.proposal_id, r.status, r.actor, r.at, r.notes, r.rule, !revert));
  const ReplacementAudit audit = AuditOf(r);
  TRIAGE_RETURN_IF_ERROR(Audit(r.at, r.actor, audit.subject, audit.action, old_path, audit.to, audit.reason));
  return catalog_.connection().Run(kMarkApplied, Params().Add(r.journal_id).Add(audit.subject).Add(r.at));
}

base::Status PgProposalStore::ApplyReplacement(const Replacement& r) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(
             conn,
             [&]() -> base::Result<int64_t> {
               TRIAGE_RETURN_IF_ERROR(conn.Run(kLockJournalId, Params().Add(r.journal_id)));
               auto seen = conn.Query(kApplied, Params().Add(r.journal_id));
               if (!seen.ok()) return seen.status();
               if (!seen->empty()) return int64_t{0};
               auto p = ProposalIn(r.proposal_id, r.status == kProposalReverted ? kProposalApproved : kProposalPending);
               if (!p.ok()) return p.status();
               auto old_path = conn.Query(kPathOf, Params().Add(r.outgoing.item_id));
               if (!old_path.ok()) return old_path.status();
               if (old_path->empty()) return base::Status::NotFound(fmt::format("no item {}", r.outgoing.item_id));
               TRIAGE_RETURN_IF_ERROR(PlaceItem(r.outgoing, r.at));
               if (r.incoming) TRIAGE_RETURN_IF_ERROR(PlaceItem(*r.incoming, r.at));
               TRIAGE_RETURN_IF_ERROR(RecordReplacement(r, old_path->Text(0, 0)));
               return int64_t{0};
             })
      .status();
}

base::Result<bool> PgProposalStore::WasApplied(const std::string& journal_id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kApplied, Params().Add(journal_id));
  if (!r.ok()) return r.status();
  return !r->empty();
}

}  // namespace triage::catalog::postgres
