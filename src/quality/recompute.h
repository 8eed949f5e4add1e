// `triage recompute`: categories, normalisation and aggregates again from the stored measures after a change of
// rules, without decoding any image.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "model/quality.h"

namespace triage::quality {

struct RecomputeReport {
  int64_t items = 0;     // stored analyses read, of photos outside the trash
  int64_t measured = 0;  // of those, with quality measures
  // Of `items`, whose score or category changed (written back; so are the trash's, uncounted).
  int64_t changed = 0;
  int64_t category_changed = 0;
  double seconds = 0;
  model::QualityReference reference;
};

// The reference from every measured analysis, then each one's score under `rules` and that reference; returns how
// many scores changed. Pure.
int64_t RescoreAll(std::vector<model::StoredAnalysis>& analyses, const model::QualityRules& rules,
                   model::QualityReference& reference);

// Reads every stored analysis (two passes, a page at a time, so memory stays bounded), rebuilds the normalisation
// reference, writes it to <state>/quality_reference.json and writes back the analyses whose score changed, one
// transaction per page. Safe to run again; a crash in between leaves some items on the old scale, which the next run
// fixes. Errors: the catalog's, or kIo writing the reference.
base::Result<RecomputeReport> Recompute(catalog::Catalog& catalog, const config::Config& config);

// An intake scores each photo on the scale last recomputed (or the built-in anchors before the library has
// category_min_samples photos). Once the library outgrows that scale — it reached category_min_samples since, it has
// up to 2,000 photos and any more than then, or it grew by a quarter — Recompute runs, so that scores read after an
// intake are what `recompute` would make of them (in a larger library, close to it). nullopt when the scale holds.
base::Result<std::optional<RecomputeReport>> RecomputeIfOutgrown(catalog::Catalog& catalog,
                                                                 const config::Config& config);

}  // namespace triage::quality
