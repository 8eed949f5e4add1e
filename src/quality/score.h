// Turning measures into an explained score: category by rules, per-dimension normalisation against a reference,
// weighted sum, penalties, a sentence. Pure functions of model values: recomputing from stored measures gives the
// same score as the fresh analysis did under the same rules and reference.
#pragma once

#include <string>
#include <vector>

#include "model/image.h"
#include "model/quality.h"

namespace triage::quality {

// The category whose rule matches first (model::QualityCategories() order): portrait (1..min_faces_for_group-1
// faces, the largest above portrait_face_ratio_percent of the frame), group_portrait (at least min_faces_for_group
// faces), human_others (any other face), astro (shutter above astro_shutter_s), long_exposure (shutter above
// long_exposure_shutter_s), night (mean luminance below night_luminance_threshold with the 98th percentile at least
// night_highlight_level, or ISO above night_iso_threshold), monochrome (mean saturation below
// monochrome_saturation_percent), macro (subject isolation above macro_isolation, boosted at f/1.4-2.8), landscape
// (a horizon in a landscape-oriented frame), else others.
std::string Categorize(const model::QualityMetrics& m, const model::ImageInfo& info, const model::QualityRules& rules);

// A dimension's raw value (after EXIF adjustments) and its "goodness" (higher is better, the quantity normalised
// against the reference). available = false when the image has nothing to measure (no face, no BRISQUE model).
struct DimensionValue {
  double raw = 0;
  double goodness = 0;
  bool available = true;
};
DimensionValue Measure(const std::string& dimension, const model::QualityMetrics& m, const model::ImageInfo& info,
                       const std::string& category, const model::QualityRules& rules);

// Whether any face turned at most max_face_turn_deg has an eye aspect ratio below blink_sure_ear_threshold, or below
// blink_ear_threshold with an eye contrast under blink_open_contrast and an edge ratio under blink_open_edge_ratio
// (either not measured counts as under).
bool EyesClosed(const model::QualityMetrics& m, const model::QualityRules& rules);

// The explained score. Unmeasured metrics give scored = false.
model::QualityScore Score(const model::QualityMetrics& m, const model::ImageInfo& info,
                          const model::QualityRules& rules, const model::QualityReference& reference);

}  // namespace triage::quality
