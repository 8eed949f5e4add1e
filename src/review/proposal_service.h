// Proposals: another image suggested for a library slot, decided by an admin (or, when turned on, by a policy rule).
// Approving applies it through commit/ in one journaled step; denying or archiving moves no file.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/proposal_store.h"
#include "commit/committer.h"
#include "config/config_store.h"
#include "review/undo_service.h"

namespace triage::review {

struct ProposalRequest {
  int64_t current_item_id = 0;    // a library image (the slot is where it is)
  int64_t proposed_item_id = 0;   // 0: propose removing the current image (to the archive)
  std::string reason = "manual";  // one of catalog::ProposalReasons()
  std::string proposed_by;        // "workflow:<name>" or a user name
};

// A decision on many proposals: `ids`, or every pending proposal matching the criteria.
struct BatchRequest {
  std::string action;                   // approve | deny | archive
  std::vector<int64_t> ids;             // when not empty, exactly these
  std::optional<double> min_score;      // pending proposals whose proposed score is above this (0..100)
  std::optional<double> max_score;      // ... below this
  std::optional<int64_t> older_than_s;  // ... made more than this many seconds ago
  bool without_flags = false;           // ... whose proposed image has no flags
  std::string notes;
};

struct BatchResult {
  int matched = 0;                 // proposals that exist among those named or matched
  std::vector<int64_t> not_found;  // named ids of no proposal (neither matched nor failed)
  int done = 0;
  int stale = 0;                                        // found stale instead of approved
  std::vector<std::pair<int64_t, std::string>> failed;  // id, why
  std::vector<int64_t> ids;                             // the proposals done (to revert as one action)
  std::string undo;  // the token that undoes the whole batch ("" when nothing was done or undo is off)
};

// What a run of the proposal workflows did.
struct WorkflowReport {
  int from_near_duplicates = 0;
  int from_flags = 0;
  int from_covers = 0;  // a person's best library photo, better than the cover, proposed as the cover
  int auto_approved = 0;
  int auto_denied = 0;
  int archived_stale = 0;

  bool changed() const {
    return from_near_duplicates + from_flags + from_covers + auto_approved + auto_denied + archived_stale > 0;
  }
  // "proposed 1 from near duplicates, 0 from flags, 0 covers; auto-approved 0, auto-denied 0, archived 0 stale"
  std::string Sentence() const;
};

// Thread-safe: decisions are serialised, so a proposal's status and its slot are checked and changed in one step.
class ProposalService {
 public:
  // Reads `config` at each call. REQUIRES: every reference outlives this.
  ProposalService(config::ConfigStore& config, catalog::Catalog& catalog, catalog::ProposalStore& store,
                  commit::Committer& committer)
      : config_(config), catalog_(catalog), store_(store), committer_(committer) {}

  // A new pending proposal with both images' figures. kInvalidArgument (same item, unknown reason, current image
  // not in the library, proposed image in the trash or archive), kNotFound, kAlreadyExists (pending already).
  base::Result<catalog::ProposalRecord> Propose(const ProposalRequest& request, int64_t now);
  // Batches hand out undo tokens from `undo` (kind "proposal_batch"). REQUIRES: `undo` outlives this; called once.
  void EnableUndo(UndoService& undo);

  // A cover proposal (slot catalog::CoverSlot(person)): `proposed_item_id`, a library photo of `person`, for the
  // person's cover. kInvalidArgument (not a library photo of the person, the cover already, unknown reason),
  // kNotFound, kAlreadyExists. Approving it sets the cover (no file moves); reverting puts the previous one back.
  base::Result<catalog::ProposalRecord> ProposeCover(const std::string& person, int64_t proposed_item_id,
                                                     const std::string& reason, const std::string& proposed_by,
                                                     int64_t now);
  base::Result<catalog::ProposalRecord> Get(int64_t id) { return store_.GetProposal(id); }
  base::Result<std::vector<catalog::ProposalRecord>> List(const catalog::ProposalFilter& filter) {
    return store_.ListProposals(filter);
  }

  // Applies a pending proposal: the proposed image takes the slot (and its person), the current one goes to the
  // archive, audited `replaced`. kConflict when it is not pending (applied at most once; never when denied or
  // archived) or when the slot changed since it was made (it becomes `stale`). `rule`: the policy rule deciding.
  base::Result<catalog::ProposalRecord> Approve(int64_t id, const std::string& actor, const std::string& notes,
                                                int64_t now, const std::string& rule = "");
  // Closes a pending proposal without moving a file. kConflict when it is not pending.
  base::Result<catalog::ProposalRecord> Deny(int64_t id, const std::string& actor, const std::string& notes,
                                             int64_t now, const std::string& rule = "");
  base::Result<catalog::ProposalRecord> Archive(int64_t id, const std::string& actor, const std::string& notes,
                                                int64_t now, const std::string& rule = "");
  // Undoes an approved replacement: the archived image returns to the slot, the one that replaced it goes to the
  // archive (audited `revert`); when that one was deleted since (in the trash or purged), the archived image comes
  // back alone. kConflict when not approved, or when either image moved since.
  base::Result<catalog::ProposalRecord> Revert(int64_t id, const std::string& actor, const std::string& notes,
                                               int64_t now);
  // Approves, denies or archives (`action`) proposal `id` as those do, and hands out in `undo_token` (when undo is on)
  // the token that takes it back as a batch's does: the proposal pending again and both images where they were (an
  // approved replacement's proposed image back in review, not in the archive as Revert leaves it).
  base::Result<catalog::ProposalRecord> Decide(int64_t id, const std::string& action, const std::string& actor,
                                               const std::string& notes, int64_t now, std::string* undo_token);
  // Decides each matching proposal; one undo token (BatchResult::undo) puts every proposal it decided back to pending
  // and every image an approval moved back where it was, last first, all or nothing as far as a check can tell.
  base::Result<BatchResult> Batch(const BatchRequest& request, const std::string& actor, int64_t now);

  // Archives pending proposals older than proposals.stale_proposal_days, as `actor`. Returns how many.
  base::Result<int> Sweep(const std::string& actor, int64_t now);
  // The workflows: near duplicates better than their library original, images flagged flag_threshold times and
  // persons' best photos better than their cover become proposals; then the auto rules (when on) and the sweep run,
  // deciding as `actor`. One pass at a time: a second caller waits for the first to finish.
  base::Result<WorkflowReport> RunWorkflows(int64_t now, const std::string& actor = "system");

  // Shows item `id` on the public voting page (or takes it off), audited as "public" ("on" or "off").
  base::Status SetPublic(int64_t id, bool is_public, const std::string& actor, int64_t now);

  // An item's community score: weighted votes and flags (proposals.*_weight).
  base::Result<double> CommunityScore(int64_t item_id);

 private:
  // Revert of an approved proposal without a proposed image: its image back from the archive to its place.
  base::Result<catalog::ProposalRecord> RevertRemoval(const catalog::ProposalRecord& p, const std::string& actor,
                                                      const std::string& notes, int64_t now);
  base::Result<catalog::ProposalRecord> Close(int64_t id, const char* status, const std::string& actor,
                                              const std::string& notes, int64_t now, const std::string& rule);
  // kConflict naming the status when proposal `p` is not `status`.
  static base::Status CheckReason(const std::string& reason);  // kInvalidArgument naming the reasons
  static base::Status Expect(const catalog::ProposalRecord& p, const char* status, const char* verb);
  // Why the slot no longer matches the proposal ("" when it still does).
  base::Result<std::string> StaleBecause(const catalog::ProposalRecord& p);
  // After `approved` was applied: every other pending proposal naming one of its images that no longer matches its
  // slot becomes stale at once, its notes starting with SupersededNote(approved.id), instead of waiting, pending, to
  // fail when someone approves it. An undo of the approval (proposal_undo.cc) reopens them.
  void MarkSupersededStale(const catalog::ProposalRecord& approved, const std::string& actor, int64_t now);
  static std::string SupersededNote(int64_t approved_id);
  // The proposals in `status` naming either of p's images (p itself left out), each once.
  base::Result<std::vector<catalog::ProposalRecord>> SiblingsOf(const catalog::ProposalRecord& p, const char* status);
  base::Result<std::vector<int64_t>> BatchIds(const BatchRequest& request, int64_t now);
  base::Result<int> ProposeFromNearDuplicates(int64_t now);
  base::Result<int> ProposeFromFlags(int64_t now);
  // proposal_covers.cc
  base::Result<int> ProposeFromCovers(int64_t now);
  base::Result<std::optional<model::ItemRecord>> BestPhotoOf(const std::string& person);
  base::Result<std::string> CoverStaleBecause(const catalog::ProposalRecord& p);
  // proposal_undo.cc: what undoing a decided proposal needs, and the inverse of a batch.
  nlohmann::json UndoEntryBefore(const catalog::ProposalRecord& p);
  // kInvalidArgument unless `action` is approve, deny or archive.
  static base::Status CheckDecisionAction(const std::string& action);
  // Decides proposal `id` by `action` (one of Batch's) and, once decided, appends to `undone` what undoing it needs.
  // REQUIRES: decide_mu_ held.
  base::Result<catalog::ProposalRecord> DecideRecorded(int64_t id, const std::string& action, const std::string& actor,
                                                       const std::string& notes, int64_t now, nlohmann::json& undone);
  // The undo token of the decisions in `undone` ("" when there are none or undo is off).
  base::Result<std::string> RecordDecisions(const std::string& action, const nlohmann::json& undone,
                                            const std::string& actor, int64_t now);
  // The proposals MarkSupersededStale made stale when `approved` was approved.
  base::Result<std::vector<int64_t>> SupersededBy(const catalog::ProposalRecord& approved);
  base::Status UndoEntryAfter(nlohmann::json& entry);
  base::Status CheckBatchUndo(const nlohmann::json& payload);
  base::Status RevertBatch(const nlohmann::json& payload, const std::string& actor, int64_t now);
  base::Status ReopenApproved(const nlohmann::json& entry, const std::string& actor, int64_t now);
  base::Status RunAutoRules(int64_t now, const std::string& actor, WorkflowReport& report);
  base::Result<int> SweepLocked(const std::string& actor, int64_t now);  // REQUIRES: pass_mu_ held

  config::ConfigStore& config_;
  catalog::Catalog& catalog_;
  catalog::ProposalStore& store_;
  commit::Committer& committer_;
  std::recursive_mutex decide_mu_;
  std::mutex pass_mu_;  // held by a pass of the workflows or a sweep
  UndoService* undo_ = nullptr;
};

// An image's figures as a proposal records them (score on 0..100, -1 when not scored).
catalog::ImageFigures FiguresOf(const model::ItemRecord& item);

}  // namespace triage::review
