// The quality block: keys and ranges, defaults from model::QualityRules, the weights-sum rule, parsing.
#include "config/quality_config.h"

#include <fmt/format.h>

#include <cmath>

namespace triage::config {
namespace {

using nlohmann::json;

// One scalar key: its place in QualityRules and its range.
struct Field {
  const char* section;
  const char* key;
  char kind;
  double min, max;
  std::function<double&(model::QualityRules&)> number;
  std::function<bool&(model::QualityRules&)> flag;
};

#define TRIAGE_NUM(section, key, kind, lo, hi, member)                                              \
  Field {                                                                                           \
    section, key, kind, lo, hi, [](model::QualityRules& r) -> double& { return r.member; }, nullptr \
  }
#define TRIAGE_FLAG(section, key, member)                                                      \
  Field {                                                                                      \
    section, key, 'b', 0, 0, nullptr, [](model::QualityRules& r) -> bool& { return r.member; } \
  }

const std::vector<Field>& Fields() {
  static const std::vector<Field> kFields = {
      TRIAGE_NUM("thresholds", "portrait_face_ratio_percent", 'n', 0, 100, portrait_face_ratio_percent),
      TRIAGE_NUM("thresholds", "blink_penalty_percent", 'n', 0, 100, blink_penalty_percent),
      TRIAGE_NUM("thresholds", "night_luminance_threshold", 'n', 0, 1, night_luminance_threshold),
      TRIAGE_NUM("thresholds", "night_highlight_level", 'n', 0, 1, night_highlight_level),
      TRIAGE_NUM("thresholds", "night_iso_threshold", 'n', 0, 10'000'000, night_iso_threshold),
      TRIAGE_NUM("thresholds", "long_exposure_shutter_threshold", 'n', 0, 100'000, long_exposure_shutter_s),
      TRIAGE_NUM("thresholds", "astro_shutter_threshold", 'n', 0, 100'000, astro_shutter_s),
      TRIAGE_NUM("thresholds", "macro_isolation_threshold", 'n', 1, 1000, macro_isolation),
      TRIAGE_NUM("thresholds", "monochrome_saturation_percent", 'n', 0, 100, monochrome_saturation_percent),
      TRIAGE_NUM("faces", "blink_ear_threshold", 'n', 0, 1, blink_ear_threshold),
      TRIAGE_NUM("faces", "blink_sure_ear_threshold", 'n', 0, 1, blink_sure_ear_threshold),
      TRIAGE_NUM("faces", "blink_open_contrast", 'n', 0, 10, blink_open_contrast),
      TRIAGE_NUM("faces", "blink_open_edge_ratio", 'n', 0, 100, blink_open_edge_ratio),
      TRIAGE_NUM("faces", "max_face_turn_degrees", 'n', 0, 90, max_face_turn_deg),
      TRIAGE_NUM("composition", "power_point_weight", 'n', 0, 100, power_point_weight),
      TRIAGE_NUM("composition", "line_weight", 'n', 0, 100, line_weight),
      TRIAGE_FLAG("exif_adjustments", "iso_sharpness_compensation", iso_sharpness_compensation),
      TRIAGE_FLAG("exif_adjustments", "aperture_isolation_boost", aperture_isolation_boost),
      TRIAGE_NUM("exposure", "shadow_clip_threshold_percent", 'n', 0, 100, shadow_clip_threshold_percent),
      TRIAGE_NUM("exposure", "highlight_clip_threshold_percent", 'n', 0, 100, highlight_clip_threshold_percent),
      TRIAGE_FLAG("exposure", "silhouette_detection", silhouette_detection),
      TRIAGE_NUM("exposure", "clipping_penalty_per_percent", 'n', 0, 10, clipping_penalty_per_percent),
      TRIAGE_NUM("exposure", "clipping_max_penalty_points", 'n', 0, 10, clipping_max_penalty_points),
      TRIAGE_NUM("penalties", "noise_sigma_threshold", 'n', 0, 255, noise_sigma_threshold),
      TRIAGE_NUM("penalties", "noise_max_penalty_points", 'n', 0, 10, noise_max_penalty_points),
      TRIAGE_NUM("penalties", "noise_penalty_per_sigma", 'n', 0, 10, noise_penalty_per_sigma),
      TRIAGE_NUM("penalties", "bimodality_threshold", 'n', 0, 1000, bimodality_threshold),
      TRIAGE_NUM("penalties", "bimodality_penalty_points", 'n', 0, 10, bimodality_penalty_points),
      TRIAGE_NUM("penalties", "oversaturation_threshold", 'n', 0, 1, oversaturation_threshold),
      TRIAGE_NUM("penalties", "oversaturation_pixel_percent", 'n', 0, 100, oversaturation_pixel_percent),
      TRIAGE_NUM("penalties", "oversaturation_penalty_points", 'n', 0, 10, oversaturation_penalty_points),
      TRIAGE_NUM("penalties", "small_image_megapixels", 'n', 0, 1000, small_image_megapixels),
      TRIAGE_NUM("penalties", "small_image_points_per_halving", 'n', 0, 10, small_image_points_per_halving),
      TRIAGE_NUM("penalties", "small_image_max_penalty_points", 'n', 0, 10, small_image_max_penalty_points),
      TRIAGE_NUM("normalization", "percentile_target", 'n', 1, 100, percentile_target),
      TRIAGE_FLAG("normalization", "per_category", per_category),
  };
  return kFields;
}

#undef TRIAGE_NUM
#undef TRIAGE_FLAG

}  // namespace

void ForEachQualityKey(const std::function<void(const std::string&, char, double, double)>& fn) {
  for (const char* section : {"thresholds", "faces", "composition", "exif_adjustments", "exposure", "penalties",
                              "normalization", "weights"}) {
    fn(fmt::format("quality.{}", section), 'o', 0, 0);
  }
  for (const Field& f : Fields()) fn(fmt::format("quality.{}.{}", f.section, f.key), f.kind, f.min, f.max);
  fn("quality.thresholds.min_faces_for_group", 'i', 2, 1000);
  fn("quality.normalization.category_min_samples", 'i', 1, 1'000'000);
  for (const std::string& c : model::QualityCategories()) {
    fn("quality.weights." + c, 'o', 0, 0);
    for (const std::string& d : model::QualityDimensions()) fn("quality.weights." + c + "." + d, 'n', 0, 100);
  }
}

json DefaultQualityJson() {
  model::QualityRules r;
  json out = json::object();
  for (const Field& f : Fields()) {
    out[f.section][f.key] = f.number ? json(f.number(r)) : json(f.flag(r));
  }
  out["thresholds"]["min_faces_for_group"] = r.min_faces_for_group;
  out["normalization"]["category_min_samples"] = r.category_min_samples;
  out["weights"] = r.weights;
  return out;
}

base::Status CheckQualityWeights(const json& doc) {
  // Below the sure threshold the eyes are closed, between the two they are looked at again: the sure one is the lower.
  const model::QualityRules rules = QualityRulesFromJson(doc);
  if (rules.blink_sure_ear_threshold > rules.blink_ear_threshold) {
    return base::Status::InvalidArgument(fmt::format(
        "quality.faces.blink_sure_ear_threshold ({:g}) must not be above quality.faces.blink_ear_threshold ({:g}): "
        "below the first the eyes are closed for sure, between the two they are looked at again",
        rules.blink_sure_ear_threshold, rules.blink_ear_threshold));
  }
  if (!doc.contains("quality") || !doc["quality"].contains("weights")) return base::Status::Ok();
  for (const auto& [category, weights] : doc["quality"]["weights"].items()) {
    double sum = 0;
    for (const auto& [dimension, w] : weights.items()) sum += w.get<double>();
    if (std::abs(sum - 100) > 1e-6) {
      return base::Status::InvalidArgument(
          fmt::format("quality.weights.{}: the weights sum to {:g}; they must sum to 100", category, sum));
    }
    // Photos with a face are portraits, group portraits or human_others (the rules' first three): in any other
    // category face_sharpness is never measured, and weights all on it would score every photo there 0.
    const bool with_faces = category == "portrait" || category == "group_portrait" || category == "human_others";
    const double on_faces = weights.contains("face_sharpness") ? weights["face_sharpness"].get<double>() : 0;
    if (!with_faces && sum - on_faces < 1e-6) {
      return base::Status::InvalidArgument(fmt::format(
          "quality.weights.{}: all the weight is on face_sharpness, which a photo of this category never has (a photo "
          "with a face is a portrait, group_portrait or human_others): every one would score 0; weigh another "
          "dimension",
          category));
    }
  }
  return base::Status::Ok();
}

model::QualityRules QualityRulesFromJson(const json& doc) {
  model::QualityRules r;
  const json q = doc.contains("quality") ? doc["quality"] : json::object();
  auto find = [&](const char* section, const char* key) -> const json* {
    if (!q.contains(section) || !q[section].contains(key)) return nullptr;
    return &q[section][key];
  };
  for (const Field& f : Fields()) {
    const json* v = find(f.section, f.key);
    if (v == nullptr) continue;
    if (f.number)
      f.number(r) = v->get<double>();
    else
      f.flag(r) = v->get<bool>();
  }
  if (const json* v = find("thresholds", "min_faces_for_group")) r.min_faces_for_group = v->get<int>();
  if (const json* v = find("normalization", "category_min_samples")) r.category_min_samples = v->get<int>();
  if (q.contains("weights")) {
    for (const auto& [category, weights] : q["weights"].items()) {
      auto& into = r.weights[category];
      into.clear();
      for (const auto& [dimension, w] : weights.items()) into[dimension] = w.get<double>();
    }
  }
  return r;
}

}  // namespace triage::config
