// Matching a face embedding against enrolled references: nearest person, distance, confidence, verdict. Pure.
#pragma once

#include <string>
#include <vector>

#include "model/face.h"

namespace triage::faces {

// One enrolled face of a person.
struct Reference {
  std::string person;
  std::vector<float> embedding;  // kEmbeddingSize floats from FaceAnalyzer
};

struct MatchOptions {
  // Euclidean embedding distance up to which a face may be a person's. Range 0..2; default 0.6 (the distance this
  // net was trained to separate people at).
  double match_distance = 0.6;
  // Confidence (see DistanceToConfidence) a match within match_distance needs to be kKnown. Range 0..1; default 0.6.
  double min_confidence = 0.6;
};

// Maps an embedding distance to a 0..1 confidence with the logistic curve 1 / (1 + exp(k (d - d0))),
// k = kConfidenceSlope, d0 = kConfidenceMidpoint (calibration in faces/README.md). Decreasing in distance.
double DistanceToConfidence(double distance);

// Compares `embedding` with every reference and reports the nearest person:
// kKnown when distance <= match_distance and confidence >= min_confidence; kLowConfidence when within
// match_distance but less confident; kUnknown beyond match_distance (person still names the nearest, as a
// suggestion). No references gives kUnknown with an empty person. References whose embedding size differs from
// `embedding` are skipped. Thread-safe (no state).
model::FaceMatch MatchFace(const std::vector<float>& embedding, const std::vector<Reference>& references,
                           const MatchOptions& options);

}  // namespace triage::faces
