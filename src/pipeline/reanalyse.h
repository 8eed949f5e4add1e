// Analysing a catalogued item's file again (after better models or rules), keeping what the catalog knew about it.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "model/decision.h"

namespace triage::pipeline {

class FaceStage;

// Decodes item `item_id`'s file where it lies in the library, analyses it under `config` (with faces when `faces`
// is not null) and replaces its stored analysis (keeping the catalog facts and the SHA-256 it was decided on), with
// an audit entry "analyse" by `actor`. The item's image facts (size, format, hashes, signature, ...) follow the new
// analysis, and its faces are stored when it had none (catalog::StoredAnalysisRow::refresh_item). Moves nothing;
// `apply-policy` then re-decides on the new analysis. Running it again gives the same result (idempotent by item).
// kNotFound for no such item or a missing file; kInvalidArgument for an item stored before analyses were kept (nothing
// to replace). Returns the new stored analysis.
base::Result<model::StoredAnalysis> Reanalyse(catalog::Catalog& catalog, const config::Config& config,
                                              const FaceStage* faces, int64_t item_id, const std::string& actor,
                                              int64_t now);

}  // namespace triage::pipeline
