// Nearest-reference search and the distance -> confidence mapping.
#include "faces/face_matcher.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "faces/embedding_net.h"

namespace triage::faces {
namespace {

// Calibrated on the development set (faces/README.md): confidence 0.5 at distance 0.62, 0.6 at about 0.59,
// 0.9 at about 0.44; a distance step of 0.1 near the midpoint moves confidence by about 0.3.
constexpr double kConfidenceMidpoint = 0.62;
constexpr double kConfidenceSlope = 14.0;

}  // namespace

double DistanceToConfidence(double distance) {
  return 1.0 / (1.0 + std::exp(kConfidenceSlope * (distance - kConfidenceMidpoint)));
}

model::FaceMatch NearestPersons(const std::vector<float>& embedding, const std::vector<Reference>& references,
                                size_t max_candidates) {
  model::FaceMatch match;
  if (embedding.empty()) return match;
  std::map<std::string, double> nearest;  // person -> distance of their nearest reference
  for (const Reference& reference : references) {
    if (reference.embedding.size() != embedding.size()) continue;
    const double distance = EmbeddingDistance(embedding, reference.embedding);
    auto [it, inserted] = nearest.try_emplace(reference.person, distance);
    if (!inserted) it->second = std::min(it->second, distance);
  }
  if (nearest.empty()) return match;
  std::vector<model::PersonDistance> ranked;
  ranked.reserve(nearest.size());
  for (const auto& [person, distance] : nearest) ranked.push_back({person, distance, DistanceToConfidence(distance)});
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.distance < b.distance; });
  match.person = ranked.front().person;
  match.distance = ranked.front().distance;
  match.confidence = ranked.front().confidence;
  ranked.resize(std::min(ranked.size(), std::max<size_t>(1, max_candidates)));
  match.candidates = std::move(ranked);
  return match;
}

}  // namespace triage::faces
