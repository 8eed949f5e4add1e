// Specification of quality scores through intake: scored and stored with the analysis, routed by the quality rules,
// and recomputed from the stored measures exactly as a fresh analysis scores them.
#include <gtest/gtest.h>
#include <unistd.h>

#include "catalog/sqlite/sqlite_catalog.h"
#include "commit/journal.h"
#include "pipeline/ingestor.h"
#include "quality/recompute.h"
#include "quality/reference_store.h"

namespace triage::pipeline {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kPhotos = {"biden.jpg",
                                          "biden2.jpg",
                                          "obama.jpg",
                                          "obama2.jpg",
                                          "obama3.jpg",
                                          "skimage_astronaut.jpg",
                                          "skimage_coffee.jpg",
                                          "vladmandic_sample1.jpg",
                                          "Tom_Cruise_avp_2014_4.jpg"};

class QualityIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("triage_quality_intake_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(lib_);
    fs::create_directories(lib_ / ".triage");
    fs::create_directories(in_);
  }
  void TearDown() override {
    fs::remove_all(lib_);
    fs::remove_all(in_);
  }

  void Configure(nlohmann::json doc) {
    doc["analysis"]["faces"] = false;
    doc["intake"]["settle_ms"] = 0;
    ASSERT_TRUE(config::SaveConfigJson(lib_, doc).ok());
    config_ = std::move(*config::ConfigStore::Open(lib_));
    catalog_ = std::move(*catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db"));
    journal_ = std::move(*commit::Journal::Open(lib_ / ".triage"));
    committer_ = std::make_unique<commit::Committer>(*journal_, *catalog_, lib_);
    ingestor_ = std::make_unique<Ingestor>(*config_, *catalog_, *committer_, nullptr);
  }

  std::vector<fs::path> Inputs() {
    std::vector<fs::path> out;
    for (const auto& name : kPhotos) {
      fs::copy_file(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces" / name, in_ / name,
                    fs::copy_options::overwrite_existing);
      out.push_back(in_ / name);
    }
    return out;
  }

  fs::path lib_;
  fs::path in_ = fs::temp_directory_path() / ("triage_quality_intake_in_" + std::to_string(::getpid()));
  std::unique_ptr<config::ConfigStore> config_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<commit::Journal> journal_;
  std::unique_ptr<commit::Committer> committer_;
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(QualityIntakeTest, EveryImageIsScoredAndTheScoreStoredAndListed) {
  Configure(config::DefaultConfigJson());
  auto s = ingestor_->IngestPaths(Inputs(), {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->failed, 0);
  for (const auto& item : s->items) {
    auto stored = catalog_->GetAnalysis(item.item_id);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    const model::Analysis& a = (*stored)->analysis;
    EXPECT_TRUE(a.metrics.measured) << item.input;
    ASSERT_TRUE(a.quality.scored) << item.input;
    EXPECT_GE(a.quality.aggregate, 0);
    EXPECT_LE(a.quality.aggregate, 10);
    EXPECT_FALSE(a.quality.category.empty());
    auto record = catalog_->GetItem(item.item_id);
    ASSERT_TRUE(record.ok());
    EXPECT_EQ(record->quality.aggregate, a.quality.aggregate);
    EXPECT_EQ(record->quality.dimensions.size(), a.quality.dimensions.size());
  }
}

TEST_F(QualityIntakeTest, RecomputeEqualsAFreshAnalysisUnderTheSameReference) {
  nlohmann::json doc = config::DefaultConfigJson();
  doc["quality"]["normalization"]["category_min_samples"] = 3;  // so that the library's own scale applies
  Configure(doc);
  auto s = ingestor_->IngestPaths(Inputs(), {});
  ASSERT_TRUE(s.ok());
  // Ingested against the built-in anchors; recompute learns the library's percentiles and rescores.
  auto report = quality::Recompute(*catalog_, *config_->Current());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->items, static_cast<int64_t>(kPhotos.size()));
  EXPECT_EQ(report->measured, report->items);
  EXPECT_GT(report->changed, 0);
  EXPECT_TRUE(fs::exists(quality::ReferenceFile(lib_ / ".triage")));
  // A fresh analysis of each file now reads that reference: same category, same aggregate.
  for (const auto& item : s->items) {
    model::Analysis fresh;
    ASSERT_TRUE(ingestor_->DryRun(item.input, fresh).ok());
    auto stored = catalog_->GetAnalysis(item.item_id);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ(fresh.quality.category, (*stored)->analysis.quality.category) << item.input;
    EXPECT_DOUBLE_EQ(fresh.quality.aggregate, (*stored)->analysis.quality.aggregate) << item.input;
  }
  // Nothing changed since: a second run writes nothing.
  auto again = quality::Recompute(*catalog_, *config_->Current());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->changed, 0);
}

// A photo in the trash while the scale is recomputed is rescored too (restored, it would otherwise be ranked on the
// old scale beside its burst), but it is no sample of the library's scale.
TEST_F(QualityIntakeTest, RecomputeRescoresThePhotosInTheTrashWithoutCountingThem) {
  nlohmann::json doc = config::DefaultConfigJson();
  doc["quality"]["normalization"]["category_min_samples"] = 3;
  Configure(doc);
  auto s = ingestor_->IngestPaths(Inputs(), {});
  ASSERT_TRUE(s.ok());
  const ItemOutcome& binned = s->items.front();
  catalog::CatalogChange trash;
  trash.item.location = "trash";
  trash.actor = "test";
  trash.action = "reject";
  ASSERT_TRUE(committer_->Relocate(*catalog_->GetItem(binned.item_id), lib_ / ".triage/trash", trash).ok());
  auto report = quality::Recompute(*catalog_, *config_->Current());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->items, static_cast<int64_t>(kPhotos.size()) - 1) << "the trash is no sample";
  model::Analysis fresh;
  ASSERT_TRUE(ingestor_->DryRun(binned.input, fresh).ok());
  auto stored = catalog_->GetAnalysis(binned.item_id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_DOUBLE_EQ((*stored)->analysis.quality.aggregate, fresh.quality.aggregate) << "rescored on the new scale";
}

TEST_F(QualityIntakeTest, PhotosWithoutPeoplePassingTheRulesGoToTheLibraryByMonth) {
  nlohmann::json doc = config::DefaultConfigJson();
  doc["routing"]["photos_without_people"] = "library";
  doc["thresholds"]["min_width"] = 400;
  Configure(doc);
  auto s = ingestor_->IngestPaths(Inputs(), {});
  ASSERT_TRUE(s.ok());
  int to_photos = 0, too_small = 0;
  for (const auto& item : s->items) {
    const model::Decision& d = item.decision;
    if (d.destination == model::Destination::kLibrary) {
      EXPECT_FALSE(d.library_folder.empty()) << item.input;
      EXPECT_EQ(fs::path(item.path).parent_path().string(), "photos/" + d.library_folder);
      ++to_photos;
    } else if (!d.reasons.empty() && d.reasons.front().code == "too_small") {
      EXPECT_EQ(d.category, "low_quality");
      ++too_small;
    }
  }
  EXPECT_GT(to_photos, 0);
  EXPECT_GT(too_small, 0);  // the set has portraits 352 px wide
}

}  // namespace
}  // namespace triage::pipeline
