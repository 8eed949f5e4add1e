// The stable JSON shapes of the model types, shared by `--json` output and the HTTP API (documented in
// README "JSON output"). nlohmann::json finds these by argument-dependent lookup: json j = item;
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

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

// Library photos counted by person, as `--json` and the API give them: "by_person" names only persons, and the photos
// kept without a person ("" in `counts`, in <directories.photos>/) are "without_person".
template <typename N>
nlohmann::json PersonCountsJson(const std::map<std::string, N>& counts) {
  nlohmann::json by_person = nlohmann::json::object();
  N without = 0;
  for (const auto& [person, n] : counts) {
    if (person.empty())
      without += n;
    else
      by_person[person] = n;
  }
  return {{"by_person", by_person}, {"without_person", without}};
}

// 16 hex digits of a perceptual hash.
std::string PhashHex(uint64_t phash);

}  // namespace triage::model
