// Specification of scoring: categories by rule, penalties by the seed's formulas, weights, explanation.
#include "quality/score.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "quality/reference.h"

namespace triage::quality {
namespace {

// A well-exposed, sharp, colourful daylight picture without faces.
model::QualityMetrics Daylight() {
  model::QualityMetrics m;
  m.measured = true;
  m.sharpness = 900;
  m.tenengrad = 4000;
  m.isolation = 2;
  m.mean_luminance = 0.45;
  m.highlight_level = 0.93;
  m.noise_sigma = 1.5;
  m.dynamic_range_stops = 9;
  m.contrast = 0.25;
  m.colourfulness = 55;
  m.mean_saturation = 0.35;
  m.brisque = 20;
  m.thirds = 0.8;
  return m;
}

// Daylight() with one face filling a tenth of the frame, its box's Laplacian variance `face_sharpness`.
model::QualityMetrics WithFace(double face_sharpness) {
  model::QualityMetrics m = Daylight();
  m.face_count = 1;
  m.face_ratio = 0.1;
  m.face_sharpness = face_sharpness;
  return m;
}

model::ImageInfo Info(int w = 4000, int h = 3000) {
  model::ImageInfo info;
  info.width = w;
  info.height = h;
  return info;
}

struct CategoryCase {
  std::string name;
  std::function<void(model::QualityMetrics&, model::ImageInfo&)> change;
  std::string category;
};

TEST(ScoreTest, CategoriesFollowTheRulesInPriorityOrder) {
  const std::vector<CategoryCase> cases = {
      {"large face", [](auto& m, auto&) { m.face_count = 1, m.face_ratio = 0.08; }, "portrait"},
      {"four faces", [](auto& m, auto&) { m.face_count = 4, m.face_ratio = 0.08; }, "group_portrait"},
      {"small face", [](auto& m, auto&) { m.face_count = 2, m.face_ratio = 0.01; }, "human_others"},
      {"15 s exposure", [](auto& m, auto& i) { m.mean_luminance = 0.05, i.exposure_s = 15; }, "astro"},
      {"2 s exposure", [](auto&, auto& i) { i.exposure_s = 2; }, "long_exposure"},
      {"dark", [](auto& m, auto&) { m.mean_luminance = 0.1; }, "night"},
      {"dark without lights (underexposed)", [](auto& m, auto&) { m.mean_luminance = 0.1, m.highlight_level = 0.4; },
       "others"},
      {"ISO 6400", [](auto&, auto& i) { i.iso = 6400; }, "night"},
      {"no colour", [](auto& m, auto&) { m.mean_saturation = 0.02; }, "monochrome"},
      {"isolated subject", [](auto& m, auto&) { m.isolation = 70; }, "macro"},
      {"wide aperture boost", [](auto& m, auto& i) { m.isolation = 50, i.f_number = 1.8; }, "macro"},
      {"isolation below the threshold", [](auto& m, auto&) { m.isolation = 55; }, "others"},
      {"horizon", [](auto& m, auto&) { m.has_horizon = true; }, "landscape"},
      {"horizon, portrait frame", [](auto& m, auto& i) { m.has_horizon = true, i.width = 3000, i.height = 4000; },
       "others"},
      {"nothing special", [](auto&, auto&) {}, "others"},
      {"faces win over darkness", [](auto& m, auto&) { m.face_count = 1, m.face_ratio = 0.2, m.mean_luminance = 0.05; },
       "portrait"},
  };
  model::QualityRules rules;
  for (const auto& c : cases) {
    model::QualityMetrics m = Daylight();
    model::ImageInfo info = Info();
    c.change(m, info);
    EXPECT_EQ(Categorize(m, info, rules), c.category) << c.name;
  }
}

TEST(ScoreTest, NoisePenaltyFollowsTheSeedFormula) {
  model::QualityRules rules;
  model::QualityMetrics m = Daylight();
  m.noise_sigma = 6;  // (6 - 4) * 0.3 = 0.6
  auto s = Score(m, Info(), rules, {});
  ASSERT_FALSE(s.penalties.empty());
  EXPECT_EQ(s.penalties[0].name, "noise");
  EXPECT_NEAR(s.penalties[0].points, 0.6, 1e-9);
  m.noise_sigma = 20;  // capped at 1.5
  EXPECT_NEAR(Score(m, Info(), rules, {}).penalties[0].points, 1.5, 1e-9);
  EXPECT_EQ(Score(m, Info(), rules, {}).penalties[0].text, "noise sigma 20.0 is above 4.0");
  // Just above the threshold, the sentence shows the digits that tell them apart ("4.0 is above 4.0" said nothing).
  m.noise_sigma = 4.03;
  EXPECT_EQ(Score(m, Info(), rules, {}).penalties[0].text, "noise sigma 4.03 is above 4.00");
}

TEST(ScoreTest, PictureSmallerThanAScreenIsPenalisedPerHalving) {
  model::QualityRules rules;
  EXPECT_TRUE(Score(Daylight(), Info(1920, 1080), rules, {}).penalties.empty());
  auto half = Score(Daylight(), Info(960, 540), rules, {});  // a quarter of the pixels: two halvings
  ASSERT_EQ(half.penalties.size(), 1u);
  EXPECT_EQ(half.penalties[0].name, "small");
  EXPECT_NEAR(half.penalties[0].points, 0.5, 0.01);
  EXPECT_NE(half.penalties[0].text.find("960x540"), std::string::npos);
  EXPECT_NEAR(Score(Daylight(), Info(120, 90), rules, {}).penalties[0].points, 1.5, 1e-9);  // capped
  EXPECT_LT(half.aggregate, Score(Daylight(), Info(1920, 1080), rules, {}).aggregate);
  rules.small_image_points_per_halving = 0;  // switched off
  EXPECT_TRUE(Score(Daylight(), Info(960, 540), rules, {}).penalties.empty());
}

TEST(ScoreTest, ClippingPenalisedUnlessSilhouette) {
  model::QualityRules rules;
  model::QualityMetrics m = Daylight();
  m.highlight_clip_percent = 18;  // 8 points beyond 10% at 0.05 each
  auto s = Score(m, Info(), rules, {});
  ASSERT_EQ(s.penalties.size(), 1u);
  EXPECT_EQ(s.penalties[0].name, "clipping");
  EXPECT_NEAR(s.penalties[0].points, 0.4, 1e-9);
  // A silhouette: the subject crushed to black against a backlight that holds. Its black is meant.
  m.silhouette = true;
  m.highlight_clip_percent = 4;
  m.shadow_clip_percent = 40;
  EXPECT_TRUE(Score(m, Info(), rules, {}).penalties.empty());
  // The backlight blown beyond the highlight threshold: an overexposed photo whose shadows stayed dark, not an
  // outline against a sky the exposure was set for (a portrait brightened by 1.5 EV). Both clippings count.
  m.highlight_clip_percent = 18;
  auto blown = Score(m, Info(), rules, {});
  ASSERT_EQ(blown.penalties.size(), 1u);
  EXPECT_EQ(blown.penalties[0].name, "clipping");
  EXPECT_NEAR(blown.penalties[0].points, std::min(rules.clipping_max_penalty_points, (8 + 25) * 0.05), 1e-9);
  m.highlight_clip_percent = 4;
  // A face the detector found is lit, so the dark mass is not the subject's outline: the clipping is not meant (a
  // portrait in a black suit, brightened until the face and the wall behind it are blown).
  m.face_count = 1;
  m.face_ratio = 0.05;
  auto lit = Score(m, Info(), rules, {});
  ASSERT_EQ(lit.penalties.size(), 1u);
  EXPECT_EQ(lit.penalties[0].name, "clipping");
  rules.silhouette_detection = false;  // switched off: clipping always counts
  m.face_count = 0;
  EXPECT_EQ(Score(m, Info(), rules, {}).penalties.size(), 1u);
}

// Grain adds 20 sigma^2 to the Laplacian's variance of the face as of the frame: a noisy copy's face is not sharper.
TEST(ScoreTest, NoiseDoesNotReadAsFaceDetail) {
  model::QualityRules rules;
  model::QualityMetrics clean = WithFace(50);
  clean.eye_sharpness = 60;
  model::QualityMetrics noisy = clean;
  noisy.luma_noise_sigma = 2.25;  // 2 levels beyond the floor: + 20 * 2^2 = 80
  noisy.face_sharpness += 80;
  noisy.eye_sharpness += 80;
  noisy.sharpness += 80;
  auto dimension = [&](const model::QualityMetrics& m, const std::string& name) {
    for (const auto& d : Score(m, Info(), rules, {}).dimensions)
      if (d.name == name) return d.raw;
    return -1.0;
  };
  EXPECT_NEAR(dimension(noisy, "face_sharpness"), 60, 1e-9);  // the eyes' variance, noise taken out
  EXPECT_NEAR(dimension(noisy, "face_sharpness"), dimension(clean, "face_sharpness"), 1e-9);
  EXPECT_NEAR(dimension(noisy, "sharpness"), dimension(clean, "sharpness"), 1e-9);
  noisy.eye_sharpness = 0;  // no landmarks: the face box
  EXPECT_NEAR(dimension(noisy, "face_sharpness"), 50, 1e-9);
  noisy.face_sharpness = 30;  // less than the noise explains: nothing left, never negative
  EXPECT_EQ(dimension(noisy, "face_sharpness"), 0);
}

TEST(ScoreTest, BlinkHalvesTheAggregate) {
  model::QualityRules rules;
  model::QualityMetrics m = WithFace(600);
  m.eyes = {{0.30, 5}};
  auto open = Score(m, Info(), rules, {});
  m.eyes = {{0.10, 5}};
  auto closed = Score(m, Info(), rules, {});
  EXPECT_FALSE(open.eyes_closed);
  EXPECT_TRUE(closed.eyes_closed);
  EXPECT_NEAR(closed.aggregate, open.aggregate * 0.5, 0.01);
  // Said once, by the penalty (it read "eyes are closed (-3.16); eyes closed.").
  EXPECT_NE(closed.sentence.find("eyes are closed (-"), std::string::npos) << closed.sentence;
  EXPECT_EQ(closed.sentence.find("eyes closed"), std::string::npos) << closed.sentence;
  EXPECT_EQ(open.sentence.find("closed"), std::string::npos) << open.sentence;
  // A face turned away is not judged.
  m.eyes = {{0.10, 50}};
  EXPECT_FALSE(Score(m, Info(), rules, {}).eyes_closed);
}

TEST(ScoreTest, NarrowEyesShowingIrisAndScleraAreOpen) {
  model::QualityRules rules;
  model::QualityMetrics m = Daylight();
  m.face_count = 1;
  // A squinting smile: dlib's points draw the eyes narrow, but the eyes' contrast is that of an iris on sclera.
  m.eyes = {{0.19, 5, 0.36}};
  EXPECT_FALSE(Score(m, Info(), rules, {}).eyes_closed);
  // The same ratio on a lid of even skin is a blink; so is a contrast never measured (stored before it existed).
  m.eyes = {{0.19, 5, 0.18}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
  m.eyes = {{0.19, 5, -1}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
  // Below the sure threshold no contrast keeps the eyes open (dark lashes on a closed lid).
  m.eyes = {{0.12, 5, 0.5}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
  // Either threshold is configurable.
  rules.blink_open_contrast = 0.4;
  m.eyes = {{0.19, 5, 0.36}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
  rules.blink_sure_ear_threshold = 0.1;
  m.eyes = {{0.12, 5, 0.5}};
  EXPECT_FALSE(Score(m, Info(), rules, {}).eyes_closed);
}

TEST(ScoreTest, NarrowEyesWithAnIrissSidesShowingAreOpen) {
  model::QualityRules rules;
  model::QualityMetrics m = Daylight();
  m.face_count = 1;
  // Low contrast (a dark or shadowed eye), but the steps across the eye are those of an iris's sides: open.
  m.eyes = {{0.22, 5, 0.18, 0.7}};
  EXPECT_FALSE(Score(m, Info(), rules, {}).eyes_closed);
  // The same with the steps of a line of lashes (all vertical): closed; not measured counts as no sign of an iris.
  m.eyes = {{0.22, 5, 0.18, 0.3}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
  m.eyes = {{0.22, 5, 0.18, -1}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
  // Below the sure threshold the lids are closed whatever the edges.
  m.eyes = {{0.14, 5, 0.18, 0.9}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
  // At or above blink_ear_threshold the eyes are open without looking further.
  m.eyes = {{rules.blink_ear_threshold, 5, 0.05, 0.1}};
  EXPECT_FALSE(Score(m, Info(), rules, {}).eyes_closed);
  // The edge threshold is configurable.
  rules.blink_open_edge_ratio = 0.8;
  m.eyes = {{0.22, 5, 0.18, 0.7}};
  EXPECT_TRUE(Score(m, Info(), rules, {}).eyes_closed);
}

TEST(ScoreTest, ContributionsAddUpToTheAggregateAndWeightsTo100) {
  model::QualityRules rules;
  auto s = Score(Daylight(), Info(), rules, {});
  ASSERT_TRUE(s.scored);
  double weights = 0, contributions = 0;
  for (const auto& d : s.dimensions) weights += d.weight, contributions += d.contribution;
  EXPECT_NEAR(weights, 100, 0.05);
  EXPECT_NEAR(contributions, s.aggregate, 0.02);
  EXPECT_GT(s.aggregate, 6);
  EXPECT_LE(s.aggregate, 10);
  // The sentence is in words, not configuration names ("dynamic range", "a landscape").
  EXPECT_EQ(s.sentence.rfind(fmt::format("Scored {:.1f} as a", s.aggregate), 0), 0u) << s.sentence;
  EXPECT_EQ(s.sentence.find('_'), std::string::npos) << s.sentence;
  // No face: face_sharpness is left out and its weight spread over the others.
  for (const auto& d : s.dimensions) EXPECT_NE(d.name, "face_sharpness");
}

TEST(ScoreTest, WorseMeasuresScoreLower) {
  model::QualityRules rules;
  model::QualityMetrics good = Daylight(), blurred = good;
  blurred.sharpness = 90;
  EXPECT_LT(Score(blurred, Info(), rules, {}).aggregate, Score(good, Info(), rules, {}).aggregate);
  model::QualityMetrics dark = good;
  dark.mean_luminance = 0.2;
  dark.highlight_level = 0.45;  // underexposed: the top of the range stays empty
  EXPECT_LT(Score(dark, Info(), rules, {}).aggregate, Score(good, Info(), rules, {}).aggregate);
  EXPECT_LT(Score(good, Info(800, 600), rules, {}).aggregate, Score(good, Info(), rules, {}).aggregate);
}

double PenaltyPoints(const model::QualityScore& s, const std::string& name) {
  for (const auto& p : s.penalties) {
    if (p.name == name) return p.points;
  }
  return 0;
}

TEST(ScoreTest, CompressionPenaltyGrowsWithBlockiness) {
  model::QualityRules rules;
  model::QualityMetrics m = Daylight();
  m.blockiness = 1.1;  // below 1.2: not visible
  EXPECT_EQ(PenaltyPoints(Score(m, Info(), rules, {}), "compression"), 0);
  m.blockiness = 1.45;  // (1.45 - 1.2) * 2
  EXPECT_NEAR(PenaltyPoints(Score(m, Info(), rules, {}), "compression"), 0.5, 1e-9);
  m.blockiness = 2.2;
  EXPECT_NEAR(PenaltyPoints(Score(m, Info(), rules, {}), "compression"), 2.0, 1e-9);
  m.blockiness = 5;  // capped
  EXPECT_NEAR(PenaltyPoints(Score(m, Info(), rules, {}), "compression"), 2.5, 1e-9);
}

TEST(ScoreTest, PosterizedTonesArePenalised) {
  model::QualityRules rules;
  model::QualityMetrics m = Daylight();
  m.posterized_percent = 3;
  auto clean = Score(m, Info(), rules, {});
  EXPECT_EQ(PenaltyPoints(clean, "posterization"), 0);
  m.posterized_percent = 37.5;  // what pushing an 8-bit picture by +1.5 EV leaves: capped at 2
  auto pushed = Score(m, Info(), rules, {});
  EXPECT_NEAR(PenaltyPoints(pushed, "posterization"), 1.95, 1e-9);
  EXPECT_LT(pushed.aggregate, clean.aggregate);
}

TEST(ScoreTest, BlownHighlightsCostMoreExposureThanCrushedShadows) {
  model::QualityRules rules;
  model::QualityMetrics blown = Daylight(), crushed = Daylight();
  blown.highlight_clip_percent = 8;
  crushed.shadow_clip_percent = 8;
  double clean = Measure("exposure", Daylight(), Info(), "others", rules).goodness;
  double b = Measure("exposure", blown, Info(), "others", rules).goodness;
  double c = Measure("exposure", crushed, Info(), "others", rules).goodness;
  EXPECT_NEAR(clean - b, 0.48, 1e-9);
  EXPECT_NEAR(clean - c, 0.24, 1e-9);
}

TEST(ScoreTest, HalvingTheSideCostsTheSameResolutionScoreAtAnySize) {
  model::QualityRules rules;
  auto goodness = [&](int w, int h) { return Measure("resolution", Daylight(), Info(w, h), "others", rules).goodness; };
  EXPECT_GT(goodness(1600, 1000), goodness(800, 500));
  EXPECT_NEAR(goodness(4000, 3000), std::log2(13), 1e-9);
}

TEST(ScoreTest, UnmeasuredImageIsNotScored) { EXPECT_FALSE(Score({}, Info(), {}, {}).scored); }

TEST(ScoreTest, IsoCompensationSoftensTheSharpnessJudgement) {
  model::QualityRules rules;
  model::ImageInfo info = Info();
  info.iso = 3200;  // two doublings above 800: x1.5
  EXPECT_NEAR(Measure("sharpness", Daylight(), info, "others", rules).raw, 1350, 1e-9);
  rules.iso_sharpness_compensation = false;
  EXPECT_NEAR(Measure("sharpness", Daylight(), info, "others", rules).raw, 900, 1e-9);
}

}  // namespace
}  // namespace triage::quality
