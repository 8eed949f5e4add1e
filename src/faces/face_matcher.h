// Measuring a face embedding against enrolled references: the nearest persons, their distances and confidences.
// Judging them (known, low confidence, unknown) is the policy's job: decide::ClassifyMatch. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/face.h"

namespace triage::faces {

// One enrolled face of a person.
struct Reference {
  std::string person;
  std::vector<float> embedding;  // kEmbeddingSize floats from FaceAnalyzer
};

// How many runners-up a match keeps by default (for the reviewer's suggestions and for replaying a policy).
inline constexpr size_t kDefaultCandidates = 3;

// Maps an embedding distance to a 0..1 confidence with the logistic curve 1 / (1 + exp(k (d - d0))),
// k = kConfidenceSlope, d0 = kConfidenceMidpoint (calibration in faces/README.md). Decreasing in distance.
double DistanceToConfidence(double distance);

// Compares `embedding` with every reference. Each person counts with their nearest reference; the result names the
// nearest person (person, distance, confidence) and lists up to `max_candidates` distinct persons nearest first.
// No references gives an empty person. References whose embedding size differs from `embedding` are skipped.
// `kind` is left kUnknown: no threshold is applied here. Thread-safe (no state).
model::FaceMatch NearestPersons(const std::vector<float>& embedding, const std::vector<Reference>& references,
                                size_t max_candidates = kDefaultCandidates);

}  // namespace triage::faces
