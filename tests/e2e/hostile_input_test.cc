// Inputs a careless user or an attacker hands to the CLI: names that are not UTF-8, symlinks, the library's own
// files, files still being written. Each is taken safely or refused with a reason; nothing crashes.
#include <gtest/gtest.h>

#include <fstream>

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
    EXPECT_NE(error.find("which triage manages"), std::string::npos) << error;
    EXPECT_NE(error.find((lib() / folder).string()), std::string::npos) << error;
  }
  EXPECT_TRUE(fs::exists(filed));
  EXPECT_TRUE(fs::exists(lib() / "photos/2026/01/kept.jpg"));
  EXPECT_TRUE(fs::exists(lib() / "faces/ann/ann.jpg"));
  json items = Items();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["path"], "review/unidentified/a.jpg");
}

}  // namespace
}  // namespace triage::e2e
