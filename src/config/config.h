// The library's configuration (DIR/triage.json): loaded once, validated strictly, handed out in slices.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/ip_network.h"
#include "base/status.h"
#include "model/decision.h"
#include "model/groups.h"
#include "model/quality.h"

namespace triage::config {

namespace fs = std::filesystem;

// Where things live, relative to the library root unless absolute.
struct Directories {
  std::string inbox = "inbox";
  std::string faces = "faces";
  std::string review = "review";
  std::string photos = "photos";  // kept without a person: <photos>/<yyyy>/<mm>/
};

// Limits for `ingest URL`.
struct DownloadLimits {
  int64_t max_bytes = 200'000'000;        // bytes, 1 KB .. 100 GB
  int64_t connect_timeout_ms = 10'000;    // 100 .. 600000
  int64_t total_timeout_ms = 300'000;     // 1000 .. 86400000
  int64_t low_speed_timeout_ms = 30'000;  // abort when slower than 1 KB/s this long; 1000 .. 3600000
  int max_redirects = 5;                  // 0 .. 20
  // Special-use networks (loopback, private, link-local, ...) downloads may reach anyway, e.g. the owner's LAN;
  // "downloads.allow_private": ["192.168.1.0/24"]. Default: none (the URL guard refuses them all).
  std::vector<base::IpNetwork> allow_private;
};

// How images are analysed.
struct AnalysisOptions {
  bool faces = true;                   // detect/recognise faces; off: every image lacks a person
  bool quality = true;                 // quality measures (decodes at least 1024 px); off: no score
  int decode_max_side_px = 1600;       // decoded raster's long side when faces are on; 64 .. 8192
  int64_t max_pixels = 250'000'000;    // larger images are unreadable (decompression bombs)
  int threads = 0;                     // analysis threads; 0 = one per core
  std::string detector = "blazeface";  // "blazeface" or "hog"
  // The narrowest face looked for, px of the decoded raster (decode_max_side_px): BlazeFace tiles the image when the
  // whole-image pass cannot see faces this small; narrower boxes are ignored. 12 .. 4096 ("thresholds.min_face_size")
  int min_face_size_px = 32;
  double min_detection_confidence = 0.65;
  // Tiles look for faces down to max(min_face_size_px, this share of the raster's long side): 0.025 keeps 40 px at
  // 1600 px and spares larger rasters faces that are a tiny share of the picture. 0 .. 0.09
  // ("thresholds.min_face_fraction"; 0 = min_face_size_px alone)
  double min_face_fraction = 0.025;
};

// How files given by path and the inbox's files are taken.
struct IntakeOptions {
  int settle_ms = 500;  // a file is taken once its size and mtime were still this long; 0 .. 600000
  // The inbox watcher holds back a file that looks cut short (an empty placeholder, a JPEG without its end marker)
  // until it was last written this long ago (source::InboxWatcher); 0 .. 86400, 0: never held back.
  int hold_incomplete_s = 120;
};

struct ReviewOptions {
  int trash_retention_days = 30;     // rejected images are purged from .triage/trash after this; 1 .. 3650
  bool learn_from_approvals = true;  // approving a single-face image adds the face to the person's references
};

// How unknown faces are grouped into clusters a person names once (faces/cluster_model.h).
struct FaceClusteringOptions {
  bool enabled = true;            // cluster each committed photo's faces
  double cluster_distance = 0.5;  // embedding distance within which faces are neighbours; 0.1 .. 2
  int min_faces = 3;              // good faces within the distance (itself included) that make a core face; 2 .. 100
  int min_face_size_px = 50;      // shorter box side a face needs to seed a cluster; 8 .. 4096
  double min_detection_score = 0.75;   // detection score a face needs to seed a cluster; 0 .. 1
  int max_references_per_person = 10;  // faces naming a cluster enrols as references (the best first); 1 .. 100
};

// Proposals of another image for a slot ("proposals" in triage.json). Scores are quality aggregates on 0..100.
struct ProposalOptions {
  bool auto_approve = false;           // approve pending proposals at or above auto_approve_threshold without flags
  double auto_approve_threshold = 90;  // 0 .. 100
  bool auto_deny = false;              // deny pending proposals below auto_deny_threshold
  double auto_deny_threshold = 40;     // 0 .. 100
  int min_width = 800;                 // px; a smaller image is never proposed; 0 .. 100000
  int min_height = 600;                // px; 0 .. 100000
  int flag_threshold = 3;              // flags on an image before it gets a proposal; 1 .. 1000
  double upvote_weight = 1.0;          // community score = up * upvote + down * downvote + flags * flag; -10 .. 10
  double downvote_weight = -1.5;
  double flag_weight = -3.0;
  int stale_proposal_days = 30;  // pending proposals older than this are archived by a sweep; 1 .. 3650
  // Minutes between the passes of the workflows `triage serve` runs (as `triage propose` does); 0 = none, fractions
  // allowed; 0 .. 10080. The server's stale sweep runs at start and then daily whatever this is.
  double schedule_minutes = 60;
};

// The public voting page ("votes" in triage.json).
struct VoteOptions {
  int max_per_minute_per_session = 30;   // votes and flags per anonymous session; 1 .. 100000
  int max_per_minute_per_address = 120;  // votes and flags per client address; 1 .. 100000
};

// Where the catalog lives.
struct CatalogOptions {
  // "sqlite:" (the default: <library>/.triage/catalog.db), "sqlite:PATH" (relative to the library unless absolute)
  // or "postgresql://[user[:password]@][host][:port]/dbname[?param=value...]" (a libpq URL; a password is better kept
  // in ~/.pgpass than here). `--catalog URL` and $TRIAGE_CATALOG override it.
  std::string url = "sqlite:";
};

struct Config {
  fs::path library;  // absolute library root
  Directories directories;
  model::Policy policy;
  int near_duplicate_max_distance = 6;  // bits of 64; 0 .. 32
  AnalysisOptions analysis;
  DownloadLimits downloads;
  ReviewOptions review;
  IntakeOptions intake;
  FaceClusteringOptions face_clustering;
  ProposalOptions proposals;
  VoteOptions votes;
  model::QualityRules quality;    // "quality": scoring thresholds, penalties, normalisation, weights
  model::GroupingRules grouping;  // "burst_detection", "burst_scoring", "duplicate_detection"
  CatalogOptions catalog;
  nlohmann::json json;   // the validated document, defaults filled in
  uint64_t version = 0;  // ConfigStore's snapshot number: changes whenever the config does

  fs::path InboxDir() const;
  fs::path FacesDir() const;
  fs::path ReviewDir() const;
  fs::path PhotosDir() const;  // kept without a person
  fs::path StateDir() const { return library / ".triage"; }
  fs::path ConfigPath() const { return library / "triage.json"; }
  // Where a decision puts the image: faces/<person>, photos/<yyyy>/<mm> or review/<category>.
  fs::path FolderFor(const model::Decision& d) const;
};

// The document written by `init`, every key at its default.
nlohmann::json DefaultConfigJson();

// Checks `doc` against the schema: unknown keys, wrong types and out-of-range values are kInvalidArgument
// with a message naming the key and what is allowed ("thresholds.min_confidence: must be a number from 0 to 1").
base::Status ValidateConfigJson(const nlohmann::json& doc);

// Builds a Config from a validated document (defaults for what is absent).
base::Result<Config> ConfigFromJson(const fs::path& library, const nlohmann::json& doc);

// Reads and validates DIR/triage.json. kNotFound when DIR is not a library (no triage.json).
base::Result<Config> LoadConfig(const fs::path& library);

// Validates and writes `doc` durably to DIR/triage.json.
base::Status SaveConfigJson(const fs::path& library, const nlohmann::json& doc);

// kInvalidArgument naming the accepted forms unless `url` is a catalog URL (see CatalogOptions).
base::Status CheckCatalogUrl(const std::string& url);

// The file of a "sqlite:" catalog URL: "sqlite:" is <library>/.triage/catalog.db, "sqlite:PATH" PATH (relative to
// the library unless absolute). Empty for any other URL.
fs::path SqliteCatalogFile(const std::string& url, const fs::path& library);

// The longest person folder name (a name is also a folder, and file systems refuse names past 255 bytes).
inline constexpr size_t kMaxPersonNameLength = 100;

// Person folder name by the library's rule: spaces around the name dropped, lowercase, spaces and dashes to '_',
// only [a-z0-9_].
// kInvalidArgument for names with '/', "..", NUL or control characters, nothing left after the rule, or more than
// kMaxPersonNameLength characters left.
base::Result<std::string> SanitizePersonName(const std::string& name);

// How a person's name is shown: as typed ("Bernadette Rostenkowski"), with the spaces around it dropped and every
// run of spaces made one. "" when that is `folder_name` itself. It may differ from the folder name only in how it is
// written (capitals, spaces, dashes, punctuation): kInvalidArgument when SanitizePersonName refuses it or makes
// another folder name of it.
base::Result<std::string> PersonDisplayName(const std::string& typed, const std::string& folder_name);

}  // namespace triage::config
