// The routing policy: a pure function from what is known about an image to where it goes and why.
#pragma once

#include <optional>
#include <string>

#include "model/decision.h"

namespace triage::decide {

// Routes one image (seed order): unreadable -> exact duplicate -> near duplicate -> [with
// policy.photos_to_library, a photo without an enrolled person: low quality, else photos/<yyyy>/<mm>] -> no face ->
// too many faces -> blacklisted -> not in whitelist -> unknown person -> low confidence -> low quality (blurry,
// too_small, low_score, eyes_closed) -> paused auto-sort -> faces/<person>. Pure: no I/O, no clock, no globals;
// thread-safe. Every decision carries at least one reason with a stable code and a sentence.
model::Decision Decide(const model::Analysis& analysis, const model::Policy& policy, const model::CatalogFacts& facts);

// Review as a byte copy of item `of` (at `path`, library-relative; "" when not known): category duplicates, reason
// duplicate_sha256, duplicate_of set.
model::Decision ExactDuplicateDecision(int64_t of, const std::string& path);

// The catalog facts a photo is decided on again (a policy replayed, a face named): those stored when it was decided,
// less a duplicate that a person has decided already. Such a copy lies outside the duplicate categories while it still
// names its original (`duplicate_of`: kept beside or instead of it); replayed as a copy, it would go back to the
// decision that was made.
model::CatalogFacts StandingFacts(model::CatalogFacts stored, const std::optional<int64_t>& duplicate_of,
                                  const std::string& category);

// The policy's verdict on one face's match: kUnknown when nobody is enrolled or the nearest person is farther than
// policy.match_distance; kLowConfidence when within it but less confident than policy.min_confidence; else kKnown.
// The only place the two thresholds are applied. Pure.
model::MatchKind ClassifyMatch(const model::FaceMatch& match, const model::Policy& policy);

// A photo filed because a reviewer named its face, not because the matcher recognised it: the "known_person" reason
// becomes "named_person", saying who named it ("Named Ada by alice.", the person as `policy` writes them). Pure.
void CreditNaming(model::Decision& decision, const std::string& actor, const model::Policy& policy);

}  // namespace triage::decide
