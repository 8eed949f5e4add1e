// Proposals, votes, flags, public marks and person covers in the catalog's SQLite database (tables from migrations 8
// and 13).
#pragma once

#include "catalog/proposal_store.h"
#include "catalog/sqlite/sqlite_catalog.h"

namespace triage::catalog::sqlite {

// Shares the catalog's connection and lock: thread-safe, each call atomic. REQUIRES: `catalog` outlives this.
class SqliteProposalStore final : public ProposalStore {
 public:
  explicit SqliteProposalStore(SqliteCatalog& catalog) : catalog_(catalog) {}

  base::Result<int64_t> AddProposal(const ProposalRecord& proposal) override;
  base::Result<ProposalRecord> GetProposal(int64_t id) override;
  base::Result<std::vector<ProposalRecord>> ListProposals(const ProposalFilter& filter) override;
  base::Status ChangeStatus(const StatusChange& change) override;
  base::Status Reopen(int64_t proposal_id, const std::string& from_status, const std::string& actor,
                      int64_t at) override;
  base::Status ApplyReplacement(const Replacement& replacement) override;
  base::Result<bool> WasApplied(const std::string& journal_id) override;
  base::Result<int64_t> CoverOf(const std::string& person) override;  // sqlite_covers.cc
  base::Status ApplyCover(const CoverChange& change) override;

  base::Status CastVote(const VoteRecord& vote) override;
  base::Status WithdrawVote(int64_t item_id, const std::string& voter) override;
  base::Status AddFlag(const FlagRecord& flag) override;
  base::Result<VoteTally> TallyOf(int64_t item_id) override;
  base::Result<int> VoteOf(int64_t item_id, const std::string& voter) override;
  base::Result<std::optional<FlagRecord>> FlagOf(int64_t item_id, const std::string& voter) override;
  base::Result<std::vector<VoteTally>> FlaggedItems(int min_flags) override;
  base::Result<std::vector<Contributor>> Leaderboard(int64_t since, int limit) override;

  base::Status SetPublic(int64_t item_id, bool is_public, const std::string& actor, int64_t at) override;
  base::Result<std::vector<int64_t>> PublicItems(int64_t after_id, int limit) override;
  base::Result<bool> IsPublic(int64_t item_id) override;

 private:
  // REQUIRES: the catalog's lock held, inside a transaction.
  base::Result<ProposalRecord> GetUnlocked(int64_t id);
  // The proposal when its status is `status`; else kConflict ("nothing was changed").
  base::Result<ProposalRecord> ProposalIn(int64_t id, const std::string& status);
  // Records a decision on proposal `id` (and, when `applied`, applied_at = at).
  base::Status SetDecision(int64_t id, const std::string& status, const std::string& actor, int64_t at,
                           const std::string& notes, const std::string& rule, bool applied);
  base::Status PlaceItem(const ItemPlacement& placement, int64_t at);
  base::Status Audit(int64_t at, const std::string& actor, int64_t item_id, const std::string& action,
                     const std::string& from, const std::string& to, const std::string& reason);
  SqliteCatalog& catalog_;
};

}  // namespace triage::catalog::sqlite
