// How the SQLite catalog stores analyses: MessagePack rows, JSON text rows from earlier versions, damaged rows,
// names that are not UTF-8, and pages parsed in parallel that keep their order.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/test_items.h"

namespace triage::catalog::sqlite {
namespace {

namespace fs = std::filesystem;

class SqliteAnalysesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sqlite_analyses_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    auto c = SqliteCatalog::Open(dir_ / "catalog.db");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }

  // An item in review with one face whose nearest person is `person` at `distance`.
  int64_t InsertReviewed(int n, const std::string& person, double distance) {
    CatalogChange c = ReviewItemChange(n);
    model::StoredAnalysis s;
    s.version = 1;
    s.analysis.readable = true;
    model::Face f;
    f.match.person = person;
    f.match.distance = distance;
    f.match.candidates = {{person, distance, 0.5}};
    s.analysis.faces = {f};
    c.analysis = s;
    auto id = catalog_->Apply(c);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return *id;
  }

  // Writes `value` into the analysis column of `item_id` behind the catalog's back, as another version would have.
  void WriteRaw(int64_t item_id, const std::string& value, bool as_blob) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "catalog.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE analyses SET analysis = ? WHERE item_id = ?", -1, &st, nullptr),
              SQLITE_OK);
    if (as_blob)
      sqlite3_bind_blob(st, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    else
      sqlite3_bind_text(st, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, item_id);
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }

  fs::path dir_;
  std::unique_ptr<SqliteCatalog> catalog_;
};

TEST_F(SqliteAnalysesTest, ReadsRowsStoredAsJsonTextByEarlierVersions) {
  int64_t id = InsertReviewed(1, "ada", 0.4);
  WriteRaw(id,
           R"({"version":1,"readable":true,"faces":[{"box":[1,2,3,4],"score":0.9,"ear":0.3,)"
           R"("match":{"person":"bob","distance":0.55,"confidence":0.7,"candidates":[]}}],)"
           R"("facts":{"near_duplicate_of":12,"near_duplicate_distance":3}})",
           /*as_blob=*/false);
  auto stored = catalog_->GetAnalysis(id);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  ASSERT_EQ((*stored)->analysis.faces.size(), 1u);
  EXPECT_EQ((*stored)->analysis.faces[0].match.person, "bob");
  EXPECT_DOUBLE_EQ((*stored)->analysis.faces[0].match.distance, 0.55);
  EXPECT_EQ((*stored)->facts.near_duplicate_of, 12);
  auto listed = catalog_->ListAnalysedItems(0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).analysis.analysis.faces.at(0).match.person, "bob");
  auto measures = catalog_->ListStoredAnalyses(0, 10, AnalysisParts::kMeasures);
  ASSERT_TRUE(measures.ok());
  ASSERT_EQ(measures->size(), 1u);
  EXPECT_EQ(measures->at(0).analysis.version, 1);
  EXPECT_TRUE(measures->at(0).analysis.analysis.readable);
  EXPECT_TRUE(measures->at(0).analysis.analysis.faces.empty()) << "only the measures are read";
}

TEST_F(SqliteAnalysesTest, ADamagedRowReadsAsAnAnalysisThatCannotBeReplayed) {
  int64_t id = InsertReviewed(1, "ada", 0.4);
  WriteRaw(id, std::string("\xde\xad\xbe\xef\x01", 5), /*as_blob=*/true);
  auto stored = catalog_->GetAnalysis(id);
  ASSERT_TRUE(stored.ok()) << "a damaged row must not fail the whole read";
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->version, 0);
  EXPECT_TRUE((*stored)->analysis.faces.empty());
  for (auto parts : {AnalysisParts::kWhole, AnalysisParts::kMeasures}) {
    auto listed = catalog_->ListStoredAnalyses(0, 10, parts);
    ASSERT_TRUE(listed.ok()) << "a damaged row must not fail the listing";
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->at(0).analysis.version, 0);
  }
  WriteRaw(id, "{not json", /*as_blob=*/false);
  EXPECT_EQ((*catalog_->GetAnalysis(id))->version, 0);
  // Damaged after a valid start, and valid MessagePack that is not an object: neither is an analysis.
  for (const std::string& raw : {std::string("\x82\xa7version\x01\xa8readable", 19), std::string("\x92\x01\x02", 3),
                                 std::string("{\"version\":2,\"metrics\":{\"sharpness\":")}) {
    WriteRaw(id, raw, /*as_blob=*/raw[0] != '{');
    for (auto parts : {AnalysisParts::kWhole, AnalysisParts::kMeasures}) {
      auto listed = catalog_->ListStoredAnalyses(0, 10, parts);
      ASSERT_TRUE(listed.ok());
      ASSERT_EQ(listed->size(), 1u);
      EXPECT_EQ(listed->at(0).analysis.version, 0) << static_cast<int>(parts);
    }
  }
}

TEST_F(SqliteAnalysesTest, NamesThatAreNotUtf8AreStoredWithReplacementCharacters) {
  int64_t id = InsertReviewed(1, std::string("b\xff\xfe") + "b", 0.4);
  auto stored = catalog_->GetAnalysis(id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)->analysis.faces.at(0).match.person,
            "b\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
}

TEST_F(SqliteAnalysesTest, PagesParsedInParallelKeepTheirOrderAndContent) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(InsertReviewed(i, "p" + std::to_string(i), 0.001 * i));
  int64_t after = 0;
  size_t seen = 0;
  for (;;) {
    auto page = catalog_->ListAnalysedItems(after, 64);
    ASSERT_TRUE(page.ok());
    for (const AnalysedItem& item : *page) {
      ASSERT_LT(seen, ids.size());
      EXPECT_EQ(item.id, ids[seen]);
      EXPECT_EQ(item.analysis.analysis.faces.at(0).match.person, "p" + std::to_string(seen));
      EXPECT_DOUBLE_EQ(item.analysis.analysis.faces.at(0).match.distance, 0.001 * static_cast<double>(seen));
      ++seen;
    }
    if (page->size() < 64) break;
    after = page->back().id;
  }
  EXPECT_EQ(seen, ids.size());
}

}  // namespace
}  // namespace triage::catalog::sqlite
