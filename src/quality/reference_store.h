// The normalisation reference kept between runs in <library>/.triage/quality_reference.json: written by
// `triage recompute` from every stored measure, read by intake so that fresh scores use the same scale.
// A view of the catalog, never a second source of truth: recompute rebuilds it whole.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/status.h"
#include "model/quality.h"

namespace triage::quality {

std::filesystem::path ReferenceFile(const std::filesystem::path& state_dir);

nlohmann::json ReferenceToJson(const model::QualityReference& ref);
model::QualityReference ReferenceFromJson(const nlohmann::json& j);

// The stored reference; an empty one (built-in anchors apply) when the file does not exist. kCorrupt when it is
// not valid JSON.
base::Result<model::QualityReference> LoadReference(const std::filesystem::path& state_dir);
// Writes the reference durably (write, fsync, rename).
base::Status SaveReference(const std::filesystem::path& state_dir, const model::QualityReference& ref);

}  // namespace triage::quality
