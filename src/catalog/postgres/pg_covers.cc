// Person covers on the catalog's PostgreSQL connection: which library image stands for a person, set by cover
// proposals.
#include <fmt/format.h>

#include "catalog/postgres/pg_proposals.h"
#include "catalog/proposal_rules.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kCoverOf = "SELECT item_id FROM person_covers WHERE person = $1";
constexpr const char* kCoverForUpdate = "SELECT item_id FROM person_covers WHERE person = $1 FOR UPDATE";
constexpr const char* kLockPerson = "SELECT pg_advisory_xact_lock(hashtextextended('cover:' || $1, 0))";
constexpr const char* kSetCover =
    "INSERT INTO person_covers (person, item_id, set_at, set_by) VALUES ($1,$2,$3,$4) "
    "ON CONFLICT (person) DO UPDATE SET item_id = EXCLUDED.item_id, set_at = EXCLUDED.set_at, set_by = EXCLUDED.set_by";
constexpr const char* kRemoveCover = "DELETE FROM person_covers WHERE person = $1";

base::Result<int64_t> CoverUnlocked(Connection& conn, const char* sql, const std::string& person) {
  auto r = conn.Query(sql, Params().Add(person));
  if (!r.ok()) return r.status();
  return r->empty() ? int64_t{0} : r->Int(0, 0);
}

}  // namespace

base::Result<int64_t> PgProposalStore::CoverOf(const std::string& person) {
  auto lock = catalog_.Lock();
  return CoverUnlocked(catalog_.connection(), kCoverOf, person);
}

base::Status PgProposalStore::ApplyCover(const CoverChange& c) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(
             conn,
             [&]() -> base::Result<int64_t> {
               const bool revert = c.status == kProposalReverted;
               auto p = ProposalIn(c.proposal_id, revert ? kProposalApproved : kProposalPending);
               if (!p.ok()) return p.status();
               // A person without a cover has no row to lock: the lock on the person's name stands in for it.
               TRIAGE_RETURN_IF_ERROR(conn.Run(kLockPerson, Params().Add(c.person)));
               auto cover = CoverUnlocked(conn, kCoverForUpdate, c.person);
               if (!cover.ok()) return cover.status();
               if (*cover != c.from_item_id) {
                 return base::Status::Conflict(fmt::format("{}'s cover is {} now, not {}; nothing was changed",
                                                           c.person, ItemRef(*cover), ItemRef(c.from_item_id)));
               }
               if (c.to_item_id == 0)
                 TRIAGE_RETURN_IF_ERROR(conn.Run(kRemoveCover, Params().Add(c.person)));
               else
                 TRIAGE_RETURN_IF_ERROR(
                     conn.Run(kSetCover, Params().Add(c.person).Add(c.to_item_id).Add(c.at).Add(c.actor)));
               TRIAGE_RETURN_IF_ERROR(SetDecision(c.proposal_id, c.status, c.actor, c.at, c.notes, c.rule, !revert));
               TRIAGE_RETURN_IF_ERROR(Audit(c.at, c.actor, c.to_item_id ? c.to_item_id : c.from_item_id, "cover",
                                            ItemRef(c.from_item_id), ItemRef(c.to_item_id), CoverSentence(c)));
               return int64_t{0};
             })
      .status();
}

}  // namespace triage::catalog::postgres
