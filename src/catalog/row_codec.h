// How every catalog backend stores the parts of a row that are not plain columns: reasons as JSON text, an analysis
// as MessagePack, an item's state as the audit log names it. One definition, so that backends write the same bytes
// and `triage db copy` moves them unchanged.
#pragma once

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "model/item.h"
#include "model/json.h"
#include "model/json_quality.h"

namespace triage::catalog {

inline std::string ReasonsJson(const std::vector<model::Reason>& reasons) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : reasons) arr.push_back({{"code", r.code}, {"text", r.text}});
  // Texts may quote names that are not UTF-8.
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::vector<model::Reason> ParseReasons(const std::string& text) {
  std::vector<model::Reason> out;
  nlohmann::json arr = nlohmann::json::parse(text, nullptr, false);
  if (!arr.is_array()) return out;
  for (const auto& r : arr) out.push_back({r.value("code", ""), r.value("text", "")});
  return out;
}

// "faces/<person>", the folder of a photo kept without a person ("photos/2024/05"), "review/<category>" or the
// location: the states the audit log records.
inline std::string StateOf(const model::ItemRecord& r) {
  if (r.location == "library" && r.person.empty()) return r.path.substr(0, r.path.find_last_of('/'));
  if (r.location == "library") return "faces/" + r.person;
  if (r.location == "review") return "review/" + r.category;
  return r.location;
}

// A stored analysis column as read: MessagePack bytes, or JSON text from before the binary form.
struct StoredAnalysisBytes {
  bool binary = false;
  std::vector<uint8_t> bytes;
};

inline nlohmann::json AnalysisJson(const StoredAnalysisBytes& stored) {
  return stored.binary ? nlohmann::json::from_msgpack(stored.bytes, /*strict=*/true, /*allow_exceptions=*/false)
                       : nlohmann::json::parse(stored.bytes, nullptr, /*allow_exceptions=*/false);
}

// A damaged row parses to an empty analysis (version 0), which explain and simulation report as not replayable.
inline model::StoredAnalysis ParseAnalysis(const StoredAnalysisBytes& stored) {
  return model::StoredAnalysisFromJson(AnalysisJson(stored));
}

// Only the top-level members named by `keys` of a stored analysis (a null value for a damaged row); the rest is
// scanned past without building it.
nlohmann::json AnalysisJsonParts(const StoredAnalysisBytes& stored, const std::vector<std::string_view>& keys);

// What scoring reads of a stored analysis: version, readability, the image's size, format and capture facts, and the
// quality measures. Faces, the score and the facts are left empty.
model::StoredAnalysis ParseAnalysisMeasures(const StoredAnalysisBytes& stored);

// The quality score inside a stored analysis; empty when there is none or the row is damaged.
inline model::QualityScore QualityOfAnalysis(const StoredAnalysisBytes& stored) {
  nlohmann::json j = AnalysisJson(stored);
  if (!j.is_object() || !j.contains("quality")) return {};
  return model::QualityScoreFromJson(j["quality"]);
}

// True when the text round trip of EncodeAnalysis would not change `j`: every string (keys too) valid UTF-8, every
// number finite (JSON text writes NaN and infinities as null).
inline bool SurvivesTextRoundTrip(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!base::IsValidUtf8(it.key()) || !SurvivesTextRoundTrip(it.value())) return false;
      }
      return true;
    case nlohmann::json::value_t::array:
      return std::all_of(j.begin(), j.end(), [](const nlohmann::json& v) { return SurvivesTextRoundTrip(v); });
    case nlohmann::json::value_t::string:
      return base::IsValidUtf8(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::number_float:
      return std::isfinite(j.get<double>());
    default:
      return true;
  }
}

// Names and reasons come from outside: invalid UTF-8 is replaced here, once, so that every later JSON output of the
// stored analysis (explain, the API) can be written without failing. Through JSON text only when something needs
// replacing: otherwise the bytes are the same and the text costs most of the time. Writes into `out` (reused).
inline void EncodeAnalysis(const model::StoredAnalysis& analysis, std::vector<uint8_t>& out) {
  out.clear();
  nlohmann::json j = analysis;
  if (!SurvivesTextRoundTrip(j))
    j = nlohmann::json::parse(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  nlohmann::json::to_msgpack(j, out);
}

inline std::vector<uint8_t> EncodeAnalysis(const model::StoredAnalysis& analysis) {
  std::vector<uint8_t> out;
  EncodeAnalysis(analysis, out);
  return out;
}

// The rows' analyses encoded on every core, before a writer takes its lock: encoding, not the database, is most of
// what a batch rewrite costs (`recompute`). `Row` has an `analysis` member.
template <typename Row>
std::vector<std::vector<uint8_t>> EncodeAnalyses(const std::vector<Row>& rows) {
  std::vector<std::vector<uint8_t>> out(rows.size());
  tbb::parallel_for(size_t{0}, rows.size(), [&](size_t i) { EncodeAnalysis(rows[i].analysis, out[i]); });
  return out;
}

// Face landmarks as stored: a JSON array of [x, y] pairs.
inline std::string LandmarksJson(const std::vector<model::Point>& landmarks) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& p : landmarks) arr.push_back({p.x, p.y});
  return arr.dump();
}

inline std::vector<model::Point> ParseLandmarks(const std::string& text) {
  std::vector<model::Point> out;
  nlohmann::json arr = nlohmann::json::parse(text, nullptr, false);
  if (!arr.is_array()) return out;
  for (const auto& p : arr) out.push_back({p[0].get<float>(), p[1].get<float>()});
  return out;
}

inline model::MatchKind ParseMatchKind(const std::string& kind) {
  return kind == "known"            ? model::MatchKind::kKnown
         : kind == "low_confidence" ? model::MatchKind::kLowConfidence
                                    : model::MatchKind::kUnknown;
}

}  // namespace triage::catalog
