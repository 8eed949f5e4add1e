// Proposals on the catalog's SQLite connection: add, list, decide, and apply a replacement in one transaction.
#include "catalog/sqlite/sqlite_proposals.h"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/proposal_rules.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kProposalColumns =
    "id, slot, current_item_id, proposed_item_id, reason, current_width, current_height, current_score, current_size, "
    "current_sharpness, proposed_width, proposed_height, proposed_score, proposed_size, proposed_sharpness, "
    "proposed_by, proposed_at, status, reviewed_by, reviewed_at, review_notes, applied_at, rule";

constexpr const char* kInsertProposal =
    "INSERT INTO proposals (slot, current_item_id, proposed_item_id, reason, current_width, current_height, "
    "current_score, current_size, current_sharpness, proposed_width, proposed_height, proposed_score, proposed_size, "
    "proposed_sharpness, proposed_by, proposed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

constexpr const char* kDecideProposal =
    "UPDATE proposals SET status = ?, reviewed_by = ?, reviewed_at = ?, review_notes = ?, rule = ? WHERE id = ?";

constexpr const char* kReopenProposal =
    "UPDATE proposals SET status = 'pending', reviewed_by = '', reviewed_at = 0, review_notes = '', rule = '', "
    "applied_at = 0 WHERE id = ?";

constexpr const char* kPlaceItem =
    "UPDATE items SET path = ?, location = ?, category = '', person = ?, updated_at = ? WHERE id = ?";

constexpr const char* kCloseReview =
    "UPDATE review_queue SET reviewed_at = ?, reviewed_by = 'proposal', action = 'replace' "
    "WHERE item_id = ? AND reviewed_at IS NULL";

ImageFigures ReadFigures(const Statement& s, int first) {
  return {static_cast<int>(s.Int(first)), static_cast<int>(s.Int(first + 1)), s.Real(first + 2), s.Int(first + 3),
          s.Real(first + 4)};
}

ProposalRecord ReadProposal(const Statement& s) {
  ProposalRecord p;
  p.id = s.Int(0);
  p.slot = s.Text(1);
  p.current_item_id = s.Int(2);
  p.proposed_item_id = s.Int(3);
  p.reason = s.Text(4);
  p.current = ReadFigures(s, 5);
  p.proposed = ReadFigures(s, 10);
  p.proposed_by = s.Text(15);
  p.proposed_at = s.Int(16);
  p.status = s.Text(17);
  p.reviewed_by = s.Text(18);
  p.reviewed_at = s.Int(19);
  p.review_notes = s.Text(20);
  p.applied_at = s.Int(21);
  p.rule = s.Text(22);
  return p;
}

void BindFigures(Statement& s, int first, const ImageFigures& f) {
  s.Bind(first, f.width).Bind(first + 1, f.height).Bind(first + 2, f.score).Bind(first + 3, f.size_bytes);
  s.Bind(first + 4, f.sharpness);
}

// The library path of item `id`; kNotFound when there is none.
base::Result<std::string> PathOf(sqlite3* db, int64_t id) {
  Statement s(db, "SELECT path FROM items WHERE id = ?");
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no item {}", id));
  return s.Text(0);
}

}  // namespace

base::Status SqliteProposalStore::Audit(int64_t at, const std::string& actor, int64_t item_id,
                                        const std::string& action, const std::string& from, const std::string& to,
                                        const std::string& reason) {
  Statement s(catalog_.handle(),
              "INSERT INTO audit (at, actor, item_id, action, from_state, to_state, reason) VALUES (?,?,?,?,?,?,?)");
  s.Bind(1, at).Bind(2, actor);
  if (item_id > 0)
    s.Bind(3, item_id);
  else
    s.BindNull(3);
  return s.Bind(4, action).Bind(5, from).Bind(6, to).Bind(7, reason).Run();
}

base::Result<int64_t> SqliteProposalStore::AddProposal(const ProposalRecord& p) {
  TRIAGE_RETURN_IF_ERROR(CheckProposalReason(p.reason));
  auto lock = catalog_.Lock();
  sqlite3* db = catalog_.handle();
  return InTransaction<int64_t>(db, [&]() -> base::Result<int64_t> {
    Statement dup(db,
                  "SELECT id FROM proposals WHERE status = 'pending' AND current_item_id = ? AND proposed_item_id = ?");
    dup.Bind(1, p.current_item_id).Bind(2, p.proposed_item_id);
    auto row = dup.Step();
    if (!row.ok()) return row.status();
    if (*row) {
      return DuplicateProposal(dup.Int(0), p);
    }
    Statement s(db, kInsertProposal);
    s.Bind(1, p.slot).Bind(2, p.current_item_id).Bind(3, p.proposed_item_id).Bind(4, p.reason);
    BindFigures(s, 5, p.current);
    BindFigures(s, 10, p.proposed);
    s.Bind(15, p.proposed_by).Bind(16, p.proposed_at);
    TRIAGE_RETURN_IF_ERROR(s.Run());
    int64_t id = sqlite3_last_insert_rowid(db);
    TRIAGE_RETURN_IF_ERROR(Audit(p.proposed_at, p.proposed_by, p.current_item_id, "propose", p.slot,
                                 p.proposed_item_id ? fmt::format("item:{}", p.proposed_item_id) : "archive",
                                 fmt::format("proposal {} ({})", id, p.reason)));
    return id;
  });
}

base::Result<ProposalRecord> SqliteProposalStore::GetUnlocked(int64_t id) {
  Statement s(catalog_.handle(), fmt::format("SELECT {} FROM proposals WHERE id = ?", kProposalColumns).c_str());
  s.Bind(1, id);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no proposal {}", id));
  return ReadProposal(s);
}

base::Result<ProposalRecord> SqliteProposalStore::ProposalIn(int64_t id, const std::string& status) {
  auto p = GetUnlocked(id);
  if (!p.ok()) return p.status();
  if (p->status != status) {
    return base::Status::Conflict(fmt::format("proposal {} is {}, not {}; nothing was changed", id, p->status, status));
  }
  return p;
}

base::Status SqliteProposalStore::SetDecision(int64_t id, const std::string& status, const std::string& actor,
                                              int64_t at, const std::string& notes, const std::string& rule,
                                              bool applied) {
  sqlite3* db = catalog_.handle();
  Statement s(db, kDecideProposal);
  TRIAGE_RETURN_IF_ERROR(s.Bind(1, status).Bind(2, actor).Bind(3, at).Bind(4, notes).Bind(5, rule).Bind(6, id).Run());
  if (!applied) return base::Status::Ok();
  return Statement(db, "UPDATE proposals SET applied_at = ? WHERE id = ?").Bind(1, at).Bind(2, id).Run();
}

base::Result<ProposalRecord> SqliteProposalStore::GetProposal(int64_t id) {
  auto lock = catalog_.Lock();
  return GetUnlocked(id);
}

base::Result<std::vector<ProposalRecord>> SqliteProposalStore::ListProposals(const ProposalFilter& f) {
  auto lock = catalog_.Lock();
  std::string where = " WHERE 1 = 1";
  if (f.status) where += " AND status = ?";
  if (f.reason) where += " AND reason = ?";
  if (f.item_id) where += " AND (current_item_id = ? OR proposed_item_id = ?)";
  Statement s(catalog_.handle(),
              fmt::format("SELECT {} FROM proposals{} ORDER BY proposed_at DESC, id DESC LIMIT ? OFFSET ?",
                          kProposalColumns, where)
                  .c_str());
  int i = 1;
  if (f.status) s.Bind(i++, *f.status);
  if (f.reason) s.Bind(i++, *f.reason);
  if (f.item_id) {
    s.Bind(i++, *f.item_id);
    s.Bind(i++, *f.item_id);
  }
  s.Bind(i, std::clamp(f.limit, 1, 1000));
  s.Bind(i + 1, std::max(f.offset, 0));
  std::vector<ProposalRecord> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadProposal(s));
  }
}

base::Status SqliteProposalStore::ChangeStatus(const StatusChange& c) {
  auto lock = catalog_.Lock();
  return InTransaction<int64_t>(
             catalog_.handle(),
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

base::Status SqliteProposalStore::Reopen(int64_t proposal_id, const std::string& from_status, const std::string& actor,
                                         int64_t at) {
  auto lock = catalog_.Lock();
  sqlite3* db = catalog_.handle();
  return InTransaction<int64_t>(db,
                                [&]() -> base::Result<int64_t> {
                                  auto p = ProposalIn(proposal_id, from_status);
                                  if (!p.ok()) return p.status();
                                  TRIAGE_RETURN_IF_ERROR(Statement(db, kReopenProposal).Bind(1, proposal_id).Run());
                                  TRIAGE_RETURN_IF_ERROR(Audit(
                                      at, actor, p->current_item_id, "undo", from_status, kProposalPending,
                                      fmt::format("proposal {} {} undone by {}", proposal_id, from_status, actor)));
                                  return int64_t{0};
                                })
      .status();
}

base::Status SqliteProposalStore::PlaceItem(const ItemPlacement& to, int64_t at) {
  sqlite3* db = catalog_.handle();
  Statement s(db, kPlaceItem);
  TRIAGE_RETURN_IF_ERROR(
      s.Bind(1, to.path).Bind(2, to.location).Bind(3, to.person).Bind(4, at).Bind(5, to.item_id).Run());
  if (sqlite3_changes(db) == 0) return base::Status::NotFound(fmt::format("no item {}", to.item_id));
  return Statement(db, kCloseReview).Bind(1, at).Bind(2, to.item_id).Run();
}

base::Status SqliteProposalStore::ApplyReplacement(const Replacement& r) {
  auto lock = catalog_.Lock();
  sqlite3* db = catalog_.handle();
  return InTransaction<int64_t>(
             db,
             [&]() -> base::Result<int64_t> {
               Statement seen(db, "SELECT 1 FROM applied_journal WHERE id = ?");
               auto row = seen.Bind(1, r.journal_id).Step();
               if (!row.ok()) return row.status();
               if (*row) return int64_t{0};
               const bool revert = r.status == kProposalReverted;
               auto p = ProposalIn(r.proposal_id, revert ? kProposalApproved : kProposalPending);
               if (!p.ok()) return p.status();
               auto old_path = PathOf(db, r.outgoing.item_id);
               if (!old_path.ok()) return old_path.status();
               TRIAGE_RETURN_IF_ERROR(PlaceItem(r.outgoing, r.at));
               if (r.incoming) TRIAGE_RETURN_IF_ERROR(PlaceItem(*r.incoming, r.at));
               TRIAGE_RETURN_IF_ERROR(SetDecision(r.proposal_id, r.status, r.actor, r.at, r.notes, r.rule, !revert));
               const ReplacementAudit audit = AuditOf(r);
               TRIAGE_RETURN_IF_ERROR(
                   Audit(r.at, r.actor, audit.subject, audit.action, *old_path, audit.to, audit.reason));
               TRIAGE_RETURN_IF_ERROR(Statement(db, "INSERT INTO applied_journal (id, item_id, at) VALUES (?,?,?)")
                                          .Bind(1, r.journal_id)
                                          .Bind(2, audit.subject)
                                          .Bind(3, r.at)
                                          .Run());
               return int64_t{0};
             })
      .status();
}

base::Result<bool> SqliteProposalStore::WasApplied(const std::string& journal_id) {
  auto lock = catalog_.Lock();
  Statement q(catalog_.handle(), "SELECT 1 FROM applied_journal WHERE id = ?");
  q.Bind(1, journal_id);
  return q.Step();
}

}  // namespace triage::catalog::sqlite
