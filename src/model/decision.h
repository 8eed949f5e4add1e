// What an image is (Analysis), what the catalog knows about it (CatalogFacts), the rules (Policy),
// and where it goes and why (Decision). Plain values shared by decide/, pipeline/, catalog/ and the UIs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/face.h"
#include "model/image.h"

namespace triage::model {

// The review categories, in the order routing checks them. Their names are folder names and API values.
inline const std::vector<std::string>& ReviewCategories() {
  static const std::vector<std::string> kCategories = {
      "duplicates",     "near_duplicates", "unidentified", "low_confidence",
      "multiple_faces", "unwanted_person", "low_quality",  "unreadable"};
  return kCategories;
}
bool IsReviewCategory(const std::string& name);

struct Fingerprint {
  std::string sha256;       // hex
  int64_t size_bytes = 0;
  uint64_t phash = 0;         // 64-bit DCT hash of the whole image; valid when has_phash
  uint64_t phash_center = 0;  // the same hash of the central 95% (per side): finds crops of either image
  bool has_phash = false;
};

// Everything the analyse stage learnt about one image.
struct Analysis {
  Fingerprint fingerprint;
  bool readable = false;
  std::string unreadable_reason;   // decoder's message when !readable
  ImageInfo info;
  bool faces_analysed = false;     // false when face analysis is off or failed
  std::string face_error;          // why face analysis failed, if it did
  std::vector<Face> faces;
  double sharpness = 0;            // variance of the Laplacian on the decoded raster
  double exposure = 0;             // mean luminance 0..1
};

// What the catalog says about the image, looked up just before deciding.
struct CatalogFacts {
  std::optional<int64_t> exact_duplicate_of;   // item id with the same SHA-256
  std::optional<int64_t> near_duplicate_of;    // nearest item within the pHash distance
  int near_duplicate_distance = 0;
};

// The routing rules, from config. Each check can be switched off (see README "Review categories");
// unidentified and unreadable cannot: such images have nowhere else to go.
struct Policy {
  bool auto_sort_enabled = true;          // false: everything goes to review (paused)
  bool check_exact_duplicates = true;     // deduplication.check_hash && review_categories.duplicates
  bool check_near_duplicates = true;      // review_categories.near_duplicates
  bool route_low_confidence = true;
  bool route_multiple_faces = true;
  bool route_unwanted_person = true;
  bool route_low_quality = true;
  double min_confidence = 0.6;
  double match_distance = 0.6;             // embedding distance within which a face may be a known person
  int max_faces_per_image = 1;
  double min_sharpness = 0;                // 0 = quality check off
  std::vector<std::string> whitelist;      // empty = everyone wanted
  std::vector<std::string> blacklist;
};

// An item's analysis as stored with it: what decide() needs to route the image again (faces without embeddings
// or landmarks, which the faces table holds) and the catalog facts as they were when it was decided.
// `triage explain` and policy simulation replay decide() on it without decoding anything.
struct StoredAnalysis {
  static constexpr int kVersion = 1;   // bump when the stored shape changes; older versions are read as far as known
  int version = kVersion;             // 0: the stored form could not be read (damaged); never replayed
  Analysis analysis;
  CatalogFacts facts;
};

struct Reason {
  std::string code;   // stable machine code: duplicate_sha256, near_duplicate, no_faces_detected, ...
  std::string text;   // a sentence for people
};

enum class Destination { kLibrary, kReview };

struct Decision {
  Destination destination = Destination::kReview;
  std::string category;                 // review category, or "" for the library
  std::string person;                   // library person, or the suggestion for review
  std::optional<int64_t> duplicate_of;  // item an exact or near duplicate matches
  std::vector<Reason> reasons;
  // One sentence joining the reasons' texts.
  std::string Summary() const;
};

const char* DestinationName(Destination d);

}  // namespace triage::model
