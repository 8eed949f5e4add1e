// Inputs a careless user or an attacker hands to the CLI: names that are not UTF-8, symlinks, the library's own
// files, files still being written. Each is taken safely or refused with a reason; nothing crashes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

const json kNoFaces = {{"analysis", {{"faces", false}}}};
const std::string kBadName = "\xFF\xFE.jpg";        // not UTF-8
const std::string kShownName = "\uFFFD\uFFFD.jpg";  // as JSON output shows it

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitLibrary(lib(), kNoFaces);
    fs::create_directories(in());
  }
  fs::path lib() const { return dir_ / "lib"; }
  fs::path in() const { return dir_ / "in"; }
  RunResult Triage(std::vector<std::string> args) {
    args.push_back("--library");
    args.push_back(lib().string());
    return RunTriage(args);
  }
  json Items() { return Triage({"items", "--json"}).Json(); }
  // Writes `bytes` to `path` in `pieces` pieces `pause_ms` apart, holding the file open, as a slow copy does.
  // O_CLOEXEC: a triage started meanwhile must not inherit the descriptor (it would be a writer itself).
  static std::thread SlowWriter(const fs::path& path, const std::string& bytes, int pieces, int pause_ms) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, bytes.data(), 1), 1);  // the file exists, nearly empty, before the writer returns
    return std::thread([fd, bytes, pieces, pause_ms] {
      const size_t step = (bytes.size() - 1 + pieces - 1) / pieces;
      for (size_t at = 1; at < bytes.size(); at += step) {
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
        const size_t n = std::min(step, bytes.size() - at);
        EXPECT_EQ(::write(fd, bytes.data() + at, n), static_cast<ssize_t>(n));
      }
      ::close(fd);
    });
  }
  // A file found while it was written was either taken whole (catalog size and hash are the final file's: the
  // same bytes ingested again are an exact duplicate) or left where it was with a reason; never taken half.
  void ExpectTakenWholeOrLeft(const fs::path& written, const std::string& bytes, const json& failures) {
    json items = Items();
    if (items.empty()) {
      EXPECT_EQ(Slurp(written), bytes);
      EXPECT_TRUE(failures.dump().find("being written") != std::string::npos ||
                  failures.dump().find("changed while being ingested") != std::string::npos)
          << failures.dump();
      return;
    }
    ASSERT_EQ(items.size(), 1u);
    EXPECT_NE(items[0]["category"], "unreadable") << items[0].dump();
    EXPECT_EQ(items[0]["size_bytes"], bytes.size());
    EXPECT_EQ(Slurp(lib() / items[0]["path"].get<std::string>()), bytes);
    std::ofstream(dir_ / "again.jpg", std::ios::binary) << bytes;
    ASSERT_EQ(Triage({"ingest", (dir_ / "again.jpg").string()}).exit_code, 0);
    EXPECT_TRUE(fs::exists(lib() / "review/duplicates/again.jpg")) << Items().dump();
  }
  TempDir dir_{"hostile"};
};

TEST_F(HostileInputTest, NameThatIsNotUtf8IsIngestedByCopyAndByMoveAndTheNextStartWorks) {
  fs::create_directories(in() / "copy");
  fs::create_directories(in() / "move");
  WriteTestImage(in() / "copy" / kBadName, 31);
  WriteTestImage(in() / "move" / kBadName, 32);
  RunResult copy = Triage({"ingest", (in() / "copy").string(), "--json"});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_EQ(copy.Json()["to_review"], 1);
  EXPECT_TRUE(fs::exists(in() / "copy" / kBadName));
  RunResult move = Triage({"ingest", "--move", (in() / "move" / kBadName).string(), "--json"});
  ASSERT_EQ(move.exit_code, 0) << move.err;
  EXPECT_FALSE(fs::exists(in() / "move" / kBadName));
  std::vector<std::string> filed = FilesUnder(lib() / "review/unidentified");
  EXPECT_EQ(filed, (std::vector<std::string>{"__.jpg", "___1.jpg"}));  // the library's names are UTF-8
  // A second start (recovery runs first) works, and the catalog kept the name (shown with U+FFFD in JSON).
  RunResult again = Triage({"items", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_EQ(again.Json().size(), 2u);
  for (const auto& item : again.Json()) EXPECT_EQ(item["original_name"], kShownName);
}

TEST_F(HostileInputTest, DamagedFilesAreReportedOnceAsReasonsWithoutTheDecodersWarningsOnStderr) {
  std::ofstream(in() / "cut.gif", std::ios::binary) << "GIF89a";  // a header and nothing after it
  std::ofstream(in() / "cut.jpg", std::ios::binary) << std::string("\xFF\xD8\xFF\xE0", 4);
  std::ofstream(in() / "cut.tif", std::ios::binary) << std::string("II*\x00\x08\x00\x00\x00\xff\xff", 10);
  RunResult r = Triage({"ingest", in().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("VIPS-WARNING"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("(process:"), std::string::npos) << r.err;
  for (const json& item : Items()) {
    EXPECT_EQ(item["category"], "unreadable") << item.dump();
    EXPECT_NE(item["reasons"].dump().find("cannot be decoded"), std::string::npos) << item.dump();
    // A decoder that names the file it read names the input, not its staged copy (a path gone once it is filed).
    EXPECT_EQ(item["reasons"].dump().find("staging"), std::string::npos) << item.dump();
  }
  ASSERT_EQ(Items().size(), 3u);
  EXPECT_NE(Items()[2]["reasons"][0]["text"].get<std::string>().find("\"cut.tif\" is not"), std::string::npos)
      << Items()[2].dump();
}

// A JPEG one pixel thick (a 3000 x 1 line) aborted the process inside libvips when shrunk on load: it is taken
// like any photo, and the run goes on to the next input.
TEST_F(HostileInputTest, AJpegLineIsTakenAndTheRunGoesOn) {
  WriteTestImage(in() / "a_line.jpg", 51, 3000, 1);
  WriteTestImage(in() / "b_photo.jpg", 52);
  RunResult r = Triage({"ingest", in().string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Json()["failed"], 0) << r.out;
  json items = Items();
  ASSERT_EQ(items.size(), 2u) << items.dump();
  EXPECT_EQ(items[0]["width"], 3000);
  EXPECT_EQ(items[0]["height"], 1);
  EXPECT_NE(items[0]["category"], "unreadable") << items[0].dump();
  EXPECT_EQ(Triage({"explain", (in() / "a_line.jpg").string()}).exit_code, 0);
}

// A photo refused for its size is read once the limit is raised and it is analysed again: the catalog's own facts
// about it (size, format, perceptual hash) follow, so that it is found as a near duplicate and listed rightly.
TEST_F(HostileInputTest, AnUnreadablePhotoAnalysedAgainTakesItsSizeFormatAndHash) {
  WriteTestImage(in() / "big.jpg", 53, 1200, 1000);
  auto set_max_pixels = [&](int64_t n) {
    json config = json::parse(Slurp(lib() / "triage.json"));
    config["analysis"]["max_pixels"] = n;
    std::ofstream(lib() / "triage.json") << config.dump(2);
  };
  set_max_pixels(1000000);
  ASSERT_EQ(Triage({"ingest", (in() / "big.jpg").string()}).exit_code, 0);
  json item = Items()[0];
  ASSERT_EQ(item["category"], "unreadable") << item.dump();
  EXPECT_EQ(item["width"], 0);
  set_max_pixels(250000000);
  RunResult analysed = Triage({"analyse", std::to_string(item["id"].get<int>()), "--json"});
  ASSERT_EQ(analysed.exit_code, 0) << analysed.err;
  item = Items()[0];
  EXPECT_EQ(item["width"], 1200) << item.dump();
  EXPECT_EQ(item["height"], 1000);
  EXPECT_EQ(item["format"], "jpeg");
  EXPECT_FALSE(item["phash"].is_null()) << item.dump();
  ASSERT_EQ(Triage({"apply-policy"}).exit_code, 0);
  EXPECT_EQ(Items()[0]["category"], "unidentified") << Items()[0].dump();
  // Its copy is now found as one.
  WriteVariant(in() / "big.jpg", in() / "near.jpg", 0.5, 0.0);
  ASSERT_EQ(Triage({"ingest", (in() / "near.jpg").string()}).exit_code, 0);
  EXPECT_TRUE(fs::exists(lib() / "review/near_duplicates/near.jpg")) << Items().dump();
}

// A file larger than the file-size limit (ulimit -f) fails alone, with a reason; the other inputs go through and the
// summary is printed. The limit used to kill the whole run with SIGXFSZ, with no output.
TEST_F(HostileInputTest, AFileLargerThanTheFileSizeLimitFailsAloneAndTheRunGoesOn) {
  WriteTestImage(in() / "small.jpg", 41);
  WriteTestImage(in() / "big.jpg", 42);
  std::ofstream(in() / "big.jpg", std::ios::binary | std::ios::app) << std::string(6 << 20, '\0');  // after the EOI
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  rlimit limited = before;
  limited.rlim_cur = 4 << 20;  // the child inherits it; this process writes nothing meanwhile
  auto* previous = ::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  RunResult r = Triage({"ingest", (in() / "big.jpg").string(), (in() / "small.jpg").string(), "--json"});
  ::setrlimit(RLIMIT_FSIZE, &before);
  ::signal(SIGXFSZ, previous);
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;  // some inputs failed; not killed by a signal
  json summary = r.Json();
  EXPECT_EQ(summary["total"], 2);
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_NE(summary.dump().find("big.jpg"), std::string::npos) << summary.dump();
  EXPECT_NE(summary.dump().find("too large"), std::string::npos) << summary.dump();
  json items = Items();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["original_name"], "small.jpg");
  EXPECT_TRUE(fs::exists(in() / "big.jpg"));  // copied from, never moved
}

TEST_F(HostileInputTest, WatchStartsWithANameThatIsNotUtf8InTheInbox) {
  WriteTestImage(lib() / "inbox" / kBadName, 33);
  RunResult watch = Triage({"watch", "--debounce-ms", "100", "--max-files", "1"});
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  EXPECT_TRUE(FilesUnder(lib() / "inbox").empty());
  EXPECT_EQ(FilesUnder(lib() / "review/unidentified"), (std::vector<std::string>{"__.jpg"}));
  EXPECT_EQ(Triage({"items"}).exit_code, 0);
}

TEST_F(HostileInputTest, SymlinkGivenWithMoveIsRefusedAndLeftAlone) {
  fs::create_directories(dir_ / "outside");
  WriteTestImage(dir_ / "outside/secret.jpg", 34);
  fs::create_symlink(dir_ / "outside/secret.jpg", in() / "link.jpg");
  RunResult r = Triage({"ingest", "--move", (in() / "link.jpg").string(), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json out = r.Json();
  EXPECT_EQ(out["failed"], 1);
  EXPECT_NE(out.dump().find("symbolic link"), std::string::npos) << out.dump();
  EXPECT_TRUE(fs::is_symlink(in() / "link.jpg"));
  EXPECT_TRUE(fs::is_regular_file(dir_ / "outside/secret.jpg"));
  EXPECT_TRUE(FilesUnder(lib() / "review").empty());
  EXPECT_TRUE(Items().empty());
}

TEST_F(HostileInputTest, FileInsideTheLibraryGivenByPathIsRefusedNamingTheFolder) {
  WriteTestImage(in() / "a.jpg", 35);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const fs::path filed = lib() / "review/unidentified/a.jpg";
  ASSERT_TRUE(fs::exists(filed));
  fs::create_directories(lib() / "photos/2026/01");
  fs::create_directories(lib() / "faces/ann");
  WriteTestImage(lib() / "photos/2026/01/kept.jpg", 36);
  WriteTestImage(lib() / "faces/ann/ann.jpg", 37);
  const std::vector<std::pair<fs::path, std::string>> cases = {{filed, "review"},
                                                               {lib() / "review", "review"},
                                                               {lib() / ".triage", ".triage"},
                                                               {lib() / "photos/2026/01/kept.jpg", "photos"},
                                                               {lib() / "faces/ann", "faces"}};
  for (const auto& [given, folder] : cases) {
    RunResult r = Triage({"ingest", "--move", given.string(), "--json"});
    EXPECT_EQ(r.exit_code, 1) << given << r.err;
    const std::string error = r.Json()["items"][0]["error"].get<std::string>();
    EXPECT_NE(error.find("a folder triage manages; it is not taken again"), std::string::npos) << error;
    EXPECT_NE(error.find((lib() / folder).string()), std::string::npos) << error;
    // The folder itself is named as that folder, not as a folder inside itself.
    const bool itself = fs::equivalent(given, lib() / folder);
    EXPECT_EQ(error.find(" is inside ") == std::string::npos, itself) << error;
  }
  EXPECT_TRUE(fs::exists(filed));
  EXPECT_TRUE(fs::exists(lib() / "photos/2026/01/kept.jpg"));
  EXPECT_TRUE(fs::exists(lib() / "faces/ann/ann.jpg"));
  json items = Items();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["path"], "review/unidentified/a.jpg");
}

TEST_F(HostileInputTest, FileStillBeingWrittenIsNotTakenHalfWrittenByIngestMove) {
  WriteTestImage(dir_ / "whole.jpg", 38);
  const std::string bytes = Slurp(dir_ / "whole.jpg");
  std::thread writer = SlowWriter(in() / "slow.jpg", bytes, 10, 150);
  RunResult r = Triage({"ingest", "--move", (in() / "slow.jpg").string(), "--json"});
  writer.join();
  ExpectTakenWholeOrLeft(in() / "slow.jpg", bytes, r.Json());
}

TEST_F(HostileInputTest, FileStillBeingWrittenIsNotTakenHalfWrittenByTheWatchersStartUpScan) {
  WriteTestImage(dir_ / "whole.jpg", 39);
  const std::string bytes = Slurp(dir_ / "whole.jpg");
  // Pauses longer than the debounce: the watcher's quiet period alone would hand the file out mid-write.
  std::thread writer = SlowWriter(lib() / "inbox/slow.jpg", bytes, 8, 300);
  RunResult r = Triage({"watch", "--debounce-ms", "100", "--max-files", "1", "--json"});
  writer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectTakenWholeOrLeft(lib() / "inbox/slow.jpg", bytes, r.out);
  // watch --json is JSON Lines: each batch's report a whole document on its own line.
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(json::accept(line)) << "not a JSON document on its own line: " << line;
  }
}

}  // namespace
}  // namespace triage::e2e
