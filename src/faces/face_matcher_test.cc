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

TEST(FaceMatcherTest, ReportsTheNearestPersonWithDistanceAndConfidence) {
  const model::FaceMatch m = NearestPersons(kProbe, {{"ada", At(0.35)}, {"bob", At(0.9)}});
  EXPECT_EQ(m.person, "ada");
  EXPECT_NEAR(m.distance, 0.35, 1e-6);
  EXPECT_NEAR(m.confidence, DistanceToConfidence(m.distance), 1e-12);
  EXPECT_EQ(m.kind, model::MatchKind::kUnknown) << "no verdict here: decide::ClassifyMatch judges";
}

TEST(FaceMatcherTest, ReportsTheNearestPersonEvenFarAway) {
  const model::FaceMatch m = NearestPersons(kProbe, {{"ada", At(1.3)}, {"bob", At(0.8)}});
  EXPECT_EQ(m.person, "bob");
  EXPECT_NEAR(m.distance, 0.8, 1e-6);
}

TEST(FaceMatcherTest, ReportsNoPersonWhenNobodyIsEnrolled) {
  const model::FaceMatch m = NearestPersons(kProbe, {});
  EXPECT_EQ(m.person, "");
  EXPECT_EQ(m.confidence, 0);
  EXPECT_TRUE(m.candidates.empty());
}

TEST(FaceMatcherTest, UsesEachPersonsNearestReference) {
  const model::FaceMatch m =
      NearestPersons(kProbe, {{"ada", At(0.7)}, {"bob", At(0.5)}, {"ada", At(0.3)}, {"bob", At(0.9)}});
  EXPECT_EQ(m.person, "ada");
  EXPECT_NEAR(m.distance, 0.3, 1e-6);
}

TEST(FaceMatcherTest, ListsDistinctCandidatesNearestFirst) {
  const model::FaceMatch m = NearestPersons(
      kProbe, {{"ada", At(0.7)}, {"bob", At(0.5)}, {"cy", At(0.2)}, {"ada", At(0.4)}, {"dee", At(0.9)}}, 3);
  ASSERT_EQ(m.candidates.size(), 3u);
  EXPECT_EQ(m.candidates[0].person, "cy");
  EXPECT_EQ(m.candidates[1].person, "ada");
  EXPECT_NEAR(m.candidates[1].distance, 0.4, 1e-6);
  EXPECT_EQ(m.candidates[2].person, "bob");
}

TEST(FaceMatcherTest, SkipsReferencesOfAnotherEmbeddingSize) {
  const model::FaceMatch m = NearestPersons(kProbe, {{"ada", std::vector<float>(64, 0.0f)}, {"bob", At(0.4)}});
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
