// A detected face and what matching made of it.
#pragma once

#include <cstdint>
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
  double distance = 0;    // Euclidean distance to the person's nearest reference
  double confidence = 0;  // 0..1, from the documented distance -> confidence mapping
};

// How a face compared with the enrolled references: the nearest person and the runners-up. faces/ fills person,
// distance, confidence and candidates; `kind` is the verdict of the policy in force when the image was decided,
// set by the pipeline from decide::ClassifyMatch for the record (faces/ leaves it kUnknown).
struct FaceMatch {
  MatchKind kind = MatchKind::kUnknown;
  std::string person;                      // nearest enrolled person ("" when nobody is enrolled)
  double distance = 0;                     // Euclidean distance of the embeddings
  double confidence = 0;                   // 0..1, from the documented distance -> confidence mapping
  std::vector<PersonDistance> candidates;  // nearest distinct persons, nearest first (the first is `person`)
};

// What a reviewer said about one face of a photo in review: the enrolled person it shows, or that it shows nobody
// tracked (a bystander). Neither while nobody has said.
struct FaceLabel {
  std::string named_as;    // an enrolled person, or ""
  bool untracked = false;  // "not a person I track"
  bool Decided() const { return !named_as.empty() || untracked; }
  bool operator==(const FaceLabel&) const = default;
};

struct Face {
  Box box;
  float detection_score = 0;     // 0..1
  std::vector<Point> landmarks;  // 68 points (dlib order) or empty
  std::vector<float> embedding;  // 128 floats, not unit length
  double eye_aspect_ratio = 0;   // mean of both eyes; below ~0.21 the eyes are closed
  FaceMatch match;
  FaceLabel label;  // a reviewer's word on it (per-face naming); `match` stays as measured
};

// Where a reference face was learnt: "item:<id>" (an approved single-face photo) or "item:<id>:face:<index>" (one
// face named in a group photo). The one spelling for review/ and the server.
std::string ReferenceSource(int64_t item_id, int face_index = -1);
// The item and face index a reference source names; item 0 when it names no item, face -1 when no face.
struct ReferenceOrigin {
  int64_t item_id = 0;
  int face_index = -1;
};
ReferenceOrigin ParseReferenceSource(const std::string& source);

// Boxes and landmarks found on a raster decoded smaller, brought to the full image's pixels (`to_full` = full width
// over raster width), as the face stage hands faces on.
void ScaleFaces(std::vector<Face>& faces, double to_full);

}  // namespace triage::model
