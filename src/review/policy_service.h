// The policy over what the library already holds: simulate a proposed policy over every stored analysis (nothing
// decoded, nothing moved), and apply the current one to the items waiting in review (journaled moves, audited).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/face_store.h"
#include "commit/committer.h"
#include "config/config.h"
#include "model/decision.h"
#include "model/face.h"

namespace triage::review {

// Items that would go from one folder to another, e.g. review/low_confidence -> faces/leonard.
struct PolicyMove {
  std::string from;  // library-relative folder: "faces/<person>" or "review/<category>"
  std::string to;
  int64_t count = 0;
  std::vector<int64_t> sample_ids;  // the first few item ids, ascending
  // From review: `apply-policy` makes this move. Else the items were sorted automatically and stay where they are
  // (apply-policy re-decides only what waits in review; new photos follow the policy).
  bool InReview() const { return from.rfind("review/", 0) == 0; }
};

struct SimulationReport {
  int64_t total = 0;    // items replayed (pending review and auto-sorted, with a stored analysis)
  int64_t changed = 0;  // items whose folder would change
  int64_t damaged = 0;  // items whose stored analysis cannot be read (not replayed, not counted)
  double seconds = 0;
  std::vector<PolicyMove> moves;  // by count, largest first
};

struct ApplyReport {
  int64_t considered = 0;  // items in review with a stored analysis
  int64_t moved = 0;
  int64_t left_alone = 0;         // would move, but a person has named some of their faces: the naming finishes them
  int64_t decided_meanwhile = 0;  // would move, but was decided or moved since it was read (by a reviewer, elsewhere)
  int64_t failed = 0;
  std::vector<PolicyMove> moves;
  std::vector<std::string> errors;  // "item 12: ..." for each failure
  // With a BeforeMoveFn: what reverting each move needs, in the order moved (its "path" where the move put it).
  std::vector<nlohmann::json> undo;
};

// What reverting the move of `before` needs (ReviewService::RelocationUndo), asked just before it moves.
using BeforeMoveFn = std::function<nlohmann::json(const model::ItemRecord& before)>;

// Matches an item's faces (in index order, as Catalog::FacesOf or its stored analysis lists them) against the persons
// enrolled now, replacing each face's match: stored matches were made at intake, before the persons enrolled since
// (a person added from the review queue left the other photos of them "matching nobody"). A face without a stored
// embedding keeps its match. PeopleService::MatchNow makes one; empty: stored matches are used as they are.
using MatchNowFn = std::function<base::Status(int64_t item_id, std::vector<model::Face>& faces)>;

// A MatchNowFn over the persons enrolled now (their references and the "not this person" refusals, read once when it
// is made): each face with a stored embedding is matched again; a face a cluster was named for is that person by the
// reviewer's word; a face refused as a person never matches them. `face_store` outlives the function.
base::Result<MatchNowFn> MatchNow(catalog::Catalog& catalog, catalog::FaceStore& face_store);

// The library-relative folder a decision sends an image to under `config` (people and review categories by name).
std::string FolderOf(const model::Decision& decision, const config::Config& config);
// The folder an item is in now.
std::string FolderOf(const catalog::AnalysedItem& item);
std::string FolderOf(const model::ItemRecord& item);

// `analysis` with its quality score recomputed from its stored measures under `config`'s rules and `reference`
// (what a replay under a proposed policy judges; analyses without measures keep their score). Pure.
model::Analysis RescoredAnalysis(const model::Analysis& analysis, const config::Config& config,
                                 const model::QualityReference& reference);

// Replays decide() under `proposed` (its policy) on every item whose place the policy decides (pending review items
// and auto-sorted library items; a person's decision is never revisited) and tallies what would move. Reads the
// catalog only. `max_samples` ids are kept per move. With `match_now`, faces are matched against the persons
// enrolled now, and a photo in review whose faces a person has begun naming is not counted: what ApplyPolicy, given
// the same `match_now`, would do to the photos in review.
base::Result<SimulationReport> SimulatePolicy(catalog::Catalog& catalog, const config::Config& proposed,
                                              size_t max_samples = 5, const MatchNowFn& match_now = {});

// Re-decides every item waiting in review under `config` and moves those whose folder changes through the
// journaled commit path (action "apply-policy", audited with the new reasons). One failure does not stop the rest.
// An item with a face a person has named (or marked as nobody tracked) is left to that naming. With `match_now`,
// faces are matched against the persons enrolled now (see MatchNowFn) before deciding.
base::Result<ApplyReport> ApplyPolicy(catalog::Catalog& catalog, commit::Committer& committer,
                                      const config::Config& config, const std::string& actor, int64_t now,
                                      const MatchNowFn& match_now = {}, const BeforeMoveFn& before_move = {});

// The JSON shapes `simulate --json`, `apply-policy --json` and the simulate API share.
nlohmann::json MovesJson(const std::vector<PolicyMove>& moves);
// {"total", "changed", "damaged", "seconds", "moves": [{"from", "to", "count", "sample_ids", "in_review"}]}
// ("in_review": apply-policy makes that move)
nlohmann::json SimulationJson(const SimulationReport& report);
// {"considered", "moved", "left_alone", "decided_meanwhile", "failed", "moves": [...], "errors": ["item 12: ..."]}:
// `apply-policy --json`
// and the API.
nlohmann::json ApplyJson(const ApplyReport& report);

}  // namespace triage::review
