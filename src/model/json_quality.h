// JSON shapes of the quality types (README "JSON output"): QualityMetrics as stored, QualityScore as shown:
// {aggregate, category, dimensions: {name: {raw, score, weight, contribution}}, penalties: [{name, points, text}],
// eyes_closed, sentence}, or null when the image was not scored.
#pragma once

#include <nlohmann/json.hpp>

#include "model/quality.h"

namespace triage::model {

void to_json(nlohmann::json& j, const QualityMetrics& m);
void to_json(nlohmann::json& j, const QualityScore& s);
// Tolerant readers: absent keys keep their defaults.
QualityMetrics QualityMetricsFromJson(const nlohmann::json& j);
QualityScore QualityScoreFromJson(const nlohmann::json& j);

}  // namespace triage::model
