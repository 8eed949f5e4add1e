// Specification of percentile normalisation.
#include "quality/reference.h"

#include <gtest/gtest.h>

#include <cmath>

namespace triage::quality {
namespace {

Sample Others(double sharpness) {
  Sample s;
  s.metrics.measured = true;
  s.metrics.sharpness = sharpness;
  s.metrics.mean_luminance = 0.45;
  s.metrics.mean_saturation = 0.3;
  s.metrics.isolation = 1;
  s.info.width = 1000;
  s.info.height = 800;
  return s;
}

TEST(ReferenceTest, NinetiethPercentileScoresTen) {
  std::vector<Sample> samples;
  for (int i = 1; i <= 100; ++i) samples.push_back(Others(i * 10));
  model::QualityRules rules;
  auto ref = BuildReference(samples, rules);
  EXPECT_EQ(ref.samples, 100);
  EXPECT_EQ(ref.category_samples["others"], 100);
  EXPECT_NEAR(Anchor(ref, rules, "others", "sharpness"), std::log2(901), 0.02);
}

TEST(ReferenceTest, FallsBackToOverallThenToBuiltInAnchors) {
  model::QualityRules rules;
  std::vector<Sample> few = {Others(100), Others(200)};
  auto small = BuildReference(few, rules);
  EXPECT_EQ(Anchor(small, rules, "others", "sharpness"), BuiltinAnchors().at("sharpness"));
  std::vector<Sample> many;
  for (int i = 1; i <= 60; ++i) many.push_back(Others(i));
  auto ref = BuildReference(many, rules);
  // "macro" has no samples: the overall percentile applies.
  EXPECT_NEAR(Anchor(ref, rules, "macro", "sharpness"), std::log2(55), 0.05);
  rules.category_min_samples = 100;
  EXPECT_EQ(Anchor(ref, rules, "others", "sharpness"), BuiltinAnchors().at("sharpness"));
}

}  // namespace
}  // namespace triage::quality
