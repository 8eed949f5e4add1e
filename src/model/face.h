// A detected face and what matching made of it.
#pragma once

#include <string>
#include <vector>

namespace triage::model {

struct Point {
  float x = 0;
  float y = 0;
};

// Axis-aligned box in pixels of the analysed image's full-resolution coordinates.
struct Box {
  float x = 0;
  float y = 0;
  float width = 0;
  float height = 0;
};

// The verdict on a face under a policy (decide::ClassifyMatch): faces/ measures distances, decide alone judges them.
enum class MatchKind {
  kUnknown,        // farther than the match distance from every reference
  kLowConfidence,  // within the match distance but below the minimum confidence
  kKnown,          // within the match distance and confident enough
};

const char* MatchKindName(MatchKind kind);

// One enrolled person and how near a face came to them.
struct PersonDistance {
  std::string person;
  double distance = 0;     // Euclidean distance to the person's nearest reference
  double confidence = 0;   // 0..1, from the documented distance -> confidence mapping
};

// How a face compared with the enrolled references: the nearest person and the runners-up. faces/ fills person,
// distance, confidence and candidates; `kind` is the verdict of the policy in force when the image was decided,
// set by the pipeline from decide::ClassifyMatch for the record (faces/ leaves it kUnknown).
struct FaceMatch {
  MatchKind kind = MatchKind::kUnknown;
  std::string person;      // nearest enrolled person ("" when nobody is enrolled)
  double distance = 0;     // Euclidean distance of the embeddings
  double confidence = 0;   // 0..1, from the documented distance -> confidence mapping
  std::vector<PersonDistance> candidates;  // nearest distinct persons, nearest first (the first is `person`)
};

struct Face {
  Box box;
  float detection_score = 0;          // 0..1
  std::vector<Point> landmarks;       // 68 points (dlib order) or empty
  std::vector<float> embedding;       // 128 floats, not unit length
  double eye_aspect_ratio = 0;        // mean of both eyes; below ~0.15 the eyes are closed
  FaceMatch match;
};

}  // namespace triage::model
