// JSON encoding of journal intents, with every field of the catalog change, so recovery can replay it.
#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/utf8.h"
#include "commit/journal.h"
#include "model/json.h"

namespace triage::commit {
namespace {

using nlohmann::json;

// Names and paths are bytes, and JSON strings must be UTF-8: a string that is not is written as
// {"bytes_hex": "..."} so that every byte string round-trips (and old entries, all plain strings, still read).
constexpr const char* kBytesKey = "bytes_hex";

std::string HexOf(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// False when `hex` is not lower-case hex pairs.
bool BytesOfHex(const std::string& hex, std::string& out) {
  auto value = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  if (hex.size() % 2 != 0 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<char>(value(hex[i]) * 16 + value(hex[i + 1])));
  return true;
}

// Replaces, everywhere in `j`, strings that are not UTF-8 by their {"bytes_hex"} form.
void ProtectBytes(json& j) {
  if (j.is_string() && !base::IsValidUtf8(j.get_ref<const std::string&>())) {
    j = json{{kBytesKey, HexOf(j.get_ref<const std::string&>())}};
  } else if (j.is_structured()) {
    for (auto& child : j) ProtectBytes(child);
  }
}

// The inverse of ProtectBytes; false when a {"bytes_hex"} value is not hex.
bool RestoreBytes(json& j) {
  if (j.is_object() && j.size() == 1 && j.contains(kBytesKey) && j[kBytesKey].is_string()) {
    std::string bytes;
    if (!BytesOfHex(j[kBytesKey].get<std::string>(), bytes)) return false;
    j = std::move(bytes);
    return true;
  }
  if (j.is_structured()) {
    for (auto& child : j) {
      if (!RestoreBytes(child)) return false;
    }
  }
  return true;
}

json FaceToJson(const model::Face& f) {
  json lm = json::array();
  for (const auto& p : f.landmarks) lm.push_back({p.x, p.y});
  return {{"box", {f.box.x, f.box.y, f.box.width, f.box.height}},
          {"score", f.detection_score},
          {"landmarks", lm},
          {"embedding", f.embedding},
          {"ear", f.eye_aspect_ratio},
          {"match",
           {{"kind", static_cast<int>(f.match.kind)},
            {"person", f.match.person},
            {"distance", f.match.distance},
            {"confidence", f.match.confidence},
            {"candidates", json(f.match)["candidates"]}}}};
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
  f.match.kind = static_cast<model::MatchKind>(m.at("kind").get<int>());
  f.match.person = m.at("person");
  f.match.distance = m.at("distance");
  f.match.confidence = m.at("confidence");
  for (const auto& c : m.value("candidates", json::array())) {
    f.match.candidates.push_back({c.at("person"), c.at("distance"), c.at("confidence")});
  }
  return f;
}

// The near-duplicate signature travels as base64 (a third shorter than hex, and most of an entry's bytes), so that a
// change replayed from the journal stores it too.
std::string Base64Of(const std::vector<uint8_t>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

// Bytes of a base64 string; empty when it is not well-formed base64 (the item then goes without a signature).
std::vector<uint8_t> BytesOfBase64(const std::string& text) {
  if (text.size() % 4 != 0 ||
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
          std::string::npos) {
    return {};
  }
  std::vector<uint8_t> out(text.size() / 4 * 3);
  const int n =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  const size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  if (n < 0 || static_cast<size_t>(n) < padding) return {};
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

// The signature of an item in an entry: base64, or hex in entries written before (empty when neither is readable).
std::vector<uint8_t> SignatureOf(const json& item) {
  if (item.contains("signature_b64")) return BytesOfBase64(item["signature_b64"].get<std::string>());
  std::string bytes;
  if (!BytesOfHex(item.value("signature", std::string()), bytes)) return {};
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

json ItemToJson(const model::ItemRecord& r) {
  json reasons = json::array();
  for (const auto& x : r.reasons) reasons.push_back({x.code, x.text});
  return {{"id", r.id},
          {"path", r.path},
          {"original_name", r.original_name},
          {"original_path", r.original_path},
          {"source", r.source},
          {"url", r.url},
          {"sha256", r.fingerprint.sha256},
          {"size", r.fingerprint.size_bytes},
          {"phash", r.fingerprint.phash},
          {"phash_center", r.fingerprint.phash_center},
          {"has_phash", r.fingerprint.has_phash},
          {"signature_b64", Base64Of(r.fingerprint.signature)},
          {"width", r.info.width},
          {"height", r.info.height},
          {"format", r.info.format},
          {"taken_at", r.info.taken_at},
          {"camera", r.info.camera},
          {"location", r.location},
          {"category", r.category},
          {"person", r.person},
          {"duplicate_of", r.duplicate_of ? json(*r.duplicate_of) : json(nullptr)},
          {"reasons", reasons},
          {"auto_sorted", r.auto_sorted},
          {"faces_detected", r.faces_detected},
          {"sharpness", r.sharpness},
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
  r.fingerprint = {j.at("sha256"),       j.at("size"),      j.at("phash"),
                   j.at("phash_center"), j.at("has_phash"), SignatureOf(j)};
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
  for (const auto& r : refs) {
    out.push_back({{"id", r.id}, {"person", r.person}, {"embedding", r.embedding}, {"source", r.source}});
  }
  return out;
}

// Entries written before references were journaled have none.
std::vector<model::PersonReference> ReferencesFromJson(const json& change) {
  std::vector<model::PersonReference> out;
  if (!change.contains("references")) return out;
  for (const auto& r : change.at("references")) {
    out.push_back(
        {r.value("id", int64_t{0}), r.at("person"), r.at("embedding").get<std::vector<float>>(), r.at("source")});
  }
  return out;
}

json PlacementToJson(const catalog::ItemPlacement& p) {
  return {{"item_id", p.item_id}, {"path", p.path}, {"location", p.location}, {"person", p.person}};
}

catalog::ItemPlacement PlacementFromJson(const json& j) {
  return {j.at("item_id"), j.at("path"), j.at("location"), j.at("person")};
}

json ReplacementToJson(const catalog::Replacement& r) {
  json j = {{"journal_id", r.journal_id},
            {"proposal_id", r.proposal_id},
            {"status", r.status},
            {"outgoing", PlacementToJson(r.outgoing)},
            {"actor", r.actor},
            {"notes", r.notes},
            {"rule", r.rule},
            {"at", r.at}};
  if (r.incoming) j["incoming"] = PlacementToJson(*r.incoming);
  return j;
}

catalog::Replacement ReplacementFromJson(const json& j) {
  catalog::Replacement r;
  r.journal_id = j.at("journal_id");
  r.proposal_id = j.at("proposal_id");
  r.status = j.at("status");
  r.outgoing = PlacementFromJson(j.at("outgoing"));
  if (j.contains("incoming")) r.incoming = PlacementFromJson(j.at("incoming"));
  r.actor = j.at("actor");
  r.notes = j.at("notes");
  r.rule = j.at("rule");
  r.at = j.at("at");
  return r;
}

json IntentToJson(const Intent& in) {
  json j = {{"kind", static_cast<int>(in.kind)}, {"id", in.id}, {"from", in.from.string()}, {"to", in.to.string()}};
  if (in.change) {
    const catalog::CatalogChange& c = *in.change;
    json faces = json::array();
    for (const auto& f : c.faces) faces.push_back(FaceToJson(f));
    j["change"] = {{"kind", static_cast<int>(c.kind)},
                   {"journal_id", c.journal_id},
                   {"item", ItemToJson(c.item)},
                   {"faces", faces},
                   {"references", ReferencesToJson(c.references)},
                   {"actor", c.actor},
                   {"action", c.action},
                   {"reason", c.reason},
                   {"at", c.at},
                   {"removed_references", c.removed_references},
                   {"review_reason", c.review_reason},
                   {"review_code", c.review_code}};
    if (c.set_duplicate_of) j["change"]["set_duplicate_of"] = true;
    if (c.since > 0) j["change"]["since"] = c.since;
    if (c.analysis) j["change"]["analysis"] = *c.analysis;
    if (!c.face_labels.empty()) {
      json labels = json::array();
      for (const auto& [index, label] : c.face_labels) {
        labels.push_back({{"face", index}, {"named_as", label.named_as}, {"untracked", label.untracked}});
      }
      j["change"]["face_labels"] = labels;
    }
  }
  if (in.replacement) {
    j["replacement"] = ReplacementToJson(*in.replacement);
    j["incoming_from"] = in.incoming_from.string();
    j["incoming_to"] = in.incoming_to.string();
  }
  return j;
}

Intent IntentFromJson(const json& j) {
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
    // Entries written before undo carry none of these.
    ch.removed_references = c.value("removed_references", std::vector<int64_t>{});
    ch.review_reason = c.value("review_reason", std::string());
    ch.review_code = c.value("review_code", std::string());
    ch.set_duplicate_of = c.value("set_duplicate_of", false);
    ch.since = c.value("since", int64_t{0});
    if (c.contains("analysis")) ch.analysis = model::StoredAnalysisFromJson(c["analysis"]);
    for (const auto& l : c.value("face_labels", json::array())) {
      ch.face_labels.push_back({l.at("face").get<int>(), {l.at("named_as"), l.at("untracked")}});
    }
    in.change = std::move(ch);
  }
  if (j.contains("replacement")) {
    in.replacement = ReplacementFromJson(j["replacement"]);
    in.incoming_from = j.at("incoming_from").get<std::string>();
    in.incoming_to = j.at("incoming_to").get<std::string>();
  }
  return in;
}

// Parses an entry's text with its byte strings restored; throws json::exception on malformed text.
base::Result<json> ParseEntry(const std::string& text) {
  json j = json::parse(text);
  if (!RestoreBytes(j)) return base::Status::Corrupt("journal entry is not readable: a bytes_hex value is not hex");
  return j;
}

std::string Dump(json j) {
  ProtectBytes(j);
  return j.dump();
}

base::Status Unreadable(const json::exception& e) {
  return base::Status::Corrupt(std::string("journal entry is not readable: ") + e.what());
}

}  // namespace

std::string EncodeIntent(const Intent& in) { return Dump(IntentToJson(in)); }

std::string EncodeGroup(const std::vector<Intent>& intents) {
  json group = json::array();
  for (const Intent& in : intents) group.push_back(IntentToJson(in));
  return Dump(json{{"group", std::move(group)}});
}

base::Result<Intent> DecodeIntent(const std::string& text) {
  try {
    auto j = ParseEntry(text);
    if (!j.ok()) return j.status();
    return IntentFromJson(*j);
  } catch (const json::exception& e) {
    return Unreadable(e);
  }
}

base::Result<std::vector<Intent>> DecodeEntry(const std::string& text) {
  try {
    auto j = ParseEntry(text);
    if (!j.ok()) return j.status();
    std::vector<Intent> out;
    if (!j->contains("group")) {
      out.push_back(IntentFromJson(*j));
      return out;
    }
    for (const json& in : j->at("group")) out.push_back(IntentFromJson(in));
    return out;
  } catch (const json::exception& e) {
    return Unreadable(e);
  }
}

}  // namespace triage::commit
