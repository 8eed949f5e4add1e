// The "quality" block of triage.json: the seed's scoring thresholds, penalties, normalisation and per-category
// weights (model::QualityRules), and the "routing" block.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "model/quality.h"

namespace triage::config {

// Every key of the quality block with its type: 'b' (bool), 'i' (whole number) or 'n' (number), and its range.
// Weights are quality.weights.<category>.<dimension>, numbers 0..100.
void ForEachQualityKey(const std::function<void(const std::string& path, char kind, double min, double max)>& fn);

// The quality block with every key at its default.
nlohmann::json DefaultQualityJson();

// Each category's weights must sum to 100 (a category given in the document replaces its defaults whole: absent
// dimensions weigh 0). kInvalidArgument naming the category and the sum otherwise.
base::Status CheckQualityWeights(const nlohmann::json& doc);

// Rules from the document (`doc` as written; defaults for what is absent). REQUIRES: doc validated.
model::QualityRules QualityRulesFromJson(const nlohmann::json& doc);

}  // namespace triage::config
