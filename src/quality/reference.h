// The normalisation reference: what scores 10 in each dimension, learnt from the library's stored measures.
#pragma once

#include <string>
#include <vector>

#include "model/image.h"
#include "model/quality.h"

namespace triage::quality {

// One image's measures as stored with its analysis.
struct Sample {
  model::QualityMetrics metrics;
  model::ImageInfo info;
};

// Built-in goodness values scoring 10, used while the library has fewer than category_min_samples images
// (measured on the bench photo set; see quality/README.md).
const std::map<std::string, double>& BuiltinAnchors();

// The percentile_target-th percentile of every dimension's goodness over `samples`, overall and per category
// (categories by Categorize under `rules`). Pure; O(n log n).
model::QualityReference BuildReference(const std::vector<Sample>& samples, const model::QualityRules& rules);

// The goodness that scores 10 for `dimension` in `category`: the category's own percentile once it has
// category_min_samples images (and per_category is on), else the overall one once the library has that many,
// else the built-in anchor.
double Anchor(const model::QualityReference& reference, const model::QualityRules& rules, const std::string& category,
              const std::string& dimension);

}  // namespace triage::quality
