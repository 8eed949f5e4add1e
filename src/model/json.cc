// JSON mapping of the model types.
#include "model/json.h"

#include <cstdio>
#include <optional>

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
       {"match", f.match}};
}

void to_json(json& j, const FaceMatch& m) {
  json candidates = json::array();
  for (const auto& c : m.candidates) {
    candidates.push_back({{"person", c.person}, {"distance", c.distance}, {"confidence", c.confidence}});
  }
  j = {{"kind", MatchKindName(m.kind)},
       {"person", m.person.empty() ? json(nullptr) : json(m.person)},
       {"distance", m.distance},
       {"confidence", m.confidence},
       {"candidates", candidates}};
}

namespace {

json OptionalId(const std::optional<int64_t>& id) { return id ? json(*id) : json(nullptr); }

std::optional<int64_t> IdFrom(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

template <typename T>
T Get(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

// A face as decide() sees it: box, score, eyes and match; no embedding or landmarks.
json StoredFace(const Face& f) {
  return {{"box", {f.box.x, f.box.y, f.box.width, f.box.height}},
          {"score", f.detection_score},
          {"ear", f.eye_aspect_ratio},
          {"match", f.match}};
}

Face FaceFromStored(const json& j) {
  Face f;
  if (auto b = j.find("box"); b != j.end() && b->is_array() && b->size() == 4) {
    f.box = {(*b)[0].get<float>(), (*b)[1].get<float>(), (*b)[2].get<float>(), (*b)[3].get<float>()};
  }
  f.detection_score = Get<float>(j, "score", 0);
  f.eye_aspect_ratio = Get<double>(j, "ear", 0);
  const json& m = j.contains("match") ? j["match"] : json::object();
  f.match.person = Get<std::string>(m, "person", "");
  f.match.distance = Get<double>(m, "distance", 0);
  f.match.confidence = Get<double>(m, "confidence", 0);
  for (const auto& c : m.value("candidates", json::array())) {
    f.match.candidates.push_back(
        {Get<std::string>(c, "person", ""), Get<double>(c, "distance", 0), Get<double>(c, "confidence", 0)});
  }
  return f;
}

}  // namespace

void to_json(json& j, const StoredAnalysis& s) {
  const Analysis& a = s.analysis;
  json faces = json::array();
  for (const auto& f : a.faces) faces.push_back(StoredFace(f));
  j = {{"version", s.version},
       {"readable", a.readable},
       {"unreadable_reason", a.unreadable_reason},
       {"width", a.info.width},
       {"height", a.info.height},
       {"format", a.info.format},
       {"faces_analysed", a.faces_analysed},
       {"face_error", a.face_error},
       {"quality_error", a.quality_error},
       {"faces", faces},
       {"sharpness", a.sharpness},
       {"exposure", a.exposure},
       {"taken_at", a.info.taken_at},
       {"capture",
        {{"iso", a.info.iso},
         {"exposure_s", a.info.exposure_s},
         {"f_number", a.info.f_number},
         {"focal_length_mm", a.info.focal_length_mm}}},
       {"metrics", a.metrics},
       {"quality", a.quality},
       {"facts",
        {{"exact_duplicate_of", OptionalId(s.facts.exact_duplicate_of)},
         {"near_duplicate_of", OptionalId(s.facts.near_duplicate_of)},
         {"near_duplicate_distance", s.facts.near_duplicate_distance},
         {"exact_duplicate_path", s.facts.exact_duplicate_path},
         {"near_duplicate_path", s.facts.near_duplicate_path}}}};
}

StoredAnalysis StoredAnalysisFromJson(const json& j) {
  StoredAnalysis s;
  if (!j.is_object()) {
    s.version = 0;  // damaged: nothing to replay
    return s;
  }
  s.version = Get<int>(j, "version", 0);
  Analysis& a = s.analysis;
  a.readable = Get<bool>(j, "readable", false);
  a.unreadable_reason = Get<std::string>(j, "unreadable_reason", "");
  a.info.width = Get<int>(j, "width", 0);
  a.info.height = Get<int>(j, "height", 0);
  a.info.format = Get<std::string>(j, "format", "");
  a.faces_analysed = Get<bool>(j, "faces_analysed", false);
  a.face_error = Get<std::string>(j, "face_error", "");
  a.quality_error = Get<std::string>(j, "quality_error", "");
  for (const auto& f : j.value("faces", json::array())) a.faces.push_back(FaceFromStored(f));
  a.sharpness = Get<double>(j, "sharpness", 0);
  a.exposure = Get<double>(j, "exposure", 0);
  a.info.taken_at = Get<std::string>(j, "taken_at", "");
  const json& capture = j.contains("capture") ? j["capture"] : json::object();
  a.info.iso = Get<double>(capture, "iso", 0);
  a.info.exposure_s = Get<double>(capture, "exposure_s", 0);
  a.info.f_number = Get<double>(capture, "f_number", 0);
  a.info.focal_length_mm = Get<double>(capture, "focal_length_mm", 0);
  if (auto m = j.find("metrics"); m != j.end()) a.metrics = QualityMetricsFromJson(*m);
  if (auto q = j.find("quality"); q != j.end()) a.quality = QualityScoreFromJson(*q);
  const json& facts = j.contains("facts") ? j["facts"] : json::object();
  s.facts.exact_duplicate_of = IdFrom(facts, "exact_duplicate_of");
  s.facts.near_duplicate_of = IdFrom(facts, "near_duplicate_of");
  s.facts.near_duplicate_distance = Get<int>(facts, "near_duplicate_distance", 0);
  s.facts.exact_duplicate_path = Get<std::string>(facts, "exact_duplicate_path", "");
  s.facts.near_duplicate_path = Get<std::string>(facts, "near_duplicate_path", "");
  return s;
}

namespace {

// The item's quality: the explained score (aggregate null when never scored) with the sharpness and exposure columns.
json ItemQuality(const ItemRecord& r) {
  json q = r.quality.scored ? json(r.quality)
                            : json{{"aggregate", nullptr},
                                   {"category", nullptr},
                                   {"dimensions", json::object()},
                                   {"penalties", json::array()}};
  q["sharpness"] = r.sharpness;
  q["exposure"] = r.exposure;
  return q;
}

}  // namespace

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
       {"quality", ItemQuality(r)},
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
  j = {{"id", e.id},         {"at", e.at},
       {"actor", e.actor},   {"item_id", e.item_id ? json(e.item_id) : json(nullptr)},
       {"action", e.action}, {"from", e.from_state},
       {"to", e.to_state},   {"reason", e.reason}};
}

void to_json(json& j, const PersonRecord& p) {
  j = {{"id", p.id},
       {"name", p.name},
       {"display_name", p.shown_name()},
       {"created_at", p.created_at},
       {"references", p.references}};
}

}  // namespace triage::model
