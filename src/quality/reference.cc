// Percentile normalisation: the reference built from stored measures, and the anchor a score is divided by.
#include "quality/reference.h"

#include <algorithm>
#include <cmath>

#include "quality/score.h"

namespace triage::quality {
namespace {

double Percentile(std::vector<double> values, double percent) {
  if (values.empty()) return 0;
  size_t k = std::min(values.size() - 1, static_cast<size_t>(std::floor(percent / 100 * (values.size() - 1) + 0.5)));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
  return values[k];
}

}  // namespace

const std::map<std::string, double>& BuiltinAnchors() {
  // Goodness at about the 90th percentile of the bench photo set (wallpaper photos of 1-2 MP, see bench/quality),
  // except resolution, anchored at a 12 MP camera (log2(1 + 12)).
  static const std::map<std::string, double> kAnchors = {
      {"sharpness", 11.0}, {"face_sharpness", 9.2}, {"exposure", 0.97},   {"noise", 0.88},     {"dynamic_range", 10},
      {"contrast", 0.28},  {"colour", 100},         {"composition", 0.7}, {"technical", 0.93}, {"resolution", 3.7}};
  return kAnchors;
}

model::QualityReference BuildReference(const std::vector<Sample>& samples, const model::QualityRules& rules) {
  model::QualityReference ref;
  std::map<std::string, std::vector<double>> overall;
  std::map<std::string, std::map<std::string, std::vector<double>>> by_category;
  for (const Sample& s : samples) {
    if (!s.metrics.measured) continue;
    ++ref.samples;
    std::string category = Categorize(s.metrics, s.info, rules);
    ++ref.category_samples[category];
    for (const std::string& d : model::QualityDimensions()) {
      DimensionValue v = Measure(d, s.metrics, s.info, category, rules);
      if (!v.available) continue;
      overall[d].push_back(v.goodness);
      by_category[category][d].push_back(v.goodness);
    }
  }
  for (auto& [d, values] : overall) ref.overall[d] = Percentile(std::move(values), rules.percentile_target);
  for (auto& [category, dims] : by_category) {
    for (auto& [d, values] : dims)
      ref.by_category[category][d] = Percentile(std::move(values), rules.percentile_target);
  }
  return ref;
}

double Anchor(const model::QualityReference& ref, const model::QualityRules& rules, const std::string& category,
              const std::string& dimension) {
  auto positive = [](const std::map<std::string, double>& m, const std::string& d) {
    auto it = m.find(d);
    return it != m.end() && it->second > 0 ? it->second : 0.0;
  };
  if (rules.per_category) {
    auto n = ref.category_samples.find(category);
    auto dims = ref.by_category.find(category);
    if (n != ref.category_samples.end() && n->second >= rules.category_min_samples && dims != ref.by_category.end()) {
      if (double a = positive(dims->second, dimension); a > 0) return a;
    }
  }
  if (ref.samples >= rules.category_min_samples) {
    if (double a = positive(ref.overall, dimension); a > 0) return a;
  }
  return positive(BuiltinAnchors(), dimension);
}

}  // namespace triage::quality
