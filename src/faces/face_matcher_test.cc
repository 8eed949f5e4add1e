// Specification of matching rules and the distance -> confidence mapping.
#include "faces/face_matcher.h"

#include <gtest/gtest.h>

namespace triage::faces {
namespace {

// An embedding at exactly `distance` from the origin embedding along the first axis.
std::vector<float> At(double distance) {
  std::vector<float> e(128, 0.0f);
  e[0] = static_cast<float>(distance);
  return e;
}

const std::vector<float> kProbe = At(0);

TEST(FaceMatcherTest, AcceptsAConfidentNearMatchAsKnown) {
  const model::FaceMatch m = MatchFace(kProbe, {{"ada", At(0.35)}, {"bob", At(0.9)}}, {});
  EXPECT_EQ(m.kind, model::MatchKind::kKnown);
  EXPECT_EQ(m.person, "ada");
  EXPECT_NEAR(m.distance, 0.35, 1e-6);
  EXPECT_GE(m.confidence, 0.6);
}

TEST(FaceMatcherTest, FlagsAMatchWithinDistanceButBelowMinConfidenceAsLowConfidence) {
  const model::FaceMatch m = MatchFace(kProbe, {{"ada", At(0.5)}}, {.match_distance = 0.6, .min_confidence = 0.95});
  EXPECT_EQ(m.kind, model::MatchKind::kLowConfidence);
  EXPECT_EQ(m.person, "ada");
}

TEST(FaceMatcherTest, DefaultsLeaveABandJustInsideTheMatchDistanceForReview) {
  const model::FaceMatch m = MatchFace(kProbe, {{"ada", At(0.595)}}, {});
  EXPECT_EQ(m.kind, model::MatchKind::kLowConfidence);
}

TEST(FaceMatcherTest, RejectsEmbeddingBeyondMatchDistanceButSuggestsTheNearestPerson) {
  const model::FaceMatch m = MatchFace(kProbe, {{"ada", At(0.61)}, {"bob", At(0.8)}}, {});
  EXPECT_EQ(m.kind, model::MatchKind::kUnknown);
  EXPECT_EQ(m.person, "ada");
  EXPECT_NEAR(m.distance, 0.61, 1e-6);
}

TEST(FaceMatcherTest, ReportsUnknownWithNoPersonWhenNobodyIsEnrolled) {
  const model::FaceMatch m = MatchFace(kProbe, {}, {});
  EXPECT_EQ(m.kind, model::MatchKind::kUnknown);
  EXPECT_EQ(m.person, "");
  EXPECT_EQ(m.confidence, 0);
}

TEST(FaceMatcherTest, UsesEachPersonsNearestReference) {
  const model::FaceMatch m =
      MatchFace(kProbe, {{"ada", At(0.7)}, {"bob", At(0.5)}, {"ada", At(0.3)}, {"bob", At(0.9)}}, {});
  EXPECT_EQ(m.person, "ada");
  EXPECT_NEAR(m.distance, 0.3, 1e-6);
}

TEST(FaceMatcherTest, SkipsReferencesOfAnotherEmbeddingSize) {
  const model::FaceMatch m = MatchFace(kProbe, {{"ada", std::vector<float>(64, 0.0f)}, {"bob", At(0.4)}}, {});
  EXPECT_EQ(m.person, "bob");
}

TEST(DistanceToConfidenceTest, FallsWithDistanceThroughTheCalibratedPoints) {
  EXPECT_GT(DistanceToConfidence(0.3), 0.98);
  EXPECT_NEAR(DistanceToConfidence(0.62), 0.5, 1e-9);
  EXPECT_NEAR(DistanceToConfidence(0.6), 0.57, 0.01);
  EXPECT_LT(DistanceToConfidence(0.7), 0.3);
  for (double d = 0; d < 1.5; d += 0.01) EXPECT_GT(DistanceToConfidence(d), DistanceToConfidence(d + 0.01));
}

}  // namespace
}  // namespace triage::faces
