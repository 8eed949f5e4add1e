// Ingest and review at the same time over one library (real SQLite in a temp dir), as `serve` does: one thread
// ingests (pipeline::Ingestor), one approves, rejects and skips (review::ReviewService), one reads lists and
// counts. Afterwards every input is in exactly one place and the catalog matches the disk. Runs in the
// ThreadSanitizer build (`make test-tsan`), which reports any data race among these threads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "base/files.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "commit/committer.h"
#include "config/config.h"
#include "config/config_store.h"
#include "pipeline/ingestor.h"
#include "review/review_service.h"

namespace triage {
namespace {

namespace fs = std::filesystem;

constexpr int kInputs = 36;
constexpr int kBatch = 4;

// Every regular file under `dir`, relative to `root`.
std::set<std::string> FilesUnder(const fs::path& root, const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) out.insert(it->path().lexically_relative(root).string());
  }
  return out;
}

class IngestReviewConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("ingest_review_test_" + std::to_string(::getpid()));
    fs::remove_all(lib_);
    fs::create_directories(lib_ / ".triage");
    fs::create_directories(lib_ / "in");
    nlohmann::json doc = config::DefaultConfigJson();
    doc["analysis"]["faces"] = false;
    ASSERT_TRUE(config::SaveConfigJson(lib_, doc).ok());
    config_ = std::move(*config::ConfigStore::Open(lib_));
    catalog_ = *catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db");
    journal_ = *commit::Journal::Open(lib_ / ".triage");
    committer_ = std::make_unique<commit::Committer>(*journal_, *catalog_, lib_);
    ingestor_ = std::make_unique<pipeline::Ingestor>(*config_, *catalog_, *committer_, nullptr);
    review_ = std::make_unique<review::ReviewService>(*config_, *catalog_, *committer_);
  }
  void TearDown() override {
    review_.reset();
    ingestor_.reset();
    committer_.reset();
    journal_.reset();
    catalog_.reset();
    config_.reset();
    fs::remove_all(lib_);
  }

  // Inputs with distinct bytes: the fixture photo with a numbered tail (after the JPEG end marker) for most, a few
  // undecodable files, and one exact copy.
  std::map<std::string, int> WriteInputs() {
    auto photo = base::ReadFile(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/demo/obama3_small.jpg");
    EXPECT_TRUE(photo.ok());
    std::map<std::string, int> contents;
    for (int i = 0; i < kInputs; ++i) {
      std::string bytes = i % 9 == 8 ? "not an image " + std::to_string(i) : *photo + "tail" + std::to_string(i);
      if (i == kInputs - 1) bytes = *photo + "tail0";  // an exact copy of input 0
      std::ofstream(lib_ / "in" / ("p" + std::to_string(i) + ".jpg"), std::ios::binary) << bytes;
      contents[bytes]++;
    }
    return contents;
  }

  void IngestAll() {
    std::vector<fs::path> inputs;
    for (int i = 0; i < kInputs; ++i) inputs.push_back(lib_ / "in" / ("p" + std::to_string(i) + ".jpg"));
    for (size_t first = 0; first < inputs.size(); first += kBatch) {
      std::vector<fs::path> batch(inputs.begin() + first, inputs.begin() + std::min(first + kBatch, inputs.size()));
      auto summary = ingestor_->IngestPaths(batch, {true, "test", "ingester"});
      ASSERT_TRUE(summary.ok()) << summary.status().ToString();
      for (const auto& item : summary->items) EXPECT_TRUE(item.ok) << item.input << ": " << item.error.ToString();
    }
  }

  // Decides every pending item in turn (approve, reject, skip once) until ingest is over and nothing is left.
  void ReviewUntilDone(const std::atomic<bool>& ingesting) {
    std::set<int64_t> skipped;
    int turn = 0;
    for (;;) {
      const bool last_round = !ingesting.load();
      catalog::ItemFilter pending;
      pending.location = "review";
      pending.pending_review_only = true;
      pending.queue_order = true;
      pending.limit = 1000;
      auto items = catalog_->ListItems(pending);
      ASSERT_TRUE(items.ok()) << items.status().ToString();
      int decided = 0;
      for (const auto& item : *items) {
        if (skipped.count(item.id)) continue;
        base::Status st;
        switch (turn++ % 3) {
          case 0:
            // An image that could not be read cannot be sorted under a person: it is rejected instead.
            if (item.category == "unreadable") {
              st = review_->Reject(item.id, "reviewer", 2000).status();
              break;
            }
            st = review_->Approve(item.id, "Alice", "reviewer", 2000).status();
            // A copy whose original is still in the library or in review is decided as a duplicate, not approved.
            if (st.code() == base::Code::kConflict && item.duplicate_of) {
              st = review_->DecideDuplicate(item.id, "both", "reviewer", 2000).status();
            }
            break;
          case 1:
            st = review_->Reject(item.id, "reviewer", 2000).status();
            break;
          default:
            st = review_->Skip(item.id, "reviewer", 2000);
            skipped.insert(item.id);
            break;
        }
        EXPECT_TRUE(st.ok()) << "item " << item.id << ": " << st.ToString();
        ++decided;
      }
      if (last_round && decided == 0) return;
    }
  }

  // Lists, counts and statistics, as the web UI polls them, while the others write.
  void ReadUntilDone(const std::atomic<bool>& done) {
    while (!done.load()) {
      catalog::ItemFilter all;
      all.limit = 1000;
      ASSERT_TRUE(catalog_->ListItems(all).ok());
      all.location = "review";
      ASSERT_TRUE(catalog_->CountItems(all).ok());
      ASSERT_TRUE(catalog_->GetStats(0).ok());
      ASSERT_TRUE(catalog_->ListAudit(0, "", 20, 0).ok());
    }
  }

  fs::path lib_;
  std::unique_ptr<config::ConfigStore> config_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<commit::Journal> journal_;
  std::unique_ptr<commit::Committer> committer_;
  std::unique_ptr<pipeline::Ingestor> ingestor_;
  std::unique_ptr<review::ReviewService> review_;
};

TEST_F(IngestReviewConcurrencyTest, EveryInputEndsInExactlyOnePlaceAndTheCatalogMatchesTheDisk) {
  const std::map<std::string, int> originals = WriteInputs();
  std::atomic<bool> ingesting{true}, reviewing{true};
  std::thread ingester([&] {
    IngestAll();
    ingesting = false;
  });
  std::thread reviewer([&] {
    ReviewUntilDone(ingesting);
    reviewing = false;
  });
  std::thread reader([&] { ReadUntilDone(reviewing); });
  ingester.join();
  reviewer.join();
  reader.join();

  EXPECT_TRUE(FilesUnder(lib_, lib_ / "in").empty()) << "an input was left behind";
  std::set<std::string> on_disk;
  for (const char* top : {"faces", "review", ".triage/trash"}) on_disk.merge(FilesUnder(lib_, lib_ / top));
  std::map<std::string, int> placed;
  for (const auto& path : on_disk) placed[*base::ReadFile(lib_ / path)]++;
  EXPECT_EQ(placed, originals) << "a file was lost, doubled or torn";

  catalog::ItemFilter all;
  all.limit = 1000;
  auto items = catalog_->ListItems(all);
  ASSERT_TRUE(items.ok());
  std::set<std::string> in_catalog;
  const std::map<std::string, std::string> folder_of = {
      {"library", "faces/"}, {"review", "review/"}, {"trash", ".triage/trash/"}};
  for (const auto& item : *items) {
    in_catalog.insert(item.path);
    EXPECT_EQ(item.path.rfind(folder_of.at(item.location), 0), 0u) << item.path << " is not in " << item.location;
  }
  EXPECT_EQ(in_catalog, on_disk) << "catalog and disk disagree";
  EXPECT_TRUE(FilesUnder(lib_, journal_->staging_dir()).empty()) << "staging left behind";
  std::set<std::string> journal_files = FilesUnder(lib_, lib_ / ".triage/journal");
  for (const auto& f : journal_files) EXPECT_EQ(fs::path(f).filename(), "LOCK") << "open journal entry " << f;
}

}  // namespace
}  // namespace triage
