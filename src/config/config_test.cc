// Specification of config validation: unknown keys, wrong types and ranges are named; defaults fill gaps.
#include "config/config.h"

#include <gtest/gtest.h>

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

TEST(ConfigTest, MissingLibraryIsNotFoundWithHint) {
  auto c = LoadConfig("/nonexistent/library");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), base::Code::kNotFound);
  EXPECT_NE(c.status().message().find("triage init"), std::string::npos);
}

TEST(PersonNameTest, SanitizesByTheRule) {
  EXPECT_EQ(*SanitizePersonName("Barack Obama"), "barack_obama");
  EXPECT_EQ(*SanitizePersonName("Jean-Luc"), "jean_luc");
  EXPECT_EQ(*SanitizePersonName("Zoë!"), "zo");
}

TEST(PersonNameTest, RefusesNamesThatWouldEscapeTheLibrary) {
  for (std::string bad : {std::string("../root"), std::string("a/b"), std::string("x\0y", 3), std::string("a\nb"),
                          std::string("!!!"), std::string("")}) {
    EXPECT_FALSE(SanitizePersonName(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace triage::config
