// Votes, flags and public marks on the catalog's SQLite connection.
#include <fmt/format.h>

#include <algorithm>

#include "catalog/proposal_rules.h"
#include "catalog/sqlite/sqlite_proposals.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kCastVote =
    "INSERT INTO votes (item_id, voter, address, value, at) VALUES (?,?,?,?,?) "
    "ON CONFLICT (item_id, voter) DO UPDATE SET value = excluded.value, address = excluded.address, at = excluded.at";

constexpr const char* kWithdrawVote = "DELETE FROM votes WHERE item_id = ? AND voter = ?";

constexpr const char* kAddFlag =
    "INSERT INTO flags (item_id, voter, address, reason, details, at) VALUES (?,?,?,?,?,?) "
    "ON CONFLICT (item_id, voter) DO UPDATE SET reason = excluded.reason, details = excluded.details, "
    "address = excluded.address, at = excluded.at";

constexpr const char* kTally = TRIAGE_TALLY_SQL("?1");

constexpr const char* kFlagOf = "SELECT reason, details, at FROM flags WHERE item_id = ? AND voter = ?";

constexpr const char* kFlagged =
    "SELECT f.item_id, COUNT(DISTINCT " TRIAGE_FLAGGER_SQL
    ") FROM flags f JOIN items i ON i.id = f.item_id "
    "WHERE i.location IN ('library', 'review') GROUP BY f.item_id HAVING COUNT(DISTINCT " TRIAGE_FLAGGER_SQL
    ") >= ? "
    "ORDER BY f.item_id";

// Anonymous sessions of one address are one contributor, as in the tallies, and their votes on one image one vote.
constexpr const char* kLeaderboard =
    "SELECT " TRIAGE_COUNTED_AS_SQL("c") " AS who, COUNT(DISTINCT c.what) AS n FROM ("
    "SELECT voter, address, 'v' || item_id AS what FROM votes WHERE at >= ?1 UNION ALL "
    "SELECT voter, address, 'f' || item_id AS what FROM flags WHERE at >= ?1) c GROUP BY who "
    "ORDER BY n DESC, who LIMIT ?2";

// kNotFound when item `id` does not exist. REQUIRES: the catalog's lock held.
base::Status ItemExists(sqlite3* db, int64_t id) {
  Statement s(db, "SELECT 1 FROM items WHERE id = ?");
  auto row = s.Bind(1, id).Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no item {}", id));
  return base::Status::Ok();
}

}  // namespace

base::Status SqliteProposalStore::CastVote(const VoteRecord& v) {
  if (v.value != 1 && v.value != -1) return base::Status::InvalidArgument("a vote is +1 (up) or -1 (down)");
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(ItemExists(catalog_.handle(), v.item_id));
  Statement s(catalog_.handle(), kCastVote);
  return s.Bind(1, v.item_id).Bind(2, v.voter).Bind(3, v.address).Bind(4, v.value).Bind(5, v.at).Run();
}

base::Status SqliteProposalStore::WithdrawVote(int64_t item_id, const std::string& voter) {
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(ItemExists(catalog_.handle(), item_id));
  Statement s(catalog_.handle(), kWithdrawVote);
  return s.Bind(1, item_id).Bind(2, voter).Run();
}

base::Status SqliteProposalStore::AddFlag(const FlagRecord& f) {
  TRIAGE_RETURN_IF_ERROR(CheckFlagReason(f.reason));
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(ItemExists(catalog_.handle(), f.item_id));
  Statement s(catalog_.handle(), kAddFlag);
  return s.Bind(1, f.item_id)
      .Bind(2, f.voter)
      .Bind(3, f.address)
      .Bind(4, f.reason)
      .Bind(5, f.details)
      .Bind(6, f.at)
      .Run();
}

base::Result<VoteTally> SqliteProposalStore::TallyOf(int64_t item_id) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), kTally);
  auto row = s.Bind(1, item_id).Step();
  if (!row.ok()) return row.status();
  return VoteTally{item_id, static_cast<int>(s.Int(0)), static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2))};
}

base::Result<int> SqliteProposalStore::VoteOf(int64_t item_id, const std::string& voter) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "SELECT value FROM votes WHERE item_id = ? AND voter = ?");
  auto row = s.Bind(1, item_id).Bind(2, voter).Step();
  if (!row.ok()) return row.status();
  return *row ? static_cast<int>(s.Int(0)) : 0;
}

base::Result<std::optional<FlagRecord>> SqliteProposalStore::FlagOf(int64_t item_id, const std::string& voter) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), kFlagOf);
  auto row = s.Bind(1, item_id).Bind(2, voter).Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<FlagRecord>();
  return std::optional<FlagRecord>(FlagRecord{item_id, voter, "", s.Text(0), s.Text(1), s.Int(2)});
}

base::Result<std::vector<VoteTally>> SqliteProposalStore::FlaggedItems(int min_flags) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), kFlagged);
  s.Bind(1, std::max(min_flags, 1));
  std::vector<VoteTally> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({s.Int(0), 0, 0, static_cast<int>(s.Int(1))});
  }
}

base::Result<std::vector<Contributor>> SqliteProposalStore::Leaderboard(int64_t since, int limit) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), kLeaderboard);
  s.Bind(1, since).Bind(2, std::clamp(limit, 1, 100));
  std::vector<Contributor> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({s.Text(0), s.Int(1)});
  }
}

base::Status SqliteProposalStore::SetPublic(int64_t item_id, bool is_public, const std::string& actor, int64_t at) {
  auto lock = catalog_.Lock();
  sqlite3* db = catalog_.handle();
  TRIAGE_RETURN_IF_ERROR(ItemExists(db, item_id));
  if (!is_public) return Statement(db, "DELETE FROM public_items WHERE item_id = ?").Bind(1, item_id).Run();
  Statement where(db, "SELECT location FROM items WHERE id = ?");
  auto row = where.Bind(1, item_id).Step();
  if (!row.ok()) return row.status();
  TRIAGE_RETURN_IF_ERROR(CheckPublicLocation(item_id, where.Text(0)));
  Statement s(db, "INSERT OR REPLACE INTO public_items (item_id, marked_by, marked_at) VALUES (?,?,?)");
  return s.Bind(1, item_id).Bind(2, actor).Bind(3, at).Run();
}

base::Result<std::vector<int64_t>> SqliteProposalStore::PublicItems(int64_t after_id, int limit) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              "SELECT p.item_id FROM public_items p JOIN items i ON i.id = p.item_id "
              "WHERE i.location = 'library' AND p.item_id > ? ORDER BY p.item_id LIMIT ?");
  s.Bind(1, after_id).Bind(2, std::clamp(limit, 1, 1000));
  std::vector<int64_t> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(s.Int(0));
  }
}

base::Result<bool> SqliteProposalStore::IsPublic(int64_t item_id) {
  auto lock = catalog_.Lock();
  Statement s(
      catalog_.handle(),
      "SELECT 1 FROM public_items p JOIN items i ON i.id = p.item_id WHERE p.item_id = ? AND i.location = 'library'");
  return s.Bind(1, item_id).Step();
}

}  // namespace triage::catalog::sqlite
