// Crash safety: an ingest SIGKILLed at many different moments, then `recover`, must leave every input in
// exactly one place (library, review, or still where it was) and a catalog that agrees with the disk.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

constexpr int kImages = 24;

// SHA-256 of each file under `dir`, as a multiset of contents: content -> count.
std::map<std::string, int> Contents(const fs::path& dir) {
  std::map<std::string, int> out;
  for (const auto& f : FilesUnder(dir)) out[Slurp(dir / f)]++;
  return out;
}

class CrashTest : public ::testing::TestWithParam<bool> {
 protected:
  void CheckInvariant(const fs::path& lib, const fs::path& in, const std::map<std::string, int>& originals,
                      bool moved) {
    RunResult rec = RunTriage({"recover", "--library", lib.string(), "--json"});
    ASSERT_EQ(rec.exit_code, 0) << rec.out << rec.err;
    // Library-side files (faces/ and review/) against the catalog.
    std::set<std::string> on_disk;
    for (const char* top : {"faces", "review"}) {
      for (const auto& f : FilesUnder(lib / top)) on_disk.insert(std::string(top) + "/" + f);
    }
    json items = RunTriage({"items", "--json", "--limit", "100000", "--library", lib.string()}).Json();
    std::set<std::string> in_catalog;
    for (const auto& i : items) in_catalog.insert(i["path"].get<std::string>());
    EXPECT_EQ(on_disk, in_catalog) << "catalog and disk disagree";
    EXPECT_TRUE(FilesUnder(lib / ".triage/staging").empty()) << "staging left behind";
    // Every original is in exactly one place (moved) or at least untouched (copied).
    std::map<std::string, int> library = Contents(lib / "faces"), review = Contents(lib / "review"),
                               source = Contents(in);
    for (const auto& [content, n] : originals) {
      int placed = (library.count(content) ? library.at(content) : 0) + (review.count(content) ? review.at(content) : 0);
      int left = source.count(content) ? source.at(content) : 0;
      if (moved) {
        EXPECT_EQ(placed + left, n) << "a file was lost or duplicated";
      } else {
        EXPECT_EQ(left, n) << "an original was touched";
      }
    }
    // No torn or foreign file: everything placed is byte-identical to an original.
    for (const auto* side : {&library, &review}) {
      for (const auto& entry : *side) {
        EXPECT_TRUE(originals.count(entry.first)) << "a partial file was placed";
      }
    }
  }
};

TEST_P(CrashTest, KilledAtManyMomentsNothingIsLostOrDoubled) {
  const bool move = GetParam();
  TempDir dir(move ? "crash_move" : "crash_copy");
  fs::path lib = dir / "lib", in = dir / "in";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  fs::create_directories(in);
  for (int i = 0; i < kImages; ++i) WriteTestImage(in / ("img" + std::to_string(i) + ".jpg"), 100 + i, 900, 700);
  auto originals = Contents(in);
  // Kill points spread from "just started" to "nearly done"; each round continues where the last stopped.
  const int kDelaysMs[] = {1, 3, 8, 15, 25, 40, 60, 90, 120, 160, 220, 300, 400, 550};
  for (int delay : kDelaysMs) {
    std::vector<std::string> args = {"ingest", in.string(), "--library", lib.string()};
    if (move) args.push_back("--move");
    pid_t pid = Start(args, dir / "ingest.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CheckInvariant(lib, in, originals, move);
  }
  // A last, uninterrupted run finishes the job.
  std::vector<std::string> args = {"ingest", in.string(), "--library", lib.string()};
  if (move) args.push_back("--move");
  ASSERT_LE(RunTriage(args).exit_code, 1);
  CheckInvariant(lib, in, originals, move);
  if (move) {
    EXPECT_TRUE(FilesUnder(in).empty());
  }
}

INSTANTIATE_TEST_SUITE_P(MoveAndCopy, CrashTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Move" : "Copy"; });

}  // namespace
}  // namespace triage::e2e
