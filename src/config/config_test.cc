// Specification of config validation: unknown keys, wrong types and ranges are named; defaults fill gaps.
#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/utf8.h"
#include "config/config_json.h"

namespace triage::config {
namespace {

using nlohmann::json;

TEST(ConfigTest, DefaultsAreValidAndMatchTheSeed) {
  ASSERT_TRUE(ValidateConfigJson(DefaultConfigJson()).ok());
  auto c = ConfigFromJson("/lib", json::object());
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->policy.min_confidence, 0.6);
  EXPECT_EQ(c->policy.max_faces_per_image, 1);
  EXPECT_EQ(c->near_duplicate_max_distance, 6);
  EXPECT_TRUE(c->policy.check_exact_duplicates);
  EXPECT_EQ(c->downloads.max_bytes, 200'000'000);
  EXPECT_EQ(c->FacesDir(), std::filesystem::path("/lib/faces"));
}

struct BadCase {
  json doc;
  std::string expected;  // a fragment the message must contain
};

TEST(ConfigTest, RejectsBadDocumentsNamingTheKey) {
  std::vector<BadCase> cases = {
      {{{"colour", "red"}}, "colour: unknown key"},
      {{{"thresholds", {{"min_confidance", 0.5}}}}, "thresholds.min_confidance: unknown key"},
      {{{"thresholds", {{"min_confidence", 1.5}}}}, "thresholds.min_confidence: must be a number from 0 to 1"},
      {{{"thresholds", {{"min_confidence", "high"}}}}, "thresholds.min_confidence"},
      {{{"thresholds", {{"max_faces_per_image", 0}}}}, "thresholds.max_faces_per_image: must be a whole number"},
      {{{"deduplication", {{"check_hash", "yes"}}}}, "deduplication.check_hash: must be true or false"},
      {{{"deduplication", {{"near_duplicate_max_distance", 64}}}}, "near_duplicate_max_distance"},
      {{{"review_categories", {{"blurry", true}}}}, "review_categories.blurry: unknown key"},
      {{{"whitelist", "alice"}}, "whitelist: must be a list"},
      {{{"whitelist", {"../etc"}}}, "whitelist: person name"},
      {{{"analysis", {{"detector", "magic"}}}}, "analysis.detector: must be one of: blazeface, hog"},
      {{{"downloads", 5}}, "downloads: must be an object"},
      {{{"downloads", {{"allow_private", "10.0.0.0/8"}}}}, "downloads.allow_private: must be a list of CIDR networks"},
      {{{"downloads", {{"allow_private", {8}}}}}, "downloads.allow_private: must be a list of CIDR networks"},
      {{{"downloads", {{"allow_private", {"10.0.0.0/8", "lan"}}}}}, "downloads.allow_private: \"lan\" is not a CIDR"},
      {{{"downloads", {{"allow_private", {"10.0.0.1/8"}}}}}, "downloads.allow_private: \"10.0.0.1/8\" has bits set"},
      {{{"downloads", {{"allow_private", {"192.168.0.0/33"}}}}}, "downloads.allow_private: \"192.168.0.0/33\""},
      {{{"downloads", {{"allow_private", {"0x7f.1/32"}}}}}, "downloads.allow_private: \"0x7f.1/32\""},
      {{{"review_categories", {{"unidentified", false}}}}, "review_categories.unidentified: cannot be turned off"},
  };
  for (const auto& c : cases) {
    base::Status st = ValidateConfigJson(c.doc);
    EXPECT_EQ(st.code(), base::Code::kInvalidArgument) << c.doc.dump();
    EXPECT_NE(st.message().find(c.expected), std::string::npos) << st.message();
  }
}

// Every key that is wrong is named in one refusal, so that a settings form marks them all and a hand-edited file is
// put right in one go; each as it would be alone.
TEST(ConfigTest, NamesEveryWrongKeyAtOnce) {
  const json doc = {{"colour", "red"},
                    {"thresholds", {{"min_confidence", 1.5}, {"match_distance", 0.6}, {"min_detection_confidence", 2}}},
                    {"analysis", {{"detector", "magic"}}}};
  base::Status st = ValidateConfigJson(doc);
  ASSERT_EQ(st.code(), base::Code::kInvalidArgument);
  for (const char* expected :
       {"colour: unknown key", "thresholds.min_confidence: must be a number from 0 to 1 (got 1.5)",
        "thresholds.min_detection_confidence: must be a number from 0 to 1 (got 2)",
        "analysis.detector: must be one of: blazeface, hog"}) {
    EXPECT_NE(st.message().find(expected), std::string::npos) << expected << " in " << st.message();
  }
  EXPECT_EQ(st.message().find("match_distance"), std::string::npos) << "a value in range is not named";
  EXPECT_EQ(ValidateConfigJson({{"thresholds", {{"min_confidence", 1.5}}}}).message(),
            "thresholds.min_confidence: must be a number from 0 to 1 (got 1.5)")
      << "one wrong key reads as before";
}

TEST(ConfigTest, FoldersThatOverlapAreRefusedNamingBothKeys) {
  std::vector<BadCase> cases = {
      {{{"directories", {{"review", "faces"}}}},
       "directories.faces (\"faces\") and directories.review (\"faces\") are the same folder"},
      {{{"directories", {{"review", "./faces/"}}}}, "are the same folder"},
      {{{"directories", {{"photos", "faces/all"}}}},
       "directories.faces (\"faces\") and directories.photos (\"faces/all\") are one inside the other"},
      {{{"directories", {{"inbox", "/lib/review"}}}}, "directories.inbox (\"/lib/review\") and directories.review"},
      {{{"directories", {{"photos", ".triage"}}}}, "directories.photos (\".triage\") is inside .triage/"},
      {{{"directories", {{"inbox", "."}}}}, "directories.inbox (\".\") is the library folder itself"},
      {{{"directories", {{"inbox", ""}}}}, "directories.inbox: must be a non-empty string"},
      // A NUL cuts the name at the system's door: every name tried for a file in "rev" seemed taken, for ever.
      {{{"directories", {{"review", std::string("rev\0x", 5)}}}},
       "directories.review: must be a non-empty string without NUL characters (got \"rev\\u0000x\")"},
      {{{"directories", {{"faces", ".."}}}}, "is the library folder itself or holds it"},
  };
  for (const auto& c : cases) {
    auto config = ConfigFromJson("/lib", c.doc);
    ASSERT_FALSE(config.ok()) << c.doc.dump();
    EXPECT_EQ(config.status().code(), base::Code::kInvalidArgument) << c.doc.dump();
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos) << config.status().message();
  }
  // Folders of their own, also outside the library, are fine.
  EXPECT_TRUE(ConfigFromJson("/lib", {{"directories", {{"inbox", "/srv/drop"}, {"photos", "library/photos"}}}}).ok());
  EXPECT_TRUE(ConfigFromJson("/lib", {{"directories", {{"review", "faces_review"}}}}).ok());
}

// A symbolic link is the folder it points to: an inbox given as a link into review/ is refused as review itself.
TEST(ConfigTest, AFolderGivenThroughASymbolicLinkIsTheFolderItPointsTo) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("triage_config_link_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "lib/review/unidentified");
  std::filesystem::create_directory_symlink(dir / "lib/review", dir / "link");
  auto config = ConfigFromJson(dir / "lib", {{"directories", {{"inbox", (dir / "link/unidentified").string()}}}});
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("are one inside the other"), std::string::npos) << config.status().message();
}

// A folder of another library (or that library itself) is its catalog's: an inbox there would take its files.
TEST(ConfigTest, AFolderInsideAnotherLibraryIsRefusedNamingIt) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("triage_config_other_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "other/.triage");
  std::filesystem::create_directories(dir / "other/review");
  std::ofstream(dir / "other/triage.json") << "{}";
  std::filesystem::create_directories(dir / "lib/.triage");
  std::ofstream(dir / "lib/triage.json") << "{}";
  auto inside = ConfigFromJson(dir / "lib", {{"directories", {{"inbox", (dir / "other/review").string()}}}});
  auto itself = ConfigFromJson(dir / "lib", {{"directories", {{"inbox", (dir / "other").string()}}}});
  auto own = ConfigFromJson(dir / "lib", json::object());
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.status().message().find("is inside the triage library " + (dir / "other").string() +
                                           ", whose catalog holds its files"),
            std::string::npos)
      << inside.status().message();
  ASSERT_FALSE(itself.ok());
  EXPECT_NE(itself.status().message().find("is the triage library "), std::string::npos) << itself.status().message();
  EXPECT_TRUE(own.ok()) << own.status().ToString();
}

// --library naming a file, or a folder of a library rather than the library: each is named for what it is.
TEST(ConfigTest, ALibraryGivenAsAFileOrAsOneOfItsFoldersIsNamed) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("triage_config_wrong_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "lib/.triage");
  std::filesystem::create_directories(dir / "lib/review");
  std::ofstream(dir / "lib/triage.json") << "{}";
  auto file = LoadConfig(dir / "lib/triage.json");
  auto folder = LoadConfig(dir / "lib/review");
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), base::Code::kNotFound);
  EXPECT_EQ(file.status().message(), (dir / "lib/triage.json").string() + " is a file, not a library folder");
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.status().code(), base::Code::kNotFound);
  EXPECT_NE(folder.status().message().find("is inside the library " + (dir / "lib").string()), std::string::npos)
      << folder.status().message();
}

TEST(ConfigTest, ABrokenTriageJsonIsNamedWithTheLineAndColumnWhereItBreaks) {
  const std::filesystem::path path = "lib/triage.json";
  auto stray = ParseConfigJson("{\n  \"version\": 1,,\n}", path);
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(stray.status().message().find("lib/triage.json: not valid JSON: line 2, column 16"), std::string::npos)
      << stray.status().message();
  // A number too large for a double is named too (it used to escape as an exception).
  auto huge = ParseConfigJson("{\"version\": 1e400}", path);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().message(), "lib/triage.json: not valid JSON: number overflow parsing '1e400'");
  // A zero byte ends JSON's input for its parser ("unexpected end of input"): named where it is instead.
  auto zero = ParseConfigJson(std::string("{\n  \"version\": 1\0,\n}", 20), path);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(zero.status().message().find("lib/triage.json: a zero byte at line 2, column 15"), std::string::npos)
      << zero.status().message();
  auto zeros = ParseConfigJson(std::string(64, '\0'), path);
  ASSERT_FALSE(zeros.ok());
  EXPECT_NE(zeros.status().message().find("lib/triage.json: the file holds only zero bytes"), std::string::npos)
      << zeros.status().message();
  auto empty = ParseConfigJson(" \n", path);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("lib/triage.json: the file is empty"), std::string::npos);
  auto list = ParseConfigJson("[\"obama\"]", path);
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("not a JSON object (it starts with array)"), std::string::npos)
      << list.status().message();
  EXPECT_TRUE(ParseConfigJson("{}", path).ok());
  // A key given twice: JSON would keep the last silently, so that an edit to the first did nothing.
  auto twice = ParseConfigJson(R"({"thresholds": {"min_confidence": 0.8}, "whitelist": [{"a": 1}],
                                   "thresholds": {"min_confidence": 0.5}})",
                               path);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("lib/triage.json: thresholds is given twice"), std::string::npos)
      << twice.status().message();
  auto inner = ParseConfigJson(R"({"quality": {"weights": {"x": 1}, "min_width": 1, "min_width": 2}})", path);
  ASSERT_FALSE(inner.ok());
  EXPECT_NE(inner.status().message().find("quality.min_width is given twice"), std::string::npos)
      << inner.status().message();
  EXPECT_TRUE(ParseConfigJson(R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]})", path).ok());
  // Nesting deeper than anything triage reads is refused as it is read: quoting such a value back overflowed the stack.
  const int depth = 100'000;
  auto deep = ParseConfigJson("{\"thresholds\": " + std::string(depth, '[') + std::string(depth, ']') + "}", path);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().message(), "lib/triage.json: arrays and objects are nested more than 64 levels deep");
  // A wrong value is quoted shortened.
  auto wrong = ConfigFromJson("/lib", {{"thresholds", {{"min_confidence", std::string(10'000, 'A')}}}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_LT(wrong.status().message().size(), 300u) << wrong.status().message().substr(0, 300);
}

TEST(ConfigTest, SmallestFaceReachesTheAnalysisWithinWhatTheDetectorCanFind) {
  EXPECT_EQ(ConfigFromJson("/lib", json::object())->analysis.min_face_size_px, 32);
  for (int px : {12, 24, 4096}) {
    auto c = ConfigFromJson("/lib", {{"thresholds", {{"min_face_size", px}}}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->analysis.min_face_size_px, px);
  }
  for (json bad : {json(11), json(0), json(4097), json(20.5), json("small")}) {
    base::Status st = ValidateConfigJson({{"thresholds", {{"min_face_size", bad}}}});
    EXPECT_EQ(st.code(), base::Code::kInvalidArgument) << bad.dump();
    EXPECT_NE(st.message().find("thresholds.min_face_size: must be a whole number from 12 to 4096"), std::string::npos)
        << st.message();
  }
}

TEST(ConfigTest, SmallestFaceShareReachesTheAnalysisAndOutOfRangeValuesAreRefusedNamingTheKey) {
  EXPECT_DOUBLE_EQ(ConfigFromJson("/lib", json::object())->analysis.min_face_fraction, 0.025);
  for (double share : {0.0, 0.04, 0.09}) {
    auto c = ConfigFromJson("/lib", {{"thresholds", {{"min_face_fraction", share}}}});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_DOUBLE_EQ(c->analysis.min_face_fraction, share);
  }
  for (json bad : {json(-0.01), json(0.1), json(2), json("2%"), json(true)}) {
    base::Status st = ValidateConfigJson({{"thresholds", {{"min_face_fraction", bad}}}});
    EXPECT_EQ(st.code(), base::Code::kInvalidArgument) << bad.dump();
    EXPECT_NE(st.message().find("thresholds.min_face_fraction: must be a number from 0 to 0.09"), std::string::npos)
        << st.message();
  }
}

TEST(ConfigTest, AllowPrivateIsEmptyByDefaultAndParsedIntoNetworks) {
  EXPECT_TRUE(ConfigFromJson("/lib", json::object())->downloads.allow_private.empty());
  auto c = ConfigFromJson("/lib", {{"downloads", {{"allow_private", {"192.168.1.0/24", "fd00::/8"}}}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->downloads.allow_private.size(), 2u);
  EXPECT_EQ(c->downloads.allow_private[0].ToString(), "192.168.1.0/24");
  EXPECT_EQ(c->downloads.allow_private[1].ToString(), "fd00::/8");
}

TEST(ConfigTest, DuplicatesSwitchOffTurnsOffExactDuplicateCheck) {
  auto c = ConfigFromJson("/lib", {{"review_categories", {{"duplicates", false}}}});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->policy.check_exact_duplicates);
  auto d = ConfigFromJson("/lib", {{"deduplication", {{"check_hash", false}}}});
  EXPECT_FALSE(d->policy.check_exact_duplicates);
}

TEST(ConfigTest, QualityDefaultsFollowTheSeedAndEveryCategorySumsTo100) {
  auto c = ConfigFromJson("/lib", json::object());
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->quality.noise_sigma_threshold, 4.0);
  EXPECT_DOUBLE_EQ(c->quality.highlight_clip_threshold_percent, 10);
  EXPECT_DOUBLE_EQ(c->quality.percentile_target, 90);
  EXPECT_EQ(c->quality.category_min_samples, 50);
  EXPECT_EQ(c->quality.min_faces_for_group, 4);
  EXPECT_FALSE(c->policy.photos_to_library);
  EXPECT_TRUE(c->policy.route_eyes_closed);
  for (const std::string& category : model::QualityCategories()) {
    double sum = 0;
    for (const auto& [d, w] : c->quality.weights.at(category)) sum += w;
    EXPECT_DOUBLE_EQ(sum, 100) << category;
  }
}

TEST(ConfigTest, WeightsThatDoNotSumTo100AreRefusedNamingTheCategory) {
  json doc = {{"quality", {{"weights", {{"landscape", {{"sharpness", 50}, {"exposure", 45}}}}}}}};
  base::Status st = ValidateConfigJson(doc);
  EXPECT_EQ(st.code(), base::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("quality.weights.landscape"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("sum to 95"), std::string::npos) << st.message();
  // A category given whole replaces its defaults.
  doc["quality"]["weights"]["landscape"]["exposure"] = 50;
  auto c = ConfigFromJson("/lib", doc);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->quality.weights.at("landscape").size(), 2u);
  EXPECT_EQ(c->json["quality"]["weights"]["landscape"].size(), 2u);
  EXPECT_TRUE(ValidateConfigJson(c->json).ok());
}

// Weights that sum to 100 but lie all on face_sharpness, in a category whose photos have no face, scored every one
// of them 0 (and a duplicate group's worst copy led): refused naming the category; a portrait may weigh faces alone.
TEST(ConfigTest, WeightsAllOnFacesAreRefusedForACategoryWithoutFaces) {
  json doc = {{"quality", {{"weights", {{"others", {{"face_sharpness", 100}, {"sharpness", 0}}}}}}}};
  base::Status st = ValidateConfigJson(doc);
  EXPECT_EQ(st.code(), base::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("quality.weights.others: all the weight is on face_sharpness"), std::string::npos)
      << st.message();
  doc = {{"quality", {{"weights", {{"portrait", {{"face_sharpness", 100}}}}}}}};
  EXPECT_TRUE(ValidateConfigJson(doc).ok()) << ValidateConfigJson(doc).ToString();
}

TEST(ConfigTest, BurstAndDuplicateSettingsDefaultToTheSeedAndRefuseBadValues) {
  auto c = ConfigFromJson("/lib", json::object());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_DOUBLE_EQ(c->grouping.burst_window_minutes, 0.8);
  EXPECT_DOUBLE_EQ(c->grouping.rapid_burst_seconds, 0.4);
  EXPECT_EQ(c->grouping.BurstMaxDistance(), 19);     // 70 %
  EXPECT_EQ(c->grouping.DuplicateMaxDistance(), 6);  // 90 %
  EXPECT_DOUBLE_EQ(c->grouping.weight_aggregate, 0.4);
  EXPECT_DOUBLE_EQ(c->json["burst_scoring"]["weight_blink"].get<double>(), 0.15);

  json wrong_sum = {{"burst_scoring", {{"weight_aggregate", 0.5}, {"weight_sharpness", 0.2}}}};
  base::Status st = ValidateConfigJson(wrong_sum);
  EXPECT_EQ(st.code(), base::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("burst_scoring: the weights sum to 0.7"), std::string::npos) << st.message();

  std::vector<BadCase> cases = {
      {{{"burst_detection", {{"time_window_minutes", -1}}}}, "burst_detection.time_window_minutes"},
      {{{"burst_detection", {{"similarity_threshold_percent", 101}}}}, "burst_detection.similarity_threshold_percent"},
      {{{"duplicate_detection", {{"hamming", 6}}}}, "duplicate_detection.hamming: unknown key"},
      {{{"burst_scoring", {{"weight_blink", "high"}}}}, "burst_scoring.weight_blink"},
  };
  for (const auto& bad : cases) {
    base::Status refused = ValidateConfigJson(bad.doc);
    EXPECT_EQ(refused.code(), base::Code::kInvalidArgument) << bad.doc.dump();
    EXPECT_NE(refused.message().find(bad.expected), std::string::npos) << refused.message();
  }

  // A burst_scoring block given whole replaces the defaults: absent weights count 0.
  json whole = {{"burst_scoring", {{"weight_aggregate", 0.5}, {"weight_sharpness", 0.5}}},
                {"duplicate_detection", {{"similarity_threshold_percent", 95}}}};
  auto d = ConfigFromJson("/lib", whole);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_DOUBLE_EQ(d->grouping.weight_blink, 0);
  EXPECT_EQ(d->grouping.DuplicateMaxDistance(), 3);
  EXPECT_FALSE(d->json["burst_scoring"].contains("weight_blink"));
  EXPECT_TRUE(ValidateConfigJson(d->json).ok());
}

TEST(ConfigTest, RejectsBadQualityKeys) {
  std::vector<BadCase> cases = {
      {{{"quality", {{"weights", {{"sunset", {{"sharpness", 100}}}}}}}}, "quality.weights.sunset: unknown key"},
      {{{"quality", {{"weights", {{"macro", {{"bokeh", 100}}}}}}}}, "quality.weights.macro.bokeh: unknown key"},
      {{{"quality", {{"penalties", {{"noise_sigma_threshold", -1}}}}}}, "quality.penalties.noise_sigma_threshold"},
      {{{"quality", {{"faces", {{"blink_ear_threshold", "low"}}}}}}, "quality.faces.blink_ear_threshold"},
      // The sure threshold above the other would call eyes closed that the second look is there to save.
      {{{"quality", {{"faces", {{"blink_sure_ear_threshold", 0.3}, {"blink_ear_threshold", 0.1}}}}}},
       "quality.faces.blink_sure_ear_threshold (0.3) must not be above quality.faces.blink_ear_threshold (0.1)"},
      {{{"routing", {{"photos_without_people", "trash"}}}}, "routing.photos_without_people: must be one of"},
      {{{"thresholds", {{"min_aggregate", 11}}}}, "thresholds.min_aggregate"},
      {{{"catalog", {{"url", "mysql://db/triage"}}}}, "catalog.url: catalog URL \"mysql://db/triage\" is not one"},
      {{{"catalog", {{"host", "db"}}}}, "catalog.host: unknown key"},
  };
  for (const auto& c : cases) {
    base::Status st = ValidateConfigJson(c.doc);
    EXPECT_EQ(st.code(), base::Code::kInvalidArgument) << c.doc.dump();
    EXPECT_NE(st.message().find(c.expected), std::string::npos) << st.message();
  }
}

TEST(ConfigTest, CatalogUrlDefaultsToSqliteAndTakesPostgres) {
  EXPECT_EQ(ConfigFromJson("/lib", json::object())->catalog.url, "sqlite:");
  auto c = ConfigFromJson("/lib", {{"catalog", {{"url", "postgresql://db.lan/triage"}}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->catalog.url, "postgresql://db.lan/triage");
}

TEST(ConfigTest, FaceClusteringKeysAreReadAndChecked) {
  auto c = ConfigFromJson("/lib", {{"face_clustering", {{"cluster_distance", 0.42}, {"min_faces", 4}}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_DOUBLE_EQ(c->face_clustering.cluster_distance, 0.42);
  EXPECT_EQ(c->face_clustering.min_faces, 4);
  EXPECT_EQ(c->face_clustering.min_face_size_px, 50);
  EXPECT_EQ(c->face_clustering.max_references_per_person, 10);
  EXPECT_TRUE(c->face_clustering.enabled);
  std::vector<BadCase> cases = {
      {{{"face_clustering", {{"min_faces", 1}}}}, "face_clustering.min_faces: must be a whole number from 2 to 100"},
      {{{"face_clustering", {{"cluster_distance", 0}}}}, "face_clustering.cluster_distance"},
      {{{"face_clustering", {{"hdbscan", true}}}}, "face_clustering.hdbscan: unknown key"},
      {{{"face_clustering", {{"max_references_per_person", 0}}}}, "face_clustering.max_references_per_person"},
  };
  for (const auto& bad : cases) {
    base::Status st = ValidateConfigJson(bad.doc);
    EXPECT_EQ(st.code(), base::Code::kInvalidArgument) << bad.doc.dump();
    EXPECT_NE(st.message().find(bad.expected), std::string::npos) << st.message();
  }
}

TEST(ConfigTest, RoutingAndQualityThresholdsReachThePolicy) {
  auto c = ConfigFromJson("/lib", {{"routing", {{"photos_without_people", "library"}}},
                                   {"thresholds", {{"min_width", 800}, {"min_height", 600}, {"min_aggregate", 4.5}}},
                                   {"quality", {{"route_eyes_closed", false}}}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->policy.photos_to_library);
  EXPECT_EQ(c->policy.min_width, 800);
  EXPECT_EQ(c->policy.min_height, 600);
  EXPECT_DOUBLE_EQ(c->policy.min_aggregate, 4.5);
  EXPECT_FALSE(c->policy.route_eyes_closed);
  model::Decision d;
  d.destination = model::Destination::kLibrary;
  d.library_folder = "2019/05";
  EXPECT_EQ(c->FolderFor(d), std::filesystem::path("/lib/photos/2019/05"));
  d.library_folder = "";
  d.person = "alice";
  EXPECT_EQ(c->FolderFor(d), std::filesystem::path("/lib/faces/alice"));
  d.destination = model::Destination::kReview;
  d.category = "low_quality";
  EXPECT_EQ(c->FolderFor(d), std::filesystem::path("/lib/review/low_quality"));
}

TEST(ConfigTest, ProposalDefaultsFollowTheSourceAndBadValuesAreNamed) {
  auto c = ConfigFromJson("/lib", json::object());
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->proposals.auto_approve);
  EXPECT_FALSE(c->proposals.auto_deny);
  EXPECT_DOUBLE_EQ(c->proposals.auto_approve_threshold, 90);
  EXPECT_DOUBLE_EQ(c->proposals.auto_deny_threshold, 40);
  EXPECT_EQ(c->proposals.min_width, 800);
  EXPECT_EQ(c->proposals.min_height, 600);
  EXPECT_EQ(c->proposals.flag_threshold, 3);
  EXPECT_DOUBLE_EQ(c->proposals.upvote_weight, 1.0);
  EXPECT_DOUBLE_EQ(c->proposals.downvote_weight, -1.5);
  EXPECT_DOUBLE_EQ(c->proposals.flag_weight, -3.0);
  EXPECT_EQ(c->proposals.stale_proposal_days, 30);
  EXPECT_DOUBLE_EQ(c->proposals.schedule_minutes, 60);
  EXPECT_EQ(c->votes.max_per_minute_per_session, 30);
  std::vector<BadCase> cases = {
      {{{"proposals", {{"flag_threshold", 0}}}}, "proposals.flag_threshold: must be a whole number from 1"},
      {{{"proposals", {{"auto_approve_threshold", 101}}}}, "proposals.auto_approve_threshold: must be a number"},
      {{{"proposals", {{"auto_deny_threshold", 95}}}}, "proposals.auto_deny_threshold (95) must be below"},
      {{{"proposals", {{"auto_approve", "yes"}}}}, "proposals.auto_approve: must be true or false"},
      {{{"votes", {{"per_hour", 5}}}}, "votes.per_hour: unknown key"},
      {{{"proposals", {{"schedule_minutes", -1}}}}, "proposals.schedule_minutes: must be a number from 0"},
      {{{"proposals", {{"schedule_minutes", "hourly"}}}}, "proposals.schedule_minutes: must be a number"},
      {{{"proposals", {{"schedule_minutes", 1e-9}}}}, "proposals.schedule_minutes: must be 0 (never) or at least 0.05"},
  };
  for (const auto& bad : cases) {
    base::Status st = ValidateConfigJson(bad.doc);
    EXPECT_EQ(st.code(), base::Code::kInvalidArgument) << bad.doc.dump();
    EXPECT_NE(st.message().find(bad.expected), std::string::npos) << st.message();
  }
}

TEST(ConfigTest, MissingLibraryIsNotFoundWithHint) {
  auto c = LoadConfig("/nonexistent/library");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::Code::kNotFound);
  EXPECT_NE(c.status().message().find("triage init"), std::string::npos);
}

TEST(PersonNameTest, SanitizesByTheRule) {
  EXPECT_EQ(*SanitizePersonName("Barack Obama"), "barack_obama");
  EXPECT_EQ(*SanitizePersonName("Jean-Luc"), "jean_luc");
  EXPECT_EQ(*SanitizePersonName("Zoë!"), "zoe");
  EXPECT_EQ(*SanitizePersonName("  Barack Obama "), "barack_obama");  // a pasted space is not a new person
  EXPECT_EQ(*SanitizePersonName("Barack  Obama"), "barack_obama");    // nor a doubled one
  EXPECT_EQ(*SanitizePersonName("Jean - Luc"), "jean_luc");
  EXPECT_EQ(*SanitizePersonName("jean__luc"), "jean_luc");
  EXPECT_EQ(*SanitizePersonName("Ann ! Lee"), "ann_lee");
  EXPECT_FALSE(SanitizePersonName("   ").ok());
}

TEST(PersonNameTest, TheShownNameIsAsTypedAndWritesTheSameFolderName) {
  EXPECT_EQ(*PersonDisplayName("Bernadette Rostenkowski", "bernadette_rostenkowski"), "Bernadette Rostenkowski");
  EXPECT_EQ(*PersonDisplayName("  Zoë   Ångström ", "zoe_angstrom"), "Zoë Ångström") << "spaces around and between";
  EXPECT_EQ(*PersonDisplayName("Jean-Luc", "jean_luc"), "Jean-Luc");
  EXPECT_EQ(*PersonDisplayName("obama", "obama"), "") << "the folder name itself adds nothing to show";
  EXPECT_EQ(*PersonDisplayName(" obama ", "obama"), "");
  auto other = PersonDisplayName("Bernie", "bernadette_rostenkowski");
  ASSERT_FALSE(other.ok()) << "another name is another person, not another way of showing this one";
  EXPECT_EQ(other.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(other.status().message().find("bernie"), std::string::npos) << other.status().message();
  EXPECT_FALSE(PersonDisplayName("a/b", "ab").ok());
  EXPECT_FALSE(PersonDisplayName("Ann\nLee", "annlee").ok());
  auto long_one = PersonDisplayName("A" + std::string(300, '!'), "a");
  ASSERT_FALSE(long_one.ok()) << "punctuation the folder name drops still has to fit on a page";
  EXPECT_NE(long_one.status().message().find("too long"), std::string::npos) << long_one.status().message();
}

// Accents are kept as their base letters, not dropped: "René" is never filed with an existing "ren".
TEST(PersonNameTest, LatinLettersWithAccentsKeepTheirBaseLetters) {
  EXPECT_EQ(*SanitizePersonName("René"), "rene");
  EXPECT_EQ(*SanitizePersonName("Zoë Ångström-Łukasiewicz"), "zoe_angstrom_lukasiewicz");
  EXPECT_EQ(*SanitizePersonName("Straße Æsir Œuvre"), "strasse_aesir_oeuvre");
  EXPECT_EQ(*SanitizePersonName("Dvořák"), "dvorak");
  EXPECT_EQ(*SanitizePersonName("Rene\xCC\x81"
                                "e"),
            "renee")
      << "a combining accent (NFD input) is dropped";
  EXPECT_EQ(*SanitizePersonName("O\xE2\x80\x99"
                                "Brien"),
            "obrien")
      << "a typographic apostrophe is punctuation";
  EXPECT_EQ(*SanitizePersonName("«Ana»"), "ana");
}

// What is no letter of any script (an emoji, a symbol, broken UTF-8) is refused by name, never silently dropped.
TEST(PersonNameTest, EmojiSymbolsAndBrokenUtf8AreRefusedNamingTheCharacter) {
  for (const std::string& bad : {std::string("Ana 😀"), std::string("李 ★"), std::string("ab\xC3"),
                                 std::string("ab\xFF"
                                             "cd")}) {
    auto r = SanitizePersonName(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find("cannot be part of a name"), std::string::npos) << r.status().message();
  }
  EXPECT_NE(SanitizePersonName("Ana 😀").status().message().find("\"😀\""), std::string::npos);
}

// Characters that show nothing or reorder the letters after them are refused by code point, in the folder name and
// in the name shown: "Ann\u202Eeel" would show as "Annlee", "Ann\u200BLee" look like "AnnLee" and be another name.
TEST(PersonNameTest, InvisibleAndDirectionCharactersAreRefusedByCodePoint) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Ann\u202Eeel", "U+202E"},       {"Ann\u200BLee", "U+200B"}, {"\u200FAnn", "U+200F"},
      {"Ann\u2066Lee\u2069", "U+2066"}, {"Ann\u00ADLee", "U+00AD"}, {"Ann\u2028Lee", "U+2028"},
      {"Ann\u0085Lee", "U+0085"},       {"Ann\uFEFF", "U+FEFF"},    {"\u0639\u0644\u064A\u200F", "U+200F"}};
  for (const auto& [name, code] : cases) {
    auto folder = SanitizePersonName(name);
    ASSERT_FALSE(folder.ok()) << code;
    EXPECT_EQ(folder.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(folder.status().message().find("invisible character, " + code), std::string::npos)
        << folder.status().message();
    EXPECT_EQ(folder.status().message().find("\u202E"), std::string::npos) << "the message itself shows in order";
    auto shown = PersonDisplayName(name, "annlee");
    ASSERT_FALSE(shown.ok()) << code;
    EXPECT_NE(shown.status().message().find("invisible character, " + code), std::string::npos)
        << shown.status().message();
  }
  // The zero-width non-joiner of a Persian name and a typographic apostrophe are part of names.
  EXPECT_TRUE(SanitizePersonName("\u0645\u06CC\u200C\u0631\u0627").ok());
  EXPECT_EQ(*PersonDisplayName("O\u2019Brien", "obrien"), "O\u2019Brien");
}

// Cyrillic and Greek names are filed under their Latin spelling (passport tables); the name as typed is shown.
TEST(PersonNameTest, CyrillicAndGreekNamesAreFiledInLatinLetters) {
  EXPECT_EQ(*SanitizePersonName("Ольга"), "olga");
  EXPECT_EQ(*SanitizePersonName("Иван Петров"), "ivan_petrov");
  EXPECT_EQ(*SanitizePersonName("Щукин-Чехов"), "shchukin_chekhov");
  EXPECT_EQ(*SanitizePersonName("Юлія Ґонта"), "yuliya_gonta");  // Ukrainian
  EXPECT_EQ(*SanitizePersonName("Νίκος Παπαδόπουλος"), "nikos_papadopoulos");
  EXPECT_EQ(*SanitizePersonName("ΘΕΟΔΩΡΟΣ"), "theodoros");
  EXPECT_EQ(*SanitizePersonName("Ψυχάρης"), "psycharis");
  EXPECT_EQ(*PersonDisplayName("Ольга", "olga"), "Ольга");
  EXPECT_EQ(*PersonDisplayName("ОЛЬГА", "olga"), "ОЛЬГА") << "capitals are another way of writing it";
}

// A name in a script without a table gets a generated, stable folder name: "person_" and 8 hex digits of its SHA-256.
TEST(PersonNameTest, ANameInAnotherScriptGetsAStableGeneratedKeyAndIsShownAsTyped) {
  auto bruce = SanitizePersonName("李小龍");
  ASSERT_TRUE(bruce.ok()) << bruce.status().message();
  EXPECT_EQ(bruce->size(), 15u) << *bruce;
  EXPECT_EQ(bruce->rfind("person_", 0), 0u) << *bruce;
  EXPECT_EQ(bruce->find_first_not_of("0123456789abcdef", 7), std::string::npos) << *bruce;
  EXPECT_EQ(*SanitizePersonName("  李小龍 "), *bruce) << "the spaces around it are not part of it";
  auto faye = SanitizePersonName("王菲");
  ASSERT_TRUE(faye.ok());
  EXPECT_NE(*faye, *bruce) << "two names, two folders";
  EXPECT_NE(*SanitizePersonName("李小龙"), *bruce) << "another character is another name";
  EXPECT_EQ(*SanitizePersonName("LEE  李"), *SanitizePersonName("Lee 李")) << "capitals and spaces as for Latin names";
  EXPECT_EQ(*PersonDisplayName("李小龍", *bruce), "李小龍");
  EXPECT_FALSE(PersonDisplayName("王菲", *bruce).ok());
  EXPECT_TRUE(SanitizePersonName("김연아").ok());  // Hangul
  EXPECT_TRUE(SanitizePersonName("שרה").ok());     // Hebrew
}

TEST(PersonNameTest, RefusesNamesThatWouldEscapeTheLibrary) {
  for (std::string bad : {std::string("../root"), std::string("a/b"), std::string("x\0y", 3), std::string("a\nb"),
                          std::string("!!!"), std::string("")}) {
    EXPECT_FALSE(SanitizePersonName(bad).ok()) << bad;
  }
}

TEST(PersonNameTest, RefusesANameLongerThanAFolderNameMayBeSayingHowLong) {
  EXPECT_EQ(SanitizePersonName(std::string(kMaxPersonNameLength, 'a'))->size(), kMaxPersonNameLength);
  auto r = SanitizePersonName(std::string(300, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("too long: at most 100"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("it has 300"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message(),
            "person name \"" + std::string(60, 'x') +
                "\"… is too long: at most 100 characters, spaces and dashes counted, punctuation not (it has 300)")
      << "the message quotes only the start of the name";
}

// Nothing typed is said as such, not as a quoted "" that "has no letters"; what was typed is quoted as typed (without
// the spaces around it), and a long refused name only in part.
TEST(PersonNameTest, AnEmptyNameIsAskedForAndARefusedOneIsQuotedAsTypedAndCut) {
  for (const std::string& blank : {std::string(""), std::string("   ")}) {
    auto r = SanitizePersonName(blank);
    ASSERT_FALSE(r.ok()) << "\"" << blank << "\"";
    EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "a person's name is needed: type it with at least one letter or digit");
  }
  EXPECT_EQ(SanitizePersonName("  -- ").status().message(),
            "person name \"--\" has no letters or digits: a name is letters of any script and digits (spaces, "
            "dashes and _ part its words)");
  const std::string dashes(300, '-');  // refused for another reason than its length: still quoted only in part
  EXPECT_EQ(SanitizePersonName(dashes).status().message(),
            "person name \"" + std::string(60, '-') +
                "\"… has no letters or digits: a name is letters of any script and digits (spaces, dashes and _ part "
                "its words)");
  std::string accents;  // cut between characters, never inside one
  for (int i = 0; i < 100; ++i) accents += "é";
  accents += "/";
  const std::string message = SanitizePersonName(accents).status().message();
  EXPECT_NE(message.find("\"" + accents.substr(0, 120) + "\"…"), std::string::npos) << message;
  EXPECT_TRUE(base::IsValidUtf8(message)) << message;
}

}  // namespace
}  // namespace triage::config
