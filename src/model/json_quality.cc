// JSON mapping of the quality types: the measures as stored with an analysis, and the explained score as shown by
// `explain`, `items --json` and the API.
#include "model/json_quality.h"

namespace triage::model {

using nlohmann::json;

namespace {

template <typename T>
T Get(const json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

// Every scalar measure by its stored name, so that writing and reading cannot drift apart.
template <typename Metrics, typename Fn>
void ForEachNumber(Metrics& m, Fn fn) {
  fn("sharpness", m.sharpness);
  fn("tenengrad", m.tenengrad);
  fn("isolation", m.isolation);
  fn("mean_luminance", m.mean_luminance);
  fn("shadow_clip_percent", m.shadow_clip_percent);
  fn("highlight_clip_percent", m.highlight_clip_percent);
  fn("highlight_level", m.highlight_level);
  fn("noise_sigma", m.noise_sigma);
  fn("luma_noise_sigma", m.luma_noise_sigma);
  fn("blockiness", m.blockiness);
  fn("posterized_percent", m.posterized_percent);
  fn("dynamic_range_stops", m.dynamic_range_stops);
  fn("contrast", m.contrast);
  fn("colourfulness", m.colourfulness);
  fn("mean_saturation", m.mean_saturation);
  fn("oversaturated_percent", m.oversaturated_percent);
  fn("bimodality", m.bimodality);
  fn("brisque", m.brisque);
  fn("thirds", m.thirds);
  fn("horizon_tilt_deg", m.horizon_tilt_deg);
  fn("leading_lines", m.leading_lines);
  fn("face_ratio", m.face_ratio);
  fn("face_sharpness", m.face_sharpness);
  fn("eye_sharpness", m.eye_sharpness);
}

}  // namespace

void to_json(json& j, const QualityMetrics& m) {
  j = {{"measured", m.measured},     {"working_width", m.working_width}, {"working_height", m.working_height},
       {"silhouette", m.silhouette}, {"has_horizon", m.has_horizon},     {"face_count", m.face_count}};
  ForEachNumber(m, [&](const char* name, double v) { j[name] = v; });
  json eyes = json::array();
  for (const auto& e : m.eyes) {
    eyes.push_back({{"ear", e.aspect_ratio}, {"yaw", e.yaw_deg}, {"contrast", e.contrast}, {"edges", e.edge_ratio}});
  }
  j["eyes"] = eyes;
}

QualityMetrics QualityMetricsFromJson(const json& j) {
  QualityMetrics m;
  if (!j.is_object()) return m;
  m.measured = Get<bool>(j, "measured", false);
  m.working_width = Get<int>(j, "working_width", 0);
  m.working_height = Get<int>(j, "working_height", 0);
  m.silhouette = Get<bool>(j, "silhouette", false);
  m.has_horizon = Get<bool>(j, "has_horizon", false);
  m.face_count = Get<int>(j, "face_count", 0);
  ForEachNumber(m, [&](const char* name, double& v) { v = Get<double>(j, name, v); });
  for (const auto& e : j.value("eyes", json::array())) {
    m.eyes.push_back({Get<double>(e, "ear", 0), Get<double>(e, "yaw", 0), Get<double>(e, "contrast", -1),
                      Get<double>(e, "edges", -1)});
  }
  return m;
}

void to_json(json& j, const QualityScore& s) {
  if (!s.scored) {
    j = nullptr;
    return;
  }
  json dimensions = json::object();
  for (const auto& d : s.dimensions) {
    dimensions[d.name] = {{"raw", d.raw}, {"score", d.score}, {"weight", d.weight}, {"contribution", d.contribution}};
  }
  json penalties = json::array();
  for (const auto& p : s.penalties) penalties.push_back({{"name", p.name}, {"points", p.points}, {"text", p.text}});
  j = {{"aggregate", s.aggregate}, {"category", s.category},       {"dimensions", dimensions},
       {"penalties", penalties},   {"eyes_closed", s.eyes_closed}, {"sentence", s.sentence}};
}

QualityScore QualityScoreFromJson(const json& j) {
  QualityScore s;
  if (!j.is_object()) return s;
  s.scored = true;
  s.aggregate = Get<double>(j, "aggregate", 0);
  s.category = Get<std::string>(j, "category", "");
  s.eyes_closed = Get<bool>(j, "eyes_closed", false);
  s.sentence = Get<std::string>(j, "sentence", "");
  const json dimensions = j.value("dimensions", json::object());  // items() must not outlive what it iterates
  for (const auto& [name, d] : dimensions.items()) {
    s.dimensions.push_back({name, Get<double>(d, "raw", 0), Get<double>(d, "score", 0), Get<double>(d, "weight", 0),
                            Get<double>(d, "contribution", 0)});
  }
  for (const auto& p : j.value("penalties", json::array())) {
    s.penalties.push_back(
        {Get<std::string>(p, "name", ""), Get<double>(p, "points", 0), Get<std::string>(p, "text", "")});
  }
  return s;
}

}  // namespace triage::model
