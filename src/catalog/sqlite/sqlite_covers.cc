// Person covers on the catalog's SQLite connection: which library image stands for a person, set by cover proposals.
#include <fmt/format.h>

#include "catalog/proposal_rules.h"
#include "catalog/sqlite/sqlite_proposals.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kSetCover =
    "INSERT OR REPLACE INTO person_covers (person, item_id, set_at, set_by) VALUES (?,?,?,?)";

base::Result<int64_t> CoverUnlocked(sqlite3* db, const std::string& person) {
  Statement s(db, "SELECT item_id FROM person_covers WHERE person = ?");
  s.Bind(1, person);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return *row ? s.Int(0) : int64_t{0};
}

}  // namespace

base::Result<int64_t> SqliteProposalStore::CoverOf(const std::string& person) {
  auto lock = catalog_.Lock();
  return CoverUnlocked(catalog_.handle(), person);
}

base::Status SqliteProposalStore::ApplyCover(const CoverChange& c) {
  auto lock = catalog_.Lock();
  sqlite3* db = catalog_.handle();
  return InTransaction<int64_t>(
             db,
             [&]() -> base::Result<int64_t> {
               const bool revert = c.status == kProposalReverted;
               auto p = ProposalIn(c.proposal_id, revert ? kProposalApproved : kProposalPending);
               if (!p.ok()) return p.status();
               auto cover = CoverUnlocked(db, c.person);
               if (!cover.ok()) return cover.status();
               if (*cover != c.from_item_id) {
                 return base::Status::Conflict(fmt::format("{}'s cover is {} now, not {}; nothing was changed",
                                                           c.person, ItemRef(*cover), ItemRef(c.from_item_id)));
               }
               if (c.to_item_id == 0) {
                 TRIAGE_RETURN_IF_ERROR(
                     Statement(db, "DELETE FROM person_covers WHERE person = ?").Bind(1, c.person).Run());
               } else {
                 Statement set(db, kSetCover);
                 TRIAGE_RETURN_IF_ERROR(
                     set.Bind(1, c.person).Bind(2, c.to_item_id).Bind(3, c.at).Bind(4, c.actor).Run());
               }
               TRIAGE_RETURN_IF_ERROR(SetDecision(c.proposal_id, c.status, c.actor, c.at, c.notes, c.rule, !revert));
               TRIAGE_RETURN_IF_ERROR(Audit(c.at, c.actor, c.to_item_id ? c.to_item_id : c.from_item_id, "cover",
                                            ItemRef(c.from_item_id), ItemRef(c.to_item_id), CoverSentence(c)));
               return int64_t{0};
             })
      .status();
}

}  // namespace triage::catalog::sqlite
