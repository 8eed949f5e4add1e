// The review services' test fixture: a library in a temporary folder with a real SQLite catalog, journal and committer.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "catalog/sqlite/sqlite_catalog.h"
#include "review/review_service.h"

namespace triage::review {

namespace fs = std::filesystem;

class ReviewServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("review_test_" + std::to_string(::getpid()));
    fs::remove_all(lib_);
    fs::create_directories(lib_ / ".triage");
    ASSERT_TRUE(config::SaveConfigJson(lib_, config::DefaultConfigJson()).ok());
    config_ = std::move(*config::ConfigStore::Open(lib_));
    catalog_ = *catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db");
    journal_ = *commit::Journal::Open(lib_ / ".triage");
    committer_ = std::make_unique<commit::Committer>(*journal_, *catalog_, lib_);
    service_ = std::make_unique<ReviewService>(*config_, *catalog_, *committer_);
  }
  void TearDown() override {
    service_.reset();
    committer_.reset();
    journal_.reset();
    catalog_.reset();
    fs::remove_all(lib_);
  }
  // An item waiting in review/unidentified, with one face; or in review/duplicates when it duplicates another; or in
  // the review category given.
  // `sha256`: the file's hash as recorded (the name when empty; a byte copy gives the other's).
  int64_t Pending(const std::string& name, int64_t duplicate_of = 0, const std::string& category = "",
                  const std::string& sha256 = "") {
    fs::create_directories(lib_ / "in");
    std::ofstream(lib_ / "in" / name) << name;
    auto staged = committer_->StageCopy(lib_ / "in" / name, nullptr);
    catalog::CatalogChange c;
    c.item.original_name = name;
    c.item.fingerprint.sha256 = sha256.empty() ? name : sha256;
    c.item.location = "review";
    c.item.category = duplicate_of ? "duplicates" : "unidentified";
    c.item.reasons = {{"unknown_person", "The face matches nobody enrolled."}};
    if (duplicate_of) {
      c.item.duplicate_of = duplicate_of;
      c.item.reasons = {{"duplicate_sha256", "The same file is in the library already."}};
    }
    if (!category.empty()) c.item.category = category;
    model::Face face;
    face.embedding = std::vector<float>(128, 0.1f);
    c.faces = {face};
    c.at = 100;
    return committer_->Place(*staged, lib_ / "review" / c.item.category, name, c)->item_id;
  }
  fs::path lib_;
  std::unique_ptr<config::ConfigStore> config_;
  std::unique_ptr<catalog::sqlite::SqliteCatalog> catalog_;
  std::unique_ptr<commit::Journal> journal_;
  std::unique_ptr<commit::Committer> committer_;
  std::unique_ptr<ReviewService> service_;
};

}  // namespace triage::review
