// Whole-program specification of the CLI: what a user sees and what ends up on disk.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "base/ids.h"
#include "commit/journal.h"
#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

// Libraries without face analysis: these tests are about intake, not faces.
const json kNoFaces = {{"analysis", {{"faces", false}}}};

class CliTest : public ::testing::Test {
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
  json ItemNamed(const std::string& name) {
    for (const auto& i : Items()) {
      if (i["original_name"] == name) return i;
    }
    return json();
  }
  TempDir dir_{"cli"};
};

TEST_F(CliTest, InitCreatesTheLayoutAndRefusesASecondInit) {
  for (const char* d : {"inbox", "faces", ".triage/trash", "review/duplicates", "review/near_duplicates",
                        "review/unidentified", "review/low_confidence", "review/multiple_faces",
                        "review/unwanted_person", "review/low_quality", "review/unreadable"}) {
    EXPECT_TRUE(fs::is_directory(lib() / d)) << d;
  }
  EXPECT_TRUE(fs::exists(lib() / ".triage/catalog.db"));
  RunResult again = RunTriage({"init", "--library", lib().string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("is a library already"), std::string::npos);
}

// `bursts` and `duplicates` cut at --limit said nothing of what followed; they now say where the next page starts, as
// GET /api/bursts and /api/duplicates do (`next_after`).
TEST_F(CliTest, GroupListsCutAtTheLimitSayWhereTheNextPageStarts) {
  for (int seed : {1, 2}) {
    WriteTestImage(in() / fmt::format("p{}.jpg", seed), seed, 320, 240);
    fs::copy_file(in() / fmt::format("p{}.jpg", seed), in() / fmt::format("p{}_copy.jpg", seed));
  }
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  RunResult first = Triage({"duplicates", "--limit", "1", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(first.Json()["groups"].size(), 1u) << first.out;
  ASSERT_TRUE(first.Json()["next_after"].is_number_integer()) << first.out;
  const int64_t after = first.Json()["next_after"];
  EXPECT_EQ(after, first.Json()["groups"][0]["id"].get<int64_t>());
  RunResult text = Triage({"duplicates", "--limit", "1"});
  EXPECT_NE(text.out.find(fmt::format("more groups follow: the next page is --after {}", after)), std::string::npos)
      << text.out;
  RunResult last = Triage({"duplicates", "--limit", "1", "--after", std::to_string(after), "--json"});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  ASSERT_EQ(last.Json()["groups"].size(), 1u) << last.out;
  EXPECT_TRUE(last.Json()["next_after"].is_null()) << "nothing follows the last group: " << last.out;
  EXPECT_EQ(Triage({"duplicates", "--limit", "1", "--after", std::to_string(after)}).out.find("more groups follow"),
            std::string::npos);
}

// Every command refuses an empty triage.json and said `triage init` writes a complete one, while init said "a library
// already". Writing the defaults there would point a library whose catalog was elsewhere (catalog.url) at a new,
// empty one: both now say to restore it or to delete it first, and init then writes the defaults over the library's
// catalog and files, which stay. A folder named triage.json is named as what is in the way.
TEST_F(CliTest, AnEmptyConfigurationIsRestoredOrDeletedFirstAndAFolderInItsPlaceIsNamed) {
  WriteTestImage(in() / "a.jpg", 1, 320, 240);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  { std::ofstream(lib() / "triage.json", std::ios::trunc) << "\n"; }
  RunResult refused = Triage({"items"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("the file is empty; restore it from a backup"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("or delete it and run `triage init` for the default settings"), std::string::npos);
  RunResult init = RunTriage({"init", lib().string()});
  EXPECT_EQ(init.exit_code, 2);
  EXPECT_NE(init.err.find("its triage.json is empty: restore it from a backup"), std::string::npos) << init.err;
  EXPECT_EQ(fs::file_size(lib() / "triage.json"), 1u) << "nothing was written over it";
  // Zeros where the text was (a crash while the file was written) are named as such, by every command and by init.
  { std::ofstream(lib() / "triage.json", std::ios::trunc) << std::string(512, '\0'); }
  RunResult zeros = Triage({"items"});
  EXPECT_EQ(zeros.exit_code, 2);
  EXPECT_NE(zeros.err.find("triage.json: the file holds only zero bytes"), std::string::npos) << zeros.err;
  RunResult init_zeros = RunTriage({"init", lib().string()});
  EXPECT_EQ(init_zeros.exit_code, 2);
  EXPECT_NE(init_zeros.err.find("its triage.json holds only zero bytes: restore it from a backup"), std::string::npos)
      << init_zeros.err;
  EXPECT_EQ(fs::file_size(lib() / "triage.json"), 512u) << "nothing was written over it";
  fs::remove(lib() / "triage.json");
  ASSERT_EQ(RunTriage({"init", lib().string()}).exit_code, 0);
  EXPECT_EQ(Items().size(), 1u) << "the catalog and its item stay";

  const fs::path folder = dir_ / "folder";
  fs::create_directories(folder / "triage.json");
  RunResult in_the_way = RunTriage({"init", folder.string()});
  EXPECT_EQ(in_the_way.exit_code, 2);
  EXPECT_NE(in_the_way.err.find("triage.json is a folder, where the library's configuration file goes"),
            std::string::npos)
      << in_the_way.err;
}

// A library inside another's folders would take files the outer catalog holds (moved into its own review/), so init
// refuses any folder inside a library; a name too long for the file system is named, not an internal error, and so
// is a file where the folder should be.
TEST_F(CliTest, InitRefusesAFolderInsideALibraryAndANameTooLong) {
  for (const char* inner : {"review", "review/unidentified/new", ".triage/new", "inbox"}) {
    RunResult r = RunTriage({"init", (lib() / inner).string()});
    EXPECT_EQ(r.exit_code, 2) << inner << ": " << r.err;
    EXPECT_NE(r.err.find("is inside the library " + fs::weakly_canonical(lib()).string()), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(lib() / inner / "triage.json")) << inner;
  }
  RunResult beside = RunTriage({"init", (dir_ / "beside").string()});
  EXPECT_EQ(beside.exit_code, 0) << beside.err;
  {
    std::ofstream(dir_ / "notes.txt") << "mine";
    for (const fs::path& target : {dir_ / "notes.txt", dir_ / "notes.txt" / "photos"}) {
      RunResult on_file = RunTriage({"init", target.string()});
      EXPECT_EQ(on_file.exit_code, 2) << on_file.err;
      EXPECT_NE(on_file.err.find((dir_ / "notes.txt").string() + " is a file, not a folder"), std::string::npos)
          << on_file.err;
    }
    std::ifstream kept(dir_ / "notes.txt");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "mine");
  }
  RunResult long_name = RunTriage({"init", (dir_ / std::string(300, 'd')).string()});
  EXPECT_EQ(long_name.exit_code, 2) << long_name.err;
  EXPECT_NE(long_name.err.find("File name too long"), std::string::npos) << long_name.err;
  EXPECT_EQ(long_name.err.find("internal error"), std::string::npos) << long_name.err;
}

// A catalog that cannot be opened (nothing listens there) left a half-made library behind, with the URL's password in
// its triage.json, and a second init refused the folder as "a library already": what init made is taken back.
TEST_F(CliTest, InitWhoseCatalogCannotBeOpenedLeavesNothingAndCanBeRunAgain) {
  const fs::path folder = dir_ / "later";
  RunResult failed = RunTriage(
      {"init", folder.string(), "--catalog", "postgresql://triage:s3cret@127.0.0.1:1/nowhere?connect_timeout=2"});
  EXPECT_EQ(failed.exit_code, 4) << failed.err;
  EXPECT_EQ(failed.err.find("s3cret"), std::string::npos) << failed.err;
  EXPECT_FALSE(fs::exists(folder)) << "init made the folder, and takes it back";
  fs::create_directories(dir_ / "mine");
  WriteTestImage(dir_ / "mine" / "kept.jpg", 1, 64, 48);
  failed =
      RunTriage({"init", (dir_ / "mine").string(), "--catalog", "postgresql://127.0.0.1:1/nowhere?connect_timeout=2"});
  EXPECT_EQ(failed.exit_code, 4) << failed.err;
  EXPECT_TRUE(fs::exists(dir_ / "mine" / "kept.jpg")) << "a folder that was there keeps what it held";
  EXPECT_FALSE(fs::exists(dir_ / "mine" / "triage.json"));
  EXPECT_FALSE(fs::exists(dir_ / "mine" / "inbox"));
  RunResult again = RunTriage({"init", (dir_ / "mine").string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

// Opening a SQLite catalog creates it: a mistyped --from copied an empty catalog and said "verified".
TEST_F(CliTest, DbCopyFromACatalogThatIsNotThereCreatesNothing) {
  const fs::path missing = dir_ / "typo.db", target = dir_ / "copy.db";
  RunResult r = RunTriage({"--library", lib().string(), "db", "copy", "--from", "sqlite:" + missing.string(), "--to",
                           "sqlite:" + target.string(), "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.err << r.out;
  EXPECT_NE(r.out.find("--from: no catalog at " + missing.string()), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_FALSE(fs::exists(target));
  RunResult copied = RunTriage(
      {"--library", lib().string(), "db", "copy", "--from", "sqlite:", "--to", "sqlite:" + target.string(), "--json"});
  EXPECT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_TRUE(fs::exists(target));
}

TEST_F(CliTest, MissingLibraryIsExplained) {
  RunResult r = RunTriage({"items", "--library", (dir_ / "nowhere").string()});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("triage init"), std::string::npos);
}

TEST_F(CliTest, InitTakesTheFolderAfterTheCommandAndRefusesTwoDifferentOnes) {
  const fs::path other = dir_ / "other";
  RunResult r = RunTriage({"init", other.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(other / "triage.json"));
  EXPECT_TRUE(fs::is_directory(other / "review/unidentified"));
  // The same folder both ways is one library; two different ones are refused before anything is made.
  const fs::path third = dir_ / "third";
  r = RunTriage({"init", third.string(), "--library", (dir_ / "fourth").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("init was given two libraries"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(third));
  EXPECT_FALSE(fs::exists(dir_ / "fourth"));
  r = RunTriage({"init", third.string(), "--library", third.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // A folder after `init` stands over $TRIAGE_LIBRARY.
  r = RunTriage({"init", (dir_ / "fifth").string()}, {"TRIAGE_LIBRARY=" + (dir_ / "sixth").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "fifth/triage.json"));
  EXPECT_FALSE(fs::exists(dir_ / "sixth"));
  r = RunTriage({"init"}, {}, dir_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("init needs a folder"), std::string::npos) << r.err;
}

TEST_F(CliTest, ACommandRunInsideALibraryFolderFindsTheLibrary) {
  WriteTestImage(in() / "a.jpg", 1, 800, 600);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  for (const fs::path& cwd : {lib(), lib() / "review" / "unidentified"}) {
    RunResult r = RunTriage({"items", "--json"}, {}, cwd);
    ASSERT_EQ(r.exit_code, 0) << cwd << ": " << r.err;
    EXPECT_EQ(r.Json().size(), 1u) << cwd;
  }
  // Outside any library, the error says the three ways to name one.
  RunResult r = RunTriage({"items"}, {}, dir_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("run the command inside a library's folder"), std::string::npos) << r.err;
}

TEST_F(CliTest, AMistypedCommandIsNamedWithTheCommandsThereAre) {
  RunResult r = Triage({"ingset", "photos"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command \"ingset\" for triage; the commands are: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ingest"), std::string::npos) << r.err;
  r = Triage({"user", "lst"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command \"lst\" for triage user"), std::string::npos) << r.err;
  r = Triage({"bogus", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["error"], "invalid_argument");
  EXPECT_NE(r.Json()["message"].get<std::string>().find("\"bogus\""), std::string::npos);
  r = Triage({});  // no command at all: the commands are named
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("unknown command"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("a command is needed: init, ingest,"), std::string::npos) << r.err;
  r = Triage({"proposals"});  // a group of commands without one of them
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("proposals needs a command: list, show,"), std::string::npos) << r.err;
  r = Triage({"models", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["message"], "models needs a command: verify (see triage models --help)");
  r = Triage({"ingest"});  // a missing argument is not a missing command
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("needs a command"), std::string::npos) << r.err;
}

TEST_F(CliTest, AMissingArgumentIsNamedWithWhatItIsAndWhereToReadMore) {
  RunResult r = Triage({"ingest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: ingest needs inputs (files, folders or URLs): see triage ingest --help"),
            std::string::npos)
      << r.err;
  r = Triage({"review", "approve"});  // a nested command: its whole name, each missing argument once
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("review approve needs id (item id) and --person (who it is): see triage review approve --help"),
            std::string::npos)
      << r.err;
  r = Triage({"review", "approve", "3"});  // only what is still missing
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("review approve needs --person (who it is):"), std::string::npos) << r.err;
  r = Triage({"proposals", "show", "--json"});  // with --json, the same words as a JSON error on stdout
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["error"], "invalid_argument");
  EXPECT_EQ(r.Json()["message"], "proposals show needs id (proposal id): see triage proposals show --help");
}

// Ids are decimal: `review reject 011` once rejected item 9 (read as octal), `0x10` item 16, and an id past 64 bits
// became the largest there is ("no item 9223372036854775807").
TEST_F(CliTest, IdsAreReadInDecimalOnly) {
  for (int seed = 1; seed <= 12; ++seed) WriteTestImage(in() / fmt::format("p{:02}.jpg", seed), seed, 320, 240);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  ASSERT_EQ(Items().size(), 12u);
  RunResult r = Triage({"review", "reject", "011", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.Json()["id"], 11) << "a leading zero is not octal";
  EXPECT_EQ(ItemNamed("p09.jpg")["location"], "review") << "item 9 was left alone";
  r = Triage({"review", "skip", "0x10"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("review skip: id must be a whole number, 1 or more (got \"0x10\")"), std::string::npos) << r.err;
  r = Triage({"review", "skip", "99999999999999999999999", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.Json()["message"].get<std::string>().find("(got \"99999999999999999999999\", out of range)"),
            std::string::npos)
      << r.out;
  r = Triage({"items", "--limit", "0x7"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = Triage({"serve", "--port", "99999999999"});  // an int option without bounds: named, not "Could not convert"
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--port must be a whole number (got \"99999999999\", out of range)"), std::string::npos)
      << r.err;
  r = Triage({"items", "--limit", "+007", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Json().size(), 7u);
}

// strtod, behind CLI11's fractional options, reads "0x10" as 16 and takes "nan", which passed the 0..100 range check.
TEST_F(CliTest, FractionalOptionsAreReadInDecimalOnly) {
  for (const std::string given : {"0x10", "nan", "inf", "1e", "101", "-1", "abc"}) {
    RunResult r = Triage({"proposals", "batch", "approve", "--min-score", given});
    EXPECT_EQ(r.exit_code, 2) << given << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(fmt::format("proposals batch: --min-score must be a decimal number from 0 to 100 (got \"{}\")",
                                     given)),
              std::string::npos)
        << r.err;
  }
  for (const std::string given : {"50", "0.5", ".5", "5.", "1e1", "+2.5E+1"}) {
    RunResult r = Triage({"proposals", "batch", "deny", "--max-score", given, "--json"});
    EXPECT_EQ(r.exit_code, 0) << given << ": " << r.out << r.err;
  }
}

// Words a command does not take are named with the command, in the order they were typed (CLI11 said "The following
// arguments were not expected: x --days", backwards and without the command), and so is an empty name to explain.
TEST_F(CliTest, ArgumentsACommandDoesNotTakeAreNamedWithTheCommand) {
  RunResult r = Triage({"review", "reject", "1", "2", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: review reject: \"2\" \"3\" were not expected: see triage review reject --help"),
            std::string::npos)
      << r.err;
  r = Triage({"review", "purge", "--days", "x", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["error"], "invalid_argument");
  EXPECT_EQ(r.Json()["message"], "review purge: \"--days\" \"x\" were not expected: see triage review purge --help");
  r = Triage({"stats", "extra"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: stats: \"extra\" was not expected: see triage stats --help"), std::string::npos)
      << r.err;
  r = Triage({"explain", ""});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("triage: \"\" is neither an item id nor a file"), std::string::npos) << r.err;
  // An option of the command typed before the command's name is said to be misplaced, not unknown to the command.
  r = RunTriage({"--library", lib().string(), "--json", "stats"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["message"],
            "stats: \"--json\" stands before the command's name; it is an option of `triage stats`: put it after it "
            "(triage stats --json ...)");
  r = RunTriage({"--library", lib().string(), "--move", "--source=x", "ingest", in().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("ingest: \"--move\" \"--source=x\" stand before the command's name; they are options of "
                       "`triage ingest`: put them after it"),
            std::string::npos)
      << r.err;
  // One that no command has is still not expected.
  r = RunTriage({"--library", lib().string(), "--colour", "stats"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("\"--colour\" was not expected"), std::string::npos) << r.err;
}

// A file copied from the library's inbox stayed there and the watcher took it a second time: the inbox is taken by a
// move only (ingest --move, or watch), and a copy names how.
TEST_F(CliTest, TheInboxIsTakenByAMoveOnlySoNoFileIsTakenTwice) {
  WriteTestImage(lib() / "inbox" / "a.jpg", 1, 320, 240);
  RunResult copied = Triage({"ingest", (lib() / "inbox").string()});
  EXPECT_EQ(copied.exit_code, 1);
  EXPECT_NE(copied.out.find("is the library's inbox, whose files `triage watch` moves in"), std::string::npos)
      << copied.out;
  RunResult root = Triage({"ingest", lib().string()});
  EXPECT_EQ(root.exit_code, 0) << root.err;
  EXPECT_TRUE(Items().empty());
  RunResult moved = Triage({"ingest", "--move", (lib() / "inbox").string()});
  EXPECT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(Items().size(), 1u);
  EXPECT_FALSE(fs::exists(lib() / "inbox" / "a.jpg"));
}

// Output that cannot be written (stdout on a full disk) is a failure, said on stderr, not a success with a cut-off
// answer: scripts read --json from stdout. What the command did stays done.
TEST_F(CliTest, OutputThatCannotBeWrittenIsAFailure) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  WriteTestImage(in() / "a.jpg", 1, 320, 240);
  const fs::path err = dir_ / "err.txt";
  auto run_into_full = [&](const std::string& args) {
    const std::string command = fmt::format("'{}' {} --library '{}' > /dev/full 2> '{}'", TRIAGE_BINARY_DIR "/triage",
                                            args, lib().string(), err.string());
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run_into_full(fmt::format("ingest --json '{}'", in().string())), 4);
  std::string said((std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(err))),
                   std::istreambuf_iterator<char>());
  EXPECT_NE(said.find("triage: could not write the output to stdout"), std::string::npos) << said;
  EXPECT_EQ(Items().size(), 1u) << "the ingest itself went through";
  EXPECT_EQ(run_into_full("stats"), 4);
  EXPECT_EQ(Triage({"stats"}).exit_code, 0) << "the same command with somewhere to write";
}

// CLI11 once said "Could not convert: id = abc", and "--limit: Value abc not in range 1 to 100000" as if abc were a
// number; a value that is no whole number, or one out of range, is now named with its command and what it takes.
TEST_F(CliTest, AValueThatIsNotAWholeNumberIsNamedWithWhatTheArgumentTakes) {
  RunResult r = Triage({"review", "approve", "abc", "--person", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("triage: review approve: id must be a whole number, 1 or more (got \"abc\"): see triage review "
                       "approve "
                       "--help"),
            std::string::npos)
      << r.err;
  r = Triage({"review", "approve", "abc", "--person", "x", "--json"});  // the same words as a JSON error on stdout
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["error"], "invalid_argument");
  EXPECT_EQ(r.Json()["message"],
            "review approve: id must be a whole number, 1 or more (got \"abc\"): see triage review approve --help");
  r = Triage({"items", "--limit", "abc"});  // behind a range check
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: items: --limit must be a whole number from 1 to 100000 (got \"abc\")"),
            std::string::npos)
      << r.err;
  r = Triage({"items", "--limit", "0"});  // a number out of range says the range too
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: items: --limit must be a whole number from 1 to 100000 (got \"0\")"), std::string::npos)
      << r.err;
  r = Triage({"items", "--offset", "-1", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["message"],
            "items: --offset must be a whole number from 0 to 2000000000 (got \"-1\"): see triage items --help");
  r = Triage({"items", "--offset", "99999999999"});  // more than the offset holds: named, not "Could not convert"
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--offset must be a whole number from 0 to 2000000000 (got \"99999999999\")"), std::string::npos)
      << r.err;
  r = Triage({"duplicates", "--after", "-5", "--json"});  // CLI11's own bound for "not negative" is a 300-digit number
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["message"],
            "duplicates: --after must be a whole number, 0 or more (got \"-5\"): see triage duplicates --help");
  r = Triage({"review", "name-face", "3", "1.5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: review name-face: face must be a whole number from 0 to 9999 (got \"1.5\")"),
            std::string::npos)
      << r.err;
  r = Triage({"review", "name", "3", "x4", "--person", "ada"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: review name: ids must be whole numbers, 1 or more (got \"x4\")"), std::string::npos)
      << r.err;
  // An empty id, a negative one or a face number past any photo's: named, not "no item 0" or "Could not convert".
  r = Triage({"review", "reject", ""});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: review reject: id must be a whole number, 1 or more (got \"\")"), std::string::npos)
      << r.err;
  r = Triage({"review", "reject", "--", "-5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("id must be a whole number, 1 or more (got \"-5\")"), std::string::npos) << r.err;
  r = Triage({"review", "name-face", "3", "99999999999"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("face must be a whole number from 0 to 9999 (got \"99999999999\")"), std::string::npos) << r.err;
  r = Triage({"faces", "undo", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: faces undo: action must be a whole number, 1 or more (got \"0\")"), std::string::npos)
      << r.err;
  r = Triage({"items", "--location", "bogus"});  // another check's refusal is named with its command too
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("triage: items: --location must be one of library, review, trash or archive (got \"bogus\")"),
            std::string::npos)
      << r.err;
}

// --help and --version are not errors: they print on stdout and exit 0.
TEST_F(CliTest, HelpAndVersionPrintAndExit0) {
  RunResult r = Triage({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "triage 0.1.0\n");
  r = Triage({"items", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--limit"), std::string::npos) << r.out;
  r = Triage({"review", "approve", "--help", "--json"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--person"), std::string::npos) << r.out;
}

TEST_F(CliTest, ConfigErrorsNameTheKeyAndExitWith2) {
  std::ofstream(lib() / "triage.json") << R"({"thresholds": {"min_confidence": 7}})";
  RunResult r = Triage({"items"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("thresholds.min_confidence"), std::string::npos) << r.err;
  std::ofstream(lib() / "triage.json") << R"({"colour": 1})";
  r = Triage({"items", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["error"], "invalid_argument");
  std::ofstream(lib() / "triage.json") << "{ not json";
  EXPECT_EQ(Triage({"items"}).exit_code, 2);
}

TEST_F(CliTest, ExactAndNearDuplicatesAreLinkedDistinctImagesAreNot) {
  WriteTestImage(in() / "a.jpg", 1, 800, 600);
  WriteTestImage(in() / "b.jpg", 2, 800, 600);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  fs::create_directories(dir_ / "more");
  fs::copy_file(in() / "a.jpg", dir_ / "more/a_copy.jpg");
  WriteVariant(in() / "a.jpg", dir_ / "more/a_half.png", 0.5, 0);
  WriteVariant(in() / "a.jpg", dir_ / "more/a_bright.jpg", 1.0, 0.1);
  RunResult r = Triage({"ingest", (dir_ / "more").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json a = ItemNamed("a.jpg"), b = ItemNamed("b.jpg");
  EXPECT_EQ(a["category"], "unidentified");
  EXPECT_EQ(b["category"], "unidentified");
  EXPECT_TRUE(b["duplicate_of"].is_null());
  json copy = ItemNamed("a_copy.jpg");
  EXPECT_EQ(copy["category"], "duplicates");
  EXPECT_EQ(copy["duplicate_of"], a["id"]);
  EXPECT_EQ(copy["reasons"][0]["code"], "duplicate_sha256");
  for (const char* near : {"a_half.png", "a_bright.jpg"}) {
    json n = ItemNamed(near);
    EXPECT_EQ(n["category"], "near_duplicates") << near;
    EXPECT_EQ(n["duplicate_of"], a["id"]) << near;
  }
  EXPECT_TRUE(fs::exists(lib() / "review/duplicates/a_copy.jpg"));
  EXPECT_TRUE(fs::exists(in() / "a.jpg"));  // copied, not moved
}

// A file deleted by hand left its item waiting in review for good (every decision refused it); a file copied into
// faces/ by hand was unknown to the catalog without anybody being told. `check` names both, exits 1 while they
// disagree, and --forget-missing forgets only the items whose file is gone, audited.
// The library's catalog deleted or moved away by hand: a command does not start an empty catalog beside a library
// full of photos (its users gone, every photo unknown); it says the catalog is missing, and nothing is created.
TEST_F(CliTest, AUsedLibraryWhoseCatalogIsGoneIsRefusedNotStartedAfresh) {
  WriteTestImage(in() / "a.jpg", 1, 640, 480);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const fs::path db = lib() / ".triage/catalog.db";
  ASSERT_TRUE(fs::exists(db));
  fs::rename(db, lib() / "catalog-backup.db");
  for (const char* wal : {"-wal", "-shm"}) fs::remove(fs::path(db.string() + wal));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"items"}, {"stats"}, {"ingest", in().string()}}) {
    RunResult r = Triage(args);
    EXPECT_EQ(r.exit_code, 3) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("is missing, though this library has been used"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(db)) << args[0] << " made an empty catalog";
  }
  fs::rename(lib() / "catalog-backup.db", db);  // restored: all is as it was
  RunResult back = Triage({"items", "--json"});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.Json().size(), 1u) << back.out;

  // catalog.url changed to a file that is not there (a folder that does not exist either): the same refusal, which
  // says to set catalog.url back; nothing is made there.
  auto write_config = [&](const std::string& text) { std::ofstream(lib() / "triage.json", std::ios::trunc) << text; };
  std::string config;
  {
    std::ifstream in(lib() / "triage.json");
    config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (const std::string url : {"sqlite:.triage/moved.db", "sqlite:no-such-folder/catalog.db"}) {
    std::string changed = config;
    const size_t at = changed.find("sqlite:");
    ASSERT_NE(at, std::string::npos) << config;
    changed.replace(at, changed.find('"', at) - at, url);
    write_config(changed);
    RunResult r = Triage({"items"});
    EXPECT_EQ(r.exit_code, 3) << url << ": " << r.err;
    EXPECT_NE(r.err.find("if catalog.url in " + (lib() / "triage.json").string() + " was changed, set it back"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(lib() / url.substr(7))) << url;
  }
  write_config(config);
  EXPECT_EQ(Triage({"items"}).exit_code, 0);
}

TEST_F(CliTest, CheckNamesFilesGoneAndFilesPutThereByHandAndForgetsOnlyTheGoneOnes) {
  WriteTestImage(in() / "a.jpg", 1, 640, 480);
  WriteTestImage(in() / "b.jpg", 2, 640, 480);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const json a = ItemNamed("a.jpg"), b = ItemNamed("b.jpg");
  RunResult clean = Triage({"check"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_NE(clean.out.find("0 files missing, 0 files not in the catalog"), std::string::npos) << clean.out;

  fs::remove(lib() / a["path"].get<std::string>());
  fs::create_directories(lib() / "faces/ada");
  fs::copy_file(in() / "b.jpg", lib() / "faces/ada/by hand.jpg");
  fs::copy_file(in() / "b.jpg", lib() / "faces/ada/.hidden.jpg");  // hidden files are nobody's business
  RunResult refused = Triage({"review", "reject", std::to_string(a["id"].get<int64_t>())});
  EXPECT_EQ(refused.exit_code, 5) << refused.err;

  RunResult found = Triage({"check", "--json"});
  EXPECT_EQ(found.exit_code, 1) << found.out << found.err;
  json report = found.Json();
  ASSERT_EQ(report["missing"].size(), 1u) << report.dump();
  EXPECT_EQ(report["missing"][0]["id"], a["id"]);
  EXPECT_EQ(report["missing"][0]["path"], a["path"]);
  EXPECT_EQ(report["missing"][0]["forgotten"], false);
  EXPECT_EQ(report["unknown_files"], json::array({"faces/ada/by hand.jpg"}));
  EXPECT_EQ(report["clean"], false);
  EXPECT_EQ(Items().size(), 2u);  // a check alone changes nothing

  RunResult forgot = Triage({"check", "--forget-missing"});
  EXPECT_EQ(forgot.exit_code, 1) << forgot.out << forgot.err;  // the unknown file is still there
  EXPECT_NE(forgot.out.find("(forgotten)"), std::string::npos) << forgot.out;
  json left = Items();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["id"], b["id"]);
  EXPECT_TRUE(fs::exists(lib() / b["path"].get<std::string>()));
  EXPECT_TRUE(fs::exists(lib() / "faces/ada/by hand.jpg"));  // never touched
  json audit = Triage({"review", "list", "--json"}).Json();
  EXPECT_EQ(audit.size(), 1u);

  fs::remove(lib() / "faces/ada/by hand.jpg");
  RunResult after = Triage({"check", "--json"});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_EQ(after.Json()["clean"], true);
}

// A photo put into review/ by hand: check names it and says how to take it in; ingest refuses a file in a folder
// triage manages, and doing what check said takes it in, after which the library is clean.
TEST_F(CliTest, AFilePutIntoReviewByHandIsTakenInTheWayCheckSays) {
  WriteTestImage(in() / "a.jpg", 1, 640, 480);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const fs::path by_hand = lib() / "review/unidentified/by hand.jpg";
  fs::create_directories(by_hand.parent_path());
  WriteTestImage(by_hand, 7, 640, 480);
  RunResult found = Triage({"check"});
  EXPECT_EQ(found.exit_code, 1) << found.out << found.err;
  EXPECT_NE(found.out.find("not in the catalog: review/unidentified/by hand.jpg"), std::string::npos) << found.out;
  const std::string inbox = (lib() / "inbox").string();
  EXPECT_NE(found.out.find("move it into the inbox " + inbox), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("`triage ingest --move " + inbox + "` now"), std::string::npos) << found.out;
  EXPECT_EQ(found.out.find("give it to triage ingest"), std::string::npos) << found.out;

  RunResult refused = Triage({"ingest", by_hand.string()});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE((refused.out + refused.err).find("a folder triage manages"), std::string::npos) << refused.out;
  EXPECT_TRUE(fs::exists(by_hand));

  fs::create_directories(lib() / "inbox");
  fs::rename(by_hand, lib() / "inbox/by hand.jpg");
  RunResult taken = Triage({"ingest", "--move", inbox});
  EXPECT_EQ(taken.exit_code, 0) << taken.out << taken.err;
  EXPECT_EQ(Items().size(), 2u);
  EXPECT_FALSE(fs::exists(lib() / "inbox/by hand.jpg"));
  RunResult clean = Triage({"check"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
}

// A folder or a link put where a photo was (its file deleted, the name reused) was kept as the photo by a decision,
// and check said nothing: it is missing, named as what is there, refused by decisions, and forgotten.
TEST_F(CliTest, AFolderOrLinkInAPhotosPlaceIsNoPhoto) {
  WriteTestImage(in() / "a.jpg", 1, 640, 480);
  WriteTestImage(in() / "b.jpg", 2, 640, 480);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const json a = ItemNamed("a.jpg"), b = ItemNamed("b.jpg");
  const fs::path a_path = lib() / a["path"].get<std::string>(), b_path = lib() / b["path"].get<std::string>();
  fs::remove(a_path);
  fs::create_directory(a_path);
  fs::remove(b_path);
  fs::create_symlink(in() / "b.jpg", b_path);
  for (const json& item : {a, b}) {
    RunResult kept = Triage({"review", "keep", std::to_string(item["id"].get<int64_t>())});
    EXPECT_EQ(kept.exit_code, 5) << kept.out << kept.err;
    EXPECT_NE(kept.err.find("was replaced outside triage by"), std::string::npos) << kept.err;
  }
  EXPECT_TRUE(fs::is_directory(a_path));
  EXPECT_TRUE(fs::is_symlink(b_path));
  json report = Triage({"check", "--json"}).Json();
  ASSERT_EQ(report["missing"].size(), 2u) << report.dump();
  EXPECT_EQ(report["missing"][0]["found"], "a folder");
  EXPECT_EQ(report["missing"][1]["found"], "a symbolic link");
  // Every item of the catalog missing: forgotten only with --all (see ForgettingEveryItemOf...).
  EXPECT_EQ(Triage({"check", "--forget-missing", "--all"}).exit_code, 0);
  EXPECT_TRUE(Items().empty());
  json after = Triage({"check", "--json"}).Json();  // the link left behind is a file the catalog does not know
  EXPECT_EQ(after["unknown_files"], json::array({b["path"]})) << after.dump();
  EXPECT_TRUE(fs::exists(in() / "b.jpg")) << "what the link points to is not touched";
}

// `check` beside a running server: a decision there moves a file and then records the move. While its journal holds the
// move, the file missing from its old place and the one at its new place are a move under way, not a file deleted
// outside triage and one copied in by hand: the check is clean, and --forget-missing forgets nothing.
TEST_F(CliTest, CheckCountsAMoveUnderWayInAnotherProcessAsNeitherMissingNorUnknown) {
  WriteTestImage(in() / "a.jpg", 1, 640, 480);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const json a = ItemNamed("a.jpg");
  auto server = commit::Journal::Open(lib() / ".triage", "server-host");  // a live process's session
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  commit::Intent moving;
  moving.id = "reject-a";
  moving.from = lib() / a["path"].get<std::string>();
  moving.to = lib() / ".triage/trash/a.jpg";
  catalog::CatalogChange change;
  change.item.id = a["id"].get<int64_t>();
  change.item.location = "trash";
  moving.change = change;
  ASSERT_TRUE((*server)->Record(moving).ok());
  fs::create_directories(moving.to.parent_path());
  fs::rename(moving.from, moving.to);

  RunResult during = Triage({"check", "--forget-missing", "--json"});
  EXPECT_EQ(during.exit_code, 0) << during.out << during.err;
  json report = during.Json();
  EXPECT_EQ(report["missing"], json::array()) << report.dump();
  EXPECT_EQ(report["unknown_files"], json::array()) << report.dump();
  EXPECT_EQ(report["moving"], 1);
  EXPECT_EQ(report["forgotten"], 0);
  EXPECT_EQ(Items().size(), 1u) << "the item being moved was forgotten";

  ASSERT_TRUE((*server)->Done(moving.id).ok());  // the move gone with nothing recorded: now the file is missing
  RunResult after = Triage({"check", "--json"});
  EXPECT_EQ(after.exit_code, 1) << after.out;
  EXPECT_EQ(after.Json()["missing"].size(), 1u);
  EXPECT_EQ(after.Json()["unknown_files"], json::array({".triage/trash/a.jpg"}));
}

// A crashed run's move that recovery cannot record now (here: its file is nowhere; a full disk or a catalog out of
// reach fails the same way) stays in the journal. `check` must not call the library clean meanwhile, and every other
// command says so once instead of passing over it.
TEST_F(CliTest, AMoveRecoveryCannotRecordMakesCheckFailAndOtherCommandsWarn) {
  WriteTestImage(in() / "a.jpg", 1, 640, 480);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  {
    auto crashed = commit::Journal::Open(lib() / ".triage", base::HostName());  // this host's session, then dead
    ASSERT_TRUE(crashed.ok()) << crashed.status().ToString();
    commit::Intent placed;
    placed.id = "ingest-gone";
    placed.from = lib() / ".triage/staging/gone.jpg";
    placed.to = lib() / "review/unidentified/gone.jpg";
    catalog::CatalogChange change;
    change.item.path = "review/unidentified/gone.jpg";
    change.item.location = "review";
    placed.change = change;
    ASSERT_TRUE((*crashed)->Record(placed).ok());
  }  // the process "dies": its lock is released, its entry stays

  RunResult check = Triage({"check", "--json"});
  EXPECT_EQ(check.exit_code, 4) << check.out << check.err;
  const json report = check.Json();
  EXPECT_EQ(report["clean"], false);
  ASSERT_EQ(report["problems"].size(), 1u) << report.dump();
  const std::string problem = report["problems"][0].get<std::string>();
  EXPECT_NE(problem.find("journal entry ingest-gone"), std::string::npos) << problem;
  EXPECT_NE(problem.find("triage recover"), std::string::npos) << problem;
  EXPECT_EQ(check.err.find("warning"), std::string::npos) << "check reports it, it does not warn as well";

  RunResult stats = Triage({"stats"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_NE(stats.err.find("warning: an interrupted run left a journal entry that could not be settled now"),
            std::string::npos)
      << stats.err;
  EXPECT_NE(stats.err.find("ingest-gone"), std::string::npos) << stats.err;

  RunResult recover = Triage({"recover"});
  EXPECT_EQ(recover.exit_code, 4) << recover.out;
  EXPECT_NE(recover.out.find("problem: journal entry ingest-gone"), std::string::npos) << recover.out;
  EXPECT_EQ(recover.err.find("warning"), std::string::npos) << recover.err;
}

// An intake scores each photo on the scale last recomputed, the built-in anchors while the library is small. A first
// ingest that brings the library past category_min_samples puts every score on the library's own scale at once:
// `recompute` right after it changes nothing (it changed every score, and a burst's lead, before).
TEST_F(CliTest, ScoresAfterAnIngestAreOnTheLibrarysScaleAlready) {
  const fs::path lib2 = dir_ / "lib2";
  InitLibrary(lib2,
              {{"analysis", {{"faces", false}}}, {"quality", {{"normalization", {{"category_min_samples", 4}}}}}});
  for (int seed = 1; seed <= 6; ++seed) WriteTestImage(in() / fmt::format("s{}.jpg", seed), 40 + seed, 480, 360);
  RunResult ingest = RunTriage({"ingest", in().string(), "--library", lib2.string()});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_NE(ingest.err.find("quality scores put on the scale of the library's 6 photos"), std::string::npos)
      << ingest.err;
  RunResult again = RunTriage({"recompute", "--json", "--library", lib2.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.Json()["items"], 6);
  EXPECT_EQ(again.Json()["changed"], 0) << again.out;
  // One more photo in a small library: rescaled again, so that recompute after it still changes nothing.
  fs::create_directories(dir_ / "one");
  WriteTestImage(dir_ / "one" / "s7.jpg", 47, 480, 360);
  RunResult one = RunTriage({"ingest", (dir_ / "one").string(), "--library", lib2.string()});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("quality scores put on the scale of the library's 7 photos"), std::string::npos) << one.err;
  RunResult after_one = RunTriage({"recompute", "--json", "--library", lib2.string()});
  EXPECT_EQ(after_one.Json()["changed"], 0) << after_one.out;
  // Nothing new (a copy only skipped, or every input failed): no recompute.
  RunResult none = RunTriage({"ingest", (dir_ / "nothing-here").string(), "--library", lib2.string()});
  EXPECT_EQ(none.err.find("quality scores put on the scale"), std::string::npos) << none.err;
  // Photos taken with quality analysis off carry no measures: the scale stays, and so does every score.
  json config = json::parse(std::ifstream(lib2 / "triage.json"));
  config["analysis"]["quality"] = false;
  std::ofstream(lib2 / "triage.json", std::ios::trunc) << config.dump(2);
  fs::create_directories(dir_ / "unmeasured");
  for (int seed = 8; seed <= 9; ++seed) {
    WriteTestImage(dir_ / "unmeasured" / fmt::format("s{}.jpg", seed), 40 + seed, 480, 360);
  }
  RunResult unmeasured = RunTriage({"ingest", (dir_ / "unmeasured").string(), "--library", lib2.string()});
  ASSERT_EQ(unmeasured.exit_code, 0) << unmeasured.err;
  EXPECT_EQ(unmeasured.err.find("quality scores put on the scale"), std::string::npos) << unmeasured.err;
  RunResult after_unmeasured = RunTriage({"recompute", "--json", "--library", lib2.string()});
  ASSERT_EQ(after_unmeasured.exit_code, 0) << after_unmeasured.err;
  EXPECT_EQ(after_unmeasured.Json()["items"], 9);
  EXPECT_EQ(after_unmeasured.Json()["changed"], 0) << after_unmeasured.out;
}

// A catalog given for the wrong library names not one of its files: `check --forget-missing` once emptied that other
// library's catalog. It is refused, naming the likely cause, unless --all says every file is gone for good.
TEST_F(CliTest, ForgettingEveryItemOfACatalogThatNamesNoFileHereIsRefused) {
  for (int seed = 1; seed <= 3; ++seed) WriteTestImage(in() / fmt::format("f{}.jpg", seed), 60 + seed, 320, 240);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const fs::path other = dir_ / "other";
  InitLibrary(other);
  const std::string theirs = "sqlite:" + (lib() / ".triage/catalog.db").string();
  RunResult look = RunTriage({"--catalog", theirs, "check", "--library", other.string()});
  EXPECT_EQ(look.exit_code, 1);
  EXPECT_NE(look.out.find("none of the catalog's 3 items has its file in"), std::string::npos) << look.out;
  RunResult r = RunTriage({"--catalog", theirs, "check", "--forget-missing", "--json", "--library", other.string()});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.Json()["message"].get<std::string>().find("is the catalog this library's"), std::string::npos) << r.out;
  EXPECT_EQ(Items().size(), 3u) << "the other library's catalog lost its items";
  RunResult own = Triage({"check", "--json"});
  EXPECT_EQ(own.exit_code, 0) << own.out;
  EXPECT_EQ(own.Json()["none_in_library"], false);
  // Two of three files gone (most of the catalog): refused as well; one of three is forgotten at once.
  const json listed = Items();
  fs::remove(lib() / listed[0]["path"].get<std::string>());
  fs::remove(lib() / listed[1]["path"].get<std::string>());
  RunResult most = Triage({"check", "--forget-missing", "--json"});
  EXPECT_EQ(most.exit_code, 5) << most.out;
  EXPECT_NE(most.Json()["message"].get<std::string>().find("2 of the catalog's 3 items have no file in"),
            std::string::npos)
      << most.out;
  EXPECT_EQ(Items().size(), 3u);
  RunResult hint = Triage({"check"});
  EXPECT_NE(hint.out.find("triage check --forget-missing --all"), std::string::npos) << hint.out;
  EXPECT_EQ(Triage({"check", "--all"}).exit_code, 2) << "--all means nothing without --forget-missing";
  // Every file deleted by hand, for good: --all forgets them.
  for (const auto& item : Items()) fs::remove(lib() / item["path"].get<std::string>());
  EXPECT_EQ(Triage({"check", "--forget-missing"}).exit_code, 5);
  RunResult all = Triage({"check", "--forget-missing", "--all", "--json"});
  EXPECT_EQ(all.exit_code, 0) << all.out;
  EXPECT_EQ(all.Json()["forgotten"], 3);
  EXPECT_TRUE(Items().empty());
}

TEST_F(CliTest, DuplicateCheckSwitchedOffTreatsCopyAsNew) {
  InitLibrary(dir_ / "lib2", {{"analysis", {{"faces", false}}}, {"review_categories", {{"duplicates", false}}}});
  WriteTestImage(in() / "a.jpg", 3);
  fs::copy_file(in() / "a.jpg", in() / "b.jpg");
  ASSERT_EQ(RunTriage({"ingest", in().string(), "--library", (dir_ / "lib2").string()}).exit_code, 0);
  json items = RunTriage({"items", "--json", "--library", (dir_ / "lib2").string()}).Json();
  ASSERT_EQ(items.size(), 2u);
  // Not an exact duplicate any more; the near-duplicate check (distance 0) still links it.
  EXPECT_EQ(items[1]["category"], "near_duplicates");
}

TEST_F(CliTest, UnreadableAndEmptyFilesGoToReviewWithTheDecodersReason) {
  std::ofstream(in() / "empty.jpg") << "";
  WriteTestImage(in() / "whole.jpg", 4);
  std::string bytes = Slurp(in() / "whole.jpg");
  fs::remove(in() / "whole.jpg");
  std::ofstream(in() / "cut.jpg", std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  std::ofstream(in() / "notes.png") << "just some text";
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  EXPECT_NE(ItemNamed("empty.jpg")["reasons"][0]["text"].get<std::string>().find("empty file"), std::string::npos);
  EXPECT_EQ(ItemNamed("cut.jpg")["category"], "unreadable");
  EXPECT_NE(ItemNamed("cut.jpg")["reasons"][0]["text"].get<std::string>().find("jpeg"), std::string::npos);
  EXPECT_NE(ItemNamed("notes.png")["reasons"][0]["text"].get<std::string>().find("not a supported image format"),
            std::string::npos);
  EXPECT_EQ(FilesUnder(lib() / "review/unreadable").size(), 3u);
}

TEST_F(CliTest, NameCollisionsGetASuffixAndNothingIsOverwritten) {
  fs::create_directories(in() / "x");
  fs::create_directories(in() / "y");
  WriteTestImage(in() / "x/photo.jpg", 5);
  WriteTestImage(in() / "y/photo.jpg", 6);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  EXPECT_EQ(FilesUnder(lib() / "review/unidentified"), (std::vector<std::string>{"photo.jpg", "photo_1.jpg"}));
}

// An option that takes a value followed by another option: the other option is not taken as the value.
TEST_F(CliTest, AnOptionIsNotTakenAsTheValueOfTheOptionBeforeIt) {
  RunResult r = Triage({"recover", "--host", "--json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["message"],  // --json asked: the error is a JSON answer
            "recover: --host: \"--json\" is an option of this command, not a value (give --host its value first): "
            "see triage recover --help");
  r = Triage({"items", "--person", "--library", lib().string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("\"--library\" is an option of this command, not a value"), std::string::npos) << r.err;
  r = Triage({"recover", "--host", "gone-host", "--json"});  // a value, then the option: as before
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["sessions"], 0);
  // A host with nothing left is said to have had nothing; an empty name (which settled this host's work, reported as
  // the other's) is refused.
  r = Triage({"recover", "--host", "gone-host"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing of host gone-host was left to settle here"), std::string::npos) << r.out;
  r = Triage({"recover", "--host", ""});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("recover: --host needs the name of the host whose interrupted work to settle"),
            std::string::npos)
      << r.err;
}

// A mistyped `--catalog sqlite:PATH` would start an empty catalog beside the library's, and an ingest would file photos
// its own catalog never learns of: a catalog that is not there is refused, and nothing is created or moved.
TEST_F(CliTest, ACatalogFileThatIsNotThereIsRefusedNotCreated) {
  WriteTestImage(in() / "a.jpg", 3);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--catalog", "sqlite:typo.db", "items"},
        std::vector<std::string>{"--catalog", "sqlite:typo.db", "ingest", in().string()}}) {
    RunResult r = Triage(args);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("--catalog sqlite:typo.db: there is no catalog at " + (lib() / "typo.db").string()),
              std::string::npos)
        << r.err;
  }
  // Given by TRIAGE_CATALOG, the refusal names that variable, not an option nobody typed; --catalog still wins over it.
  RunResult env = RunTriage({"items", "--library", lib().string()}, {"TRIAGE_CATALOG=sqlite:typo.db"});
  EXPECT_EQ(env.exit_code, 3) << env.err;
  EXPECT_NE(env.err.find("TRIAGE_CATALOG=sqlite:typo.db: there is no catalog at"), std::string::npos) << env.err;
  RunResult both = RunTriage({"--catalog", "sqlite:typo2.db", "items", "--library", lib().string()},
                             {"TRIAGE_CATALOG=sqlite:typo.db"});
  EXPECT_NE(both.err.find("--catalog sqlite:typo2.db: there is no catalog at"), std::string::npos) << both.err;
  EXPECT_FALSE(fs::exists(lib() / "typo.db"));
  EXPECT_TRUE(fs::exists(in() / "a.jpg"));
  EXPECT_EQ(Triage({"--catalog", "sqlite:", "items"}).exit_code, 0) << "the library's own catalog, by its short name";
}

// A file whose name starts with "-" is read as an option by any command line: the refusal says so and how to give it.
TEST_F(CliTest, AFileNameStartingWithADashIsNamedWithHowToGiveIt) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"ingest", "-rf.jpg"}, std::vector<std::string>{"ingest", "x.jpg", "-rf.jpg"}}) {
    RunResult r = Triage(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("\"-rf.jpg\" was read as an option: to name a file whose name starts with \"-\", write "
                         "./-rf.jpg or put -- before it"),
              std::string::npos)
        << r.err;
  }
  RunResult r = Triage({"items", "--limit", "0"});  // no such word: no hint
  EXPECT_EQ(r.err.find("was read as an option"), std::string::npos) << r.err;
}

TEST_F(CliTest, HostileFileNamesAreSanitizedAndStayInside) {
  WriteTestImage(in() / "ok.jpg", 7);
  std::string hostile = "bad\nname\x01.jpg";
  fs::copy_file(in() / "ok.jpg", in() / hostile);
  std::string longname(240, 'L');
  WriteTestImage(in() / (longname + ".jpg"), 8);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  for (const auto& f : FilesUnder(lib() / "review")) {
    EXPECT_EQ(f.find('\n'), std::string::npos) << f;
    EXPECT_EQ(f.find('\x01'), std::string::npos) << f;
    EXPECT_LE(fs::path(f).filename().string().size(), 200u) << f;
  }
  EXPECT_EQ(FilesUnder(lib() / "review").size(), 3u);
}

TEST_F(CliTest, MoveTakesTheOriginals) {
  WriteTestImage(in() / "m.jpg", 9);
  ASSERT_EQ(Triage({"ingest", "--move", in().string()}).exit_code, 0);
  EXPECT_FALSE(fs::exists(in() / "m.jpg"));
  EXPECT_TRUE(fs::exists(lib() / "review/unidentified/m.jpg"));
}

TEST_F(CliTest, MissingInputIsReportedAndTheRestGoesOn) {
  WriteTestImage(in() / "real.jpg", 10);
  RunResult r = Triage({"ingest", (in() / "real.jpg").string(), (in() / "ghost.jpg").string(), "--json"});
  EXPECT_EQ(r.exit_code, 1);
  json s = r.Json();
  EXPECT_EQ(s["failed"], 1);
  EXPECT_EQ(s["to_review"], 1);
}

TEST_F(CliTest, EveryInputNotTakenIsReportedWithItsReason) {
  WriteTestImage(in() / "ok.jpg", 14);
  fs::copy_file(in() / "ok.jpg", in() / "..jpg");
  fs::copy_file(in() / "ok.jpg", in() / "...jpg");
  fs::create_symlink(in() / "ok.jpg", in() / "link.jpg");
  RunResult r = Triage({"ingest", in().string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;  // reported, not failed
  json s = r.Json();
  EXPECT_EQ(s["total"], 1);
  EXPECT_EQ(s["to_review"], 1);
  EXPECT_EQ(s["skipped"], 3);
  std::map<std::string, std::string> skipped;
  for (const auto& item : s["items"]) {
    if (!item["skipped"].is_null()) skipped[fs::path(item["input"].get<std::string>()).filename()] = item["skipped"];
  }
  const std::string hidden = "skipped: hidden (its name starts with '.')";
  EXPECT_EQ(skipped, (std::map<std::string, std::string>{
                         {"...jpg", hidden}, {"..jpg", hidden}, {"link.jpg", "skipped: symbolic link (not followed)"}}))
      << s.dump();
  RunResult text = Triage({"ingest", in().string()});
  EXPECT_NE(text.out.find("..jpg skipped: hidden"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("3 skipped"), std::string::npos) << text.out;
}

TEST_F(CliTest, ReviewApproveRejectSkipMoveFilesAndAreCounted) {
  WriteTestImage(in() / "p.jpg", 11);
  WriteTestImage(in() / "q.jpg", 12);
  WriteTestImage(in() / "r.jpg", 13);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  json list = Triage({"review", "list", "--json", "--category", "unidentified"}).Json();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["review"]["reason_code"], "faces_not_analysed");
  std::string p = std::to_string(ItemNamed("p.jpg")["id"].get<int>());
  std::string q = std::to_string(ItemNamed("q.jpg")["id"].get<int>());
  std::string rr = std::to_string(ItemNamed("r.jpg")["id"].get<int>());
  RunResult approve = Triage({"review", "approve", p, "--person", "Ada Lovelace"});
  ASSERT_EQ(approve.exit_code, 0) << approve.err;
  EXPECT_TRUE(fs::exists(lib() / "faces/ada_lovelace/p.jpg"));
  EXPECT_NE(approve.out.find("new person ada_lovelace created"), std::string::npos) << approve.out;
  ASSERT_EQ(Triage({"review", "reject", q}).exit_code, 0);
  EXPECT_TRUE(fs::exists(lib() / ".triage/trash/q.jpg"));
  ASSERT_EQ(Triage({"review", "skip", rr}).exit_code, 0);
  EXPECT_EQ(Triage({"review", "approve", p, "--person", "x"}).exit_code, 5);  // no longer pending: a conflict
  EXPECT_EQ(Triage({"review", "approve", rr, "--person", "../../etc"}).exit_code, 2);
  EXPECT_EQ(Triage({"review", "approve", "999", "--person", "x"}).exit_code, 3);
  json stats = Triage({"stats", "--json"}).Json();
  EXPECT_EQ(stats["total"], 3);
  EXPECT_EQ(stats["in_review"], 1);
  EXPECT_EQ(stats["in_library"], 1);
  EXPECT_EQ(stats["by_person"]["ada_lovelace"], 1);
  EXPECT_EQ(stats["auto_sorted"], 0);
}

// A list with nothing in it says so, instead of printing nothing a new user cannot tell from a hang or a failure;
// with --json it stays an empty list.
TEST_F(CliTest, EmptyListsSayTheyAreEmpty) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"items"}, "no items\n"},
      {{"items", "--location", "trash"}, "no items\n"},
      {{"review", "list"}, "nothing waits for review\n"},
      {{"review", "list", "--category", "duplicates"}, "nothing waits for review in review/duplicates\n"},
      {{"person", "list"},
       "nobody is enrolled yet: triage person add NAME PHOTO... (each photo showing that one face)\n"},
      {{"proposals", "list"}, "no proposals\n"},
      {{"proposals", "list", "--status", "pending"}, "no pending proposals\n"},
  };
  for (const Case& c : cases) {
    RunResult r = Triage(c.args);
    EXPECT_EQ(r.exit_code, 0) << c.args[0] << " " << r.err;
    EXPECT_EQ(r.out, c.says) << c.args[0];
    std::vector<std::string> json_args = c.args;
    json_args.push_back("--json");
    RunResult j = Triage(json_args);
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const json listed = j.Json();
    EXPECT_TRUE(listed.is_array() ? listed.empty() : listed.at("proposals").empty()) << j.out;
  }
  WriteTestImage(in() / "one.jpg", 31);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  EXPECT_EQ(Triage({"items", "--offset", "5"}).out, "no items from offset 5 on\n");
  EXPECT_EQ(Triage({"items", "--location", "trash"}).out, "no items\n");
  EXPECT_NE(Triage({"review", "list"}).out.find("one.jpg"), std::string::npos);
}

// A file name is bytes from outside: one carrying terminal escapes, a line break or a right-to-left override is printed
// with those written out ("\x1b", "\n", "\u202e"), so it can neither recolour the terminal nor pass for another name;
// --json keeps the name as it is.
TEST_F(CliTest, HostileFileNamesArePrintedWithTheirControlCharactersWrittenOut) {
  const std::string red = "x\x1b[31mred\x1b[0m.jpg";
  const std::string broken = "a\nb.jpg";
  const std::string spoof = "photo\xE2\x80\xAEgpj.jpg";
  WriteTestImage(in() / red, 41);
  WriteTestImage(in() / broken, 42);
  WriteTestImage(in() / spoof, 43);
  std::ofstream(in() / "bad\x1b[2J.jpg") << "not an image";
  RunResult r = Triage({"ingest", in().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Neither in the summary nor in the progress lines written to a log (stderr that is not a terminal).
  EXPECT_EQ((r.out + r.err).find('\x1b'), std::string::npos) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("\xE2\x80\xAE"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("x\\x1b[31mred\\x1b[0m.jpg -> "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("x\\x1b[31mred\\x1b[0m.jpg -> "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("a\\nb.jpg -> "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("photo\\u202egpj.jpg -> "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad\\x1b[2J.jpg -> review/unreadable/"), std::string::npos) << r.out;
  // The review queue lists the original names the same way.
  const RunResult queue = Triage({"review", "list"});
  EXPECT_EQ(queue.out.find('\x1b'), std::string::npos) << queue.out;
  EXPECT_NE(queue.out.find("bad\\x1b[2J.jpg"), std::string::npos) << queue.out;
  // An error naming a missing input says its name the same way.
  RunResult missing = Triage({"ingest", (in() / "gone\x1b]0;owned\x07.jpg").string()});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ((missing.out + missing.err).find('\x1b'), std::string::npos) << missing.out << missing.err;
  EXPECT_NE((missing.out + missing.err).find("gone\\x1b]0;owned\\x07.jpg"), std::string::npos)
      << missing.out << missing.err;
  // JSON carries the bytes as they are (escaped by JSON itself).
  const json listed = Triage({"ingest", "--json", in().string()}).Json();
  bool seen = false;
  for (const auto& item : listed.at("items")) seen = seen || item.at("input").get<std::string>().ends_with(red);
  EXPECT_TRUE(seen) << listed.dump();
}

// What the web UI decides beyond approve and reject, the CLI decides too: keep a photo without a person, settle a
// duplicate against its original, and take a rejected photo back out of the trash.
TEST_F(CliTest, ReviewKeepDuplicateAndRestoreDecideWhatTheWebUiDecides) {
  WriteTestImage(in() / "land.jpg", 21);
  WriteTestImage(in() / "orig.jpg", 22);
  fs::copy_file(in() / "orig.jpg", in() / "zcopy.jpg");
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const std::string land = std::to_string(ItemNamed("land.jpg")["id"].get<int>());
  const std::string orig = std::to_string(ItemNamed("orig.jpg")["id"].get<int>());
  const std::string copy = std::to_string(ItemNamed("zcopy.jpg")["id"].get<int>());
  ASSERT_EQ(ItemNamed("zcopy.jpg")["category"], "duplicates");

  RunResult kept = Triage({"review", "keep", land});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_TRUE(fs::exists(lib() / "photos/undated/land.jpg")) << kept.out;  // a generated image has no capture date
  EXPECT_NE(kept.out.find("item " + land + " kept without a person -> photos/undated/land.jpg"), std::string::npos)
      << kept.out;
  EXPECT_EQ(ItemNamed("land.jpg")["location"], "library");
  EXPECT_EQ(Triage({"review", "keep", land}).exit_code, 5);  // no longer waiting for review: a conflict

  // A --keep the command does not know is a usage error naming the choices, and nothing moves.
  RunResult bad = Triage({"review", "duplicate", copy, "--keep", "newest"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--keep"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("new, existing or both"), std::string::npos) << bad.err;
  EXPECT_TRUE(fs::exists(lib() / "review/duplicates/zcopy.jpg"));
  // Only a duplicate is decided against an original.
  EXPECT_EQ(Triage({"review", "duplicate", orig, "--keep", "new"}).exit_code, 2);

  RunResult dropped = Triage({"review", "duplicate", copy, "--keep", "existing", "--json"});
  ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_EQ(dropped.Json()["location"], "trash");
  EXPECT_TRUE(fs::exists(lib() / ".triage/trash/zcopy.jpg"));
  EXPECT_TRUE(fs::exists(lib() / "review/unidentified/orig.jpg"));

  RunResult restored = Triage({"review", "restore", copy});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_TRUE(fs::exists(lib() / "review/duplicates/zcopy.jpg"));
  EXPECT_FALSE(fs::exists(lib() / ".triage/trash/zcopy.jpg"));
  json waiting = Triage({"review", "list", "--json", "--category", "duplicates"}).Json();
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(std::to_string(waiting[0]["id"].get<int>()), copy);
  EXPECT_EQ(Triage({"review", "restore", copy}).exit_code, 5);  // not in the trash any more: refused, nothing changed

  RunResult both = Triage({"review", "duplicate", copy, "--keep", "both"});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  EXPECT_TRUE(fs::exists(lib() / "review/unidentified/orig.jpg"));
  EXPECT_EQ(ItemNamed("zcopy.jpg")["location"], "review");
}

// `items --category` and `--person` once listed nothing for a name that does not exist, as for one with no items,
// while `review list --category` refused it.
// A decision the library's state no longer allows is refused with exit 5, told apart from an I/O or catalog failure
// (exit 4): nothing went wrong and nothing was changed; the message says what to do instead.
TEST_F(CliTest, ADecisionThatConflictsWithTheLibraryExits5AndChangesNothing) {
  WriteTestImage(in() / "orig.jpg", 31);
  fs::copy_file(in() / "orig.jpg", in() / "zcopy.jpg");
  WriteTestImage(in() / "away.jpg", 32);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const std::string orig = std::to_string(ItemNamed("orig.jpg")["id"].get<int>());
  const std::string copy = std::to_string(ItemNamed("zcopy.jpg")["id"].get<int>());
  const std::string away = std::to_string(ItemNamed("away.jpg")["id"].get<int>());
  ASSERT_EQ(ItemNamed("zcopy.jpg")["category"], "duplicates");

  // Keeping the copy's original, which is in the trash by now.
  ASSERT_EQ(Triage({"review", "reject", orig}).exit_code, 0);
  RunResult twice = Triage({"review", "reject", orig});  // it exists, but waits no more: a conflict, not "not found"
  EXPECT_EQ(twice.exit_code, 5) << twice.err;
  EXPECT_NE(twice.err.find("is not waiting for review: it is in the trash; nothing was changed"), std::string::npos)
      << twice.err;
  RunResult keep = Triage({"review", "duplicate", copy, "--keep", "existing"});
  EXPECT_EQ(keep.exit_code, 5) << keep.err;
  EXPECT_NE(keep.err.find("in the trash"), std::string::npos) << keep.err;
  EXPECT_TRUE(fs::exists(lib() / "review/duplicates/zcopy.jpg"));
  EXPECT_EQ(ItemNamed("zcopy.jpg")["location"], "review");

  // Deciding a photo whose file was moved away by hand.
  const fs::path path = lib() / ItemNamed("away.jpg")["path"].get<std::string>();
  fs::rename(path, in() / "moved-away.jpg");
  RunResult kept = Triage({"review", "keep", away, "--json"});
  EXPECT_EQ(kept.exit_code, 5) << kept.out << kept.err;
  EXPECT_EQ(kept.Json()["error"], "conflict") << kept.out;
  EXPECT_EQ(ItemNamed("away.jpg")["location"], "review");
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(CliTest, ItemsRefusesAnUnknownCategoryAsReviewListDoes) {
  WriteTestImage(in() / "c.jpg", 18);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  RunResult listed = Triage({"review", "list", "--category", "bogus"});
  EXPECT_EQ(listed.exit_code, 2);
  RunResult r = Triage({"items", "--category", "bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(r.err, listed.err);
  EXPECT_NE(r.err.find("triage: unknown review category \"bogus\""), std::string::npos) << r.err;
  r = Triage({"items", "--category", "bogus", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.Json()["error"], "invalid_argument");
  EXPECT_EQ(r.Json()["message"],
            "unknown review category \"bogus\"; the review categories are: duplicates, near_duplicates, unidentified, "
            "low_confidence, multiple_faces, unwanted_person, low_quality, unreadable");
  // An empty value (an unset shell variable) is refused too, not read as no filter.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"items", "--category", ""}, std::vector<std::string>{"items", "--person", ""},
        std::vector<std::string>{"review", "list", "--category", ""}}) {
    RunResult empty = Triage(args);
    EXPECT_EQ(empty.exit_code, 2) << args[1];
    EXPECT_TRUE(empty.out.empty()) << empty.out;
    EXPECT_NE(empty.err.find(": an empty value filters nothing; give a value, or leave the option out"),
              std::string::npos)
        << empty.err;
  }
  // A review category lists its items, wherever they are (the trash keeps the category an item had in review).
  r = Triage({"items", "--category", "unidentified", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.Json().size(), 1u);
  EXPECT_EQ(r.Json()[0]["original_name"], "c.jpg");
  r = Triage({"items", "--category", "duplicates", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.Json().empty());
  ASSERT_EQ(Triage({"review", "reject", std::to_string(ItemNamed("c.jpg")["id"].get<int>())}).exit_code, 0);
  r = Triage({"items", "--category", "unidentified", "--location", "trash", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.Json().size(), 1u);
  EXPECT_EQ(r.Json()[0]["original_name"], "c.jpg");
}

TEST_F(CliTest, ItemsRefusesAnUnknownPersonAndListsAKnownOnesPhotos) {
  WriteTestImage(in() / "p.jpg", 19);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  RunResult r = Triage({"items", "--person", "nobodyx"});
  EXPECT_EQ(r.exit_code, 3);  // not found, as for `person remove nobodyx`
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("triage: no person named \"nobodyx\""), std::string::npos) << r.err;
  r = Triage({"items", "--person", "nobodyx", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.Json()["error"], "not_found");
  EXPECT_EQ(r.Json()["message"], "no person named \"nobodyx\"");
  const std::string id = std::to_string(ItemNamed("p.jpg")["id"].get<int>());
  ASSERT_EQ(Triage({"review", "approve", id, "--person", "Ada Lovelace"}).exit_code, 0);
  // The name as the person was given, or in its folder form.
  for (const char* name : {"ada_lovelace", "Ada Lovelace"}) {
    r = Triage({"items", "--person", name, "--json"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    ASSERT_EQ(r.Json().size(), 1u) << name;
    EXPECT_EQ(r.Json()[0]["original_name"], "p.jpg") << name;
  }
  // A known person with nothing in the place asked for is an empty list, not an error.
  r = Triage({"items", "--person", "ada_lovelace", "--location", "trash", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.Json().empty());
  // A removed person's photos stay where they are, and can still be listed by the name.
  ASSERT_EQ(Triage({"person", "remove", "ada_lovelace"}).exit_code, 0);
  r = Triage({"items", "--person", "ada_lovelace", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Json().size(), 1u);
}

// A person approved as "Ada  Lovelace" is listed by their folder name and shown as typed; `person set --display-name`
// rewrites how, and refuses a name that would be another person's folder.
TEST_F(CliTest, APersonIsShownAsTypedAndTheShownNameCanBeRewritten) {
  WriteTestImage(in() / "p.jpg", 23);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const std::string id = std::to_string(ItemNamed("p.jpg")["id"].get<int>());
  ASSERT_EQ(Triage({"review", "approve", id, "--person", "Ada  Lovelace"}).exit_code, 0);
  RunResult r = Triage({"person", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.Json().size(), 1u);
  EXPECT_EQ(r.Json()[0]["name"], "ada_lovelace");
  EXPECT_EQ(r.Json()[0]["display_name"], "Ada Lovelace");
  r = Triage({"person", "list"});
  EXPECT_NE(r.out.find("shown as \"Ada Lovelace\""), std::string::npos) << r.out;

  r = Triage({"person", "set", "ada_lovelace", "--display-name", "ADA LOVELACE", "--whitelist"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ada_lovelace: shown as \"ADA LOVELACE\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ada_lovelace: whitelist"), std::string::npos) << r.out;
  r = Triage({"person", "set", "ada_lovelace", "--display-name", "Ada Byron"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("its folder name would be ada_byron"), std::string::npos) << r.err;
  r = Triage({"person", "set", "grace", "--display-name", "Grace"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  r = Triage({"person", "list", "--json"});
  EXPECT_EQ(r.Json()[0]["display_name"], "ADA LOVELACE");
  EXPECT_EQ(r.Json()[0]["list"], "whitelist");
}

// Every command that reports something takes --json: person remove, person set and public answer what they did.
TEST_F(CliTest, PersonRemoveSetAndPublicAnswerWithJson) {
  WriteTestImage(in() / "p.jpg", 29);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const std::string id = std::to_string(ItemNamed("p.jpg")["id"].get<int>());
  ASSERT_EQ(Triage({"review", "approve", id, "--person", "Ada Lovelace"}).exit_code, 0);
  RunResult r = Triage({"person", "set", "ada_lovelace", "--display-name", "ADA LOVELACE", "--whitelist", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.Json(), json({{"person", "ada_lovelace"}, {"display_name", "ADA LOVELACE"}, {"list", "whitelist"}}));
  r = Triage({"person", "set", "ada_lovelace", "--display-name", "Ada Lovelace", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.Json(), json({{"person", "ada_lovelace"}, {"display_name", "Ada Lovelace"}}));
  r = Triage({"person", "set", "ada_lovelace", "--neutral", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.Json(), json({{"person", "ada_lovelace"}, {"list", "neutral"}}));
  r = Triage({"person", "set", "grace", "--display-name", "Grace", "--json"});  // a refusal is JSON too
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.Json()["error"], "not_found");

  r = Triage({"public", id, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.Json(), json({{"item_id", std::stoi(id)}, {"public", true}}));
  r = Triage({"public", id, "--off", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.Json(), json({{"item_id", std::stoi(id)}, {"public", false}}));
  r = Triage({"public", "99999", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.Json()["error"], "not_found");

  r = Triage({"person", "remove", "ada_lovelace", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.Json(), json({{"person", "ada_lovelace"}, {"removed", true}}));
  r = Triage({"person", "remove", "ada_lovelace", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.Json()["error"], "not_found");
}

// A name on a list that nobody enrolled is kept (a list may come before the enrolment) with a warning: a typo on the
// whitelist would send every known person to review without a word.
TEST_F(CliTest, ListingSomeoneNotEnrolledWarns) {
  RunResult r = Triage({"person", "set", "ada_lovelce", "--whitelist"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: nobody named ada_lovelce is enrolled yet; while the whitelist names people, photos of "
                       "anyone else go to review"),
            std::string::npos)
      << r.err;
  r = Triage({"person", "set", "ada_lovelce", "--neutral"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
}

// A people action a crash cut short (its log still says "in progress") is named by `recover` with what sets it right;
// one that finished, or was undone, is not.
TEST_F(CliTest, RecoverNamesAPeopleActionACrashLeftHalfDone) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((lib() / ".triage/catalog.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO people_actions (at, actor, kind, summary, undo) VALUES "
                         "(100, 'cli:ada', 'name', 'in progress', '{}'), (101, 'cli:ada', 'merge', 'cluster 2 merged "
                         "into 1', '{}')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  RunResult r = Triage({"recover"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("people action 1 (name by cli:ada) did not finish: unless a triage still running does it now, "
                       "`triage faces undo 1` takes back what it did, or run it again"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("people action 2"), std::string::npos) << r.out;
  json report = Triage({"recover", "--json"}).Json();
  EXPECT_EQ(report["unfinished_people_actions"].size(), 1u);
}

TEST_F(CliTest, OneImageIsCountedInTheSingular) {
  WriteTestImage(in() / "one.jpg", 16);
  RunResult ingested = Triage({"ingest", in().string()});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.out.find("\n1 image in "), std::string::npos) << ingested.out;
  RunResult stats = Triage({"stats"});
  EXPECT_EQ(stats.out.rfind("1 image: ", 0), 0u) << stats.out;
  WriteTestImage(in() / "two.jpg", 17);
  EXPECT_NE(Triage({"ingest", in().string()}).out.find("\n2 images in "), std::string::npos);
}

// The audit log names who ran a command: $USER, and without it (a service, a container) the account of the uid.
TEST_F(CliTest, AuditNamesTheAccountWhenUserIsNotSet) {
  WriteTestImage(in() / "u.jpg", 15);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const std::string id = std::to_string(ItemNamed("u.jpg")["id"].get<int>());
  RunResult rejected = RunTriage({"review", "reject", id, "--library", lib().string()}, {"USER="});
  ASSERT_EQ(rejected.exit_code, 0) << rejected.err;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((lib() / ".triage/catalog.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT actor FROM audit WHERE action = 'reject'", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const std::string actor = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  const passwd* account = ::getpwuid(::getuid());
  EXPECT_EQ(actor, account ? "cli:" + std::string(account->pw_name) : "cli:uid" + std::to_string(::getuid()));
}

TEST_F(CliTest, ExplainShowsTheStoredDecisionAndDryRunsNewFiles) {
  WriteTestImage(in() / "e.jpg", 14);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  json byid = Triage({"explain", std::to_string(ItemNamed("e.jpg")["id"].get<int>()), "--json"}).Json();
  EXPECT_EQ(byid["decision"]["category"], "unidentified");
  json dry = Triage({"explain", (in() / "e.jpg").string(), "--json"}).Json();
  EXPECT_EQ(dry["decision"]["reasons"][0]["code"], "duplicate_sha256");
  EXPECT_EQ(Items().size(), 1u);  // the dry run recorded nothing
  EXPECT_EQ(Triage({"explain", "no-such-thing"}).exit_code, 3);
  // Approved by a person, it says so first; what intake found is said as such, not as the reason it is where it is.
  const std::string id = std::to_string(ItemNamed("e.jpg")["id"].get<int>());
  ASSERT_EQ(Triage({"review", "approve", id, "--person", "Ada Lovelace"}).exit_code, 0);
  RunResult approved = Triage({"explain", id});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_NE(approved.out.find("), placed by a person: approve by cli:"), std::string::npos) << approved.out;
  EXPECT_NE(approved.out.find("\n  is in:   faces/ada_lovelace\n  at intake: "), std::string::npos) << approved.out;
  EXPECT_EQ(approved.out.find("goes to:"), approved.out.rfind("goes to:")) << "at most the replay says goes to";
  EXPECT_EQ(approved.out.find("  reason: "), std::string::npos) << approved.out;
}

TEST_F(CliTest, ItemsJsonHasTheDocumentedFields) {
  WriteTestImage(in() / "f.jpg", 15, 320, 200);
  ASSERT_EQ(Triage({"ingest", in().string(), "--source", "phone"}).exit_code, 0);
  json i = Items()[0];
  for (const char* key : {"id", "path", "original_name", "sha256", "phash", "width", "height", "format", "source",
                          "location", "category", "person", "duplicate_of", "reasons"}) {
    EXPECT_TRUE(i.contains(key)) << key;
  }
  EXPECT_EQ(i["width"], 320);
  EXPECT_EQ(i["format"], "jpeg");
  EXPECT_EQ(i["source"], "phone");
  EXPECT_EQ(i["location"], "review");
  EXPECT_EQ(i["sha256"].get<std::string>().size(), 64u);
}

// An id too large for an int64 once ended the process (std::stoll threw); now it is a usage error.
TEST_F(CliTest, ExplainOfAnIdTooLargeIsAUsageError) {
  RunResult r = Triage({"explain", "99999999999999999999"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is not an item id"), std::string::npos) << r.err;
}

TEST_F(CliTest, ExplainOfAFolderSaysItWantsAFile) {
  RunResult r = Triage({"explain", in().string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(in().string() + " is a folder; a file was expected"), std::string::npos) << r.err;
}

// Scripts read stdout: with --json a bad argument is a JSON error there too, not only a line on stderr.
TEST_F(CliTest, UsageErrorsWithJsonAreJsonOnStdout) {
  RunResult r = Triage({"items", "--json", "--limit", "-5"});
  EXPECT_EQ(r.exit_code, 2);
  json e = r.Json();
  EXPECT_EQ(e["error"], "invalid_argument");
  EXPECT_NE(e["message"].get<std::string>().find("--limit"), std::string::npos) << r.out;
  RunResult text = Triage({"items", "--limit", "-5"});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_TRUE(text.out.empty());
  EXPECT_NE(text.err.find("--limit"), std::string::npos) << text.err;
}

// Ingesting the library's own folder (or its triage.json) with --move once moved triage.json into review and left
// a folder that was no longer a library.
TEST_F(CliTest, IngestingTheLibraryItselfLeavesItsConfigurationAlone) {
  WriteTestImage(lib() / "dropped.jpg", 21);
  RunResult r = Triage({"ingest", "--move", lib().string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(lib() / "triage.json"));
  EXPECT_TRUE(fs::exists(lib() / "review/unidentified/dropped.jpg"));
  RunResult named = Triage({"ingest", "--move", (lib() / "triage.json").string()});
  EXPECT_NE(named.exit_code, 0);
  EXPECT_NE(named.out.find("is the library's own file"), std::string::npos) << named.err << named.out;
  EXPECT_TRUE(fs::exists(lib() / "triage.json"));
  EXPECT_EQ(Triage({"stats"}).exit_code, 0);
}

TEST_F(CliTest, ExplainReplaysTheStoredAnalysisAndSimulateCountsMoves) {
  WriteTestImage(in() / "a.jpg", 1, 800, 600);
  fs::copy_file(in() / "a.jpg", dir_ / "b.jpg");
  ASSERT_EQ(Triage({"ingest", (in() / "a.jpg").string()}).exit_code, 0);
  ASSERT_EQ(Triage({"ingest", (dir_ / "b.jpg").string()}).exit_code, 0);
  json dup = ItemNamed("b.jpg");
  ASSERT_EQ(dup["category"], "duplicates");
  json explained = Triage({"explain", std::to_string(dup["id"].get<int64_t>()), "--json"}).Json();
  EXPECT_EQ(explained["replayed"]["category"], "duplicates");
  EXPECT_EQ(explained["changed"], false);
  EXPECT_EQ(explained["analysis"]["facts"]["exact_duplicate_of"], ItemNamed("a.jpg")["id"]);
  // With the duplicate check off, the copy would leave review/duplicates; nothing moves for real.
  RunResult sim = Triage({"simulate", "--set", "deduplication.check_hash=false", "--set",
                          "review_categories.near_duplicates=false", "--json"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  json report = sim.Json();
  EXPECT_EQ(report["total"], 2);
  EXPECT_EQ(report["changed"], 1);
  ASSERT_EQ(report["moves"].size(), 1u);
  EXPECT_EQ(report["moves"][0]["from"], "review/duplicates");
  EXPECT_EQ(report["moves"][0]["to"], "review/unidentified");
  EXPECT_EQ(ItemNamed("b.jpg")["category"], "duplicates");
  RunResult bad = Triage({"simulate", "--set", "thresholds.min_confidence=7"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("thresholds.min_confidence"), std::string::npos) << bad.err;
}

TEST_F(CliTest, ApplyPolicyMovesWhatWaitsInReviewUnderTheSavedPolicy) {
  WriteTestImage(in() / "a.jpg", 1, 800, 600);
  fs::copy_file(in() / "a.jpg", dir_ / "b.jpg");
  ASSERT_EQ(Triage({"ingest", (in() / "a.jpg").string()}).exit_code, 0);
  ASSERT_EQ(Triage({"ingest", (dir_ / "b.jpg").string()}).exit_code, 0);
  json doc = json::parse(std::ifstream(lib() / "triage.json"));
  doc["deduplication"]["check_hash"] = false;
  doc["review_categories"]["near_duplicates"] = false;
  std::ofstream(lib() / "triage.json") << doc.dump(2);
  RunResult r = Triage({"apply-policy", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.Json()["moved"], 1);
  json moved = ItemNamed("b.jpg");
  EXPECT_EQ(moved["category"], "unidentified");
  EXPECT_TRUE(fs::exists(lib() / moved["path"].get<std::string>()));
  EXPECT_EQ(Triage({"apply-policy", "--json"}).Json()["moved"], 0);
}

// With photos without people sorted into the library, the summaries of ingest and stats name photos/ for them, not a
// "faces/" folder of nobody.
TEST_F(CliTest, PhotosSortedWithoutAPersonAreCountedUnderPhotos) {
  auto doc = nlohmann::json::parse(std::ifstream(lib() / "triage.json"));
  doc["routing"]["photos_without_people"] = "library";
  std::ofstream(lib() / "triage.json") << doc.dump(2);
  fs::create_directories(in());
  fs::copy_file(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces/skimage_coffee.jpg", in() / "coffee.jpg");
  RunResult r = Triage({"ingest", in().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(r.out.find("1 to the library"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n  photos/: 1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("faces/: 1"), std::string::npos) << r.out;
  r = Triage({"stats"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n  photos/: 1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("faces/: 1"), std::string::npos) << r.out;
  // In JSON, by_person names persons only (it had a key "" for these photos), and they are counted apart.
  json stats = Triage({"stats", "--json"}).Json();
  EXPECT_EQ(stats["by_person"], json::object()) << stats.dump();
  EXPECT_EQ(stats["without_person"], 1) << stats.dump();
}

// A simulation lists moves of photos the policy sorted as well as of those waiting in review; apply-policy makes only
// the latter, and both say so.
TEST_F(CliTest, SimulateSaysWhichMovesApplyPolicyMakes) {
  auto doc = nlohmann::json::parse(std::ifstream(lib() / "triage.json"));
  doc["routing"]["photos_without_people"] = "library";
  std::ofstream(lib() / "triage.json") << doc.dump(2);
  fs::create_directories(in());
  fs::copy_file(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces/skimage_coffee.jpg", in() / "coffee.jpg");
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const std::string folder = fs::path(ItemNamed("coffee.jpg")["path"].get<std::string>()).parent_path().string();
  ASSERT_EQ(folder.rfind("photos/", 0), 0u) << folder;
  RunResult sim = Triage({"simulate", "--set", "routing.photos_without_people=\"review\"", "--json"});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  json report = sim.Json();
  ASSERT_EQ(report["moves"].size(), 1u) << report.dump();
  EXPECT_EQ(report["moves"][0]["from"], folder);
  EXPECT_EQ(report["moves"][0]["in_review"], false);
  sim = Triage({"simulate", "--set", "routing.photos_without_people=\"review\""});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  EXPECT_NE(sim.out.find("0 from review: `apply-policy` moves those once the policy is saved; the 1 sorted "
                         "automatically stay where they are"),
            std::string::npos)
      << sim.out;
  doc["routing"]["photos_without_people"] = "review";
  std::ofstream(lib() / "triage.json") << doc.dump(2);
  EXPECT_EQ(Triage({"apply-policy", "--json"}).Json()["moved"], 0);
  EXPECT_EQ(fs::path(ItemNamed("coffee.jpg")["path"].get<std::string>()).parent_path().string(), folder);
}

}  // namespace
}  // namespace triage::e2e
