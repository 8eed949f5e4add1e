// The "burst_detection", "burst_scoring" and "duplicate_detection" blocks of triage.json (model::GroupingRules).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "model/groups.h"

namespace triage::config {

// Every key of the three blocks: 'o' (object) or 'n' (number) with its range.
void ForEachGroupingKey(const std::function<void(const std::string& path, char kind, double min, double max)>& fn);

// The three blocks with every key at its default: {"burst_detection": {...}, "burst_scoring": {...}, ...}.
nlohmann::json DefaultGroupingJson();

// The burst_scoring weights must sum to 1.0 (a block given in the document replaces the defaults whole).
// kInvalidArgument naming the sum otherwise.
base::Status CheckBurstScoringWeights(const nlohmann::json& doc);

// Rules from a validated document with defaults filled in.
model::GroupingRules GroupingRulesFromJson(const nlohmann::json& doc);

}  // namespace triage::config
