// Policy simulation over stored analyses: what a proposed policy would move, and stored rows that cannot be read.
#include "review/policy_service.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/test_items.h"
#include "commit/committer.h"
#include "commit/journal.h"

namespace triage::review {
namespace {

namespace fs = std::filesystem;

class PolicySimulationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("policy_simulation_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    catalog_ = *catalog::sqlite::SqliteCatalog::Open(dir_ / "catalog.db");
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }

  // An item waiting in review/low_confidence: one face, nearest `person` at `distance` with `confidence`.
  int64_t LowConfidence(int n, const std::string& person, double distance, double confidence,
                        std::optional<int64_t> copy_of = std::nullopt, bool decided_as_copy = false) {
    catalog::CatalogChange c = catalog::ReviewItemChange(n, "low_confidence");
    model::StoredAnalysis s;
    s.analysis.readable = true;
    s.analysis.faces_analysed = true;
    s.analysis.info.width = 800;
    s.analysis.info.height = 600;
    s.analysis.info.format = "jpeg";
    s.analysis.sharpness = 500;
    s.analysis.exposure = 0.5;
    model::Face f;
    f.box = {100, 100, 200, 200};
    f.detection_score = 0.95f;
    f.eye_aspect_ratio = 0.3;
    f.match.person = person;
    f.match.distance = distance;
    f.match.confidence = confidence;
    f.match.candidates = {{person, distance, confidence}};
    s.analysis.faces = {f};
    s.facts.exact_duplicate_of = copy_of;  // an identical file was in the catalog when it was decided
    if (decided_as_copy) c.item.duplicate_of = copy_of;
    c.analysis = s;
    return *catalog_->Apply(c);
  }

  config::Config ConfigWith(double min_confidence) {
    nlohmann::json doc = config::DefaultConfigJson();
    doc["thresholds"]["min_confidence"] = min_confidence;
    doc["whitelist"] = {"ada"};
    return *config::ConfigFromJson(dir_, doc);
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
};

TEST_F(PolicySimulationTest, CountsWhatALowerConfidenceWouldSortAndMovesNothing) {
  int64_t a = LowConfidence(1, "ada", 0.45, 0.7);
  LowConfidence(2, "ada", 0.45, 0.3);
  auto report = SimulatePolicy(*catalog_, ConfigWith(0.6));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->total, 2);
  EXPECT_EQ(report->changed, 1);
  EXPECT_EQ(report->damaged, 0);
  ASSERT_EQ(report->moves.size(), 1u);
  EXPECT_EQ(report->moves[0].from, "review/low_confidence");
  EXPECT_EQ(report->moves[0].to, "faces/ada");
  EXPECT_EQ(report->moves[0].sample_ids, std::vector<int64_t>{a});
  EXPECT_EQ(catalog_->GetItem(a)->location, "review") << "a simulation moves nothing";
  nlohmann::json j = SimulationJson(*report);
  EXPECT_EQ(j["moves"][0]["count"], 1);
  EXPECT_EQ(j["damaged"], 0);
}

// A copy a reviewer kept beside its original waits as a photo of its own (outside review/duplicates, still naming its
// original): a replay leaves it there. A copy the duplicate check passed over at intake (switched off then) is sent
// to review/duplicates by a policy that checks.
TEST_F(PolicySimulationTest, ACopyDecidedByAReviewerIsNotSentBackToDuplicates) {
  int64_t original = LowConfidence(1, "ada", 0.45, 0.3);
  LowConfidence(2, "ada", 0.45, 0.3, original, /*decided_as_copy=*/true);
  int64_t unchecked = LowConfidence(3, "ada", 0.45, 0.3, original, /*decided_as_copy=*/false);
  auto report = SimulatePolicy(*catalog_, ConfigWith(0.6));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->changed, 1);
  ASSERT_EQ(report->moves.size(), 1u);
  EXPECT_EQ(report->moves[0].from, "review/low_confidence");
  EXPECT_EQ(report->moves[0].to, "review/duplicates");
  EXPECT_EQ(report->moves[0].sample_ids, std::vector<int64_t>{unchecked});
}

TEST_F(PolicySimulationTest, ADamagedStoredAnalysisIsCountedApartAndNeverReplayed) {
  LowConfidence(1, "ada", 0.45, 0.7);
  int64_t damaged = LowConfidence(2, "ada", 0.45, 0.7);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "catalog.db").c_str(), &db), SQLITE_OK);
  std::string sql = "UPDATE analyses SET analysis = x'c1c1' WHERE item_id = " + std::to_string(damaged);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto report = SimulatePolicy(*catalog_, ConfigWith(0.6));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->total, 1);
  EXPECT_EQ(report->damaged, 1);
  EXPECT_EQ(report->changed, 1);
}

// A photo decided while the policy runs (a reviewer rejects it between the policy reading the queue and moving what
// it re-decided) stays where the reviewer put it: the policy moves only what still waits where it was read. Before,
// it took the rejected photo back out of the trash into faces/<person>/.
TEST_F(PolicySimulationTest, ApplyLeavesAPhotoDecidedMeanwhileWhereTheReviewerPutIt) {
  int64_t a = LowConfidence(1, "ada", 0.45, 0.7);
  fs::create_directories(dir_ / ".triage/trash");
  std::ofstream(dir_ / ".triage/trash/1.jpg") << "1";
  auto journal = commit::Journal::Open(dir_ / ".triage");
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  commit::Committer committer(**journal, *catalog_, dir_);
  // Called while the queue is read: the reviewer's reject lands then.
  MatchNowFn reject_meanwhile = [&](int64_t id, std::vector<model::Face>&) {
    catalog::CatalogChange t;
    t.kind = catalog::CatalogChange::Kind::kRelocateItem;
    t.journal_id = "reject" + std::to_string(id);
    t.item.id = id;
    t.item.location = "trash";
    t.item.path = ".triage/trash/1.jpg";
    t.actor = "bob";
    t.action = "reject";
    t.at = 2;
    auto applied = catalog_->Apply(t);
    return applied.ok() ? base::Status::Ok() : applied.status();
  };
  auto report = ApplyPolicy(*catalog_, committer, ConfigWith(0.6), "alice", 3, reject_meanwhile);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->moved, 0);
  EXPECT_EQ(report->failed, 0);
  EXPECT_EQ(report->decided_meanwhile, 1);
  EXPECT_EQ(catalog_->GetItem(a)->location, "trash");
  EXPECT_TRUE(fs::exists(dir_ / ".triage/trash/1.jpg"));
  EXPECT_FALSE(fs::exists(dir_ / "faces/ada"));
  EXPECT_EQ(ApplyJson(*report)["decided_meanwhile"], 1);
}

}  // namespace
}  // namespace triage::review
