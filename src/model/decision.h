// What an image is (Analysis), what the catalog knows about it (CatalogFacts), the rules (Policy),
// and where it goes and why (Decision). Plain values shared by decide/, pipeline/, catalog/ and the UIs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/face.h"
#include "model/image.h"
#include "model/quality.h"

namespace triage::model {

// The review categories, in the order routing checks them. Their names are folder names and API values.
inline const std::vector<std::string>& ReviewCategories() {
  static const std::vector<std::string> kCategories = {"duplicates",     "near_duplicates", "unidentified",
                                                       "low_confidence", "multiple_faces",  "unwanted_person",
                                                       "low_quality",    "unreadable"};
  return kCategories;
}
bool IsReviewCategory(const std::string& name);
// The two categories where a copy waits to be decided as a duplicate of another photo (keep new, existing or both).
inline bool IsDuplicateCategory(const std::string& category) {
  return category == "duplicates" || category == "near_duplicates";
}
// Where a photo no longer stands for its picture: deleted (the trash) or replaced by the photo of an approved
// proposal (the archive). A copy waiting as its duplicate is then a photo of its own, decided like any other: kept in
// its original's place, it would land in the trash or the archive.
inline bool LeftTheLibrary(const std::string& location) { return location == "trash" || location == "archive"; }
// Ok for no category ("": no filter) or a review category; otherwise kInvalidArgument naming the value and the
// categories there are. Every filter on a review category (CLI and API) checks with this: a typo would otherwise list
// nothing, as if the category were empty.
base::Status CheckReviewCategory(const std::string& category);

struct Fingerprint {
  std::string sha256;  // hex
  int64_t size_bytes = 0;
  uint64_t phash = 0;         // 64-bit DCT hash of the whole image; valid when has_phash
  uint64_t phash_center = 0;  // the same hash of the central 95% (per side): finds crops of either image
  bool has_phash = false;
  // A small picture of the image (vision/near_duplicate_check.h, about 5 KB) that verifies near-duplicate candidates
  // without decoding the original again; empty for items stored before it existed. Stored with the item, not in
  // the stored analysis.
  std::vector<uint8_t> signature = {};
};

// Everything the analyse stage learnt about one image.
struct Analysis {
  Fingerprint fingerprint;
  bool readable = false;
  std::string unreadable_reason;  // decoder's message when !readable
  ImageInfo info;
  bool faces_analysed = false;  // false when face analysis is off or failed
  std::string face_error;       // why face analysis failed, if it did
  std::string quality_error;    // why the quality measures asked for could not be taken (a line, a dot), if so
  std::vector<Face> faces;
  int untracked_faces = 0;  // faces a reviewer marked as nobody tracked, left out of `faces` (never stored)
  double sharpness = 0;     // variance of the Laplacian on the working raster (= metrics.sharpness)
  double exposure = 0;      // mean luminance 0..1
  QualityMetrics metrics;   // every quality measure (vision::MeasureQuality)
  QualityScore quality;     // metrics scored under the rules and reference in force (quality::Score)
};

// What the catalog says about the image, looked up just before deciding.
struct CatalogFacts {
  std::optional<int64_t> exact_duplicate_of;  // item id with the same SHA-256
  std::optional<int64_t> near_duplicate_of;   // nearest item within the pHash distance
  int near_duplicate_distance = 0;
  // Where those items were when the image was decided (library-relative), for the reason a reviewer reads; "" when
  // not known (analyses stored before these were kept).
  std::string exact_duplicate_path;
  std::string near_duplicate_path;
};

// The routing rules, from config. Each check can be switched off (see README "Review categories");
// unidentified and unreadable cannot: such images have nowhere else to go.
struct Policy {
  bool auto_sort_enabled = true;       // false: everything goes to review (paused)
  bool check_exact_duplicates = true;  // deduplication.check_hash && review_categories.duplicates
  bool check_near_duplicates = true;   // review_categories.near_duplicates
  bool route_low_confidence = true;
  bool route_multiple_faces = true;
  bool route_unwanted_person = true;
  bool route_low_quality = true;
  double min_confidence = 0.6;
  double match_distance = 0.6;  // embedding distance within which a face may be a known person
  int max_faces_per_image = 1;
  double min_sharpness = 0;  // 0 = quality check off
  int min_width = 0;         // pixels; smaller images go to review/low_quality (too_small); 0 = off
  int min_height = 0;
  double min_aggregate = 0;            // quality aggregate 0..10 below which -> low_quality (low_score); 0 = off
  bool route_eyes_closed = true;       // closed eyes -> low_quality (eyes_closed)
  bool photos_to_library = false;      // routing.photos_without_people = "library": photos/<yyyy>/<mm>
  std::vector<std::string> whitelist;  // empty = everyone wanted
  std::vector<std::string> blacklist;
  // How reasons speak of persons: folder name -> the name as written ("sheldon_cooper" -> "Sheldon Cooper"), from the
  // catalog (catalog::PolicyWithNames); a person missing here is spoken of by the folder name. Routing ignores it.
  std::map<std::string, std::string> person_names;
  const std::string& NameOf(const std::string& person) const {
    auto it = person_names.find(person);
    return it == person_names.end() ? person : it->second;
  }
};

// An item's analysis as stored with it: what decide() needs to route the image again (faces without embeddings
// or landmarks, which the faces table holds) and the catalog facts as they were when it was decided.
// `triage explain` and policy simulation replay decide() on it without decoding anything.
struct StoredAnalysis {
  // Bump when the stored shape changes; older versions are read as far as known. 2: quality metrics and score.
  static constexpr int kVersion = 2;
  int version = kVersion;  // 0: the stored form could not be read (damaged); never replayed
  Analysis analysis;
  CatalogFacts facts;
};

struct Reason {
  std::string code;  // stable machine code: duplicate_sha256, near_duplicate, no_faces_detected, ...
  std::string text;  // a sentence for people
};

enum class Destination { kLibrary, kReview };

struct Decision {
  Destination destination = Destination::kReview;
  std::string category;                 // review category, or "" for the library
  std::string person;                   // library person, or the suggestion for review
  std::optional<int64_t> duplicate_of;  // item an exact or near duplicate matches
  std::string library_folder;           // library photo without a person: "<yyyy>/<mm>" or "undated" under
                                        // directories.photos (see PhotoMonthFolder); else ""
  std::vector<Reason> reasons;
  // One sentence joining the reasons' texts.
  std::string Summary() const;
};

// Where a photo kept without a person goes under directories.photos, from its capture date ("2019-05-01T12:00:00" ->
// "2019/05"); "undated" when it has no readable date. The one rule for intake (decide) and a reviewer's "keep".
std::string PhotoMonthFolder(const std::string& taken_at);

const char* DestinationName(Destination d);

}  // namespace triage::model
