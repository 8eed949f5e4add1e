// Category rules, dimension goodness, penalties and the aggregate (formulas follow the seed's scoring configuration;
// the goodness transforms are this project's, documented in quality/README.md).
#include "quality/score.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "quality/reference.h"

namespace triage::quality {
namespace {

constexpr double kHighlightTarget = 0.92;     // 98th luma percentile a full exposure reaches
constexpr double kDarkHighlightTarget = 0.6;  // ... in a night, astro or long exposure
constexpr double kShadowClippingCost = 3;     // exposure goodness lost per unit share of pixels crushed to black
constexpr double kHighlightClippingCost = 6;  // ... blown to white: a blown highlight shows, a crushed shadow less
constexpr double kLaplacianNoiseGain = 20;    // sum of the squared Laplacian kernel taps
constexpr double kNoiseFloor = 0.25;          // grey levels of estimated noise not taken out of the sharpness
constexpr double kBlockinessThreshold = 1.2;  // JPEG block edges this much stronger than the rest: visible
constexpr double kBlockinessPointsPerUnit = 2;
constexpr double kBlockinessMaxPoints = 2.5;
constexpr double kPosterizedThresholdPercent = 5;  // empty tone levels a picture may have without visible banding
constexpr double kPosterizedPointsPerPercent = 0.06;
constexpr double kPosterizedMaxPoints = 2;
constexpr double kWideAperture = 2.8;  // f-numbers at or below: shallow depth of field is intended
constexpr double kApertureIsolationBoost = 1.25;
constexpr double kHighIso = 800;  // above this, noise reduction softens detail

bool Dark(const std::string& category) {
  return category == "night" || category == "astro" || category == "long_exposure";
}

double Isolation(const model::QualityMetrics& m, const model::ImageInfo& info, const model::QualityRules& rules) {
  bool wide = info.f_number > 0 && info.f_number <= kWideAperture;
  return m.isolation * (rules.aperture_isolation_boost && wide ? kApertureIsolationBoost : 1.0);
}

// High ISO smears fine detail through the camera's noise reduction: judge its sharpness more gently, one quarter
// more per doubling of ISO above 800, at most twice.
double IsoCompensation(const model::ImageInfo& info, const model::QualityRules& rules) {
  if (!rules.iso_sharpness_compensation || info.iso <= kHighIso) return 1;
  return std::min(2.0, 1 + 0.25 * std::log2(info.iso / kHighIso));
}

// Placement on the thirds' power points and a level horizon, blended with leading lines (seed: 30%).
double Composition(const model::QualityMetrics& m, const model::QualityRules& rules) {
  double level = m.has_horizon ? std::max(0.0, 1 - std::abs(m.horizon_tilt_deg) / 10) : 1;
  double placement = (rules.power_point_weight * m.thirds + rules.line_weight * level) /
                     std::max(1e-9, rules.power_point_weight + rules.line_weight);
  constexpr double kLeadingLinesBlend = 0.3;
  return (1 - kLeadingLinesBlend) * placement + kLeadingLinesBlend * m.leading_lines;
}

double Round(double v, int digits) {
  double f = std::pow(10, digits);
  return std::round(v * f) / f;
}

// "`value` is above `limit`" with as many decimals as tell the two apart (4.03 above 4.0 read "4.0 is above 4.0").
std::string AboveWords(double value, double limit) {
  for (int digits = 1; digits < 4; ++digits) {
    std::string v = fmt::format("{:.{}f}", value, digits), l = fmt::format("{:.{}f}", limit, digits);
    if (v != l) return fmt::format("{} is above {}", v, l);
  }
  return fmt::format("{:.4f} is above {:.4f}", value, limit);
}

std::vector<model::Penalty> Penalties(const model::QualityMetrics& m, const model::ImageInfo& info,
                                      const model::QualityRules& r) {
  std::vector<model::Penalty> out;
  if (m.noise_sigma > r.noise_sigma_threshold) {
    double p =
        std::min(r.noise_max_penalty_points, (m.noise_sigma - r.noise_sigma_threshold) * r.noise_penalty_per_sigma);
    out.push_back({"noise", p, "noise sigma " + AboveWords(m.noise_sigma, r.noise_sigma_threshold)});
  }
  if (m.mean_saturation > r.oversaturation_threshold || m.oversaturated_percent > r.oversaturation_pixel_percent) {
    out.push_back({"oversaturation", r.oversaturation_penalty_points,
                   fmt::format("{:.0f}% of the pixels are saturated past the point of detail (mean saturation {:.2f})",
                               m.oversaturated_percent, m.mean_saturation)});
  }
  if (m.bimodality > r.bimodality_threshold) {
    out.push_back({"bimodality", r.bimodality_penalty_points,
                   fmt::format("the tones split into two separate masses (bimodality {:.1f})", m.bimodality)});
  }
  if (m.blockiness > kBlockinessThreshold) {
    out.push_back({"compression",
                   std::min(kBlockinessMaxPoints, (m.blockiness - kBlockinessThreshold) * kBlockinessPointsPerUnit),
                   fmt::format("JPEG blocks are visible (block edges {:.2f}x the rest)", m.blockiness)});
  }
  if (m.posterized_percent > kPosterizedThresholdPercent) {
    out.push_back({"posterization",
                   std::min(kPosterizedMaxPoints,
                            (m.posterized_percent - kPosterizedThresholdPercent) * kPosterizedPointsPerPercent),
                   fmt::format("{:.0f}% of the tone levels are missing: the tones were stretched (banding)",
                               m.posterized_percent)});
  }
  const double mp = double(info.width) * info.height / 1e6;
  if (mp > 0 && mp < r.small_image_megapixels && r.small_image_points_per_halving > 0) {
    out.push_back({"small",
                   std::min(r.small_image_max_penalty_points,
                            std::log2(r.small_image_megapixels / mp) * r.small_image_points_per_halving),
                   fmt::format("{}x{} px ({:.1f} MP) cannot fill a {:.1f} MP screen", info.width, info.height, mp,
                               r.small_image_megapixels)});
  }
  // A silhouette's subject shows as an outline: a face the detector could find is lit, and its clipping not meant.
  // Its backlight is what the exposure was set for: with more of the frame blown than the highlight threshold, the
  // dark mass is an overexposed photo's shadows, not an outline against a held sky.
  bool intended = r.silhouette_detection && m.silhouette && m.face_count == 0 &&
                  m.highlight_clip_percent <= r.highlight_clip_threshold_percent;
  double excess = std::max(0.0, m.highlight_clip_percent - r.highlight_clip_threshold_percent) +
                  std::max(0.0, m.shadow_clip_percent - r.shadow_clip_threshold_percent);
  if (excess > 0 && !intended) {
    out.push_back({"clipping", std::min(r.clipping_max_penalty_points, excess * r.clipping_penalty_per_percent),
                   fmt::format("{:.0f}% is blown out and {:.0f}% crushed to black", m.highlight_clip_percent,
                               m.shadow_clip_percent)});
  }
  return out;
}

// A configuration name in words: "dynamic_range" -> "dynamic range".
std::string Words(std::string name) {
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string CategoryWords(const std::string& category) {
  static const std::map<std::string, std::string> kWords = {{"portrait", "a portrait"},
                                                            {"group_portrait", "a group portrait"},
                                                            {"human_others", "a photo of people"},
                                                            {"night", "a night photo"},
                                                            {"long_exposure", "a long exposure"},
                                                            {"astro", "an astro photo"},
                                                            {"monochrome", "a monochrome photo"},
                                                            {"macro", "a macro photo"},
                                                            {"landscape", "a landscape"},
                                                            {"others", "a photo"}};
  auto it = kWords.find(category);
  return it != kWords.end() ? it->second : Words(category);
}

std::string Sentence(const model::QualityScore& s, bool has_faces) {
  const model::DimensionScore* best = nullptr;
  const model::DimensionScore* worst = nullptr;
  for (const auto& d : s.dimensions) {
    if (d.weight <= 0) continue;
    if (!best || d.score > best->score) best = &d;
    if (!worst || d.score < worst->score) worst = &d;
  }
  std::string text = fmt::format("Scored {:.1f} as {}", s.aggregate, CategoryWords(s.category));
  if (best) text += fmt::format(": best {} ({:.1f})", Words(best->name), best->score);
  if (worst && worst != best) text += fmt::format(", weakest {} ({:.1f})", Words(worst->name), worst->score);
  bool blink_penalised = false;
  for (const auto& p : s.penalties) {
    text += fmt::format("; {} (-{:.2f})", p.text, p.points);
    blink_penalised = blink_penalised || p.name == "blink";
  }
  // Closed eyes are said once: by their penalty, or here when they cost nothing (a zero blink weight).
  if (s.eyes_closed && has_faces && !blink_penalised) text += "; eyes closed";
  return text + ".";
}

}  // namespace

std::string Categorize(const model::QualityMetrics& m, const model::ImageInfo& info, const model::QualityRules& r) {
  if (m.face_count >= r.min_faces_for_group) return "group_portrait";
  if (m.face_count > 0) return m.face_ratio * 100 > r.portrait_face_ratio_percent ? "portrait" : "human_others";
  if (info.exposure_s > r.astro_shutter_s) return "astro";
  if (info.exposure_s > r.long_exposure_shutter_s) return "long_exposure";
  // Dark with lights in it: a frame whose brightest part stays mid-grey is underexposed and judged by its subject.
  const bool lit_dark = m.mean_luminance < r.night_luminance_threshold && m.highlight_level >= r.night_highlight_level;
  if (lit_dark || info.iso > r.night_iso_threshold) return "night";
  if (m.mean_saturation * 100 < r.monochrome_saturation_percent) return "monochrome";
  if (Isolation(m, info, r) > r.macro_isolation) return "macro";
  if (m.has_horizon && info.width >= info.height) return "landscape";
  return "others";
}

bool EyesClosed(const model::QualityMetrics& m, const model::QualityRules& r) {
  return std::any_of(m.eyes.begin(), m.eyes.end(), [&](const model::QualityMetrics::Eyes& e) {
    if (e.yaw_deg > r.max_face_turn_deg || e.aspect_ratio <= 0 || e.aspect_ratio >= r.blink_ear_threshold) return false;
    if (e.aspect_ratio < r.blink_sure_ear_threshold) return true;
    // Not measured (stored before it existed): no sign of an open eye.
    const bool iris_shows = e.contrast >= r.blink_open_contrast || e.edge_ratio >= r.blink_open_edge_ratio;
    return !iris_shows;
  });
}

// Noise adds 20 sigma^2 to the variance of the (4-neighbour) Laplacian: taken out, so that noise never reads as
// detail. A quarter grey level of "noise" is left in: on clean, soft pictures the estimator reads fine texture. The
// face and eye regions are measured on the same working raster, so the frame's noise estimate holds for them too
// (smooth skin shows noise most: grain of sigma 10 tripled a face's variance).
double WithoutNoise(double laplacian_variance, const model::QualityMetrics& m) {
  const double excess = std::max(0.0, m.luma_noise_sigma - kNoiseFloor);
  return std::max(0.0, laplacian_variance - kLaplacianNoiseGain * excess * excess);
}

DimensionValue Measure(const std::string& d, const model::QualityMetrics& m, const model::ImageInfo& info,
                       const std::string& category, const model::QualityRules& r) {
  // The variance of the Laplacian spans four orders of magnitude between a soft and a crisp photo: judged on a log
  // scale, so that halving it costs the same wherever it starts.
  if (d == "sharpness") {
    double raw = WithoutNoise(m.sharpness, m) * IsoCompensation(info, r);
    return {raw, std::log2(1 + raw)};
  }
  if (d == "face_sharpness") {
    double raw = WithoutNoise(m.eye_sharpness > 0 ? m.eye_sharpness : m.face_sharpness, m);
    return {raw, std::log2(1 + raw), m.face_count > 0};
  }
  // Exposure to the right without clipping: the brightest tones should reach near white (a low-key picture may be
  // dark, but an underexposed one leaves the top of the range empty) and nothing should clip. Dark categories are
  // not asked to reach as high.
  if (d == "exposure") {
    double reach = std::min(1.0, m.highlight_level / (Dark(category) ? kDarkHighlightTarget : kHighlightTarget));
    double cost =
        (kHighlightClippingCost * m.highlight_clip_percent + kShadowClippingCost * m.shadow_clip_percent) / 100;
    return {m.mean_luminance, std::max(0.0, reach - cost)};
  }
  if (d == "noise") return {m.noise_sigma, std::exp(-m.noise_sigma / 4)};
  if (d == "dynamic_range") return {m.dynamic_range_stops, std::min(m.dynamic_range_stops, 12.0)};
  if (d == "contrast") return {m.contrast, std::min(m.contrast, 0.3)};
  if (d == "colour") return {m.colourfulness, std::min(m.colourfulness, 120.0)};
  if (d == "composition") {
    double c = Composition(m, r);
    return {c, c};
  }
  if (d == "technical") return {m.brisque, std::max(0.0, 100 - m.brisque) / 100, m.brisque >= 0};
  if (d == "resolution") {
    // Halving the side costs the same at any size: log2 of the megapixels (plus one, so that it stays positive).
    double mp = double(info.width) * info.height / 1e6;
    return {mp, std::log2(1 + std::min(mp, 24.0))};
  }
  return {0, 0, false};
}

model::QualityScore Score(const model::QualityMetrics& m, const model::ImageInfo& info,
                          const model::QualityRules& rules, const model::QualityReference& reference) {
  model::QualityScore s;
  if (!m.measured) return s;
  s.scored = true;
  s.category = Categorize(m, info, rules);
  const auto weights_it = rules.weights.find(s.category);
  const std::map<std::string, double> empty;
  const auto& weights = weights_it == rules.weights.end() ? empty : weights_it->second;
  // Weights of what cannot be measured here (no face, no BRISQUE model) go to the others in proportion.
  double available_weight = 0;
  std::vector<std::pair<std::string, DimensionValue>> values;
  for (const std::string& d : model::QualityDimensions()) {
    DimensionValue v = Measure(d, m, info, s.category, rules);
    auto w = weights.find(d);
    if (v.available && w != weights.end()) available_weight += w->second;
    values.emplace_back(d, v);
  }
  double sum = 0;
  for (const auto& [d, v] : values) {
    if (!v.available) continue;
    auto w = weights.find(d);
    double weight = w == weights.end() || available_weight <= 0 ? 0 : w->second * 100 / available_weight;
    double anchor = Anchor(reference, rules, s.category, d);
    double score = anchor > 0 ? std::clamp(10 * v.goodness / anchor, 0.0, 10.0) : 0;
    model::DimensionScore ds{d, v.raw, Round(score, 2), Round(weight, 2), Round(score * weight / 100, 3)};
    sum += score * weight / 100;
    s.dimensions.push_back(ds);
  }
  s.penalties = Penalties(m, info, rules);
  for (const auto& p : s.penalties) sum -= p.points;
  sum = std::clamp(sum, 0.0, 10.0);
  s.eyes_closed = EyesClosed(m, rules);
  if (s.eyes_closed) {
    double kept = sum * (1 - rules.blink_penalty_percent / 100);
    s.penalties.push_back({"blink", sum - kept, "eyes are closed"});
    sum = kept;
  }
  for (auto& p : s.penalties) p.points = Round(p.points, 2);
  s.aggregate = Round(sum, 2);
  s.sentence = Sentence(s, m.face_count > 0);
  return s;
}

}  // namespace triage::quality
