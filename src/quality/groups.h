// Finding bursts and duplicate groups among stored photos, and choosing each group's lead. Pure functions over
// model::GroupCandidate values (read from the catalog; nothing is decoded).
//
// Three different things stay apart: an exact copy (same SHA-256) is never a burst frame; a burst is a sequence in
// time; a duplicate group joins photos whose pHashes are close but that are not frames of one burst (taken within
// the burst window of each other), or that are exact copies.
#pragma once

#include <cstdint>
#include <vector>

#include "model/groups.h"

namespace triage::quality {

// The seed's burst_scoring sum on 0..10: aggregate, composition (for the aesthetic score), sharpness, and 10 for
// open eyes (0 when closed). Unscored photos score 0.
double BurstScore(const model::GroupCandidate& c, const model::GroupingRules& rules);

// Bursts of at least two frames among `candidates` (any order). Photos without a capture time are in none; of exact
// copies only the oldest (smallest id) takes part, and a near duplicate ingest linked (duplicate_of) to a photo taken
// at the same instant (model::SameCaptureInstant) is that photo's copy, not a frame. Camera by camera (EXIF make and
// model; unknown is a camera of its own), in capture order, a frame joins
// the burst of the frame before it when it was taken at most time_window after it and either within rapid_burst_seconds
// or with a pHash at least burst similarity_threshold_percent similar; at the very same sub-second as it (no camera
// takes two frames at once) only with such a pHash. The lead is the highest BurstScore (ties: smaller id).
std::vector<model::ItemGroup> FindBursts(std::vector<model::GroupCandidate> candidates,
                                         const model::GroupingRules& rules);

// True when two photos are linked as duplicates by their bytes or hashes: the same bytes; or, when either was stored
// without a signature (so that no near-duplicate check judged the pair), pHashes within the duplicate distance and
// not frames of one burst (both timed within the burst window).
bool DuplicateLink(const model::GroupCandidate& a, const model::GroupCandidate& b, const model::GroupingRules& rules);

// Duplicate groups of at least two photos: connected components (union-find) of DuplicateLink and of the verdicts
// ingest's near-duplicate check gave (duplicate_of, either way; frames of one burst excepted: taken within the burst
// window at different instants). With `seeds`, only
// the groups that contain a seed (the rest of the library is read but not regrouped). The lead is the highest
// aggregate (unscored lowest; ties: smaller id); members are "exact_copy" or "near_duplicate" of it.
std::vector<model::ItemGroup> FindDuplicateGroups(const std::vector<model::GroupCandidate>& candidates,
                                                  const model::GroupingRules& rules,
                                                  const std::vector<int64_t>* seeds = nullptr);

}  // namespace triage::quality
