// Specification of bursts and duplicate groups on fixture sequences: capture times as EXIF gives them, pHashes,
// scores.
#include "quality/groups.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace triage::quality {
namespace {

using model::GroupCandidate;

constexpr uint64_t kBase = 0x9a3c5e7f10243b6dULL;

// A photo taken at `taken` ("2024-06-01T10:00:00.25"), its pHash `flip` bits away from kBase.
GroupCandidate Photo(int64_t id, const std::string& taken, int flip, double aggregate, std::string sha = "") {
  GroupCandidate c;
  c.id = id;
  c.taken_at_ms = model::CaptureTimeMs(taken);
  c.has_phash = true;
  c.phash = kBase ^ ((flip >= 64 ? ~0ULL : ((1ULL << flip) - 1)));
  c.sha256 = sha.empty() ? "sha" + std::to_string(id) : sha;
  c.scored = true;
  c.aggregate = aggregate;
  c.sharpness = aggregate;
  c.composition = aggregate;
  return c;
}

// `c` as ingest stores it since signatures exist: judged by the near-duplicate check, which found it to duplicate
// `duplicate_of` (if given).
GroupCandidate Verified(GroupCandidate c, std::optional<int64_t> duplicate_of = std::nullopt) {
  c.has_signature = true;
  c.duplicate_of = duplicate_of;
  return c;
}

std::vector<int64_t> Ids(const model::ItemGroup& g) {
  std::vector<int64_t> out;
  for (const auto& m : g.members) out.push_back(m.item_id);
  return out;
}

TEST(CaptureTimeTest, ReadsExifTimesWithSubSeconds) {
  EXPECT_EQ(model::CaptureTimeMs("1970-01-01T00:00:01"), 1000);
  EXPECT_EQ(model::CaptureTimeMs("1970-01-02T00:00:00.25"), 86'400'000 + 250);
  EXPECT_EQ(*model::CaptureTimeMs("2024-03-01T00:00:00") - *model::CaptureTimeMs("2024-02-28T00:00:00"),
            2 * 86'400'000);  // a leap year
  EXPECT_FALSE(model::CaptureTimeMs(""));
  EXPECT_FALSE(model::CaptureTimeMs("2024:06:01 10:00:00"));
  EXPECT_FALSE(model::CaptureTimeMs("2024-13-01T10:00:00"));
  // A day the month does not have is no time (it was read as the next month's first days).
  EXPECT_FALSE(model::CaptureTimeMs("2024-02-30T10:00:00"));
  EXPECT_FALSE(model::CaptureTimeMs("2023-02-29T10:00:00"));
  EXPECT_FALSE(model::CaptureTimeMs("2024-04-31T10:00:00"));
  EXPECT_TRUE(model::CaptureTimeMs("2024-02-29T10:00:00"));
  EXPECT_TRUE(model::CaptureTimeMs("2000-02-29T10:00:00"));
  EXPECT_FALSE(model::CaptureTimeMs("1900-02-29T10:00:00"));
}

TEST(BurstTest, FramesSecondsApartWithSimilarHashesAreOneBurstLedByTheBestFrame) {
  model::GroupingRules rules;
  std::vector<GroupCandidate> shoot = {
      Photo(1, "2024-06-01T10:00:00.00", 2, 6.0), Photo(2, "2024-06-01T10:00:01.50", 4, 7.5),
      Photo(3, "2024-06-01T10:00:03.00", 6, 6.5), Photo(4, "2024-06-01T10:00:20.00", 8, 5.0),
      // 10 minutes later: a new scene, alone.
      Photo(5, "2024-06-01T10:10:00.00", 3, 9.0)};
  auto bursts = FindBursts(shoot, rules);
  ASSERT_EQ(bursts.size(), 1u);
  const model::ItemGroup& b = bursts[0];
  EXPECT_EQ(b.id, 1);
  EXPECT_EQ(b.lead(), 2);
  EXPECT_EQ(Ids(b), (std::vector<int64_t>{2, 3, 1, 4}));
  EXPECT_TRUE(b.members[0].lead);
  EXPECT_EQ(b.members[0].relation, "lead");
  EXPECT_EQ(b.members[1].relation, "burst_frame");
  EXPECT_NEAR(b.members[0].rank_score, BurstScore(shoot[1], rules), 1e-9);
  EXPECT_NE(b.why.find("best of 4 frames"), std::string::npos) << b.why;
  EXPECT_NE(b.why.find("next best #3"), std::string::npos) << b.why;
}

// Two frames whose burst scores read alike to one decimal are told apart to two ("8.3 ... next best scores 8.3" read
// as a tie the lead had won by chance).
TEST(BurstTest, BurstScoresThatReadAlikeToOneDecimalAreGivenToTwo) {
  model::GroupingRules rules;
  std::vector<GroupCandidate> shoot = {Photo(1, "2024-06-01T10:00:00.00", 2, 7.02),
                                       Photo(2, "2024-06-01T10:00:01.00", 3, 7.0)};
  auto bursts = FindBursts(shoot, rules);
  ASSERT_EQ(bursts.size(), 1u);
  const std::string best = fmt::format("{:.2f}", bursts[0].members[0].rank_score);
  const std::string next = fmt::format("{:.2f}", bursts[0].members[1].rank_score);
  ASSERT_NE(best, next);
  ASSERT_EQ(fmt::format("{:.1f}", bursts[0].members[0].rank_score),
            fmt::format("{:.1f}", bursts[0].members[1].rank_score));
  EXPECT_NE(bursts[0].why.find("burst score " + best + " ("), std::string::npos) << bursts[0].why;
  EXPECT_NE(bursts[0].why.find("next best #2 scores " + next), std::string::npos) << bursts[0].why;
}

// Two different pictures stamped with the same time to the hundredth (two stock photos of one event, two cameras)
// were one "burst", and "best of burst only" hid one of them.
TEST(BurstTest, DissimilarPhotosAtTheSameSubSecondAreNoBurstButFramesOfOneSecondStillAre) {
  model::GroupingRules rules;
  EXPECT_TRUE(
      FindBursts({Photo(1, "2010-05-10T10:04:01.75", 0, 5), Photo(2, "2010-05-10T10:04:01.75", 28, 6)}, rules).empty());
  // Alike, the same instant is a burst (or the same frame twice, which the duplicate groups tell).
  EXPECT_EQ(
      FindBursts({Photo(1, "2010-05-10T10:04:01.75", 0, 5), Photo(2, "2010-05-10T10:04:01.75", 4, 6)}, rules).size(),
      1u);
  // Times in whole seconds: frames of one second share the stamp, so the rapid rule holds whatever they show.
  EXPECT_EQ(FindBursts({Photo(1, "2010-05-10T10:04:01", 0, 5), Photo(2, "2010-05-10T10:04:01", 28, 6)}, rules).size(),
            1u);
  // 10 ms apart is two frames of one camera: the rapid rule holds.
  EXPECT_EQ(
      FindBursts({Photo(1, "2010-05-10T10:04:01.75", 0, 5), Photo(2, "2010-05-10T10:04:01.76", 28, 6)}, rules).size(),
      1u);
}

TEST(BurstTest, DissimilarFramesSplitUnlessTakenWithinTheRapidInterval) {
  model::GroupingRules rules;  // 70 % = 19 bits, rapid 0.4 s, window 0.8 min
  std::vector<GroupCandidate> shoot = {
      Photo(1, "2024-06-01T10:00:00.00", 0, 5), Photo(2, "2024-06-01T10:00:00.30", 40, 5),  // rapid: joins
      Photo(3, "2024-06-01T10:00:05.00", 0, 5),    // 4.7 s after #2, 40 bits from it: a new burst starts
      Photo(4, "2024-06-01T10:00:10.00", 10, 5),   // similar to #3
      Photo(5, "2024-06-01T10:01:00.00", 10, 5)};  // identical hash to #4 but 50 s later: beyond the window
  auto bursts = FindBursts(shoot, rules);
  ASSERT_EQ(bursts.size(), 2u);
  EXPECT_EQ(bursts[0].id, 1);
  EXPECT_EQ(bursts[0].members.size(), 2u);
  EXPECT_EQ(bursts[1].id, 3);
  EXPECT_EQ(bursts[1].members.size(), 2u);
}

// Two photographers at one event: a frame another camera took in the same seconds joined a burst (in whole seconds
// the rapid rule takes anything) and, between its frames, split it in two.
TEST(BurstTest, AnotherCamerasPhotoNeitherJoinsNorSplitsABurst) {
  model::GroupingRules rules;
  auto from = [](GroupCandidate c, const std::string& camera) {
    c.camera = camera;
    return c;
  };
  std::vector<GroupCandidate> event = {
      from(Photo(1, "2020-05-05T10:00:00", 0, 5), "SONY NEX-3N"),
      from(Photo(2, "2020-05-05T10:00:01", 2, 6), "SONY NEX-3N"),
      from(Photo(3, "2020-05-05T10:00:01", 28, 7), "PENTAX K-7"),  // another picture, the same second
      from(Photo(4, "2020-05-05T10:00:02", 3, 5), "SONY NEX-3N"),
      from(Photo(5, "2020-05-05T10:00:03", 4, 5), "SONY NEX-3N")};
  auto bursts = FindBursts(event, rules);
  ASSERT_EQ(bursts.size(), 1u);
  std::vector<int64_t> ids = Ids(bursts[0]);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 4, 5}));
  // One camera's frames still make a burst when the other camera's are many.
  event.push_back(from(Photo(6, "2020-05-05T10:00:02", 28, 7), "PENTAX K-7"));
  bursts = FindBursts(event, rules);
  ASSERT_EQ(bursts.size(), 2u);
  for (const auto& b : bursts) EXPECT_EQ(b.members.size(), b.id == 1 ? 4u : 2u) << b.id;
}

TEST(BurstTest, ClosedEyesCostTheLeadAndUndatedPhotosAndExactCopiesAreNoFrames) {
  model::GroupingRules rules;
  GroupCandidate blink = Photo(1, "2024-06-01T10:00:00", 1, 7.0);
  blink.eyes_closed = true;
  GroupCandidate open = Photo(2, "2024-06-01T10:00:01", 1, 6.5);
  GroupCandidate copy = Photo(3, "2024-06-01T10:00:01", 1, 6.5, open.sha256);
  GroupCandidate undated = Photo(4, "", 1, 9.0);
  auto bursts = FindBursts({blink, open, copy, undated}, rules);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(Ids(bursts[0]), (std::vector<int64_t>{2, 1}));
  EXPECT_NE(bursts[0].why.find("eyes open"), std::string::npos);
}

TEST(DuplicateGroupTest, CloseHashesJoinTransitivelyAndTheBestScoredLeads) {
  model::GroupingRules rules;  // 90 % = 6 bits
  std::vector<GroupCandidate> library = {
      Photo(1, "2020-01-01T10:00:00", 0, 5.0), Photo(2, "2021-05-01T10:00:00", 4, 8.0),  // 4 bits from #1
      Photo(3, "2022-05-01T10:00:00", 9, 6.0),           // 5 bits from #2, 9 from #1: joins through #2
      Photo(4, "2023-05-01T10:00:00", 20, 9.5),          // far from all
      Photo(5, "2019-01-01T10:00:00", 0, 4.0, "sha1")};  // the same bytes as #1
  auto groups = FindDuplicateGroups(library, rules);
  ASSERT_EQ(groups.size(), 1u);
  const model::ItemGroup& g = groups[0];
  EXPECT_EQ(g.kind, model::GroupKind::kDuplicate);
  EXPECT_EQ(g.id, 1);
  EXPECT_EQ(g.lead(), 2);
  EXPECT_EQ(Ids(g), (std::vector<int64_t>{2, 3, 1, 5}));
  EXPECT_EQ(g.members[2].relation, "near_duplicate");
  EXPECT_EQ(g.members[2].distance, 4);
  EXPECT_NE(g.why.find("highest aggregate of 4 photos: 8.0"), std::string::npos) << g.why;
}

TEST(DuplicateGroupTest, ExactCopiesAreMarkedAndBurstFramesAreNotDuplicates) {
  model::GroupingRules rules;
  std::vector<GroupCandidate> library = {Photo(1, "2024-06-01T10:00:00", 0, 5.0),
                                         Photo(2, "2024-06-01T10:00:02", 1, 6.0),           // a burst pair
                                         Photo(3, "2024-06-01T10:00:00", 0, 5.0, "sha1")};  // a copy of #1
  auto groups = FindDuplicateGroups(library, rules);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(Ids(groups[0]), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(groups[0].members[1].relation, "exact_copy");
  EXPECT_NE(groups[0].why.find("oldest of 2 photos scoring 5.0 alike"), std::string::npos) << groups[0].why;
  auto bursts = FindBursts(library, rules);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(Ids(bursts[0]), (std::vector<int64_t>{2, 1}));
}

// Photos that carry a signature were judged by the near-duplicate check at ingest: groups follow its verdicts
// (duplicate_of) and exact copies, not the pHash alone, which joins smooth look-alikes.
TEST(DuplicateGroupTest, PhotosWithSignaturesAreGroupedByTheVerdictsOfIngest) {
  model::GroupingRules rules;
  std::vector<GroupCandidate> library = {
      Verified(Photo(1, "2020-01-01T10:00:00", 0, 5.0)),
      Verified(Photo(2, "2021-01-01T10:00:00", 0, 6.0)),          // a look-alike: 0 bits from #1, no verdict
      Verified(Photo(3, "2022-01-01T10:00:00", 12, 7.0), 1),      // a crop of #1: 12 bits away, found by the check
      Verified(Photo(4, "2023-01-01T10:00:00", 0, 4.0, "sha1")),  // the same bytes as #1
      Verified(Photo(5, "2024-06-01T10:00:00", 30, 5.0)),
      Verified(Photo(6, "2024-06-01T10:00:02", 31, 6.0), 5),  // a frame of #5's burst: a burst, not a duplicate
      Photo(7, "2019-01-01T10:00:00", 40, 3.0),               // stored before signatures: its pHash joins it
      Verified(Photo(8, "2018-01-01T10:00:00", 41, 2.0))};    // to #8, one bit away
  auto groups = FindDuplicateGroups(library, rules);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(Ids(groups[0]), (std::vector<int64_t>{3, 1, 4}));
  EXPECT_EQ(groups[0].members[1].relation, "near_duplicate");
  EXPECT_EQ(groups[0].members[2].relation, "near_duplicate");
  EXPECT_EQ(Ids(groups[1]), (std::vector<int64_t>{7, 8}));
  // The same from a seed: #3 reaches #1 through its verdict, and #4 through its bytes.
  std::vector<int64_t> seeds = {3};
  auto seeded = FindDuplicateGroups(library, rules, &seeds);
  ASSERT_EQ(seeded.size(), 1u);
  EXPECT_EQ(Ids(seeded[0]), (std::vector<int64_t>{3, 1, 4}));
  EXPECT_FALSE(DuplicateLink(library[0], library[1], rules));
  EXPECT_TRUE(DuplicateLink(library[0], library[3], rules));
}

// A smaller or re-encoded copy keeps its original's capture time: the pair ingest linked at the same instant is a
// duplicate group and no burst, while a linked frame taken 2 s later stays a burst frame.
TEST(DuplicateGroupTest, ACopyAtTheSameInstantIsADuplicateNotABurstFrame) {
  model::GroupingRules rules;
  std::vector<GroupCandidate> shoot = {
      Verified(Photo(1, "2024-06-01T10:00:00.30", 0, 6.0)),
      Verified(Photo(2, "2024-06-01T10:00:00.30", 3, 5.0), 1),  // a half-size copy of #1
      Verified(Photo(3, "2024-06-01T10:00:00", 2, 5.5), 1),     // a copy that lost the sub-seconds
      Verified(Photo(4, "2024-06-01T10:00:02.10", 4, 7.0), 1),  // the next frame, judged alike by the check
      Verified(Photo(5, "2024-06-01T10:00:03.00", 5, 6.5))};
  auto groups = FindDuplicateGroups(shoot, rules);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(Ids(groups[0]), (std::vector<int64_t>{1, 3, 2}));
  auto bursts = FindBursts(shoot, rules);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(Ids(bursts[0]), (std::vector<int64_t>{4, 5, 1}));
  for (const auto& m : bursts[0].members) EXPECT_NE(m.item_id, 2);
}

TEST(CaptureTimeTest, OneInstantToTheSubSecondWhenBothStateIt) {
  const int64_t t = *model::CaptureTimeMs("2024-06-01T10:00:00.30");
  EXPECT_TRUE(model::SameCaptureInstant(t, t));
  EXPECT_FALSE(model::SameCaptureInstant(t, t + 100));
  EXPECT_TRUE(model::SameCaptureInstant(t, *model::CaptureTimeMs("2024-06-01T10:00:00")));  // sub-seconds lost
  EXPECT_FALSE(model::SameCaptureInstant(t, *model::CaptureTimeMs("2024-06-01T10:00:01")));
  EXPECT_FALSE(model::DifferentShots(t, std::nullopt));
  EXPECT_TRUE(model::DifferentShots(t, t + 1000));
  EXPECT_FALSE(model::DifferentShots(model::CaptureTimeMs("1969-12-31T23:59:59.50"),
                                     model::CaptureTimeMs("1969-12-31T23:59:59")));
}

// A frame taken at .00 states its sub-seconds as much as one taken at .30: read from the milliseconds alone, it was a
// time whose file had lost them, so that ingest filed every other frame of that second as its near duplicate.
TEST(CaptureTimeTest, AFrameAtWholeSecondsStatesItsSubSecondsToo) {
  EXPECT_TRUE(model::DifferentShots("2024-06-01T10:00:00.00", "2024-06-01T10:00:00.30"));
  EXPECT_TRUE(model::DifferentShots("2024-06-01T10:00:00.30", "2024-06-01T10:00:00.00"));
  EXPECT_FALSE(model::DifferentShots("2024-06-01T10:00:00.30", "2024-06-01T10:00:00.30"));
  EXPECT_FALSE(model::DifferentShots("2024-06-01T10:00:00.00", "2024-06-01T10:00:00")) << "a copy lost them";
  EXPECT_FALSE(model::DifferentShots("2024-06-01T10:00:00", "2024-06-01T10:00:00.30")) << "a copy lost them";
  EXPECT_TRUE(model::DifferentShots("2024-06-01T10:00:00", "2024-06-01T10:00:01"));
  EXPECT_FALSE(model::DifferentShots("", "2024-06-01T10:00:01")) << "unknown: no evidence either way";
  EXPECT_FALSE(model::DifferentShots("2024-06-01T10:00:00.", "2024-06-01T10:00:00.45")) << "a point alone states none";
}

// A visibly soft frame does not lead its burst because its composition measured higher (a blurred frame read 10.0
// against the sharp frame's 4.3, 12 px apart, and "best of burst only" showed the blurred one).
TEST(BurstTest, AFrameMuchSofterThanTheSharpestNeverLeads) {
  model::GroupingRules rules;
  GroupCandidate blurred = Photo(1, "2024-06-01T10:00:00.00", 0, 5.5);
  blurred.sharpness = 1.8;
  blurred.composition = 10.0;
  GroupCandidate sharp = Photo(2, "2024-06-01T10:00:00.25", 1, 6.2);
  sharp.sharpness = 6.9;
  sharp.composition = 4.3;
  GroupCandidate softer = Photo(3, "2024-06-01T10:00:00.50", 2, 6.0);
  softer.sharpness = 5.5;  // within 2 points of the sharpest: may lead on its burst score
  softer.composition = 5.0;
  ASSERT_GT(BurstScore(blurred, rules), BurstScore(sharp, rules)) << "the case: the blurred frame scores higher";
  auto bursts = FindBursts({blurred, sharp, softer}, rules);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(Ids(bursts[0]), (std::vector<int64_t>{2, 3, 1}));
  EXPECT_NE(bursts[0].why.find("#1 scores"), std::string::npos) << bursts[0].why;
  EXPECT_NE(bursts[0].why.find("more than 2 points softer than the sharpest frame"), std::string::npos)
      << bursts[0].why;
  // Within 2 points, the burst score decides as the seed's weights say.
  softer.sharpness = 6.0;
  softer.composition = 9.0;
  bursts = FindBursts({blurred, sharp, softer}, rules);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].lead(), 3);
}

TEST(DuplicateGroupTest, SeedsLimitTheWorkToTheirOwnGroups) {
  model::GroupingRules rules;
  std::vector<GroupCandidate> library = {Photo(1, "", 0, 5), Photo(2, "", 1, 6), Photo(3, "", 40, 5),
                                         Photo(4, "", 41, 5)};
  std::vector<int64_t> seeds = {3};
  auto groups = FindDuplicateGroups(library, rules, &seeds);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].id, 3);
  EXPECT_EQ(FindDuplicateGroups(library, rules).size(), 2u);
}

}  // namespace
}  // namespace triage::quality
