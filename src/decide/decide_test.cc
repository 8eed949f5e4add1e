// Specification of the routing policy, one rule per case, in the seed's order of precedence.
#include "decide/decide.h"

#include <gtest/gtest.h>

namespace triage::decide {
namespace {

using model::Analysis;
using model::CatalogFacts;
using model::Decision;
using model::Destination;
using model::Face;
using model::MatchKind;
using model::Policy;

Face FaceOf(const std::string& person, MatchKind kind, double confidence, float size = 100) {
  Face f;
  f.box = {0, 0, size, size};
  // faces/ reports only the nearest person, the distance and the confidence; `kind` picks a distance on the
  // matching side of the default match_distance (0.6) and decide judges it.
  f.match.person = person;
  f.match.distance = kind == MatchKind::kUnknown ? 0.8 : 0.4;
  f.match.confidence = confidence;
  return f;
}

Analysis WithFaces(std::vector<Face> faces) {
  Analysis a;
  a.readable = true;
  a.faces_analysed = true;
  a.faces = std::move(faces);
  a.sharpness = 500;
  return a;
}

struct Case {
  std::string name;
  Analysis analysis;
  Policy policy;
  CatalogFacts facts;
  std::string category;  // "" = library
  std::string code;
  std::string person;
};

std::vector<Case> Cases() {
  Face alice = FaceOf("alice", MatchKind::kKnown, 0.9);
  Policy base;
  Policy blacklist_alice = base;
  blacklist_alice.blacklist = {"alice"};
  Policy whitelist_bob = base;
  whitelist_bob.whitelist = {"bob"};
  Policy both = base;
  both.blacklist = {"alice"};
  both.whitelist = {"bob"};
  Policy paused = base;
  paused.auto_sort_enabled = false;
  Policy no_dups = base;
  no_dups.check_exact_duplicates = false;
  no_dups.check_near_duplicates = false;
  Policy multi_off = base;
  multi_off.route_multiple_faces = false;
  Policy sharp = base;
  sharp.min_sharpness = 1000;
  Policy strict = base;
  strict.min_confidence = 0.95;
  Analysis unreadable;
  unreadable.unreadable_reason = "truncated JPEG";
  Analysis not_analysed = WithFaces({});
  not_analysed.faces_analysed = false;
  CatalogFacts dup{42, std::nullopt, 0, "", ""};
  CatalogFacts near{std::nullopt, 7, 3, "", ""};
  Policy big = base;
  big.min_width = 1000;
  big.min_height = 800;
  Policy demanding = base;
  demanding.min_aggregate = 6;
  Policy eyes_off = base;
  eyes_off.route_eyes_closed = false;
  Policy photos = base;
  photos.photos_to_library = true;
  Policy photos_demanding = demanding;
  photos_demanding.photos_to_library = true;
  Analysis weak = WithFaces({alice});
  weak.quality.scored = true;
  weak.quality.aggregate = 4.2;
  Analysis blinking = WithFaces({alice});
  blinking.quality.eyes_closed = true;
  Analysis landscape = WithFaces({});
  landscape.quality.scored = true;
  landscape.quality.aggregate = 7;
  Analysis weak_landscape = landscape;
  weak_landscape.quality.aggregate = 3;
  Analysis stranger = WithFaces({FaceOf("carol", MatchKind::kUnknown, 0.2)});
  Analysis bystanders = WithFaces({});
  bystanders.untracked_faces = 3;
  Analysis line = WithFaces({});  // 3000 x 1: no measure can be taken on it
  line.quality_error = "an image of 3000x1 pixels is too small to measure";
  return {
      {"a line cannot pass the quality rules unmeasured", line, photos, {}, "low_quality", "not_measured", ""},
      {"every face marked as nobody tracked", bystanders, base, {}, "unidentified", "only_untracked_faces", ""},
      {"every face marked as nobody tracked, photos to the library",
       bystanders,
       photos,
       {},
       "",
       "no_tracked_person",
       ""},
      {"smaller than the minimum size", WithFaces({alice}), big, {}, "low_quality", "too_small", "alice"},
      {"aggregate below the minimum", weak, demanding, {}, "low_quality", "low_score", "alice"},
      {"aggregate check off by default", weak, base, {}, "", "known_person", "alice"},
      {"eyes closed", blinking, base, {}, "low_quality", "eyes_closed", "alice"},
      {"eyes-closed check switched off", blinking, eyes_off, {}, "", "known_person", "alice"},
      {"photo without a person stays in review by default",
       landscape,
       base,
       {},
       "unidentified",
       "no_faces_detected",
       ""},
      {"photo without a person to the library", landscape, photos, {}, "", "no_tracked_person", ""},
      {"strangers only count as without a person", stranger, photos, {}, "", "no_tracked_person", ""},
      {"known person is not a photo without a person", WithFaces({alice}), photos, {}, "", "known_person", "alice"},
      {"weak photo without a person goes to review",
       weak_landscape,
       photos_demanding,
       {},
       "low_quality",
       "low_score",
       ""},
      {"duplicates come before the photos rule", landscape, photos, dup, "duplicates", "duplicate_sha256", ""},
      {"known person goes to the library", WithFaces({alice}), base, {}, "", "known_person", "alice"},
      {"unreadable", unreadable, base, dup, "unreadable", "unreadable", ""},
      {"exact duplicate wins over a known face", WithFaces({alice}), base, dup, "duplicates", "duplicate_sha256", ""},
      {"near duplicate", WithFaces({alice}), base, near, "near_duplicates", "near_duplicate", ""},
      {"duplicate checks off: treated as new", WithFaces({alice}), no_dups, dup, "", "known_person", "alice"},
      {"no face", WithFaces({}), base, {}, "unidentified", "no_faces_detected", ""},
      {"faces not analysed", not_analysed, base, {}, "unidentified", "faces_not_analysed", ""},
      {"two faces",
       WithFaces({alice, FaceOf("bob", MatchKind::kKnown, 0.9)}),
       base,
       {},
       "multiple_faces",
       "multiple_faces",
       ""},
      {"multiple-faces check off: largest face decides",
       WithFaces({FaceOf("bob", MatchKind::kKnown, 0.9, 50), alice}),
       multi_off,
       {},
       "",
       "known_person",
       "alice"},
      {"blacklisted", WithFaces({alice}), blacklist_alice, {}, "unwanted_person", "blacklisted_person", "alice"},
      {"blacklist takes precedence over whitelist",
       WithFaces({alice}),
       both,
       {},
       "unwanted_person",
       "blacklisted_person",
       "alice"},
      {"not in whitelist", WithFaces({alice}), whitelist_bob, {}, "unidentified", "not_in_whitelist", "alice"},
      {"unknown face suggests the closest person",
       WithFaces({FaceOf("carol", MatchKind::kUnknown, 0.2)}),
       base,
       {},
       "unidentified",
       "unknown_person",
       "carol"},
      {"low confidence",
       WithFaces({FaceOf("alice", MatchKind::kLowConfidence, 0.5)}),
       base,
       {},
       "low_confidence",
       "low_confidence",
       "alice"},
      {"confidence below a stricter minimum",
       WithFaces({alice}),
       strict,
       {},
       "low_confidence",
       "low_confidence",
       "alice"},
      {"blurry", WithFaces({alice}), sharp, {}, "low_quality", "low_quality", "alice"},
      {"auto-sort paused", WithFaces({alice}), paused, {}, "low_confidence", "auto_sort_paused", "alice"},
  };
}

TEST(DecideTest, RoutesEveryCaseByTheSeedOrder) {
  for (const Case& c : Cases()) {
    model::Decision d = Decide(c.analysis, c.policy, c.facts);
    EXPECT_EQ(d.category, c.category) << c.name;
    EXPECT_EQ(d.destination, c.category.empty() ? Destination::kLibrary : Destination::kReview) << c.name;
    ASSERT_FALSE(d.reasons.empty()) << c.name;
    EXPECT_EQ(d.reasons.front().code, c.code) << c.name;
    EXPECT_FALSE(d.Summary().empty()) << c.name;
    EXPECT_EQ(d.person, c.person) << c.name;
  }
}

TEST(DecideTest, PhotosWithoutPeopleGoToTheirCaptureMonth) {
  Policy p;
  p.photos_to_library = true;
  Analysis a = WithFaces({});
  a.info.taken_at = "2019-05-01T12:00:00";
  EXPECT_EQ(Decide(a, p, {}).library_folder, "2019/05");
  a.info.taken_at = "";
  EXPECT_EQ(Decide(a, p, {}).library_folder, "undated");
  a.info.taken_at = "garbage";
  EXPECT_EQ(Decide(a, p, {}).library_folder, "undated");
  EXPECT_EQ(Decide(WithFaces({FaceOf("alice", MatchKind::kKnown, 0.9)}), p, {}).library_folder, "");
}

TEST(DecideTest, PhotoMonthFolderReadsIsoAndExifDatesAndRefusesImpossibleMonths) {
  EXPECT_EQ(model::PhotoMonthFolder("2019:05:01 12:00:00"), "2019/05");  // EXIF's own format
  EXPECT_EQ(model::PhotoMonthFolder("2024-12"), "2024/12");
  EXPECT_EQ(model::PhotoMonthFolder("2019-13-01"), "undated");
  EXPECT_EQ(model::PhotoMonthFolder("2019-00-01"), "undated");
  EXPECT_EQ(model::PhotoMonthFolder("0000:00:00 00:00:00"), "undated");  // cameras without a clock
  EXPECT_EQ(model::PhotoMonthFolder("2019-5-1"), "undated");
  EXPECT_EQ(model::PhotoMonthFolder("2024:02:30 10:00:00"), "undated");  // a day February does not have
  EXPECT_EQ(model::PhotoMonthFolder("2024-02-29T10:00:00"), "2024/02");
  EXPECT_EQ(model::PhotoMonthFolder("20190501"), "undated");
}

TEST(DecideTest, DuplicatesLinkToTheItemTheyMatch) {
  Analysis a = WithFaces({});
  EXPECT_EQ(Decide(a, {}, {42, std::nullopt, 0, "", ""}).duplicate_of, 42);
  EXPECT_EQ(Decide(a, {}, {std::nullopt, 7, 2, "", ""}).duplicate_of, 7);
  EXPECT_FALSE(Decide(a, {}, {}).duplicate_of.has_value());
}

// A reviewer compares pictures, not ids or hash bits: the reason names where the matched item was.
TEST(DecideTest, DuplicateReasonsNameWhereTheMatchedItemIs) {
  Analysis a = WithFaces({});
  CatalogFacts exact{42, std::nullopt, 0, "faces/ada/beach.jpg", ""};
  EXPECT_EQ(Decide(a, {}, exact).reasons.at(0).text,
            "An identical file (same SHA-256) is already item 42: faces/ada/beach.jpg.");
  CatalogFacts near{std::nullopt, 7, 3, "", "review/unidentified/IMG_0001.jpg"};
  EXPECT_EQ(Decide(a, {}, near).reasons.at(0).text,
            "The same picture as item 7: review/unidentified/IMG_0001.jpg (resized, re-encoded, cropped, rotated or "
            "brightened).");
  // Analyses stored before the paths were kept still read as a sentence.
  EXPECT_EQ(Decide(a, {}, {std::nullopt, 7, 3, "", ""}).reasons.at(0).text,
            "The same picture as item 7 (perceptual hash 3 bits apart).");
}

TEST(DecideTest, ClassifyMatchAppliesBothThresholds) {
  Policy p;
  p.match_distance = 0.5;
  p.min_confidence = 0.7;
  model::FaceMatch m;
  EXPECT_EQ(ClassifyMatch(m, p), MatchKind::kUnknown);  // nobody enrolled
  m.person = "alice";
  m.distance = 0.55;
  m.confidence = 0.9;
  EXPECT_EQ(ClassifyMatch(m, p), MatchKind::kUnknown);  // beyond match_distance
  m.distance = 0.45;
  EXPECT_EQ(ClassifyMatch(m, p), MatchKind::kKnown);
  m.confidence = 0.65;
  EXPECT_EQ(ClassifyMatch(m, p), MatchKind::kLowConfidence);
}

// The match decision lives in decide alone: a face stored with its distance routes differently when only the
// policy's match_distance changes (nothing in faces/ has to run again).
TEST(DecideTest, MatchDistanceFromThePolicyDecides) {
  Analysis a = WithFaces({FaceOf("alice", MatchKind::kKnown, 0.9)});
  a.faces[0].match.distance = 0.55;
  Policy wide;
  wide.match_distance = 0.6;
  Policy narrow;
  narrow.match_distance = 0.5;
  EXPECT_EQ(Decide(a, wide, {}).destination, Destination::kLibrary);
  model::Decision d = Decide(a, narrow, {});
  EXPECT_EQ(d.category, "unidentified");
  EXPECT_EQ(d.reasons.front().code, "unknown_person");
}

TEST(DecideTest, OnePersonTwiceInAPhotoGoesToReview) {
  Policy group;
  group.max_faces_per_image = 5;
  Analysis twice = WithFaces({FaceOf("alice", MatchKind::kKnown, 0.9), FaceOf("bob", MatchKind::kKnown, 0.9),
                              FaceOf("alice", MatchKind::kKnown, 0.8)});
  model::Decision d = Decide(twice, group, {});
  EXPECT_EQ(d.destination, Destination::kReview);
  EXPECT_EQ(d.category, "multiple_faces");
  EXPECT_EQ(d.reasons.front().code, "same_person_twice");
  EXPECT_EQ(d.person, "alice");
  // A stranger nearest to the same person is no second alice.
  Analysis stranger = WithFaces({FaceOf("alice", MatchKind::kKnown, 0.9), FaceOf("alice", MatchKind::kUnknown, 0.2)});
  EXPECT_EQ(Decide(stranger, group, {}).destination, Destination::kLibrary);
}

// With several faces allowed, the largest face files the photo, but a blacklisted person anywhere in it sends it to
// review (a stranger merely nearest to them does not).
TEST(DecideTest, ABlacklistedPersonBesideTheLargestFaceSendsTheGroupToReview) {
  Policy group;
  group.max_faces_per_image = 5;
  group.blacklist = {"penny"};
  Analysis a = WithFaces({FaceOf("sheldon", MatchKind::kKnown, 0.9, 200), FaceOf("penny", MatchKind::kKnown, 0.8, 90)});
  Decision d = Decide(a, group, {});
  EXPECT_EQ(d.destination, Destination::kReview);
  EXPECT_EQ(d.category, "unwanted_person");
  EXPECT_EQ(d.reasons.front().code, "blacklisted_person");
  EXPECT_EQ(d.reasons.front().text, "penny is in the photo and on the blacklist.");
  EXPECT_EQ(d.person, "penny");
  Analysis stranger =
      WithFaces({FaceOf("sheldon", MatchKind::kKnown, 0.9, 200), FaceOf("penny", MatchKind::kUnknown, 0.2, 90)});
  d = Decide(stranger, group, {});
  EXPECT_EQ(d.destination, Destination::kLibrary);
  EXPECT_EQ(d.person, "sheldon");
  Policy off = group;
  off.route_unwanted_person = false;  // review_categories.unwanted_person off: the largest face decides, as before
  EXPECT_EQ(Decide(a, off, {}).person, "sheldon");
}

TEST(DecideTest, FacesMarkedNobodyTrackedAreCountedApartInTheSentence) {
  Analysis a = WithFaces({FaceOf("alice", MatchKind::kKnown, 0.9), FaceOf("bob", MatchKind::kKnown, 0.9, 80)});
  a.untracked_faces = 1;
  Decision d = Decide(a, Policy(), CatalogFacts());
  EXPECT_EQ(d.category, "multiple_faces");
  EXPECT_EQ(d.reasons.front().text,
            "3 faces were detected, 1 marked as nobody tracked; the other 2 are more than the 1 that may be "
            "auto-sorted.");
  a.untracked_faces = 0;
  EXPECT_EQ(Decide(a, Policy(), CatalogFacts()).reasons.front().text,
            "2 faces were detected; at most 1 may be auto-sorted.");
}

TEST(DecideTest, ReasonsSpeakOfPersonsAsTheirNamesAreWrittenAndRouteByFolderName) {
  Policy policy;
  policy.person_names = {{"sheldon_cooper", "Sheldon Cooper"}, {"zoe_nunez", "Zoë Núñez"}};
  Decision known = Decide(WithFaces({FaceOf("sheldon_cooper", MatchKind::kKnown, 0.9)}), policy, {});
  EXPECT_EQ(known.person, "sheldon_cooper");  // the folder: faces/sheldon_cooper/
  EXPECT_EQ(known.reasons.front().text, "Recognised Sheldon Cooper with 90% confidence (distance 0.40).");
  CreditNaming(known, "alice", policy);
  EXPECT_EQ(known.reasons.front().text, "Named Sheldon Cooper by alice.");

  Decision unknown = Decide(WithFaces({FaceOf("zoe_nunez", MatchKind::kUnknown, 0.1)}), policy, {});
  EXPECT_EQ(unknown.category, "unidentified");
  EXPECT_EQ(unknown.person, "zoe_nunez");
  EXPECT_EQ(unknown.reasons.front().text,
            "The face matches nobody enrolled (closest: Zoë Núñez, distance 0.80; a match is within 0.60).");

  Policy blacklisted = policy;
  blacklisted.blacklist = {"sheldon_cooper"};
  EXPECT_EQ(Decide(WithFaces({FaceOf("sheldon_cooper", MatchKind::kKnown, 0.9)}), blacklisted, {}).reasons[0].text,
            "Sheldon Cooper is on the blacklist.");
  // A person without a written name of their own is spoken of by the folder name.
  EXPECT_EQ(Decide(WithFaces({FaceOf("alice", MatchKind::kKnown, 0.5)}), policy, {}).reasons[0].text,
            "Probably alice, but the confidence 50% is below the minimum 60%.");
  // A confidence just under the minimum never reads as the minimum itself.
  EXPECT_EQ(Decide(WithFaces({FaceOf("alice", MatchKind::kKnown, 0.5997)}), policy, {}).reasons[0].text,
            "Probably alice, but the confidence 59.97% is below the minimum 60%.");
}

TEST(DecideTest, SameInputSameDecision) {
  for (const Case& c : Cases()) {
    EXPECT_EQ(Decide(c.analysis, c.policy, c.facts).Summary(), Decide(c.analysis, c.policy, c.facts).Summary());
  }
}

}  // namespace
}  // namespace triage::decide
