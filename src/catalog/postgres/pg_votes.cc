// Votes, flags and public marks on the catalog's PostgreSQL connection.
#include <fmt/format.h>

#include <algorithm>

#include "catalog/postgres/pg_proposals.h"
#include "catalog/proposal_rules.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kItemExists = "SELECT 1 FROM items WHERE id = $1";

constexpr const char* kCastVote =
    "INSERT INTO votes (item_id, voter, address, value, at) VALUES ($1,$2,$3,$4,$5) "
    "ON CONFLICT (item_id, voter) DO UPDATE SET value = EXCLUDED.value, address = EXCLUDED.address, at = EXCLUDED.at";

constexpr const char* kWithdrawVote = "DELETE FROM votes WHERE item_id = $1 AND voter = $2";

constexpr const char* kAddFlag =
    "INSERT INTO flags (item_id, voter, address, reason, details, at) VALUES ($1,$2,$3,$4,$5,$6) "
    "ON CONFLICT (item_id, voter) DO UPDATE SET reason = EXCLUDED.reason, details = EXCLUDED.details, "
    "address = EXCLUDED.address, at = EXCLUDED.at";

constexpr const char* kTally = TRIAGE_TALLY_SQL("$1");

constexpr const char* kFlagOf = "SELECT reason, details, at FROM flags WHERE item_id = $1 AND voter = $2";

constexpr const char* kFlagged =
    "SELECT f.item_id, COUNT(DISTINCT " TRIAGE_FLAGGER_SQL
    ") FROM flags f JOIN items i ON i.id = f.item_id "
    "WHERE i.location IN ('library', 'review') GROUP BY f.item_id HAVING COUNT(DISTINCT " TRIAGE_FLAGGER_SQL
    ") >= $1 "
    "ORDER BY f.item_id";

// Anonymous sessions of one address are one contributor, as in the tallies, and their votes on one image one vote.
constexpr const char* kLeaderboard =
    "SELECT " TRIAGE_COUNTED_AS_SQL("c") " AS who, COUNT(DISTINCT c.what) AS n FROM ("
    "SELECT voter, address, 'v' || item_id AS what FROM votes WHERE at >= $1 UNION ALL "
    "SELECT voter, address, 'f' || item_id AS what FROM flags WHERE at >= $1) c GROUP BY who "
    "ORDER BY n DESC, who LIMIT $2";

constexpr const char* kUnmarkPublic = "DELETE FROM public_items WHERE item_id = $1";
constexpr const char* kMarkPublic =
    "INSERT INTO public_items (item_id, marked_by, marked_at) VALUES ($1,$2,$3) "
    "ON CONFLICT (item_id) DO UPDATE SET marked_by = EXCLUDED.marked_by, marked_at = EXCLUDED.marked_at";

constexpr const char* kPublicItems =
    "SELECT p.item_id FROM public_items p JOIN items i ON i.id = p.item_id "
    "WHERE i.location = 'library' AND p.item_id > $1 ORDER BY p.item_id LIMIT $2";

constexpr const char* kIsPublic =
    "SELECT 1 FROM public_items p JOIN items i ON i.id = p.item_id WHERE p.item_id = $1 AND i.location = 'library'";

// kNotFound when item `id` does not exist. REQUIRES: the catalog's lock held.
base::Status ItemExists(Connection& conn, int64_t id) {
  auto r = conn.Query(kItemExists, Params().Add(id));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no item {}", id));
  return base::Status::Ok();
}

}  // namespace

base::Status PgProposalStore::CastVote(const VoteRecord& v) {
  if (v.value != 1 && v.value != -1) return base::Status::InvalidArgument("a vote is +1 (up) or -1 (down)");
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(ItemExists(catalog_.connection(), v.item_id));
  return catalog_.connection().Run(kCastVote,
                                   Params().Add(v.item_id).Add(v.voter).Add(v.address).Add(v.value).Add(v.at));
}

base::Status PgProposalStore::WithdrawVote(int64_t item_id, const std::string& voter) {
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(ItemExists(catalog_.connection(), item_id));
  return catalog_.connection().Run(kWithdrawVote, Params().Add(item_id).Add(voter));
}

base::Status PgProposalStore::AddFlag(const FlagRecord& f) {
  TRIAGE_RETURN_IF_ERROR(CheckFlagReason(f.reason));
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(ItemExists(catalog_.connection(), f.item_id));
  return catalog_.connection().Run(
      kAddFlag, Params().Add(f.item_id).Add(f.voter).Add(f.address).Add(f.reason).Add(f.details).Add(f.at));
}

base::Result<VoteTally> PgProposalStore::TallyOf(int64_t item_id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kTally, Params().Add(item_id));
  if (!r.ok()) return r.status();
  return VoteTally{item_id, static_cast<int>(r->Int(0, 0)), static_cast<int>(r->Int(0, 1)),
                   static_cast<int>(r->Int(0, 2))};
}

base::Result<int> PgProposalStore::VoteOf(int64_t item_id, const std::string& voter) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query("SELECT value FROM votes WHERE item_id = $1 AND voter = $2",
                                       Params().Add(item_id).Add(voter));
  if (!r.ok()) return r.status();
  return r->size() == 0 ? 0 : static_cast<int>(r->Int(0, 0));
}

base::Result<std::optional<FlagRecord>> PgProposalStore::FlagOf(int64_t item_id, const std::string& voter) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kFlagOf, Params().Add(item_id).Add(voter));
  if (!r.ok()) return r.status();
  if (r->size() == 0) return std::optional<FlagRecord>();
  return std::optional<FlagRecord>(FlagRecord{item_id, voter, "", r->Text(0, 0), r->Text(0, 1), r->Int(0, 2)});
}

base::Result<std::vector<VoteTally>> PgProposalStore::FlaggedItems(int min_flags) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kFlagged, Params().Add(std::max(min_flags, 1)));
  if (!r.ok()) return r.status();
  std::vector<VoteTally> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->Int(i, 0), 0, 0, static_cast<int>(r->Int(i, 1))});
  return out;
}

base::Result<std::vector<Contributor>> PgProposalStore::Leaderboard(int64_t since, int limit) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kLeaderboard, Params().Add(since).Add(std::clamp(limit, 1, 100)));
  if (!r.ok()) return r.status();
  std::vector<Contributor> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->Text(i, 0), r->Int(i, 1)});
  return out;
}

base::Status PgProposalStore::SetPublic(int64_t item_id, bool is_public, const std::string& actor, int64_t at) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  TRIAGE_RETURN_IF_ERROR(ItemExists(conn, item_id));
  if (!is_public) return conn.Run(kUnmarkPublic, Params().Add(item_id));
  auto where = conn.Query("SELECT location FROM items WHERE id = $1", Params().Add(item_id));
  if (!where.ok()) return where.status();
  TRIAGE_RETURN_IF_ERROR(CheckPublicLocation(item_id, where->Text(0, 0)));
  return conn.Run(kMarkPublic, Params().Add(item_id).Add(actor).Add(at));
}

base::Result<std::vector<int64_t>> PgProposalStore::PublicItems(int64_t after_id, int limit) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kPublicItems, Params().Add(after_id).Add(std::clamp(limit, 1, 1000)));
  if (!r.ok()) return r.status();
  std::vector<int64_t> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->Int(i, 0));
  return out;
}

base::Result<bool> PgProposalStore::IsPublic(int64_t item_id) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kIsPublic, Params().Add(item_id));
  if (!r.ok()) return r.status();
  return !r->empty();
}

}  // namespace triage::catalog::postgres
