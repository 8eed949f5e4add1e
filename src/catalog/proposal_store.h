// Proposals (an automated process or a person suggests another image for a slot), community votes and flags, and
// the images an admin marked public: an interface over the catalog's storage, beside Catalog rather than in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::catalog {

// What was measured of one side of a proposal when it was made.
struct ImageFigures {
  int width = 0;
  int height = 0;
  double score = -1;  // quality aggregate on 0..100; -1 when the image was not scored
  int64_t size_bytes = 0;
  double sharpness = 0;  // variance of the Laplacian, as stored with the item
};

// The proposal's states. kPending is the only one a decision leaves; kApproved may go on to kReverted.
//   pending → approved (applied) | denied | archived (aged out, or put aside) | stale (the slot changed meanwhile)
//   approved → reverted (the replaced image came back)
inline constexpr const char* kProposalPending = "pending";
inline constexpr const char* kProposalApproved = "approved";
inline constexpr const char* kProposalDenied = "denied";
inline constexpr const char* kProposalArchived = "archived";
inline constexpr const char* kProposalStale = "stale";
inline constexpr const char* kProposalReverted = "reverted";

// Why a proposal was made.
inline const std::vector<std::string>& ProposalReasons() {
  static const std::vector<std::string> kReasons = {"higher_resolution", "better_quality", "correct_subject",
                                                    "user_flags", "manual"};
  return kReasons;
}

struct ProposalRecord {
  int64_t id = 0;
  std::string slot;  // the library path the current image held when the proposal was made
  int64_t current_item_id = 0;
  int64_t proposed_item_id = 0;  // 0: a proposal to remove the current image (to the archive) without a successor
  std::string reason;            // one of ProposalReasons()
  ImageFigures current;
  ImageFigures proposed;
  std::string proposed_by;  // "workflow:<name>" or a user name
  int64_t proposed_at = 0;  // unix seconds
  std::string status = kProposalPending;
  std::string reviewed_by;
  int64_t reviewed_at = 0;
  std::string review_notes;
  int64_t applied_at = 0;  // 0 until applied
  std::string rule;        // the policy rule that decided it when no person did ("" otherwise)
};

// A person's cover image (what the People and Persons pages show for them) is a slot of its own, "cover:<person>".
inline std::string CoverSlot(const std::string& person) { return "cover:" + person; }
// The person a cover slot names; "" for a library slot (a path).
inline std::string CoverPerson(const std::string& slot) {
  return slot.rfind("cover:", 0) == 0 ? slot.substr(6) : std::string();
}

struct ProposalFilter {
  std::optional<std::string> status;
  std::optional<std::string> reason;
  std::optional<int64_t> item_id;  // proposals naming this item on either side
  int limit = 100;                 // 1..1000
  int offset = 0;
};

// One item's new place in a replacement.
struct ItemPlacement {
  int64_t item_id = 0;
  std::string path;      // library-relative
  std::string location;  // "library" | "archive"
  std::string person;
};

// The catalog side of applying (or reverting) a proposal: both items move, the proposal's status changes and the
// audit records `replaced`, old → new, in one transaction. Idempotent by journal_id, like CatalogChange.
struct Replacement {
  std::string journal_id;
  int64_t proposal_id = 0;
  std::string status;                     // the proposal's status afterwards: approved | reverted
  ItemPlacement outgoing;                 // leaves the slot
  std::optional<ItemPlacement> incoming;  // takes the slot (none for a removal)
  std::string actor;
  std::string notes;
  std::string rule;  // the auto rule that fired ("" for a person's decision)
  int64_t at = 0;
};

// A decision that moves no file: deny, archive, stale.
struct StatusChange {
  int64_t proposal_id = 0;
  std::string from_status = kProposalPending;  // the change happens only from this status (else kConflict)
  std::string to_status;
  std::string actor;
  std::string notes;
  std::string rule;
  int64_t at = 0;
};

// Setting a person's cover as a cover proposal's approval (or revert): the cover, the proposal's status and the audit
// entry `cover` (item:from → item:to) in one transaction.
struct CoverChange {
  int64_t proposal_id = 0;
  std::string person;
  int64_t from_item_id = 0;  // the cover before (0: none); else kConflict
  int64_t to_item_id = 0;    // the cover after (0: none)
  std::string status;        // the proposal's status afterwards: approved (from pending) | reverted (from approved)
  std::string actor;
  std::string notes;
  std::string rule;
  int64_t at = 0;
};

struct VoteRecord {
  int64_t item_id = 0;
  std::string voter;    // "session:<hash>" for anonymous voters, "user:<name>" when logged in
  std::string address;  // the client address the vote came from
  int value = 0;        // +1 up, -1 down
  int64_t at = 0;
};

struct FlagRecord {
  int64_t item_id = 0;
  std::string voter;
  std::string address;
  std::string reason;   // wrong_subject | poor_quality | wrong_person | other
  std::string details;  // free text (for "other")
  int64_t at = 0;
};

struct VoteTally {
  int64_t item_id = 0;
  int up = 0;
  int down = 0;
  int flags = 0;
};

struct Contributor {
  std::string voter;
  int64_t votes = 0;  // votes and flags cast in the period
};

// Thread-safety: implementations are thread-safe; each call is atomic.
class ProposalStore {
 public:
  virtual ~ProposalStore() = default;
  ProposalStore(const ProposalStore&) = delete;
  ProposalStore& operator=(const ProposalStore&) = delete;

  // Stores a new pending proposal (id, status and review fields are ignored) with an audit entry; returns its id.
  // kAlreadyExists when a pending proposal for the same current and proposed items exists.
  virtual base::Result<int64_t> AddProposal(const ProposalRecord& proposal) = 0;
  virtual base::Result<ProposalRecord> GetProposal(int64_t id) = 0;  // kNotFound
  // Newest first.
  virtual base::Result<std::vector<ProposalRecord>> ListProposals(const ProposalFilter& filter) = 0;
  // Applies a status change with its audit entry. kNotFound; kConflict when the status is not `from_status`.
  virtual base::Status ChangeStatus(const StatusChange& change) = 0;
  // Puts a decided proposal back to pending, as if never decided (an undone decision): the review fields and
  // applied_at are cleared, audited "undo" by `actor`. kNotFound; kConflict when its status is not `from_status`.
  virtual base::Status Reopen(int64_t proposal_id, const std::string& from_status, const std::string& actor,
                              int64_t at) = 0;
  // Applies a replacement (see Replacement). kConflict when the proposal's status does not allow it.
  virtual base::Status ApplyReplacement(const Replacement& replacement) = 0;
  virtual base::Result<bool> WasApplied(const std::string& journal_id) = 0;

  // The item that is `person`'s cover; 0 when none is set.
  virtual base::Result<int64_t> CoverOf(const std::string& person) = 0;
  // Applies a cover change (see CoverChange). kConflict when the cover is not from_item_id or the proposal's status
  // does not allow it (nothing is changed then).
  virtual base::Status ApplyCover(const CoverChange& change) = 0;

  // Records a vote; a voter's earlier vote on the same item is replaced.
  virtual base::Status CastVote(const VoteRecord& vote) = 0;
  // Takes back `voter`'s vote on item `item_id` (a second press of the pressed button); nothing to take back is no
  // error. kNotFound when the item does not exist.
  virtual base::Status WithdrawVote(int64_t item_id, const std::string& voter) = 0;
  // Records a flag; a voter's earlier flag on the same item is replaced.
  virtual base::Status AddFlag(const FlagRecord& flag) = 0;
  virtual base::Result<VoteTally> TallyOf(int64_t item_id) = 0;
  // The vote `voter` has on item `item_id`: +1, -1, or 0 when none.
  virtual base::Result<int> VoteOf(int64_t item_id, const std::string& voter) = 0;
  // The flag `voter` has on item `item_id` (its reason, details and time; address empty), or nullopt when none.
  virtual base::Result<std::optional<FlagRecord>> FlagOf(int64_t item_id, const std::string& voter) = 0;
  // Items (not in trash or archive) with at least `min_flags` flags, ascending id. Anonymous flags (voter
  // "session:...") count once per network address: a session is a cookie its holder can drop or invent, so that one
  // client alone would otherwise flag an image out of the library. Each signed-in user's flag counts.
  virtual base::Result<std::vector<VoteTally>> FlaggedItems(int min_flags) = 0;
  // Votes and flags (both count as one contribution per item) since `since`, most first; `limit` 1..100.
  virtual base::Result<std::vector<Contributor>> Leaderboard(int64_t since, int limit) = 0;

  // Marks an item public (shown on the voting page) or not. kNotFound; kInvalidArgument when marking an item that is
  // not in the library (review, trash: the page shows library images only).
  virtual base::Status SetPublic(int64_t item_id, bool is_public, const std::string& actor, int64_t at) = 0;
  // Public items still in the library, ascending id after `after_id`.
  virtual base::Result<std::vector<int64_t>> PublicItems(int64_t after_id, int limit) = 0;
  virtual base::Result<bool> IsPublic(int64_t item_id) = 0;

 protected:
  ProposalStore() = default;
};

}  // namespace triage::catalog
