// Burst and duplicate-group settings: keys, ranges, defaults, the weights-sum rule, parsing.
#include "config/grouping_config.h"

#include <fmt/format.h>

#include <cmath>

namespace triage::config {
namespace {

using nlohmann::json;

struct Field {
  const char* section;
  const char* key;
  double min, max;
  double model::GroupingRules::*member;
};

const std::vector<Field>& Fields() {
  using R = model::GroupingRules;
  static const std::vector<Field> kFields = {
      {"burst_detection", "similarity_threshold_percent", 0, 100, &R::burst_similarity_percent},
      {"burst_detection", "time_window_minutes", 0, 60, &R::burst_window_minutes},
      {"burst_detection", "rapid_burst_seconds", 0, 60, &R::rapid_burst_seconds},
      {"burst_scoring", "weight_aggregate", 0, 1, &R::weight_aggregate},
      {"burst_scoring", "weight_aesthetic", 0, 1, &R::weight_aesthetic},
      {"burst_scoring", "weight_sharpness", 0, 1, &R::weight_sharpness},
      {"burst_scoring", "weight_blink", 0, 1, &R::weight_blink},
      {"duplicate_detection", "similarity_threshold_percent", 0, 100, &R::duplicate_similarity_percent},
  };
  return kFields;
}

}  // namespace

void ForEachGroupingKey(const std::function<void(const std::string&, char, double, double)>& fn) {
  for (const char* section : {"burst_detection", "burst_scoring", "duplicate_detection"}) fn(section, 'o', 0, 0);
  for (const Field& f : Fields()) fn(fmt::format("{}.{}", f.section, f.key), 'n', f.min, f.max);
}

json DefaultGroupingJson() {
  model::GroupingRules r;
  json out = json::object();
  for (const Field& f : Fields()) out[f.section][f.key] = r.*f.member;
  return out;
}

base::Status CheckBurstScoringWeights(const json& doc) {
  if (!doc.contains("burst_scoring")) return base::Status::Ok();
  double sum = 0;
  for (const auto& [key, w] : doc["burst_scoring"].items()) sum += w.get<double>();
  if (std::abs(sum - 1.0) > 1e-6) {
    return base::Status::InvalidArgument(
        fmt::format("burst_scoring: the weights sum to {:g}; they must sum to 1.0 (absent weights count as 0)", sum));
  }
  return base::Status::Ok();
}

model::GroupingRules GroupingRulesFromJson(const json& doc) {
  model::GroupingRules r;
  for (const Field& f : Fields()) {
    if (!doc.contains(f.section)) continue;
    const json& section = doc[f.section];
    // A burst_scoring block replaces the default weights whole: an absent weight counts 0.
    if (section.contains(f.key))
      r.*f.member = section[f.key].get<double>();
    else if (std::string(f.section) == "burst_scoring")
      r.*f.member = 0;
  }
  return r;
}

}  // namespace triage::config
