// JSON encoding of journal intents, with every field of the catalog change, so recovery can replay it.
#include <nlohmann/json.hpp>

#include "commit/journal.h"

namespace triage::commit {
namespace {

using nlohmann::json;

json FaceToJson(const model::Face& f) {
  json lm = json::array();
  for (const auto& p : f.landmarks) lm.push_back({p.x, p.y});
  return {{"box", {f.box.x, f.box.y, f.box.width, f.box.height}},
          {"score", f.detection_score},
          {"landmarks", lm},
          {"embedding", f.embedding},
          {"ear", f.eye_aspect_ratio},
          {"match", {{"kind", static_cast<int>(f.match.kind)}, {"person", f.match.person},
                     {"distance", f.match.distance}, {"confidence", f.match.confidence}}}};
}

model::Face FaceFromJson(const json& j) {
  model::Face f;
  const json& b = j.at("box");
  f.box = {b[0], b[1], b[2], b[3]};
  f.detection_score = j.at("score");
  for (const auto& p : j.at("landmarks")) f.landmarks.push_back({p[0], p[1]});
  f.embedding = j.at("embedding").get<std::vector<float>>();
  f.eye_aspect_ratio = j.at("ear");
  const json& m = j.at("match");
  f.match = {static_cast<model::MatchKind>(m.at("kind").get<int>()), m.at("person"), m.at("distance"),
             m.at("confidence")};
  return f;
}

json ItemToJson(const model::ItemRecord& r) {
  json reasons = json::array();
  for (const auto& x : r.reasons) reasons.push_back({x.code, x.text});
  return {{"id", r.id}, {"path", r.path}, {"original_name", r.original_name}, {"original_path", r.original_path},
          {"source", r.source}, {"url", r.url}, {"sha256", r.fingerprint.sha256},
          {"size", r.fingerprint.size_bytes}, {"phash", r.fingerprint.phash}, {"phash_center", r.fingerprint.phash_center},
          {"has_phash", r.fingerprint.has_phash},
          {"width", r.info.width}, {"height", r.info.height}, {"format", r.info.format},
          {"taken_at", r.info.taken_at}, {"camera", r.info.camera}, {"location", r.location},
          {"category", r.category}, {"person", r.person},
          {"duplicate_of", r.duplicate_of ? json(*r.duplicate_of) : json(nullptr)}, {"reasons", reasons},
          {"auto_sorted", r.auto_sorted}, {"faces_detected", r.faces_detected}, {"sharpness", r.sharpness},
          {"exposure", r.exposure}};
}

model::ItemRecord ItemFromJson(const json& j) {
  model::ItemRecord r;
  r.id = j.at("id");
  r.path = j.at("path");
  r.original_name = j.at("original_name");
  r.original_path = j.at("original_path");
  r.source = j.at("source");
  r.url = j.at("url");
  r.fingerprint = {j.at("sha256"), j.at("size"), j.at("phash"), j.at("phash_center"), j.at("has_phash")};
  r.info.width = j.at("width");
  r.info.height = j.at("height");
  r.info.format = j.at("format");
  r.info.taken_at = j.at("taken_at");
  r.info.camera = j.at("camera");
  r.location = j.at("location");
  r.category = j.at("category");
  r.person = j.at("person");
  if (!j.at("duplicate_of").is_null()) r.duplicate_of = j.at("duplicate_of").get<int64_t>();
  for (const auto& x : j.at("reasons")) r.reasons.push_back({x[0], x[1]});
  r.auto_sorted = j.at("auto_sorted");
  r.faces_detected = j.at("faces_detected");
  r.sharpness = j.at("sharpness");
  r.exposure = j.at("exposure");
  return r;
}

json ReferencesToJson(const std::vector<model::PersonReference>& refs) {
  json out = json::array();
  for (const auto& r : refs) out.push_back({{"person", r.person}, {"embedding", r.embedding}, {"source", r.source}});
  return out;
}

// Entries written before references were journaled have none.
std::vector<model::PersonReference> ReferencesFromJson(const json& change) {
  std::vector<model::PersonReference> out;
  if (!change.contains("references")) return out;
  for (const auto& r : change.at("references")) {
    out.push_back({0, r.at("person"), r.at("embedding").get<std::vector<float>>(), r.at("source")});
  }
  return out;
}

}  // namespace

std::string EncodeIntent(const Intent& in) {
  json j = {{"kind", static_cast<int>(in.kind)}, {"id", in.id}, {"from", in.from.string()}, {"to", in.to.string()}};
  if (in.change) {
    const catalog::CatalogChange& c = *in.change;
    json faces = json::array();
    for (const auto& f : c.faces) faces.push_back(FaceToJson(f));
    j["change"] = {{"kind", static_cast<int>(c.kind)}, {"journal_id", c.journal_id}, {"item", ItemToJson(c.item)},
                   {"faces", faces}, {"references", ReferencesToJson(c.references)}, {"actor", c.actor}, {"action", c.action}, {"reason", c.reason}, {"at", c.at}};
  }
  return j.dump();
}

base::Result<Intent> DecodeIntent(const std::string& text) {
  try {
    json j = json::parse(text);
    Intent in;
    in.kind = static_cast<Intent::Kind>(j.at("kind").get<int>());
    in.id = j.at("id");
    in.from = j.at("from").get<std::string>();
    in.to = j.at("to").get<std::string>();
    if (j.contains("change")) {
      const json& c = j["change"];
      catalog::CatalogChange ch;
      ch.kind = static_cast<catalog::CatalogChange::Kind>(c.at("kind").get<int>());
      ch.journal_id = c.at("journal_id");
      ch.item = ItemFromJson(c.at("item"));
      for (const auto& f : c.at("faces")) ch.faces.push_back(FaceFromJson(f));
      ch.references = ReferencesFromJson(c);
      ch.actor = c.at("actor");
      ch.action = c.at("action");
      ch.reason = c.at("reason");
      ch.at = c.at("at");
      in.change = std::move(ch);
    }
    return in;
  } catch (const json::exception& e) {
    return base::Status::Corrupt(std::string("journal entry is not readable: ") + e.what());
  }
}

}  // namespace triage::commit
