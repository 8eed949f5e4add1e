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

}  // namespace
}  // namespace triage::e2e
