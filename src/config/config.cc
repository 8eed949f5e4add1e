// Config loading and strict validation against a schema of key -> type and range.
#include "config/config.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "base/files.h"
#include "base/text.h"
#include "base/url_text.h"
#include "base/utf8.h"
#include "config/config_json.h"
#include "config/grouping_config.h"
#include "config/quality_config.h"
#include "model/json_text.h"

namespace triage::config {
namespace {

using nlohmann::json;

constexpr double kMinScheduleMinutes = 0.05;  // proposals.schedule_minutes other than 0

enum class Kind { kBool, kInt, kNumber, kString, kStringList, kCidrList, kObject };

struct KeySpec {
  KeySpec(Kind k = Kind::kObject, double lo = 0, double hi = 0, std::vector<std::string> options = {})
      : kind(k), min(lo), max(hi), choices(std::move(options)) {}
  Kind kind;
  double min;
  double max;
  std::vector<std::string> choices;  // for kString, when not empty
};

const std::map<std::string, KeySpec>& Schema() {
  static const std::map<std::string, KeySpec> kSchema = [] {
    std::map<std::string, KeySpec> s;
    for (const char* obj :
         {"directories", "thresholds", "deduplication", "review_categories", "downloads", "analysis", "review",
          "auto_sort", "intake", "quality", "routing", "face_clustering", "proposals", "votes", "catalog"}) {
      s[obj] = {Kind::kObject};
    }
    s["directories.inbox"] = s["directories.faces"] = s["directories.review"] = {Kind::kString};
    s["directories.photos"] = {Kind::kString};  // "keep, no person": <photos>/<yyyy>/<mm>/
    s["whitelist"] = s["blacklist"] = {Kind::kStringList};
    s["thresholds.min_confidence"] = {Kind::kNumber, 0, 1};
    s["thresholds.max_faces_per_image"] = {Kind::kInt, 1, 100};
    s["thresholds.match_distance"] = {Kind::kNumber, 0.1, 2};
    // The smallest face looked for (px of the analysed raster). BlazeFace needs a face 24 px wide in its input and
    // tiles magnify at most 2x (vision/face_tiles.h), so nothing narrower than 12 px can be found.
    s["thresholds.min_face_size"] = {Kind::kInt, 12, 4096};
    // Tiles look for faces down to max(min_face_size, this share of the raster's long side); 0 = min_face_size only.
    // Above 24/256 (the whole-image pass's reach) tiles never run, so larger values would only hide that.
    s["thresholds.min_face_fraction"] = {Kind::kNumber, 0, 0.09};
    s["thresholds.min_detection_confidence"] = {Kind::kNumber, 0, 1};
    s["thresholds.min_sharpness"] = {Kind::kNumber, 0, 100000};
    s["deduplication.check_hash"] = {Kind::kBool};
    s["deduplication.near_duplicate_max_distance"] = {Kind::kInt, 0, 32};
    for (const std::string& c : model::ReviewCategories()) s["review_categories." + c] = {Kind::kBool};
    s["downloads.max_bytes"] = {Kind::kInt, 1000, 1e11};
    s["downloads.connect_timeout_ms"] = {Kind::kInt, 100, 600000};
    s["downloads.total_timeout_ms"] = {Kind::kInt, 1000, 86400000};
    s["downloads.low_speed_timeout_ms"] = {Kind::kInt, 1000, 3600000};
    s["downloads.max_redirects"] = {Kind::kInt, 0, 20};
    s["downloads.allow_private"] = {Kind::kCidrList};
    s["analysis.faces"] = s["analysis.quality"] = {Kind::kBool};
    s["analysis.decode_max_side"] = {Kind::kInt, 64, 8192};
    s["analysis.max_pixels"] = {Kind::kInt, 1000, 2e9};
    s["analysis.threads"] = {Kind::kInt, 0, 256};
    s["analysis.detector"] = {Kind::kString, 0, 0, {"blazeface", "hog"}};
    s["review.trash_retention_days"] = {Kind::kInt, 1, 3650};
    s["review.learn_from_approvals"] = {Kind::kBool};
    s["auto_sort.enabled"] = {Kind::kBool};
    s["intake.settle_ms"] = {Kind::kInt, 0, 600000};
    s["intake.hold_incomplete_s"] = {Kind::kInt, 0, 86400};
    s["thresholds.min_width"] = s["thresholds.min_height"] = {Kind::kInt, 0, 1000000};
    s["thresholds.min_aggregate"] = {Kind::kNumber, 0, 10};
    s["quality.route_eyes_closed"] = {Kind::kBool};
    s["face_clustering.enabled"] = {Kind::kBool};
    s["face_clustering.cluster_distance"] = {Kind::kNumber, 0.1, 2};
    s["face_clustering.min_faces"] = {Kind::kInt, 2, 100};
    s["face_clustering.min_face_size"] = {Kind::kInt, 8, 4096};
    s["face_clustering.min_detection_score"] = {Kind::kNumber, 0, 1};
    s["face_clustering.max_references_per_person"] = {Kind::kInt, 1, 100};
    s["routing.photos_without_people"] = {Kind::kString, 0, 0, {"review", "library"}};
    s["proposals.auto_approve"] = s["proposals.auto_deny"] = {Kind::kBool};
    s["proposals.auto_approve_threshold"] = s["proposals.auto_deny_threshold"] = {Kind::kNumber, 0, 100};
    s["proposals.min_width"] = s["proposals.min_height"] = {Kind::kInt, 0, 100000};
    s["proposals.flag_threshold"] = {Kind::kInt, 1, 1000};
    s["proposals.upvote_weight"] = s["proposals.downvote_weight"] =
        s["proposals.flag_weight"] = {Kind::kNumber, -10, 10};
    s["proposals.stale_proposal_days"] = {Kind::kInt, 1, 3650};
    s["proposals.schedule_minutes"] = {Kind::kNumber, 0, 10080};
    s["votes.max_per_minute_per_session"] = s["votes.max_per_minute_per_address"] = {Kind::kInt, 1, 100000};
    s["catalog.url"] = {Kind::kString};
    auto add = [&](const std::string& path, char kind, double lo, double hi) {
      s[path] = {kind == 'o'   ? Kind::kObject
                 : kind == 'b' ? Kind::kBool
                 : kind == 'i' ? Kind::kInt
                               : Kind::kNumber,
                 lo, hi};
    };
    ForEachQualityKey(add);
    ForEachGroupingKey(add);
    return s;
  }();
  return kSchema;
}

std::string Describe(const KeySpec& spec) {
  switch (spec.kind) {
    case Kind::kBool:
      return "must be true or false";
    case Kind::kInt:
      return fmt::format("must be a whole number from {} to {}", spec.min, spec.max);
    case Kind::kNumber:
      return fmt::format("must be a number from {} to {}", spec.min, spec.max);
    case Kind::kString:
      if (spec.choices.empty()) return "must be a non-empty string without NUL characters";
      return fmt::format("must be one of: {}", fmt::join(spec.choices, ", "));
    case Kind::kStringList:
      return "must be a list of person names (strings)";
    case Kind::kCidrList:
      return "must be a list of CIDR networks (strings such as \"192.168.1.0/24\")";
    case Kind::kObject:
      return "must be an object";
  }
  return "";
}

// A NUL in a folder's name cuts it at the system's door: "rev\u0000x" named "rev", and every name tried for a file in
// it seemed taken. (Tabs and the like are legal in folder names and stay allowed.)
bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

bool Fits(const json& v, const KeySpec& spec) {
  switch (spec.kind) {
    case Kind::kBool:
      return v.is_boolean();
    case Kind::kInt:
      return v.is_number_integer() && v.get<double>() >= spec.min && v.get<double>() <= spec.max;
    case Kind::kNumber:
      return v.is_number() && v.get<double>() >= spec.min && v.get<double>() <= spec.max;
    case Kind::kString:
      return v.is_string() && !v.get<std::string>().empty() && !HasNul(v.get<std::string>()) &&
             (spec.choices.empty() ||
              std::find(spec.choices.begin(), spec.choices.end(), v.get<std::string>()) != spec.choices.end());
    case Kind::kStringList:
    case Kind::kCidrList:
      return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
    case Kind::kObject:
      return v.is_object();
  }
  return false;
}

std::string AllowedKeys(const std::string& prefix) {
  std::vector<std::string> keys;
  for (const auto& [path, spec] : Schema()) {
    if (prefix.empty() ? path.find('.') == std::string::npos
                       : (path.rfind(prefix + ".", 0) == 0 && path.find('.', prefix.size() + 1) == std::string::npos)) {
      keys.push_back(prefix.empty() ? path : path.substr(prefix.size() + 1));
    }
  }
  return fmt::format("{}", fmt::join(keys, ", "));
}

// What is wrong with each key of `obj` (under `prefix`) against the schema, into `problems`: every key's, so that a
// settings form or a hand-edited file learns of all its mistakes at once rather than one per attempt.
void CheckObject(const json& obj, const std::string& prefix, std::vector<std::string>& problems) {
  for (const auto& [key, value] : obj.items()) {
    std::string path = prefix.empty() ? key : prefix + "." + key;
    auto it = Schema().find(path);
    if (it == Schema().end()) {
      problems.push_back(fmt::format("{}: unknown key; allowed {}: {}", path,
                                     prefix.empty() ? "top-level keys" : "keys in " + prefix, AllowedKeys(prefix)));
    } else if (!Fits(value, it->second)) {
      problems.push_back(fmt::format("{}: {} (got {})", path, Describe(it->second), model::JsonExcerpt(value)));
    } else if (it->second.kind == Kind::kObject) {
      CheckObject(value, path, problems);
    }
  }
}

base::Status ValidateObject(const json& obj, const std::string& prefix) {
  std::vector<std::string> problems;
  CheckObject(obj, prefix, problems);
  if (problems.empty()) return base::Status::Ok();
  return base::Status::InvalidArgument(fmt::format("{}", fmt::join(problems, "; ")));
}

// Each entry of downloads.allow_private must be a CIDR network as base::ParseIpNetwork reads it.
base::Status CheckNetworks(const json& doc) {
  if (!doc.contains("downloads") || !doc["downloads"].contains("allow_private")) return base::Status::Ok();
  for (const auto& e : doc["downloads"]["allow_private"]) {
    auto network = base::ParseIpNetwork(e.get<std::string>());
    if (!network.ok()) {
      return base::Status::InvalidArgument(fmt::format("downloads.allow_private: {}", network.status().message()));
    }
  }
  return base::Status::Ok();
}

}  // namespace

fs::path SqliteCatalogFile(const std::string& url, const fs::path& library) {
  if (url.rfind("sqlite:", 0) != 0) return {};
  const fs::path path = url.substr(7);
  return path.empty() ? library / ".triage" / "catalog.db" : path.is_absolute() ? path : library / path;
}

base::Status CheckCatalogUrl(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0 || url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return base::Status::Ok();
  }
  return base::Status::InvalidArgument(fmt::format(
      "catalog URL \"{}\" is not one triage knows: use sqlite: (the default), sqlite:PATH or postgresql://...",
      base::WithoutConnectionSecrets(url)));
}

namespace {

std::vector<base::IpNetwork> Networks(const json& list) {
  std::vector<base::IpNetwork> out;
  for (const auto& e : list) out.push_back(*base::ParseIpNetwork(e.get<std::string>()));
  return out;
}

// Fills in defaults for every key absent from `doc`.
// A category's weights given in `doc` replace the defaults whole (they must sum to 100 by themselves).
json WithDefaults(const json& doc) {
  json out = DefaultConfigJson();
  out.merge_patch(doc);
  if (doc.contains("quality") && doc["quality"].contains("weights")) {
    for (const auto& [category, weights] : doc["quality"]["weights"].items()) {
      out["quality"]["weights"][category] = weights;
    }
  }
  if (doc.contains("burst_scoring")) out["burst_scoring"] = doc["burst_scoring"];
  return out;
}

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> out;
  for (const auto& e : list) {
    auto name = SanitizePersonName(e.get<std::string>());
    if (name.ok()) out.push_back(*name);
  }
  return out;
}

fs::path Under(const fs::path& root, const std::string& dir) {
  fs::path p(dir);
  return p.is_absolute() ? p : root / p;
}

}  // namespace

fs::path Config::InboxDir() const { return Under(library, directories.inbox); }
fs::path Config::FacesDir() const { return Under(library, directories.faces); }
fs::path Config::ReviewDir() const { return Under(library, directories.review); }
fs::path Config::PhotosDir() const { return Under(library, directories.photos); }

fs::path Config::FolderFor(const model::Decision& d) const {
  if (d.destination == model::Destination::kReview) return ReviewDir() / d.category;
  if (!d.library_folder.empty()) return PhotosDir() / d.library_folder;
  return FacesDir() / d.person;
}

json DefaultConfigJson() {
  json categories = json::object();
  for (const std::string& c : model::ReviewCategories()) categories[c] = true;
  json quality = DefaultQualityJson();
  quality["route_eyes_closed"] = true;
  json doc = json{
      {"directories", {{"inbox", "inbox"}, {"faces", "faces"}, {"review", "review"}, {"photos", "photos"}}},
      {"whitelist", json::array()},
      {"blacklist", json::array()},
      {"thresholds",
       {{"min_confidence", 0.6},
        {"max_faces_per_image", 1},
        {"match_distance", 0.6},
        {"min_face_size", 32},
        {"min_face_fraction", 0.025},
        {"min_detection_confidence", 0.65},
        {"min_sharpness", 0.0},
        {"min_width", 0},
        {"min_height", 0},
        {"min_aggregate", 0.0}}},
      {"deduplication", {{"check_hash", true}, {"near_duplicate_max_distance", 6}}},
      {"review_categories", categories},
      {"downloads",
       {{"max_bytes", 200'000'000},
        {"connect_timeout_ms", 10'000},
        {"total_timeout_ms", 300'000},
        {"low_speed_timeout_ms", 30'000},
        {"max_redirects", 5},
        {"allow_private", json::array()}}},
      {"analysis",
       {{"faces", true},
        {"quality", true},
        {"decode_max_side", 1600},
        {"max_pixels", 250'000'000},
        {"threads", 0},
        {"detector", "blazeface"}}},
      {"review", {{"trash_retention_days", 30}, {"learn_from_approvals", true}}},
      {"auto_sort", {{"enabled", true}}},
      {"intake", {{"settle_ms", 500}, {"hold_incomplete_s", 120}}},
      {"quality", quality},
      {"routing", {{"photos_without_people", "review"}}},
      {"face_clustering",
       {{"enabled", true},
        {"cluster_distance", 0.5},
        {"min_faces", 3},
        {"min_face_size", 50},
        {"min_detection_score", 0.75},
        {"max_references_per_person", 10}}},
      {"proposals",
       {{"auto_approve", false},
        {"auto_approve_threshold", 90.0},
        {"auto_deny", false},
        {"auto_deny_threshold", 40.0},
        {"min_width", 800},
        {"min_height", 600},
        {"flag_threshold", 3},
        {"upvote_weight", 1.0},
        {"downvote_weight", -1.5},
        {"flag_weight", -3.0},
        {"stale_proposal_days", 30},
        {"schedule_minutes", 60.0}}},
      {"votes", {{"max_per_minute_per_session", 30}, {"max_per_minute_per_address", 120}}},
      {"catalog", {{"url", "sqlite:"}}},
  };
  doc.update(DefaultGroupingJson());
  return doc;
}

base::Status ValidateConfigJson(const json& doc) {
  if (!doc.is_object()) return base::Status::InvalidArgument("the configuration must be a JSON object");
  TRIAGE_RETURN_IF_ERROR(ValidateObject(doc, ""));
  for (const char* category : {"unidentified", "unreadable"}) {
    if (doc.contains("review_categories") && doc["review_categories"].contains(category) &&
        !doc["review_categories"][category].get<bool>()) {
      return base::Status::InvalidArgument(fmt::format(
          "review_categories.{}: cannot be turned off (such images have nowhere else to go); must be true", category));
    }
  }
  TRIAGE_RETURN_IF_ERROR(CheckNetworks(doc));
  if (doc.contains("catalog") && doc["catalog"].contains("url")) {
    base::Status url = CheckCatalogUrl(doc["catalog"]["url"].get<std::string>());
    if (!url.ok()) return base::Status::InvalidArgument("catalog.url: " + url.message());
  }
  TRIAGE_RETURN_IF_ERROR(CheckQualityWeights(doc));
  TRIAGE_RETURN_IF_ERROR(CheckBurstScoringWeights(doc));
  const json proposals = WithDefaults(doc)["proposals"];
  // A pass every few milliseconds would keep a core busy for nothing: 0 (never) or at least every 3 seconds.
  if (const double every = proposals["schedule_minutes"].get<double>(); every > 0 && every < kMinScheduleMinutes) {
    return base::Status::InvalidArgument(
        fmt::format("proposals.schedule_minutes: must be 0 (never) or at least {} (3 seconds); got {}",
                    kMinScheduleMinutes, proposals["schedule_minutes"].dump()));
  }
  if (proposals["auto_deny_threshold"].get<double>() >= proposals["auto_approve_threshold"].get<double>()) {
    return base::Status::InvalidArgument(
        fmt::format("proposals.auto_deny_threshold ({}) must be below proposals.auto_approve_threshold ({})",
                    proposals["auto_deny_threshold"].dump(), proposals["auto_approve_threshold"].dump()));
  }
  for (const char* list : {"whitelist", "blacklist"}) {
    if (!doc.contains(list)) continue;
    for (const auto& e : doc[list]) {
      auto name = SanitizePersonName(e.get<std::string>());
      if (!name.ok()) return base::Status::InvalidArgument(fmt::format("{}: {}", list, name.status().message()));
    }
  }
  return base::Status::Ok();
}

namespace {

// Each of the library's folders is its own: two keys naming one folder (or one inside the other, or inside .triage/,
// or the library itself) would put the review queue among sorted photos, or sorted photos back in the inbox.
base::Status CheckDirectories(const fs::path& library, const json& directories) {
  const char* keys[] = {"inbox", "faces", "review", "photos"};
  // Symbolic links are followed where the folders exist: an inbox given as a link into review/ is review/.
  auto resolve = [&](const std::string& dir) {
    fs::path p = Under(library, dir).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();  // "faces/" is faces
    std::error_code ec;
    fs::path real = fs::weakly_canonical(p, ec);
    return ec ? p : real;
  };
  const fs::path root = resolve(".");
  const fs::path state = root / ".triage";
  for (size_t a = 0; a < std::size(keys); ++a) {
    const std::string value = directories[keys[a]].get<std::string>();
    const fs::path pa = resolve(value);
    if (value.empty() || pa == root || base::IsWithin(root, pa)) {
      return base::Status::InvalidArgument(
          fmt::format("directories.{} ({}) is the library folder itself or holds it: it must name a folder of its own",
                      keys[a], json(value).dump()));
    }
    if (base::IsWithin(pa, state)) {
      return base::Status::InvalidArgument(
          fmt::format("directories.{} ({}) is inside .triage/, the library's own state", keys[a], json(value).dump()));
    }
    // Another library's folders hold files its catalog knows: an inbox there would take them from under it.
    if (const fs::path other = base::EnclosingLibrary(pa); !other.empty() && other != root) {
      return base::Status::InvalidArgument(fmt::format(
          "directories.{} ({}) is {}the triage library {}, whose catalog holds its files: it must name a folder "
          "outside it",
          keys[a], json(value).dump(), other == pa ? "" : "inside ", other.string()));
    }
    for (size_t b = 0; b < a; ++b) {
      const fs::path pb = resolve(directories[keys[b]].get<std::string>());
      if (!base::IsWithin(pa, pb) && !base::IsWithin(pb, pa)) continue;
      return base::Status::InvalidArgument(
          fmt::format("directories.{} ({}) and directories.{} ({}) {}: each of inbox, faces, review and photos needs a "
                      "folder of its own",
                      keys[b], json(directories[keys[b]]).dump(), keys[a], json(value).dump(),
                      pa == pb ? "are the same folder" : "are one inside the other"));
    }
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<Config> ConfigFromJson(const fs::path& library, const json& doc) {
  TRIAGE_RETURN_IF_ERROR(ValidateConfigJson(doc));
  json j = WithDefaults(doc);
  Config c;
  c.library = fs::absolute(library).lexically_normal();
  c.json = j;
  c.directories = {j["directories"]["inbox"], j["directories"]["faces"], j["directories"]["review"],
                   j["directories"]["photos"]};
  TRIAGE_RETURN_IF_ERROR(CheckDirectories(c.library, j["directories"]));
  const json& t = j["thresholds"];
  const json& rc = j["review_categories"];
  model::Policy& p = c.policy;
  p.auto_sort_enabled = j["auto_sort"]["enabled"];
  p.check_exact_duplicates = j["deduplication"]["check_hash"].get<bool>() && rc["duplicates"].get<bool>();
  p.check_near_duplicates = rc["near_duplicates"];
  p.route_low_confidence = rc["low_confidence"];
  p.route_multiple_faces = rc["multiple_faces"];
  p.route_unwanted_person = rc["unwanted_person"];
  p.route_low_quality = rc["low_quality"];
  p.min_confidence = t["min_confidence"];
  p.match_distance = t["match_distance"];
  p.max_faces_per_image = t["max_faces_per_image"];
  p.min_sharpness = t["min_sharpness"];
  p.min_width = t["min_width"];
  p.min_height = t["min_height"];
  p.min_aggregate = t["min_aggregate"];
  p.route_eyes_closed = rc["low_quality"].get<bool>() && j["quality"]["route_eyes_closed"].get<bool>();
  p.photos_to_library = j["routing"]["photos_without_people"] == "library";
  c.quality = QualityRulesFromJson(doc);
  c.grouping = GroupingRulesFromJson(doc);
  p.whitelist = Names(j["whitelist"]);
  p.blacklist = Names(j["blacklist"]);
  c.near_duplicate_max_distance = j["deduplication"]["near_duplicate_max_distance"];
  const json& a = j["analysis"];
  c.analysis = {a["faces"],    a["quality"],       a["decode_max_side"],          a["max_pixels"],       a["threads"],
                a["detector"], t["min_face_size"], t["min_detection_confidence"], t["min_face_fraction"]};
  const json& d = j["downloads"];
  c.downloads = {d["max_bytes"],     d["connect_timeout_ms"],     d["total_timeout_ms"], d["low_speed_timeout_ms"],
                 d["max_redirects"], Networks(d["allow_private"])};
  c.review = {j["review"]["trash_retention_days"], j["review"]["learn_from_approvals"]};
  c.intake = {j["intake"]["settle_ms"], j["intake"]["hold_incomplete_s"]};
  const json& fc = j["face_clustering"];
  c.face_clustering = {fc["enabled"],       fc["cluster_distance"],    fc["min_faces"],
                       fc["min_face_size"], fc["min_detection_score"], fc["max_references_per_person"]};
  const json& pr = j["proposals"];
  c.proposals = {pr["auto_approve"],        pr["auto_approve_threshold"],
                 pr["auto_deny"],           pr["auto_deny_threshold"],
                 pr["min_width"],           pr["min_height"],
                 pr["flag_threshold"],      pr["upvote_weight"],
                 pr["downvote_weight"],     pr["flag_weight"],
                 pr["stale_proposal_days"], pr["schedule_minutes"]};
  c.votes = {j["votes"]["max_per_minute_per_session"], j["votes"]["max_per_minute_per_address"]};
  c.catalog = {j["catalog"]["url"]};
  return c;
}

base::Result<json> ParseConfigJson(const std::string& text, const fs::path& path) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return base::Status::InvalidArgument(fmt::format(
        "{}: the file is empty; restore it from a backup (its catalog.url and folders say where the library's items "
        "are), or delete it and run `triage init` for the default settings",
        path.string()));
  }
  // Zeros in a text file are damage (a disk or a copy that failed, a crash while it was written), and JSON's parser
  // reads the first as the end of the input: "unexpected end of input" pointed at a file that goes on.
  if (const size_t nul = text.find('\0'); nul != std::string::npos) {
    if (text.find_first_not_of(std::string_view(" \t\r\n\0", 5)) == std::string::npos) {
      return base::Status::InvalidArgument(fmt::format(
          "{}: the file holds only zero bytes (it was damaged, e.g. by a crash while it was written); restore it from "
          "a backup, or delete it and run `triage init` for the default settings",
          path.string()));
    }
    const size_t line_start = text.rfind('\n', nul);
    const size_t line =
        1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
    const size_t column = nul - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    return base::Status::InvalidArgument(fmt::format(
        "{}: a zero byte at line {}, column {}: the file is damaged or not text; remove it there, or restore the file "
        "from a backup",
        path.string(), line, column));
  }
  // A key given twice in one object: JSON keeps the last silently, so an edit made to the first would do nothing.
  struct Level {
    bool object = false;
    std::set<std::string> keys;
    std::string key;  // the key being read
  };
  std::vector<Level> levels;
  std::string twice;
  auto watch = [&](int depth, json::parse_event_t event, json& parsed) {
    model::RefuseDeepNesting(depth, event);
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        levels.push_back({event == json::parse_event_t::object_start, {}, ""});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!levels.empty()) levels.pop_back();
        break;
      case json::parse_event_t::key: {
        Level& level = levels.back();
        level.key = parsed.get<std::string>();
        if (!level.keys.insert(level.key).second && twice.empty()) {
          for (const Level& l : levels) {
            if (l.object) twice += (twice.empty() ? "" : ".") + l.key;
          }
        }
        break;
      }
      default:
        break;
    }
    return true;
  };
  try {
    json doc = json::parse(text, watch);
    if (!twice.empty()) {
      return base::Status::InvalidArgument(
          fmt::format("{}: {} is given twice; only the last would count: keep one", path.string(), twice));
    }
    if (!doc.is_object()) {
      return base::Status::InvalidArgument(
          fmt::format("{}: not a JSON object (it starts with {})", path.string(), doc.type_name()));
    }
    return doc;
  } catch (const json::exception& e) {  // a syntax error, or a number too large (out_of_range)
    return base::Status::InvalidArgument(
        fmt::format("{}: not valid JSON: {}", path.string(), base::JsonSyntaxError(e.what())));
  } catch (const model::JsonTooDeep& e) {
    return base::Status::InvalidArgument(fmt::format("{}: {}", path.string(), e.what()));
  }
}

base::Result<Config> LoadConfig(const fs::path& library) {
  fs::path path = library / "triage.json";
  std::error_code ec;
  if (const fs::file_status st = fs::status(library, ec); fs::exists(st) && !fs::is_directory(st)) {
    return base::Status::NotFound(fmt::format("{} is a file, not a library folder", library.string()));
  }
  auto text = base::ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == base::Code::kNotFound) {
      // A folder the library manages (its review/, faces/ ...) is named with the library it belongs to.
      const fs::path outer = base::EnclosingLibrary(library);
      if (!outer.empty()) {
        return base::Status::NotFound(
            fmt::format("{} is not a triage library: it is inside the library {} (give "
                        "--library {})",
                        library.string(), outer.string(), outer.string()));
      }
      return base::Status::NotFound(
          fmt::format("{} is not a triage library (no triage.json); create one with `triage init --library {}`",
                      library.string(), library.string()));
    }
    return text.status();
  }
  auto doc = ParseConfigJson(*text, path);
  if (!doc.ok()) return doc.status();
  auto c = ConfigFromJson(library, *doc);
  if (!c.ok()) return c.status().WithContext(path.string());
  return c;
}

base::Status SaveConfigJson(const fs::path& library, const json& doc) {
  TRIAGE_RETURN_IF_ERROR(ValidateConfigJson(doc));
  return base::WriteFileDurably(library / "triage.json", doc.dump(2) + "\n");
}

namespace {

// Latin letters with diacritics (U+00C0..U+017F) as the ASCII a folder name keeps, so that "Zoë Ångström" is filed
// as zoe_angstrom (and "René" never lands with an existing "ren"); "" for × and ÷.
constexpr std::array<std::string_view, 64> kLatin1Letters = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  // U+00C0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  // U+00E0
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
constexpr std::array<std::string_view, 128> kLatinExtendedA = {
    "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",   // U+0100
    "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",   // U+0110
    "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",   // U+0120
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",   // U+0130
    "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",   // U+0140
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",   // U+0150
    "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",   // U+0160
    "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};  // U+0170

// Cyrillic letters (U+0400..U+045F: Russian, Ukrainian, Belarusian, Serbian, Macedonian) in Latin letters, as
// passports write them (ICAO 9303 / BGN): "Ольга" is filed as olga. The soft and hard signs are dropped.
constexpr std::array<std::string_view, 96> kCyrillicLetters = {
    "e", "yo", "dj", "gj", "ye", "dz", "i",  "yi", "j",  "lj",   "nj", "c", "kj", "i", "u",  "dz",   // U+0400
    "a", "b",  "v",  "g",  "d",  "e",  "zh", "z",  "i",  "y",    "k",  "l", "m",  "n", "o",  "p",    // U+0410
    "r", "s",  "t",  "u",  "f",  "kh", "ts", "ch", "sh", "shch", "",   "y", "",   "e", "yu", "ya",   // U+0420
    "a", "b",  "v",  "g",  "d",  "e",  "zh", "z",  "i",  "y",    "k",  "l", "m",  "n", "o",  "p",    // U+0430
    "r", "s",  "t",  "u",  "f",  "kh", "ts", "ch", "sh", "shch", "",   "y", "",   "e", "yu", "ya",   // U+0440
    "e", "yo", "dj", "gj", "ye", "dz", "i",  "yi", "j",  "lj",   "nj", "c", "kj", "i", "u",  "dz"};  // U+0450
// Greek letters (U+0386..U+03CE, with their accents and diaereses) in Latin letters, letter by letter after ELOT 743
// (the Greek passport's table): "Νίκος" is filed as nikos.
constexpr std::array<std::string_view, 73> kGreekLetters = {
    "a", "",  "e", "i", "i", "",  "o", "",   "y",  "o",                                // U+0386
    "i", "a", "v", "g", "d", "e", "z", "i",  "th", "i", "k", "l", "m", "n", "x", "o",  // U+0390
    "p", "r", "",  "s", "t", "y", "f", "ch", "ps", "o", "i", "y", "a", "e", "i", "i",  // U+03A0
    "y", "a", "v", "g", "d", "e", "z", "i",  "th", "i", "k", "l", "m", "n", "x", "o",  // U+03B0
    "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o", "i", "y", "o", "y", "o"};      // U+03C0

// Letters of the scripts without a table here (Armenian, Hebrew, Arabic, the Indic scripts, Thai, Georgian, Hangul,
// kana, CJK ideographs, ...): a name holding one gets a generated folder name (GeneratedPersonKey). Symbols,
// punctuation and emoji lie outside these ranges.
bool IsOtherScriptLetter(char32_t cp) {
  return (cp >= 0x0460 && cp <= 0x1FFF) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

// Characters that show nothing or reorder what follows: C1 controls, the soft hyphen, zero-width space, the
// direction marks, embeddings, overrides and isolates, line and paragraph separators, invisible operators and the
// byte order mark. In a name they make two names that look alike differ (or "Ann\u202Eeel" show as "Annlee"), so
// they are refused, named by code point. The zero-width (non-)joiners stay: Persian and Indic names need them.
bool IsInvisibleInName(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x061C || cp == 0x180E || cp == 0x200B || cp == 0x200E ||
         cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
}

// What the non-ASCII character at the start of `text` becomes in a person's folder name: a Latin, Cyrillic or Greek
// letter's Latin letters, "" for what is dropped like ASCII punctuation (Latin-1 signs, combining accents, general
// punctuation such as the ’ of O’Brien), "" with `*other_script` set for a letter of another script, nullopt for
// what cannot be part of a name (emoji, symbols, broken UTF-8). `*length` is the character's length in bytes.
std::optional<std::string_view> NonAsciiInPersonName(std::string_view text, char32_t previous, char32_t* decoded,
                                                     size_t* length, bool* other_script) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const auto continuation = [&](size_t k) { return k < text.size() && (b(k) & 0xC0) == 0x80; };
  size_t n = b(0) >= 0xF0 ? 4 : b(0) >= 0xE0 ? 3 : b(0) >= 0xC0 ? 2 : 1;
  *length = 1;
  for (size_t k = 1; k < n; ++k) {
    if (!continuation(k)) return std::nullopt;
  }
  *length = n;
  if (!base::IsValidUtf8(text.substr(0, n))) return std::nullopt;
  char32_t cp = 0;
  if (n == 2) cp = ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) cp = ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  if (n == 4) cp = ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  *decoded = cp;
  if (IsInvisibleInName(cp)) return std::nullopt;
  if (cp >= 0xC0 && cp <= 0xFF) return kLatin1Letters[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) return kLatinExtendedA[cp - 0x100];
  const auto omicron = [](char32_t c) { return c == 0x3BF || c == 0x39F || c == 0x3CC || c == 0x38C; };
  const auto upsilon = [](char32_t c) { return c == 0x3C5 || c == 0x3A5 || c == 0x3CD || c == 0x38E; };
  if (upsilon(cp) && omicron(previous)) return std::string_view("u");  // ου is "ou" (ELOT 743)
  if (cp >= 0x400 && cp <= 0x45F) return kCyrillicLetters[cp - 0x400];
  if (cp == 0x490 || cp == 0x491) return std::string_view("g");  // Ukrainian Ґ ґ
  if (cp >= 0x386 && cp <= 0x3CE) return kGreekLetters[cp - 0x386];
  if (IsOtherScriptLetter(cp)) {
    *other_script = true;
    return std::string_view();
  }
  if ((cp >= 0x80 && cp < 0xC0) || (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x2000 && cp <= 0x206F)) {
    return std::string_view();
  }
  return std::nullopt;
}

// The longest part of a typed name a message quotes, in characters.
constexpr size_t kQuotedNameChars = 60;

// A name as typed, for a message: in quotes, and cut after kQuotedNameChars characters with "…" after it, so that a
// refused 300-character paste is not repeated whole.
std::string QuotedName(const std::string& name) {
  size_t bytes = 0;
  for (size_t chars = 0; bytes < name.size() && chars < kQuotedNameChars; ++chars) {
    const auto lead = static_cast<unsigned char>(name[bytes]);
    bytes = std::min(name.size(), bytes + (lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1));
  }
  const std::string quoted = json(name.substr(0, bytes)).dump(-1, ' ', false, json::error_handler_t::replace);
  return bytes < name.size() ? quoted + "…" : quoted;
}

// The folder name of a name in a script without a table here: "person_" and 8 hex digits of the SHA-256 of the name
// as typed, with capitals (of Latin letters) made small and each run of spaces, dashes and _ made one space, so that
// every way of writing it the shown name allows (NAME vs name, a doubled space) gives the same key. A name typed in
// another Unicode normal form (decomposed Hangul) gives another key.
std::string GeneratedPersonKey(const std::string& name) {
  std::string canonical;
  for (char ch : name) {
    if (ch == ' ' || ch == '-' || ch == '_') {
      if (!canonical.empty() && canonical.back() != ' ') canonical.push_back(' ');
    } else {
      canonical.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    }
  }
  while (!canonical.empty() && canonical.back() == ' ') canonical.pop_back();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(canonical.data(), canonical.size(), digest, &size, EVP_sha256(), nullptr);
  return fmt::format("person_{:02x}{:02x}{:02x}{:02x}", digest[0], digest[1], digest[2], digest[3]);
}

}  // namespace

base::Result<std::string> SanitizePersonName(const std::string& raw_name) {
  // Spaces around a name are a copy-paste accident, not part of it: "obama " is obama, not a new "obama_".
  const size_t first = raw_name.find_first_not_of(' ');
  const std::string name =
      first == std::string::npos ? std::string() : raw_name.substr(first, raw_name.find_last_not_of(' ') + 1 - first);
  if (name.empty()) {  // nothing typed, or only spaces: there is nothing to quote
    return base::Status::InvalidArgument("a person's name is needed: type it with at least one letter or digit");
  }
  if (name.find('/') != std::string::npos || name.find("..") != std::string::npos ||
      std::any_of(name.begin(), name.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) {
    const char* what = name.find('/') != std::string::npos    ? "a '/'"
                       : name.find("..") != std::string::npos ? "'..'"
                                                              : "a control character";
    return base::Status::InvalidArgument(
        fmt::format("person name {} is refused: it contains {} (a name may hold no '/', '..' or control characters)",
                    QuotedName(name), what));
  }
  std::string out;
  bool other_script = false;
  char32_t previous = 0;  // the last character read, for a Greek digraph
  for (size_t i = 0; i < name.size();) {
    const char ch = name[i];
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x80) {
      // Spaces, dashes and _ in a row are one _: "Jean - Luc" and "Jean-Luc" are one person, jean_luc.
      if (ch == ' ' || ch == '-' || ch == '_') {
        if (out.empty() || out.back() != '_') out.push_back('_');
      } else if (std::isalnum(u)) {
        out.push_back(static_cast<char>(std::tolower(u)));
      }
      previous = u;
      ++i;
      continue;
    }
    size_t length = 0;
    std::optional<std::string_view> kept =
        NonAsciiInPersonName(std::string_view(name).substr(i), previous, &previous, &length, &other_script);
    if (!kept && IsInvisibleInName(previous)) {
      return base::Status::InvalidArgument(
          fmt::format("person name {} is refused: it holds an invisible character, U+{:04X}, which cannot be part of "
                      "a name (it hides or reorders letters; type the name again without it)",
                      QuotedName(base::WithoutHiddenControls(name, "\uFFFD")), static_cast<uint32_t>(previous)));
    }
    if (!kept) {
      return base::Status::InvalidArgument(fmt::format(
          "person name {} is refused: {} cannot be part of a name (a name is letters of any script and digits; "
          "spaces, dashes and _ part its words, and ASCII punctuation such as ' or . is left out of its folder name)",
          QuotedName(name), json(name.substr(i, length)).dump(-1, ' ', false, json::error_handler_t::replace)));
    }
    out += *kept;
    i += length;
  }
  if (other_script) {  // the name as typed is what shows; its folder gets a key of its own
    if (name.size() > 2 * kMaxPersonNameLength) {
      return base::Status::InvalidArgument(fmt::format("person name {} is too long: at most {} bytes (it has {})",
                                                       QuotedName(name), 2 * kMaxPersonNameLength, name.size()));
    }
    return GeneratedPersonKey(name);
  }
  if (out.size() > kMaxPersonNameLength) {
    return base::Status::InvalidArgument(fmt::format(
        "person name {} is too long: at most {} characters, spaces and dashes counted, punctuation not (it has {})",
        QuotedName(name), kMaxPersonNameLength, out.size()));
  }
  if (out.empty() || std::all_of(out.begin(), out.end(), [](char ch) { return ch == '_'; })) {
    return base::Status::InvalidArgument(fmt::format(
        "person name {} has no letters or digits: a name is letters of any script and digits (spaces, dashes "
        "and _ part its words)",
        QuotedName(name)));
  }
  return out;
}

base::Result<std::string> PersonDisplayName(const std::string& typed, const std::string& folder_name) {
  auto folder = SanitizePersonName(typed);
  if (!folder.ok()) return folder.status();
  if (*folder != folder_name) {
    return base::Status::InvalidArgument(
        fmt::format("{} is not a way of writing {}: its folder name would be {} (a shown name may differ only in "
                    "capitals, spaces, dashes and punctuation)",
                    QuotedName(typed), folder_name, *folder));
  }
  std::string out;
  for (char ch : typed) {
    if (ch == ' ') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(ch);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > 2 * kMaxPersonNameLength) {
    return base::Status::InvalidArgument(fmt::format("the shown name of {} is too long: at most {} bytes (it has {})",
                                                     folder_name, 2 * kMaxPersonNameLength, out.size()));
  }
  return out == folder_name ? std::string() : out;
}

}  // namespace triage::config
