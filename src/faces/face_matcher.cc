// Nearest-reference matching and the distance -> confidence mapping.
#include "faces/face_matcher.h"

#include <cmath>
#include <limits>

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

model::FaceMatch MatchFace(const std::vector<float>& embedding, const std::vector<Reference>& references,
                           const MatchOptions& options) {
  model::FaceMatch match;
  double best = std::numeric_limits<double>::infinity();
  for (const Reference& reference : references) {
    if (reference.embedding.size() != embedding.size() || embedding.empty()) continue;
    const double distance = EmbeddingDistance(embedding, reference.embedding);
    if (distance < best) {
      best = distance;
      match.person = reference.person;
    }
  }
  if (match.person.empty()) return match;
  match.distance = best;
  match.confidence = DistanceToConfidence(best);
  if (best > options.match_distance) {
    match.kind = model::MatchKind::kUnknown;
  } else if (match.confidence < options.min_confidence) {
    match.kind = model::MatchKind::kLowConfidence;
  } else {
    match.kind = model::MatchKind::kKnown;
  }
  return match;
}

}  // namespace triage::faces
