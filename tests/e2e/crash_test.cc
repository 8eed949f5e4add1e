// Crash safety: ingest, watch and review decisions SIGKILLed at many different moments, then `recover`, must leave
// every input in exactly one place (library, review, trash, or still where it was), a catalog that agrees with the
// disk, and no partial file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kImages = 24;
constexpr int kLargeBatch = 200;

// Where the files can be: the library's folders and where the inputs came from.
struct Places {
  fs::path lib;
  fs::path source;       // inputs not taken yet (empty: none)
  bool moved = true;     // inputs are moved (else copied: the source stays untouched)
  bool purging = false;  // a trashed file may be gone for good (with its catalog row)
};

void KillAfter(pid_t pid, std::chrono::milliseconds delay) {
  std::this_thread::sleep_for(delay);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

// The same library folders as `triage items` sees them, against the files on disk.
void ExpectCatalogMatchesDisk(const fs::path& lib) {
  std::set<std::string> on_disk;
  for (const char* top : {"faces", "review", ".triage/trash"}) {
    for (const auto& f : FilesUnder(lib / top)) on_disk.insert(std::string(top) + "/" + f);
  }
  json items = RunTriage({"items", "--json", "--limit", "100000", "--library", lib.string()}).Json();
  std::set<std::string> in_catalog;
  for (const auto& i : items) in_catalog.insert(i["path"].get<std::string>());
  EXPECT_EQ(on_disk, in_catalog) << "catalog and disk disagree";
  EXPECT_TRUE(FilesUnder(lib / ".triage/staging").empty()) << "staging left behind";
}

// Journal entries recovery settled over a test: proof that kills interrupted work in flight.
int g_settled = 0;

void CheckInvariant(const Places& p, const std::map<std::string, int>& originals) {
  RunResult rec = RunTriage({"recover", "--library", p.lib.string(), "--json"});
  ASSERT_EQ(rec.exit_code, 0) << rec.out << rec.err;
  g_settled += rec.Json()["rolled_forward"].get<int>() + rec.Json()["rolled_back"].get<int>();
  ExpectCatalogMatchesDisk(p.lib);
  std::map<std::string, int> library = Contents(p.lib / "faces"), review = Contents(p.lib / "review"),
                             trash = Contents(p.lib / ".triage/trash");
  std::map<std::string, int> source = p.source.empty() ? std::map<std::string, int>() : Contents(p.source);
  for (const auto& [content, n] : originals) {
    int placed = CountOf(library, content) + CountOf(review, content) + CountOf(trash, content);
    int left = CountOf(source, content);
    if (!p.moved) {
      EXPECT_EQ(left, n) << "an original was touched";
    } else if (p.purging) {
      EXPECT_LE(placed + left, n) << "a file was duplicated";
    } else {
      EXPECT_EQ(placed + left, n) << "a file was lost or duplicated";
    }
  }
  // No torn or foreign file: everything placed is byte-identical to an original.
  for (const auto* side : {&library, &review, &trash}) {
    for (const auto& entry : *side) EXPECT_TRUE(originals.count(entry.first)) << "a partial file was placed";
  }
}

std::map<std::string, int> WriteImages(const fs::path& dir, int count, int first_seed) {
  fs::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    WriteTestImage(dir / ("img" + std::to_string(i) + ".jpg"), first_seed + i, 900, 700);
  }
  return Contents(dir);
}

class IngestCrashTest : public ::testing::TestWithParam<bool> {};

TEST_P(IngestCrashTest, KilledAtManyMomentsNothingIsLostOrDoubled) {
  const bool move = GetParam();
  TempDir dir(move ? "crash_move" : "crash_copy");
  fs::path lib = dir / "lib", in = dir / "in";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  auto originals = WriteImages(in, kImages, 100);
  const Places places{lib, in, move};
  std::vector<std::string> args = {"ingest", in.string(), "--library", lib.string()};
  if (move) args.push_back("--move");
  // Kill points spread from "just started" to "nearly done"; each round continues where the last stopped.
  for (int delay : {1, 3, 8, 15, 25, 40, 60, 90, 120, 160, 220, 300, 400, 550}) {
    KillAfter(Start(args, dir / "ingest.log"), std::chrono::milliseconds(delay));
    CheckInvariant(places, originals);
  }
  // A last, uninterrupted run finishes the job.
  ASSERT_LE(RunTriage(args).exit_code, 1);
  CheckInvariant(places, originals);
  if (move) {
    EXPECT_TRUE(FilesUnder(in).empty());
  }
}

// A batch larger than a group commit (64 inputs): several groups, each one journal entry and one catalog transaction.
// Kills land at moments spread over an uninterrupted run of the same batch, then at delays after a group's entry
// appears (moving the group's files, applying its transaction, closing the entry).
TEST_P(IngestCrashTest, LargeBatchKilledWhilePlacingGroupsNothingIsLostOrDoubled) {
  g_settled = 0;
  const bool move = GetParam();
  TempDir dir(move ? "crash_group_move" : "crash_group_copy");
  fs::path lib = dir / "lib", in = dir / "in";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  fs::create_directories(in);
  for (int i = 0; i < kLargeBatch; ++i) WriteTestImage(in / ("img" + std::to_string(i) + ".jpg"), 1000 + i, 240, 180);
  const auto originals = Contents(in);
  const Places places{lib, in, move};
  std::vector<std::string> args = {"ingest", in.string(), "--library", lib.string()};
  if (move) args.push_back("--move");
  int run_ms = 0;
  {
    TempDir timing("crash_group_timing");
    InitLibrary(timing / "lib", {{"analysis", {{"faces", false}}}});
    const auto start = Clock::now();
    ASSERT_EQ(RunTriage({"ingest", in.string(), "--library", (timing / "lib").string()}).exit_code, 0);
    run_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  }
  for (double fraction : {0.1, 0.3, 0.5, 0.7, 0.9}) {
    KillAfter(Start(args, dir / "ingest.log"), std::chrono::milliseconds(static_cast<int>(run_ms * fraction)));
    CheckInvariant(places, originals);
  }
  for (int delay_us : {0, 200, 1000, 3000, 8000, 20000}) {
    KillWhenJournalled(Start(args, dir / "ingest.log"), lib, std::chrono::microseconds(delay_us), "group-");
    CheckInvariant(places, originals);
  }
  ASSERT_LE(RunTriage(args).exit_code, 1);
  CheckInvariant(places, originals);
  if (move) {
    // Moved inputs are placed once each; copies are ingested again by every run (as exact duplicates).
    json items = RunTriage({"items", "--json", "--limit", "100000", "--library", lib.string()}).Json();
    EXPECT_EQ(items.size(), static_cast<size_t>(kLargeBatch));
    EXPECT_TRUE(FilesUnder(in).empty());
  }
  EXPECT_GT(g_settled, 0) << "no kill interrupted a group in flight";
  std::cout << "journal entries settled by recovery: " << g_settled << "\n";
}

INSTANTIATE_TEST_SUITE_P(MoveAndCopy, IngestCrashTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Move" : "Copy"; });

TEST(WatchCrashTest, KilledWhileTakingTheInboxNothingIsLostOrDoubled) {
  g_settled = 0;
  TempDir dir("crash_watch");
  fs::path lib = dir / "lib";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  auto originals = WriteImages(dir / "new", 16, 300);
  for (const auto& f : FilesUnder(dir / "new")) fs::rename(dir / "new" / f, lib / "inbox" / f);
  const Places places{lib, lib / "inbox"};
  const std::vector<std::string> args = {"watch", "--library", lib.string(), "--debounce-ms", "0"};
  // Kill points measured from the moment watch says it is watching (start-up scan done, files being taken).
  for (int delay : {0, 2, 5, 10, 20, 35, 50, 80, 120, 180, 260, 400}) {
    pid_t pid = Start(args, dir / "watch.log");
    ASSERT_TRUE(WaitForLogLine(dir / "watch.log", "watching ", 60'000)) << Slurp(dir / "watch.log");
    KillAfter(pid, std::chrono::milliseconds(delay));
    CheckInvariant(places, originals);
  }
  const int left = static_cast<int>(FilesUnder(lib / "inbox").size());
  if (left > 0) {
    pid_t pid = Start({"watch", "--library", lib.string(), "--debounce-ms", "0", "--max-files", std::to_string(left)},
                      dir / "watch.log");
    auto status = WaitForExit(pid, 120'000);
    ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << Slurp(dir / "watch.log");
  }
  CheckInvariant(places, originals);
  EXPECT_TRUE(FilesUnder(lib / "inbox").empty());
  EXPECT_GT(g_settled, 0) << "no kill interrupted a file in flight";
  std::cout << "journal entries settled by recovery: " << g_settled << "\n";
}

// Review decisions on a library whose images all wait in review/ (face analysis off).
class ReviewCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_settled = 0;
    InitLibrary(lib_, {{"analysis", {{"faces", false}}}});
    originals_ = WriteImages(dir_ / "in", 30, 500);
    ASSERT_EQ(RunTriage({"ingest", (dir_ / "in").string(), "--move", "--library", lib_.string()}).exit_code, 0);
    ASSERT_EQ(Pending().size(), 30u);
  }
  std::vector<int64_t> Pending() {
    std::vector<int64_t> ids;
    for (const auto& item : RunTriage({"review", "list", "--json", "--library", lib_.string()}).Json()) {
      ids.push_back(item["id"].get<int64_t>());
    }
    return ids;
  }
  // Milliseconds one uninterrupted run of `args` takes: the scale for the kill points.
  int TimeOneRun(const std::vector<std::string>& args) {
    const auto start = Clock::now();
    RunResult r = RunTriage(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  }
  // Kills `review VERB ID`, each on the next pending item: at moments spread over one run's duration (starting,
  // recovering, exiting), then at delays after its journal intent appears (moving, applying, closing the entry).
  void KillDecisions(const std::string& verb, std::vector<std::string> extra) {
    auto args = [&](int64_t id) {
      std::vector<std::string> a = {"review", verb, std::to_string(id), "--library", lib_.string()};
      a.insert(a.end(), extra.begin(), extra.end());
      return a;
    };
    const int run_ms = TimeOneRun(args(Pending().front()));
    CheckInvariant(places_, originals_);
    for (double fraction : {0.2, 0.5, 0.9}) {
      KillAfter(Start(args(Pending().front()), dir_ / "review.log"),
                std::chrono::milliseconds(static_cast<int>(run_ms * fraction)));
      CheckInvariant(places_, originals_);
    }
    for (int delay_us : {0, 100, 300, 600, 1000, 2000, 4000, 8000, 15000}) {
      KillWhenJournalled(Start(args(Pending().front()), dir_ / "review.log"), lib_,
                         std::chrono::microseconds(delay_us));
      CheckInvariant(places_, originals_);
    }
  }
  TempDir dir_{"crash_review"};
  fs::path lib_ = dir_ / "lib";
  std::map<std::string, int> originals_;
  Places places_{lib_, {}};
};

TEST_F(ReviewCrashTest, ApproveAndRejectKilledAtManyMomentsNothingIsLostOrDoubled) {
  KillDecisions("approve", {"--person", "Ada"});
  KillDecisions("reject", {});
  // Every item is in exactly one place and has one state: a pending item is in review/, a decided one is not.
  json items = RunTriage({"items", "--json", "--limit", "1000", "--library", lib_.string()}).Json();
  EXPECT_EQ(items.size(), 30u);
  for (const auto& item : items) {
    const std::string path = item["path"], location = item["location"];
    const std::string folder = location == "library" ? "faces/ada/"
                               : location == "trash" ? ".triage/trash/"
                                                     : "review/";
    EXPECT_EQ(path.rfind(folder, 0), 0u) << path << " is " << location;
  }
  EXPECT_GT(g_settled, 0) << "no kill interrupted a decision in flight";
  std::cout << "journal entries settled by recovery: " << g_settled << "\n";
}

// Makes every trashed item older than the retention period (30 days), so that `review purge` takes it.
void AgeTrash(const fs::path& lib) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((lib / ".triage/catalog.db").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "UPDATE items SET updated_at = updated_at - 40 * 86400 WHERE location = 'trash'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(ReviewCrashTest, PurgeKilledAtManyMomentsDeletesFileAndRowTogether) {
  for (int64_t id : Pending()) {
    ASSERT_EQ(RunTriage({"review", "reject", std::to_string(id), "--library", lib_.string()}).exit_code, 0);
  }
  AgeTrash(lib_);
  const int run_ms = TimeOneRun({"review", "list", "--library", lib_.string()});
  Places purging = places_;
  purging.purging = true;
  // Each run purges some items before it dies: the runs killed while purging come first, while there is plenty.
  for (int delay_us : {0, 200, 500, 1000, 2000, 5000, 10000}) {
    KillWhenJournalled(Start({"review", "purge", "--library", lib_.string()}, dir_ / "purge.log"), lib_,
                       std::chrono::microseconds(delay_us));
    CheckInvariant(purging, originals_);
  }
  EXPECT_GT(g_settled, 0) << "no kill interrupted a purge in flight";
  for (double fraction : {0.3, 0.6}) {
    KillAfter(Start({"review", "purge", "--library", lib_.string()}, dir_ / "purge.log"),
              std::chrono::milliseconds(static_cast<int>(run_ms * fraction)));
    CheckInvariant(purging, originals_);
  }
  ASSERT_EQ(RunTriage({"review", "purge", "--library", lib_.string()}).exit_code, 0);
  CheckInvariant(purging, originals_);
  EXPECT_TRUE(FilesUnder(lib_ / ".triage/trash").empty());
  EXPECT_TRUE(RunTriage({"items", "--json", "--library", lib_.string()}).Json().empty());
  std::cout << "journal entries settled by recovery: " << g_settled << "\n";
}

// Naming a face cluster moves its waiting photos: killed at many moments, every photo stays in exactly one place, and
// the action's record (written before the first move) undoes whatever the killed run did.
TEST(NamingCrashTest, KilledWhileNamingNothingIsLostOrDoubledAndUndoPutsPhotosBack) {
  g_settled = 0;
  TempDir dir("crash_naming");
  const fs::path lib = dir / "lib", in = dir / "in";
  InitLibrary(lib,
              {{"face_clustering",
                {{"min_faces", 2}, {"cluster_distance", 0.55}, {"min_face_size", 40}, {"min_detection_score", 0.5}}}});
  const fs::path fixtures = fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces";
  fs::create_directories(in);
  for (const char* name : {"obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg", "biden2.jpg"}) {
    fs::copy_file(fixtures / name, in / name);
  }
  const auto originals = Contents(in);
  ASSERT_EQ(RunTriage({"ingest", in.string(), "--move", "--library", lib.string()}).exit_code, 0);
  json clusters = RunTriage({"faces", "clusters", "--json", "--library", lib.string()}).Json()["clusters"];
  ASSERT_FALSE(clusters.empty()) << "the fixture photos formed no cluster";
  const std::string cluster = std::to_string(clusters[0]["id"].get<int64_t>());
  const int64_t size = clusters[0]["size"];
  const Places places{lib, in};
  const std::vector<std::string> name = {"faces", "name", cluster, "obama", "--library", lib.string()};
  // Undoes the newest action not undone yet (a killed run's too), so that the next run has photos to move again.
  auto undo_latest = [&] {
    const json listed = RunTriage({"faces", "actions", "--json", "--library", lib.string()}).Json();
    for (const auto& a : listed["actions"]) {  // the document outlives the loop (a temporary's member would not)
      if (a["undone"].get<bool>()) continue;
      RunResult r = RunTriage({"faces", "undo", std::to_string(a["id"].get<int64_t>()), "--library", lib.string()});
      EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
      return;
    }
  };
  const auto start = Clock::now();
  ASSERT_EQ(RunTriage(name).exit_code, 0);
  const int run_ms =
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  EXPECT_EQ(static_cast<int64_t>(FilesUnder(lib / "faces/obama").size()), size);
  CheckInvariant(places, originals);
  undo_latest();
  EXPECT_FALSE(fs::exists(lib / "faces/obama") && !FilesUnder(lib / "faces/obama").empty());
  for (double fraction : {0.3, 0.6, 0.9}) {
    KillAfter(Start(name, dir / "name.log"), std::chrono::milliseconds(static_cast<int>(run_ms * fraction)));
    CheckInvariant(places, originals);
    undo_latest();
    CheckInvariant(places, originals);
  }
  for (int delay_us : {0, 200, 500, 1000, 3000, 8000}) {
    KillWhenJournalled(Start(name, dir / "name.log"), lib, std::chrono::microseconds(delay_us));
    CheckInvariant(places, originals);
    undo_latest();
    CheckInvariant(places, originals);
  }
  // After all that, every photo waits in review again.
  EXPECT_TRUE(!fs::exists(lib / "faces/obama") || FilesUnder(lib / "faces/obama").empty());
  EXPECT_EQ(FilesUnder(lib / "review").size(), originals.size());
  std::cout << "journal entries settled by recovery: " << g_settled << "\n";
}

}  // namespace
}  // namespace triage::e2e
