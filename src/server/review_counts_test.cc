// Specification of the cached review counts.
#include "server/review_counts.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/sqlite/sqlite_catalog.h"

namespace triage::server {
namespace {

namespace fs = std::filesystem;

class ReviewCountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("review_counts_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    catalog_ = std::move(*catalog::sqlite::SqliteCatalog::Open(dir_ / "catalog.db"));
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  void AddToReview(int n, const std::string& category) {
    catalog::CatalogChange c;
    c.journal_id = "j" + std::to_string(n);
    c.item.path = "review/" + category + "/" + std::to_string(n) + ".jpg";
    c.item.original_name = "x.jpg";
    c.item.fingerprint = {std::string(64, 'a'), 10, 0, false};
    c.item.location = "review";
    c.item.category = category;
    c.action = "ingest";
    c.at = 1;
    ASSERT_TRUE(catalog_->Apply(c).ok());
  }
  fs::path dir_;
  std::unique_ptr<catalog::sqlite::SqliteCatalog> catalog_;
};

TEST_F(ReviewCountsTest, CountsEveryCategoryAndServesFromCacheUntilInvalidated) {
  AddToReview(1, "duplicates");
  ReviewCountsCache cache(std::chrono::hours(1));
  auto first = cache.Get(*catalog_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 1);
  EXPECT_EQ(first->by_category.at("duplicates"), 1);
  EXPECT_EQ(first->by_category.at("unreadable"), 0);
  AddToReview(2, "unreadable");
  EXPECT_EQ(cache.Get(*catalog_)->total, 1);  // cached
  cache.Invalidate();
  EXPECT_EQ(cache.Get(*catalog_)->total, 2);
}

TEST_F(ReviewCountsTest, RecountsWhenTheChangeVersionMovesAndNotOtherwise) {
  AddToReview(1, "duplicates");
  ReviewCountsCache cache(std::chrono::hours(1));
  EXPECT_EQ(cache.Get(*catalog_, 7)->total, 1);
  AddToReview(2, "unreadable");  // as another process would
  EXPECT_EQ(cache.Get(*catalog_, 7)->total, 1) << "same version: cached";
  EXPECT_EQ(cache.Get(*catalog_)->total, 1) << "no version: the time-to-live decides";
  EXPECT_EQ(cache.Get(*catalog_, 8)->total, 2) << "the version moved";
}

TEST_F(ReviewCountsTest, ExpiresAfterTimeToLive) {
  ReviewCountsCache cache(std::chrono::milliseconds(0));
  EXPECT_EQ(cache.Get(*catalog_)->total, 0);
  AddToReview(1, "low_quality");
  EXPECT_EQ(cache.Get(*catalog_)->total, 1);
}

TEST(PageAgreesWithTotalTest, APageShowsWhatTheCountsMustAllow) {
  EXPECT_TRUE(PageAgreesWithTotal(50, 0, 50, 50));
  EXPECT_TRUE(PageAgreesWithTotal(50, 0, 50, 120));
  EXPECT_FALSE(PageAgreesWithTotal(50, 50, 50, 60)) << "a full second page needs 100 at least";
  EXPECT_TRUE(PageAgreesWithTotal(3, 50, 50, 53));
  EXPECT_FALSE(PageAgreesWithTotal(3, 50, 50, 60)) << "the last page: exactly 53";
  EXPECT_FALSE(PageAgreesWithTotal(1, 0, 50, 0)) << "one photo shown of none counted";
  EXPECT_FALSE(PageAgreesWithTotal(0, 0, 50, 2)) << "none shown of two counted";
  EXPECT_TRUE(PageAgreesWithTotal(0, 0, 50, 0));
  EXPECT_TRUE(PageAgreesWithTotal(0, 100, 50, 80)) << "past the end";
  EXPECT_FALSE(PageAgreesWithTotal(0, 100, 50, 130));
}

}  // namespace
}  // namespace triage::server
