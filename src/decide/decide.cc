// The routing policy. Each rule is a small function returning a decision when it applies.
#include "decide/decide.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace triage::decide {
namespace {

using model::Decision;
using model::Destination;
using model::Face;
using model::MatchKind;

Decision ToReview(std::string category, std::string code, std::string text, std::string suggestion = "") {
  Decision d;
  d.destination = Destination::kReview;
  d.category = std::move(category);
  d.person = std::move(suggestion);
  d.reasons.push_back({std::move(code), std::move(text)});
  return d;
}

// A share as a whole percentage ("60%").
std::string Percent(double share) { return fmt::format("{:.0f}%", 100 * share); }

// `share`, below `bound`, with as many decimals as it takes not to read as the bound: 0.5997 against 0.6 is "59.97%",
// not "60%".
std::string PercentBelow(double share, double bound) {
  for (int decimals = 0; decimals < 4; ++decimals) {
    const std::string shown = fmt::format("{:.{}f}%", 100 * share, decimals);
    if (shown != fmt::format("{:.{}f}%", 100 * bound, decimals)) return shown;
  }
  return fmt::format("{:.4f}%", 100 * share);
}

bool Contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// The face that decides: the only one, or (when the multiple-faces check is off) the largest.
const Face& SubjectFace(const std::vector<Face>& faces) {
  return *std::max_element(faces.begin(), faces.end(), [](const Face& a, const Face& b) {
    return a.box.width * a.box.height < b.box.width * b.box.height;
  });
}

}  // namespace

Decision ExactDuplicateDecision(int64_t of, const std::string& path) {
  const std::string text = path.empty()
                               ? fmt::format("An identical file (same SHA-256) is already item {}.", of)
                               : fmt::format("An identical file (same SHA-256) is already item {}: {}.", of, path);
  Decision d = ToReview("duplicates", "duplicate_sha256", text);
  d.duplicate_of = of;
  return d;
}

namespace {

std::optional<Decision> CheckDuplicates(const model::Policy& policy, const model::CatalogFacts& facts) {
  if (policy.check_exact_duplicates && facts.exact_duplicate_of) {
    return ExactDuplicateDecision(*facts.exact_duplicate_of, facts.exact_duplicate_path);
  }
  if (policy.check_near_duplicates && facts.near_duplicate_of) {
    // The picture, not the hash, is what a reviewer compares: the check confirmed the same picture resized,
    // re-encoded, slightly cropped, rotated or brightened.
    const std::string text =
        facts.near_duplicate_path.empty()
            ? fmt::format("The same picture as item {} (perceptual hash {} bits apart).", *facts.near_duplicate_of,
                          facts.near_duplicate_distance)
            : fmt::format("The same picture as item {}: {} (resized, re-encoded, cropped, rotated or brightened).",
                          *facts.near_duplicate_of, facts.near_duplicate_path);
    Decision d = ToReview("near_duplicates", "near_duplicate", text);
    d.duplicate_of = facts.near_duplicate_of;
    return d;
  }
  return std::nullopt;
}

// One person cannot be in a photo twice: two faces known as the same person mean one of them is someone else (a
// sibling, a twin, a poster). Never silently sorted; a person decides.
std::optional<Decision> CheckSamePersonTwice(const model::Analysis& a, const model::Policy& policy) {
  for (size_t i = 0; i < a.faces.size(); ++i) {
    if (ClassifyMatch(a.faces[i].match, policy) == MatchKind::kUnknown) continue;
    for (size_t j = i + 1; j < a.faces.size(); ++j) {
      if (a.faces[j].match.person == a.faces[i].match.person &&
          ClassifyMatch(a.faces[j].match, policy) != MatchKind::kUnknown) {
        return ToReview("multiple_faces", "same_person_twice",
                        fmt::format("Two faces look like {}; one person cannot be in a photo twice.",
                                    policy.NameOf(a.faces[i].match.person)),
                        a.faces[i].match.person);
      }
    }
  }
  return std::nullopt;
}

std::optional<Decision> CheckFaceCount(const model::Analysis& a, const model::Policy& policy) {
  if (!a.faces_analysed) {
    std::string why = a.face_error.empty() ? "Face recognition is off." : "Face analysis failed: " + a.face_error + ".";
    return ToReview("unidentified", "faces_not_analysed", why + " Nobody was identified.");
  }
  if (a.faces.empty() && a.untracked_faces > 0) {
    return ToReview("unidentified", "only_untracked_faces",
                    fmt::format("A reviewer marked every face ({}) as nobody tracked.", a.untracked_faces));
  }
  if (a.faces.empty()) return ToReview("unidentified", "no_faces_detected", "No face was detected.");
  if (policy.route_multiple_faces && static_cast<int>(a.faces.size()) > policy.max_faces_per_image) {
    // Faces a reviewer marked as nobody tracked are out of the count, and the sentence says so.
    const std::string text =
        a.untracked_faces > 0
            ? fmt::format(
                  "{} faces were detected, {} marked as nobody tracked; the other {} are more than the {} that "
                  "may be auto-sorted.",
                  a.faces.size() + a.untracked_faces, a.untracked_faces, a.faces.size(), policy.max_faces_per_image)
            : fmt::format("{} faces were detected; at most {} may be auto-sorted.", a.faces.size(),
                          policy.max_faces_per_image);
    return ToReview("multiple_faces", "multiple_faces", text);
  }
  return CheckSamePersonTwice(a, policy);
}

std::optional<Decision> CheckPerson(const Face& face, const model::Policy& policy) {
  const model::FaceMatch& m = face.match;
  const MatchKind kind = ClassifyMatch(m, policy);
  const std::string& name = policy.NameOf(m.person);
  if (kind == MatchKind::kUnknown) {
    // The distance means something only beside the one a match must be within.
    std::string text = m.person.empty() ? "The face matches nobody enrolled."
                                        : fmt::format(
                                              "The face matches nobody enrolled (closest: {}, distance {:.2f}; "
                                              "a match is within {:.2f}).",
                                              name, m.distance, policy.match_distance);
    return ToReview("unidentified", "unknown_person", text, m.person);
  }
  if (policy.route_unwanted_person && Contains(policy.blacklist, m.person)) {
    return ToReview("unwanted_person", "blacklisted_person", fmt::format("{} is on the blacklist.", name), m.person);
  }
  if (!policy.whitelist.empty() && !Contains(policy.whitelist, m.person)) {
    return ToReview("unidentified", "not_in_whitelist", fmt::format("{} is not on the whitelist.", name), m.person);
  }
  if (policy.route_low_confidence && kind == MatchKind::kLowConfidence) {
    return ToReview("low_confidence", "low_confidence",
                    fmt::format("Probably {}, but the confidence {} is below the minimum {}.", name,
                                PercentBelow(m.confidence, policy.min_confidence), Percent(policy.min_confidence)),
                    m.person);
  }
  return std::nullopt;
}

// A photo allowed several faces (thresholds.max_faces_per_image above 1, or the multiple-faces check off) is filed by
// its largest face; a blacklisted person beside it still sends the photo to review: nobody wants it filed under
// someone else with an unwanted person in it.
std::optional<Decision> CheckUnwantedBeside(const model::Analysis& a, const model::Policy& policy) {
  if (!policy.route_unwanted_person || a.faces.size() < 2) return std::nullopt;
  for (const Face& f : a.faces) {
    if (ClassifyMatch(f.match, policy) == MatchKind::kUnknown || !Contains(policy.blacklist, f.match.person)) continue;
    return ToReview("unwanted_person", "blacklisted_person",
                    fmt::format("{} is in the photo and on the blacklist.", policy.NameOf(f.match.person)),
                    f.match.person);
  }
  return std::nullopt;
}

// Quality rules (review_categories.low_quality): too small, too low an aggregate, closed eyes.
std::optional<Decision> CheckQuality(const model::Analysis& a, const model::Policy& policy, const std::string& person) {
  if (!policy.route_low_quality) return std::nullopt;
  const std::string who = person.empty() ? "" : policy.NameOf(person) + " was recognised, but ";
  if ((policy.min_width > 0 && a.info.width < policy.min_width) ||
      (policy.min_height > 0 && a.info.height < policy.min_height)) {
    return ToReview("low_quality", "too_small",
                    fmt::format("{}the image is {}x{} pixels, smaller than the minimum {}x{}.", who, a.info.width,
                                a.info.height, policy.min_width, policy.min_height),
                    person);
  }
  // A line or a dot has no sharpness, exposure or score to pass the rules with: it does not pass them unmeasured.
  if (!a.quality_error.empty()) {
    return ToReview("low_quality", "not_measured",
                    fmt::format("{}its quality could not be measured: {}.", who, a.quality_error), person);
  }
  if (policy.min_aggregate > 0 && a.quality.scored && a.quality.aggregate < policy.min_aggregate) {
    return ToReview("low_quality", "low_score",
                    fmt::format("{}its quality score {:.1f} is below the minimum {:.1f} ({}).", who,
                                a.quality.aggregate, policy.min_aggregate, a.quality.sentence),
                    person);
  }
  if (policy.route_eyes_closed && a.quality.eyes_closed) {
    return ToReview("low_quality", "eyes_closed", fmt::format("{}someone's eyes are closed.", who), person);
  }
  return std::nullopt;
}

// Nobody enrolled is in the photo: no face was found (or looked for), or every face is a stranger.
bool WithoutTrackedPerson(const model::Analysis& a, const model::Policy& policy) {
  return std::all_of(a.faces.begin(), a.faces.end(),
                     [&](const Face& f) { return ClassifyMatch(f.match, policy) == MatchKind::kUnknown; });
}

std::optional<Decision> CheckPhotoWithoutPerson(const model::Analysis& a, const model::Policy& policy) {
  if (!policy.photos_to_library || !policy.auto_sort_enabled || !WithoutTrackedPerson(a, policy)) return std::nullopt;
  if (auto d = CheckQuality(a, policy, "")) return d;
  Decision d;
  d.destination = Destination::kLibrary;
  d.library_folder = model::PhotoMonthFolder(a.info.taken_at);
  std::string score =
      a.quality.scored ? fmt::format(" (quality {:.1f}, {})", a.quality.aggregate, a.quality.category) : "";
  d.reasons.push_back({"no_tracked_person", fmt::format("No enrolled person is in the photo and it passes the quality "
                                                        "rules{}; kept in photos/{}.",
                                                        score, d.library_folder)});
  return d;
}

}  // namespace

MatchKind ClassifyMatch(const model::FaceMatch& match, const model::Policy& policy) {
  if (match.person.empty() || match.distance > policy.match_distance) return MatchKind::kUnknown;
  if (match.confidence < policy.min_confidence) return MatchKind::kLowConfidence;
  return MatchKind::kKnown;
}

Decision Decide(const model::Analysis& a, const model::Policy& policy, const model::CatalogFacts& facts) {
  if (!a.readable) {
    // The unreadable category cannot be switched off: an undecodable file has nowhere else to go.
    return ToReview("unreadable", "unreadable", "The image cannot be decoded: " + a.unreadable_reason + ".");
  }
  if (auto d = CheckDuplicates(policy, facts)) return *d;
  if (auto d = CheckPhotoWithoutPerson(a, policy)) return *d;
  if (auto d = CheckFaceCount(a, policy)) return *d;
  if (auto d = CheckUnwantedBeside(a, policy)) return *d;
  const Face& face = SubjectFace(a.faces);
  if (auto d = CheckPerson(face, policy)) return *d;
  const std::string& person = face.match.person;
  if (policy.route_low_quality && policy.min_sharpness > 0 && a.sharpness < policy.min_sharpness) {
    return ToReview(
        "low_quality", "low_quality",
        fmt::format("{} was recognised, but the image is blurry (sharpness measure {:.0f}, below the minimum {:.0f}).",
                    policy.NameOf(person), a.sharpness, policy.min_sharpness),
        person);
  }
  if (auto d = CheckQuality(a, policy, person)) return *d;
  if (!policy.auto_sort_enabled) {
    return ToReview("low_confidence", "auto_sort_paused",
                    fmt::format("Auto-sorting is paused; recognised as {} ({:.0f}%).", policy.NameOf(person),
                                100 * face.match.confidence),
                    person);
  }
  Decision d;
  d.destination = Destination::kLibrary;
  d.person = person;
  d.reasons.push_back(
      {"known_person", fmt::format("Recognised {} with {:.0f}% confidence (distance {:.2f}).", policy.NameOf(person),
                                   100 * face.match.confidence, face.match.distance)});
  return d;
}

void CreditNaming(model::Decision& decision, const std::string& actor, const model::Policy& policy) {
  for (model::Reason& r : decision.reasons) {
    if (r.code != "known_person") continue;
    r.code = "named_person";
    r.text = fmt::format("Named {} by {}.", policy.NameOf(decision.person), actor);
  }
}

model::CatalogFacts StandingFacts(model::CatalogFacts stored, const std::optional<int64_t>& duplicate_of,
                                  const std::string& category) {
  if (duplicate_of && !model::IsDuplicateCategory(category)) {
    stored.exact_duplicate_of.reset();
    stored.near_duplicate_of.reset();
  }
  return stored;
}

}  // namespace triage::decide
