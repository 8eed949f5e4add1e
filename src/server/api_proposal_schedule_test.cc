// Specification of the proposal scheduler `triage serve` runs: the workflows every proposals.schedule_minutes and the
// stale sweep at start, each change audited with the workflow's name, one pass at a time, gone when the server stops.
#include <chrono>
#include <functional>

#include "base/clock.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

constexpr int64_t kDay = 86400;

class ProposalScheduleApiTest : public ApiTest {
 protected:
  // Restarts the server with its scheduler and proposals.schedule_minutes = `minutes`.
  void RestartWithSchedule(double minutes) {
    StopServer();
    options_.proposal_schedule = true;
    auto updated = config_->Update([&](json& doc) {
      doc["proposals"]["schedule_minutes"] = minutes;
      return base::Status::Ok();
    });
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    StartServer();
  }
  // Polls `done` until it holds, for at most 60 s: the test asserts the condition, never a duration.
  static bool WaitFor(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  std::vector<model::AuditEntry> AuditBy(const std::string& actor) {
    auto audit = catalog_->ListAudit(0, actor, 100, 0);
    EXPECT_TRUE(audit.ok());
    return audit.ok() ? *audit : std::vector<model::AuditEntry>{};
  }
  std::vector<catalog::ProposalRecord> Proposals() {
    auto list = proposals_->List({});
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<catalog::ProposalRecord>{};
  }
  // A library image of ada flagged three times (proposals.flag_threshold); its id.
  int64_t FlaggedLibraryImage() {
    int64_t id = Ingest({"obama.jpg"})[0];
    EXPECT_TRUE(review_->Approve(id, "ada", "bob", 100).ok());
    for (const char* voter : {"session:a", "session:b", "session:c"}) {  // from three addresses: three flaggers
      EXPECT_TRUE(
          proposal_store_->AddFlag({id, voter, std::string("127.0.0.") + voter[8], "poor_quality", "", 100}).ok());
    }
    return id;
  }
};

TEST_F(ProposalScheduleApiTest, ScheduledPassesProposeOnceAndAuditAsTheWorkflow) {
  int64_t flagged = FlaggedLibraryImage();
  RestartWithSchedule(60);  // the default: the first pass an hour after the start
  EXPECT_TRUE(server_->SchedulerRunning());
  EXPECT_EQ(server_->scheduler_counts().workflow_passes, 0);
  EXPECT_TRUE(Proposals().empty());
  RestartWithSchedule(0.05);  // a pass every 3 s, the shortest allowed
  ASSERT_TRUE(WaitFor([&] { return server_->scheduler_counts().workflow_passes >= 3; }));
  // Later passes found the flagged image proposed already: one proposal, one audit line for the pass that made it.
  auto list = Proposals();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].current_item_id, flagged);
  EXPECT_EQ(list[0].reason, "user_flags");
  EXPECT_EQ(list[0].proposed_by, "workflow:flags");
  auto passes = AuditBy("workflow:schedule");
  ASSERT_EQ(passes.size(), 1u);
  EXPECT_EQ(passes[0].action, "proposal_workflows");
  EXPECT_NE(passes[0].reason.find("1 from flags"), std::string::npos) << passes[0].reason;
  EXPECT_EQ(server_->scheduler_counts().failures, 0);
  TestSession admin = Login("bob");
  json shown = Body(Get("/api/proposals?reason=user_flags", &admin))["proposals"];
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0]["proposed_by"], "workflow:flags");

  server_->Stop();  // joins the scheduler's thread before it returns
  EXPECT_FALSE(server_->SchedulerRunning());
  const int64_t after_stop = server_->scheduler_counts().workflow_passes;
  StopServer();
  EXPECT_GE(after_stop, 3);
}

TEST_F(ProposalScheduleApiTest, SweepAtStartArchivesStaleProposalsAsTheDailySweep) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama2.jpg"});
  ASSERT_TRUE(review_->Approve(ids[0], "ada", "bob", 100).ok());
  StopServer();  // the proposals exist before the server (and its sweep) starts
  const int64_t now = base::UnixNow();
  auto old = proposals_->Propose({ids[0], ids[1], "manual", "bob"}, now - 40 * kDay);
  auto fresh = proposals_->Propose({ids[0], ids[2], "manual", "bob"}, now - kDay);
  ASSERT_TRUE(old.ok() && fresh.ok());
  RestartWithSchedule(0);  // workflows off; the sweep runs at start all the same
  ASSERT_TRUE(WaitFor([&] { return server_->scheduler_counts().sweeps >= 1; }));
  auto swept = proposals_->Get(old->id);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->status, "archived");
  EXPECT_EQ(swept->reviewed_by, "workflow:stale_sweep");
  EXPECT_EQ(swept->rule, "stale_proposal_days");
  EXPECT_EQ(proposals_->Get(fresh->id)->status, "pending");
  auto lines = AuditBy("workflow:stale_sweep");
  ASSERT_EQ(lines.size(), 2u);  // the archived proposal's own entry and the sweep's summary
  EXPECT_EQ(lines[0].action, "proposal_sweep");
  EXPECT_NE(lines[0].reason.find("1 stale proposal"), std::string::npos) << lines[0].reason;
  EXPECT_EQ(lines[1].action, "proposal");
  EXPECT_EQ(lines[1].to_state, "archived");
  EXPECT_EQ(server_->scheduler_counts().workflow_passes, 0);
  EXPECT_TRUE(server_->SchedulerRunning());
}

}  // namespace
}  // namespace triage::server
