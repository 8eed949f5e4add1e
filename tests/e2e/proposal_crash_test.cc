// Crash safety of proposals: `proposals approve` SIGKILLed at many moments, then `recover`, must leave each slot
// holding either the old image (proposal still pending, the new one still in review) or the new one (proposal
// approved, the old one in .triage/archive/): never both, never neither, and a catalog that agrees with the disk.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <set>

#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

constexpr int kPairs = 8;

struct Pair {
  int64_t proposal = 0;
  std::string old_content;  // the library image (the slot)
  std::string new_content;  // the proposed image (waiting in review)
};

class ProposalCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitLibrary(lib_, {{"analysis", {{"faces", false}}}});
    fs::create_directories(dir_ / "in");
    for (int i = 0; i < 2 * kPairs; ++i) WriteTestImage(dir_ / "in" / ("img" + std::to_string(i) + ".jpg"), 700 + i);
    ASSERT_EQ(Triage({"ingest", (dir_ / "in").string(), "--move"}).exit_code, 0);
    json pending = Triage({"review", "list", "--json"}).Json();
    ASSERT_EQ(pending.size(), size_t{2 * kPairs});
    for (int i = 0; i < kPairs; ++i) {
      const int64_t current = pending[2 * i]["id"], proposed = pending[2 * i + 1]["id"];
      Pair pair;
      pair.old_content = Slurp(lib_ / pending[2 * i]["path"].get<std::string>());
      pair.new_content = Slurp(lib_ / pending[2 * i + 1]["path"].get<std::string>());
      ASSERT_EQ(Triage({"review", "approve", std::to_string(current), "--person", "Ada"}).exit_code, 0);
      RunResult added = Triage({"proposals", "add", std::to_string(current), std::to_string(proposed), "--json"});
      ASSERT_EQ(added.exit_code, 0) << added.err;
      pair.proposal = added.Json()["id"];
      pairs_.push_back(pair);
    }
  }
  RunResult Triage(std::vector<std::string> args) {
    args.push_back("--library");
    args.push_back(lib_.string());
    return RunTriage(args);
  }
  // After recovery: every pair in exactly one of its two legal states, agreeing with the proposal's status.
  void CheckInvariant() {
    RunResult rec = Triage({"recover", "--json"});
    ASSERT_EQ(rec.exit_code, 0) << rec.out << rec.err;
    settled_ += rec.Json()["rolled_forward"].get<int>() + rec.Json()["rolled_back"].get<int>();
    std::map<std::string, int> slot = Contents(lib_ / "faces"), review = Contents(lib_ / "review"),
                               archive = Contents(lib_ / ".triage/archive");
    for (const Pair& p : pairs_) {
      const bool replaced = CountOf(slot, p.new_content) == 1;
      EXPECT_EQ(CountOf(slot, p.old_content) + CountOf(slot, p.new_content), 1) << "slot of proposal " << p.proposal;
      EXPECT_EQ(CountOf(archive, p.old_content), replaced ? 1 : 0);
      EXPECT_EQ(CountOf(review, p.new_content), replaced ? 0 : 1);
      EXPECT_EQ(CountOf(archive, p.new_content) + CountOf(review, p.old_content), 0);
      json shown = Triage({"proposals", "show", std::to_string(p.proposal), "--json"}).Json();
      EXPECT_EQ(shown["status"], replaced ? "approved" : "pending") << "proposal " << p.proposal;
    }
    std::set<std::string> on_disk, in_catalog;
    for (const char* top : {"faces", "review", ".triage/archive"}) {
      for (const auto& f : FilesUnder(lib_ / top)) on_disk.insert(std::string(top) + "/" + f);
    }
    const json items = Triage({"items", "--json", "--limit", "1000"}).Json();
    for (const auto& i : items) in_catalog.insert(i["path"]);
    EXPECT_EQ(on_disk, in_catalog) << "catalog and disk disagree";
  }
  int64_t NextPending() {
    const json list = Triage({"proposals", "list", "--status", "pending", "--json"}).Json();
    return list["proposals"].empty() ? 0 : list["proposals"].back()["id"].get<int64_t>();
  }

  TempDir dir_{"crash_proposals"};
  fs::path lib_ = dir_ / "lib";
  std::vector<Pair> pairs_;
  int settled_ = 0;
};

TEST_F(ProposalCrashTest, ListJsonPrintsExactlyTheDocumentedFieldsAndRefusesUnknownFilters) {
  json list = Triage({"proposals", "list", "--json"}).Json();
  ASSERT_EQ(list.size(), 1u);
  ASSERT_EQ(list["proposals"].size(), size_t{kPairs});
  std::set<std::string> keys;
  for (const auto& [key, value] : list["proposals"][0].items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "status", "reason", "slot", "current_item_id", "proposed_item_id",
                                         "proposed_by", "proposed_at"}));
  EXPECT_EQ(list["proposals"][0]["status"], "pending");
  RunResult bad = Triage({"proposals", "list", "--status", "done"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--status \"done\" is unknown"), std::string::npos) << bad.err;
  RunResult missing = Triage({"proposals", "approve", "999"});
  EXPECT_EQ(missing.exit_code, 3);
}

TEST_F(ProposalCrashTest, ApproveKilledAtManyMomentsLeavesOldOrNewInTheSlotNeverBothOrNeither) {
  CheckInvariant();
  for (int delay_us : {0, 50, 150, 300, 600, 1000, 2000, 5000}) {
    const int64_t id = NextPending();
    if (id == 0) break;
    KillWhenJournalled(
        Start({"proposals", "approve", std::to_string(id), "--library", lib_.string()}, dir_ / "approve.log"), lib_,
        std::chrono::microseconds(delay_us));
    CheckInvariant();
  }
  EXPECT_GT(settled_, 0) << "no kill interrupted a replacement in flight";
  std::cout << "journal entries settled by recovery: " << settled_ << "\n";
  for (int64_t id = NextPending(); id != 0; id = NextPending()) {  // the rest apply cleanly
    ASSERT_EQ(Triage({"proposals", "approve", std::to_string(id)}).exit_code, 0);
  }
  CheckInvariant();
}

}  // namespace
}  // namespace triage::e2e
