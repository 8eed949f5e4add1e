// JSON mapping of the model types.
#include "model/json.h"

#include <cstdio>

namespace triage::model {

using nlohmann::json;

std::string PhashHex(uint64_t phash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(phash));
  return buf;
}

void to_json(json& j, const Reason& r) { j = {{"code", r.code}, {"text", r.text}}; }

void to_json(json& j, const Decision& d) {
  j = {{"destination", DestinationName(d.destination)},
       {"category", d.category.empty() ? json(nullptr) : json(d.category)},
       {"person", d.person.empty() ? json(nullptr) : json(d.person)},
       {"duplicate_of", d.duplicate_of ? json(*d.duplicate_of) : json(nullptr)},
       {"reasons", d.reasons},
       {"summary", d.Summary()}};
}

void to_json(json& j, const Face& f) {
  json landmarks = json::array();
  for (const auto& p : f.landmarks) landmarks.push_back({p.x, p.y});
  j = {{"box", {{"x", f.box.x}, {"y", f.box.y}, {"width", f.box.width}, {"height", f.box.height}}},
       {"detection_score", f.detection_score},
       {"landmarks", landmarks},
       {"eye_aspect_ratio", f.eye_aspect_ratio},
       {"embedding_size", f.embedding.size()},
       {"match",
        {{"kind", MatchKindName(f.match.kind)},
         {"person", f.match.person.empty() ? json(nullptr) : json(f.match.person)},
         {"distance", f.match.distance},
         {"confidence", f.match.confidence}}}};
}

void to_json(json& j, const ItemRecord& r) {
  j = {{"id", r.id},
       {"path", r.path},
       {"original_name", r.original_name},
       {"original_path", r.original_path},
       {"sha256", r.fingerprint.sha256},
       {"phash", r.fingerprint.has_phash ? json(PhashHex(r.fingerprint.phash)) : json(nullptr)},
       {"size_bytes", r.fingerprint.size_bytes},
       {"width", r.info.width},
       {"height", r.info.height},
       {"format", r.info.format},
       {"taken_at", r.info.taken_at.empty() ? json(nullptr) : json(r.info.taken_at)},
       {"camera", r.info.camera.empty() ? json(nullptr) : json(r.info.camera)},
       {"source", r.source},
       {"url", r.url.empty() ? json(nullptr) : json(r.url)},
       {"location", r.location},
       {"category", r.category.empty() ? json(nullptr) : json(r.category)},
       {"person", r.person.empty() ? json(nullptr) : json(r.person)},
       {"duplicate_of", r.duplicate_of ? json(*r.duplicate_of) : json(nullptr)},
       {"reasons", r.reasons},
       {"auto_sorted", r.auto_sorted},
       {"faces_detected", r.faces_detected},
       {"quality", {{"sharpness", r.sharpness}, {"exposure", r.exposure}}},
       {"created_at", r.created_at},
       {"updated_at", r.updated_at}};
}

void to_json(json& j, const ReviewEntry& e) {
  j = {{"id", e.id},
       {"item_id", e.item_id},
       {"category", e.category},
       {"reason", e.reason},
       {"reason_code", e.reason_code},
       {"faces_detected", e.faces_detected},
       {"suggested_person", e.suggested_person.empty() ? json(nullptr) : json(e.suggested_person)},
       {"created_at", e.created_at},
       {"reviewed_at", e.reviewed_at ? json(e.reviewed_at) : json(nullptr)},
       {"reviewed_by", e.reviewed_by.empty() ? json(nullptr) : json(e.reviewed_by)},
       {"action", e.action.empty() ? json(nullptr) : json(e.action)}};
}

void to_json(json& j, const AuditEntry& e) {
  j = {{"id", e.id},         {"at", e.at},     {"actor", e.actor}, {"item_id", e.item_id ? json(e.item_id) : json(nullptr)},
       {"action", e.action}, {"from", e.from_state}, {"to", e.to_state}, {"reason", e.reason}};
}

void to_json(json& j, const PersonRecord& p) {
  j = {{"id", p.id}, {"name", p.name}, {"created_at", p.created_at}, {"references", p.references}};
}

}  // namespace triage::model
