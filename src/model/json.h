// The stable JSON shapes of the model types, shared by `--json` output and the HTTP API (documented in
// README "JSON output"). nlohmann::json finds these by argument-dependent lookup: json j = item;
#pragma once

#include <nlohmann/json.hpp>

#include "model/decision.h"
#include "model/item.h"
#include "model/json_quality.h"

namespace triage::model {

void to_json(nlohmann::json& j, const Reason& r);
void to_json(nlohmann::json& j, const Decision& d);
void to_json(nlohmann::json& j, const Face& f);
void to_json(nlohmann::json& j, const ItemRecord& r);
void to_json(nlohmann::json& j, const ReviewEntry& e);
void to_json(nlohmann::json& j, const AuditEntry& e);
void to_json(nlohmann::json& j, const PersonRecord& p);

void to_json(nlohmann::json& j, const FaceMatch& m);
void to_json(nlohmann::json& j, const StoredAnalysis& s);
// The stored shape back; tolerant of absent keys (defaults), kInvalidArgument-free: unknown keys are ignored.
StoredAnalysis StoredAnalysisFromJson(const nlohmann::json& j);

// 16 hex digits of a perceptual hash.
std::string PhashHex(uint64_t phash);

}  // namespace triage::model
