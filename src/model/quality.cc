// The fixed lists of quality dimensions and categories, and the default weights.
#include "model/quality.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace triage::model {

const std::vector<std::string>& QualityDimensions() {
  static const std::vector<std::string> kDimensions = {"sharpness",     "face_sharpness", "exposure", "noise",
                                                       "dynamic_range", "contrast",       "colour",   "composition",
                                                       "technical",     "resolution"};
  return kDimensions;
}

const std::vector<std::string>& QualityCategories() {
  static const std::vector<std::string> kCategories = {"portrait",      "group_portrait", "human_others", "astro",
                                                       "long_exposure", "night",          "monochrome",   "macro",
                                                       "landscape",     "others"};
  return kCategories;
}

base::Status CheckQualityCategory(const std::string& category) {
  const auto& all = QualityCategories();
  if (category.empty() || std::find(all.begin(), all.end(), category) != all.end()) return base::Status::Ok();
  return base::Status::InvalidArgument(
      fmt::format("unknown quality category \"{}\"; the quality categories are: {}", category, fmt::join(all, ", ")));
}

std::map<std::string, std::map<std::string, double>> DefaultQualityWeights() {
  // Order of the numbers: sharpness, face_sharpness, exposure, noise, dynamic_range, contrast, colour, composition,
  // technical, resolution. Faces dominate portraits; noise and range matter most in the dark; colour not at all in
  // black and white.
  const std::map<std::string, std::vector<double>> table = {
      {"portrait", {10, 25, 15, 10, 5, 5, 5, 10, 10, 5}},
      {"group_portrait", {15, 20, 15, 10, 5, 5, 5, 10, 10, 5}},
      {"human_others", {20, 10, 15, 10, 5, 10, 5, 10, 10, 5}},
      {"astro", {20, 0, 5, 25, 10, 15, 0, 10, 10, 5}},
      {"long_exposure", {15, 0, 15, 15, 15, 10, 5, 10, 10, 5}},
      {"night", {20, 0, 10, 20, 10, 10, 5, 10, 10, 5}},
      {"monochrome", {20, 0, 15, 10, 15, 20, 0, 10, 5, 5}},
      {"macro", {30, 0, 10, 10, 5, 10, 15, 5, 10, 5}},
      {"landscape", {20, 0, 15, 10, 15, 10, 10, 10, 5, 5}},
      {"others", {20, 0, 15, 10, 10, 10, 10, 10, 10, 5}},
  };
  std::map<std::string, std::map<std::string, double>> out;
  for (const auto& [category, weights] : table) {
    for (size_t i = 0; i < weights.size(); ++i) out[category][QualityDimensions()[i]] = weights[i];
  }
  return out;
}

}  // namespace triage::model
