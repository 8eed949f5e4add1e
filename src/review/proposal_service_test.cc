// Specification of proposals: every transition and every illegal one, with files, catalog and audit following.
#include "review/proposal_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_proposals.h"
#include "review/proposal_json.h"

namespace triage::review {
namespace {

namespace fs = std::filesystem;
using catalog::ProposalRecord;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class ProposalServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("proposal_service_test_" + std::to_string(::getpid()));
    fs::create_directories(lib_ / ".triage");
    ASSERT_TRUE(config::SaveConfigJson(lib_, config::DefaultConfigJson()).ok());
    config_ = std::move(*config::ConfigStore::Open(lib_));
    catalog_ = *catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db");
    store_ = std::make_unique<catalog::sqlite::SqliteProposalStore>(*catalog_);
    journal_ = *commit::Journal::Open(lib_ / ".triage");
    committer_ = std::make_unique<commit::Committer>(*journal_, *catalog_, lib_);
    service_ = std::make_unique<ProposalService>(*config_, *catalog_, *store_, *committer_);
    current_ = AddImage("a.jpg", "faces/alice", "library", "alice", 800, 600, 5.5);
    better_ = AddImage("b.jpg", "review/near_duplicates", "review", "", 1920, 1440, 8.7, current_);
  }
  void TearDown() override {
    service_.reset();
    committer_.reset();
    journal_.reset();
    store_.reset();
    catalog_.reset();
    fs::remove_all(lib_);
  }

  // An image placed through the committer; `aggregate` < 0 leaves it unscored.
  int64_t AddImage(const std::string& name, const std::string& folder, const std::string& location,
                   const std::string& person, int width, int height, double aggregate,
                   std::optional<int64_t> duplicate_of = std::nullopt) {
    fs::create_directories(lib_ / "in");
    std::ofstream(lib_ / "in" / name) << name;
    auto staged = committer_->StageCopy(lib_ / "in" / name, nullptr);
    catalog::CatalogChange c;
    c.item.original_name = name;
    c.item.fingerprint.sha256 = name;
    c.item.fingerprint.size_bytes = width;
    c.item.info.width = width;
    c.item.info.height = height;
    c.item.location = location;
    c.item.category = location == "review" ? "near_duplicates" : "";
    c.item.person = person;
    c.item.duplicate_of = duplicate_of;
    if (location == "review") c.item.reasons = {{"near_duplicate", "A near duplicate."}};
    model::StoredAnalysis stored;
    stored.analysis.quality.scored = aggregate >= 0;
    stored.analysis.quality.aggregate = aggregate;
    c.analysis = stored;
    c.at = 100;
    return committer_->Place(*staged, lib_ / folder, name, c)->item_id;
  }
  ProposalRecord ProposeBetter() {
    auto p = service_->Propose({current_, better_, "higher_resolution", "workflow:test"}, 1000);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : ProposalRecord{};
  }
  void SetConfig(const nlohmann::json& patch) {
    auto updated = config_->Update([&](nlohmann::json& doc) {
      doc.merge_patch(patch);
      return base::Status::Ok();
    });
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  }
  std::string ItemPath(int64_t id) { return catalog_->GetItem(id)->path; }
  // Item `id` moved into `folder` (relative to the library) by a person's `action` at `at`, audited as a decision.
  void Decided(int64_t id, const std::string& folder, const std::string& location, const std::string& action,
               int64_t at, const std::string& person = "", const std::string& category = "") {
    catalog::CatalogChange change;
    change.item.location = location;
    change.item.person = person;
    change.item.category = category;
    change.actor = action == "approve" ? "admin" : "bob";
    change.action = action;
    change.at = at;
    auto moved = committer_->Relocate(*catalog_->GetItem(id), lib_ / folder, change);
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  }
  // The intent Committer::Replace journals to approve proposal `proposal` (a.jpg out of the slot, b.jpg in).
  commit::Intent ApprovalIntent(const std::string& id, int64_t proposal) {
    commit::Intent intent;
    intent.kind = commit::Intent::Kind::kReplace;
    intent.id = id;
    intent.from = lib_ / "faces/alice/a.jpg";
    intent.to = lib_ / ".triage/archive/a.jpg";
    intent.incoming_from = lib_ / "review/near_duplicates/b.jpg";
    intent.incoming_to = lib_ / "faces/alice/b.jpg";
    intent.replacement = catalog::Replacement{id,
                                              proposal,
                                              "approved",
                                              {current_, ".triage/archive/a.jpg", "archive", "alice"},
                                              catalog::ItemPlacement{better_, "faces/alice/b.jpg", "library", "alice"},
                                              "admin",
                                              "",
                                              "",
                                              2000};
    return intent;
  }

  fs::path lib_;
  std::unique_ptr<config::ConfigStore> config_;
  std::unique_ptr<catalog::sqlite::SqliteCatalog> catalog_;
  std::unique_ptr<catalog::sqlite::SqliteProposalStore> store_;
  std::unique_ptr<commit::Journal> journal_;
  std::unique_ptr<commit::Committer> committer_;
  std::unique_ptr<ProposalService> service_;
  int64_t current_ = 0;
  int64_t better_ = 0;
};

// Scores are sums of weighted measures; the JSON gives them to one decimal, as people read them.
TEST(ProposalJsonTest, ScoresAreGivenToOneDecimal) {
  ProposalRecord p;
  p.id = 1;
  p.proposed_item_id = 2;
  p.current.score = 34.300000000000004;
  p.proposed.score = 87.06;
  nlohmann::json j = ProposalJson(p);
  EXPECT_EQ(j["current"]["score"].dump(), "34.3");
  EXPECT_EQ(j["proposed"]["score"].dump(), "87.1");
  p.current.score = -1;  // not scored
  EXPECT_TRUE(ProposalJson(p)["current"]["score"].is_null());
}

TEST_F(ProposalServiceTest, ProposeRecordsBothImagesFigures) {
  ProposalRecord p = ProposeBetter();
  EXPECT_EQ(p.status, "pending");
  EXPECT_EQ(p.slot, "faces/alice/a.jpg");
  EXPECT_EQ(p.current.width, 800);
  EXPECT_EQ(p.proposed.width, 1920);
  EXPECT_DOUBLE_EQ(p.proposed.score, 87);
  EXPECT_DOUBLE_EQ(p.current.score, 55);
}

TEST_F(ProposalServiceTest, ProposeRefusesBadRequestsNamingWhatIsWrong) {
  EXPECT_EQ(service_->Propose({current_, current_, "manual", "admin"}, 1).status().code(),
            base::Code::kInvalidArgument);
  auto not_library = service_->Propose({better_, current_, "manual", "admin"}, 1);
  EXPECT_EQ(not_library.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(not_library.status().message().find("not in the library"), std::string::npos);
  EXPECT_EQ(service_->Propose({current_, 999, "manual", "admin"}, 1).status().code(), base::Code::kNotFound);
  auto reason = service_->Propose({current_, better_, "nicer", "admin"}, 1);
  EXPECT_NE(reason.status().message().find("nicer"), std::string::npos);
}

TEST_F(ProposalServiceTest, ApproveReplacesTheSlotArchivesTheOldImageAndAudits) {
  ProposalRecord p = ProposeBetter();
  auto done = service_->Approve(p.id, "admin", "sharper", 2000);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, "approved");
  EXPECT_EQ(done->applied_at, 2000);
  EXPECT_EQ(done->review_notes, "sharper");
  auto incoming = catalog_->GetItem(better_);
  auto outgoing = catalog_->GetItem(current_);
  EXPECT_EQ(incoming->path, "faces/alice/b.jpg");
  EXPECT_EQ(incoming->person, "alice");
  EXPECT_EQ(incoming->location, "library");
  EXPECT_EQ(outgoing->location, "archive");
  EXPECT_EQ(outgoing->path, ".triage/archive/a.jpg");
  EXPECT_EQ(Slurp(lib_ / "faces/alice/b.jpg"), "b.jpg");
  EXPECT_EQ(Slurp(lib_ / ".triage/archive/a.jpg"), "a.jpg");
  EXPECT_FALSE(fs::exists(lib_ / "faces/alice/a.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "review/near_duplicates/b.jpg"));
  auto audit = catalog_->ListAudit(better_, "admin", 10, 0);
  ASSERT_FALSE(audit->empty());
  EXPECT_EQ(audit->front().action, "replaced");
  EXPECT_EQ(audit->front().from_state, "faces/alice/a.jpg");
  EXPECT_EQ(audit->front().to_state, "faces/alice/b.jpg");
  EXPECT_TRUE(fs::is_empty(lib_ / ".triage/journal" / journal_->session()) ||
              fs::directory_iterator(lib_ / ".triage/journal" / journal_->session())->path().filename() == "LOCK");
}

// A library photo taking the place of its neighbour in the same folder stays where it is, under its own name (it was
// renamed against itself, "b_1.jpg"); the neighbour goes to the archive.
TEST_F(ProposalServiceTest, ALibraryPhotoTakingItsNeighboursPlaceKeepsItsName) {
  int64_t neighbour = AddImage("n.jpg", "faces/alice", "library", "alice", 1600, 1200, 9.0);
  auto p = service_->Propose({current_, neighbour, "manual", "admin"}, 1000);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto done = service_->Approve(p->id, "admin", "", 2000);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(ItemPath(neighbour), "faces/alice/n.jpg");
  EXPECT_EQ(Slurp(lib_ / "faces/alice/n.jpg"), "n.jpg");
  EXPECT_EQ(ItemPath(current_), ".triage/archive/a.jpg");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(lib_ / "faces/alice")) files.push_back(e.path().filename().string());
  EXPECT_EQ(files, std::vector<std::string>{"n.jpg"});
}

// One image proposed for two slots: once it took the first, the second proposal is stale (moving it on would empty
// the first slot, and the first approval could no longer be reverted). Both reverts keep working.
TEST_F(ProposalServiceTest, AnImageThatTookOneSlotIsNotMovedOnToAnother) {
  const int64_t other = AddImage("o.jpg", "faces/bob", "library", "bob", 800, 600, 5.0);
  ProposalRecord first = ProposeBetter();
  auto second = service_->Propose({other, better_, "manual", "admin"}, 1000);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE(service_->Approve(first.id, "admin", "", 2000).ok());
  auto refused = service_->Approve(second->id, "admin", "", 2001);
  ASSERT_EQ(refused.status().code(), base::Code::kConflict) << refused.status().ToString();
  const ProposalRecord stale = *store_->GetProposal(second->id);  // marked so when the first was approved
  EXPECT_EQ(stale.status, catalog::kProposalStale);
  EXPECT_NE(stale.review_notes.find(fmt::format("took faces/alice/a.jpg by proposal {}", first.id)), std::string::npos)
      << stale.review_notes;
  EXPECT_EQ(ItemPath(better_), "faces/alice/b.jpg");
  EXPECT_EQ(ItemPath(other), "faces/bob/o.jpg");
  ASSERT_TRUE(service_->Revert(first.id, "admin", "", 2002).ok());
  EXPECT_EQ(ItemPath(current_), "faces/alice/a.jpg");
  EXPECT_EQ(catalog_->GetItem(better_)->location, "archive");
  auto again = service_->Revert(first.id, "admin", "", 2003);
  EXPECT_EQ(again.status().code(), base::Code::kConflict);
}

TEST_F(ProposalServiceTest, AProposalIsAppliedAtMostOnce) {
  ProposalRecord p = ProposeBetter();
  ASSERT_TRUE(service_->Approve(p.id, "admin", "", 2000).ok());
  auto again = service_->Approve(p.id, "admin", "", 2001);
  EXPECT_EQ(again.status().code(), base::Code::kConflict);
  EXPECT_NE(again.status().message().find("is approved"), std::string::npos);
  EXPECT_EQ(ItemPath(better_), "faces/alice/b.jpg");
}

TEST_F(ProposalServiceTest, DeniedAndArchivedProposalsAreNeverAppliedAndMoveNoFile) {
  ProposalRecord p = ProposeBetter();
  auto denied = service_->Deny(p.id, "admin", "worse light", 2000);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->status, "denied");
  EXPECT_EQ(service_->Approve(p.id, "admin", "", 2001).status().code(), base::Code::kConflict);
  EXPECT_EQ(service_->Archive(p.id, "admin", "", 2001).status().code(), base::Code::kConflict);
  auto revert = service_->Revert(p.id, "admin", "", 2001);
  EXPECT_EQ(revert.status().code(), base::Code::kConflict);
  // The article fits the state's word: "an approved", "a pending".
  EXPECT_EQ(revert.status().message(),
            "proposal " + std::to_string(p.id) + " is denied; only an approved proposal can be reverted");
  EXPECT_NE(service_->Deny(p.id, "admin", "", 2001).status().message().find("only a pending proposal can be denied"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(lib_ / "faces/alice/a.jpg"));
  EXPECT_TRUE(fs::exists(lib_ / "review/near_duplicates/b.jpg"));

  ProposalRecord q = *service_->Propose({current_, better_, "better_quality", "admin"}, 3000);
  ASSERT_TRUE(service_->Archive(q.id, "admin", "", 3001).ok());
  EXPECT_EQ(service_->Approve(q.id, "admin", "", 3002).status().code(), base::Code::kConflict);
  EXPECT_EQ(service_->Deny(q.id, "admin", "", 3002).status().code(), base::Code::kConflict);
  EXPECT_EQ(ItemPath(current_), "faces/alice/a.jpg");
  auto audit = catalog_->ListAudit(current_, "admin", 10, 0);
  EXPECT_EQ(audit->front().to_state, "archived");
}

TEST_F(ProposalServiceTest, AProposalWhoseSlotChangedBecomesStaleInsteadOfApplied) {
  ProposalRecord p = ProposeBetter();
  Decided(current_, "faces/bob", "library", "approve", 1500, "bob");  // the current image moved elsewhere meanwhile
  auto applied = service_->Approve(p.id, "admin", "", 2000);
  EXPECT_EQ(applied.status().code(), base::Code::kConflict);
  EXPECT_NE(applied.status().message().find("stale"), std::string::npos);
  EXPECT_EQ(service_->Get(p.id)->status, "stale");
  EXPECT_EQ(ItemPath(better_), "review/near_duplicates/b.jpg");
  EXPECT_EQ(ItemPath(current_), "faces/bob/a.jpg");
  EXPECT_EQ(service_->Approve(p.id, "admin", "", 2001).status().code(), base::Code::kConflict);
}

// A reviewer decided the proposed image after it was proposed (kept both copies): it is in the library now, where a
// proposed image may be, but approving would move it on and undo what the reviewer said. Stale, and nothing moves.
TEST_F(ProposalServiceTest, AProposalWhoseImageAReviewerDecidedSinceBecomesStale) {
  ProposalRecord p = ProposeBetter();
  Decided(better_, "faces/alice", "library", "duplicate", 1500, "alice");  // "keep both": beside the current image
  auto applied = service_->Approve(p.id, "admin", "", 2000);
  EXPECT_EQ(applied.status().code(), base::Code::kConflict) << applied.status().ToString();
  EXPECT_NE(applied.status().message().find(
                "was moved from review/near_duplicates to faces/alice by bob since it was proposed"),
            std::string::npos)
      << applied.status().message();
  EXPECT_EQ(service_->Get(p.id)->status, "stale");
  EXPECT_EQ(ItemPath(better_), "faces/alice/b.jpg");
  EXPECT_EQ(ItemPath(current_), "faces/alice/a.jpg");
}

// Deleted and restored since it was proposed, the proposed image waits in review as it did: the proposal stands.
TEST_F(ProposalServiceTest, AProposedImageRestoredToReviewKeepsItsProposal) {
  ProposalRecord p = ProposeBetter();
  Decided(better_, ".triage/trash", "trash", "reject", 1500);
  Decided(better_, "review/near_duplicates", "review", "restore", 1600, "", "near_duplicates");
  auto applied = service_->Approve(p.id, "admin", "", 2000);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(ItemPath(better_), "faces/alice/b.jpg");
}

// The current image moved by hand, outside triage: the catalog still places it in its slot, but the approval had
// nothing to move (404 naming the server's folders); it is stale, and nothing moves.
TEST_F(ProposalServiceTest, AProposalWhoseImageWasMovedByHandBecomesStale) {
  ProposalRecord p = ProposeBetter();
  const std::string slot = ItemPath(current_);
  std::filesystem::rename(lib_ / slot, lib_ / "elsewhere.jpg");
  auto applied = service_->Approve(p.id, "admin", "", 2000);
  EXPECT_EQ(applied.status().code(), base::Code::kConflict) << applied.status().ToString();
  EXPECT_NE(applied.status().message().find("missing (moved or deleted outside triage)"), std::string::npos)
      << applied.status().message();
  EXPECT_EQ(applied.status().message().find(lib_.string()), std::string::npos) << applied.status().message();
  EXPECT_EQ(service_->Get(p.id)->status, "stale");
  EXPECT_EQ(ItemPath(better_), "review/near_duplicates/b.jpg");
  EXPECT_TRUE(std::filesystem::exists(lib_ / "elsewhere.jpg"));
}

TEST_F(ProposalServiceTest, RevertBringsTheArchivedImageBackAndIsAudited) {
  ProposalRecord p = ProposeBetter();
  ASSERT_TRUE(service_->Approve(p.id, "admin", "", 2000).ok());
  auto reverted = service_->Revert(p.id, "admin", "changed my mind", 2100);
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  EXPECT_EQ(reverted->status, "reverted");
  EXPECT_EQ(ItemPath(current_), "faces/alice/a.jpg");
  EXPECT_EQ(catalog_->GetItem(current_)->location, "library");
  EXPECT_EQ(catalog_->GetItem(better_)->location, "archive");
  EXPECT_EQ(Slurp(lib_ / "faces/alice/a.jpg"), "a.jpg");
  EXPECT_TRUE(fs::exists(lib_ / ".triage/archive/b.jpg"));
  EXPECT_EQ(catalog_->ListAudit(current_, "admin", 1, 0)->front().action, "revert");
  EXPECT_EQ(service_->Revert(p.id, "admin", "", 2200).status().code(), base::Code::kConflict);  // once
  EXPECT_EQ(service_->Approve(p.id, "admin", "", 2200).status().code(), base::Code::kConflict);
}

// The image that took the slot was deleted since (culled to the trash and purged): Revert answered "no item N" and
// the image it replaced stayed in the archive for good. It now comes back to its slot alone.
TEST_F(ProposalServiceTest, RevertAfterTheSuccessorWasPurgedBringsTheArchivedImageBack) {
  ProposalRecord p = ProposeBetter();
  ASSERT_TRUE(service_->Approve(p.id, "admin", "", 2000).ok());
  const std::string successor_path = ItemPath(better_);
  fs::remove(lib_ / successor_path);
  model::AuditEntry purge;
  purge.at = 2050;
  purge.actor = "admin";
  purge.item_id = better_;
  purge.action = "purge";
  ASSERT_TRUE(catalog_->DeleteItem(purge).ok());
  auto reverted = service_->Revert(p.id, "admin", "", 2100);
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  EXPECT_EQ(reverted->status, catalog::kProposalReverted);
  EXPECT_EQ(catalog_->GetItem(current_)->location, "library");
  EXPECT_EQ(ItemPath(current_), p.slot);
  EXPECT_TRUE(fs::exists(lib_ / p.slot));
}

// An approved removal was stuck: the image sat in the archive and no command brought it back. Revert puts it back in
// its place, once.
TEST_F(ProposalServiceTest, ARemovalArchivesTheFlaggedImageAndRevertPutsItBack) {
  auto p = service_->Propose({current_, 0, "user_flags", "workflow:flags"}, 1000);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(service_->Approve(p->id, "admin", "", 2000).ok());
  EXPECT_EQ(catalog_->GetItem(current_)->location, "archive");
  EXPECT_TRUE(fs::exists(lib_ / ".triage/archive/a.jpg"));
  EXPECT_EQ(catalog_->ListAudit(current_, "admin", 1, 0)->front().action, "removed");
  const std::string slot = p->slot;
  auto back = service_->Revert(p->id, "admin", "flagged by mistake", 2100);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->status, catalog::kProposalReverted);
  auto item = catalog_->GetItem(current_);
  EXPECT_EQ(item->location, "library");
  EXPECT_EQ(item->path, slot);
  EXPECT_TRUE(fs::exists(lib_ / slot));
  EXPECT_FALSE(fs::exists(lib_ / ".triage/archive/a.jpg"));
  EXPECT_EQ(service_->Revert(p->id, "admin", "", 2200).status().code(), base::Code::kConflict);  // once
}

TEST_F(ProposalServiceTest, ACrashAfterTheMovesIsFinishedByRecovery) {
  ProposalRecord p = ProposeBetter();
  // What Replace journals, then the outgoing move done and the process gone.
  commit::Intent intent = ApprovalIntent("crash1", p.id);
  {
    auto dead = commit::Journal::Open(lib_ / ".triage");
    ASSERT_TRUE((*dead)->Record(intent).ok());
    fs::create_directories(lib_ / ".triage/archive");
    fs::rename(intent.from, intent.to);
    std::ofstream((lib_ / ".triage/journal" / (*dead)->session() / "keep.json").c_str()) << "{";  // a torn write
  }  // the session's lock is released: it is dead
  auto report = commit::Recover(lib_ / ".triage", *catalog_, store_.get());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rolled_forward, 1);
  EXPECT_TRUE(fs::exists(lib_ / "faces/alice/b.jpg"));
  EXPECT_TRUE(fs::exists(lib_ / ".triage/archive/a.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "review/near_duplicates/b.jpg"));
  EXPECT_EQ(service_->Get(p.id)->status, "approved");
  EXPECT_EQ(ItemPath(better_), "faces/alice/b.jpg");
}

TEST_F(ProposalServiceTest, RecoveryRollsBackAReplacementThatWasDecidedMeanwhile) {
  ProposalRecord p = ProposeBetter();
  commit::Intent intent = ApprovalIntent("crash2", p.id);
  {
    auto dead = commit::Journal::Open(lib_ / ".triage");
    ASSERT_TRUE((*dead)->Record(intent).ok());
    fs::create_directories(lib_ / ".triage/archive");
    fs::rename(intent.from, intent.to);
  }
  ASSERT_TRUE(service_->Deny(p.id, "other", "", 1900).ok());  // another process decided first
  auto report = commit::Recover(lib_ / ".triage", *catalog_, store_.get());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->problems.empty());
  EXPECT_TRUE(fs::exists(lib_ / "faces/alice/a.jpg"));
  EXPECT_TRUE(fs::exists(lib_ / "review/near_duplicates/b.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / ".triage/archive/a.jpg"));
  EXPECT_EQ(ItemPath(current_), "faces/alice/a.jpg");
}

TEST_F(ProposalServiceTest, ABetterNearDuplicateBecomesAProposalOnce) {
  int64_t worse = AddImage("c.jpg", "review/near_duplicates", "review", "", 640, 480, 9.5, current_);  // too small
  auto report = service_->RunWorkflows(5000);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->from_near_duplicates, 1);
  auto all = service_->List({});
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().proposed_item_id, better_);
  EXPECT_EQ(all->front().reason, "higher_resolution");
  EXPECT_EQ(all->front().proposed_by, "workflow:near_duplicates");
  ASSERT_TRUE(service_->Deny(all->front().id, "admin", "", 5001).ok());
  EXPECT_EQ(service_->RunWorkflows(5002)->from_near_duplicates, 0);  // a denied proposal is not made again
  catalog::ProposalFilter of_worse;
  of_worse.item_id = worse;
  EXPECT_TRUE(service_->List(of_worse)->empty());
}

TEST_F(ProposalServiceTest, ASameSizeNearDuplicateWithABetterScoreIsBetterQuality) {
  int64_t same = AddImage("d.jpg", "review/near_duplicates", "review", "", 800, 600, 7.0, current_);
  ASSERT_TRUE(service_->RunWorkflows(5000).ok());
  catalog::ProposalFilter f;
  f.item_id = same;
  ASSERT_EQ(service_->List(f)->size(), 1u);
  EXPECT_EQ(service_->List(f)->front().reason, "better_quality");
}

// A downscaled copy may score better (the original's compression marks are gone with the detail): fewer pixels than
// the original is never proposed in its place.
TEST_F(ProposalServiceTest, ASmallerNearDuplicateIsNeverProposedHoweverItScores) {
  int64_t original = AddImage("big.jpg", "faces/carol", "library", "carol", 1600, 1067, 4.5);
  int64_t smaller = AddImage("small.png", "review/near_duplicates", "review", "", 1120, 747, 4.8, original);
  int64_t one_row_less = AddImage("crop.png", "review/near_duplicates", "review", "", 1600, 1066, 9.9, original);
  ASSERT_TRUE(service_->RunWorkflows(5000).ok());
  for (int64_t id : {smaller, one_row_less}) {
    catalog::ProposalFilter f;
    f.item_id = id;
    EXPECT_TRUE(service_->List(f)->empty()) << id;
  }
}

// Anonymous flaggers from three addresses (sessions from one address count once: see
// AnonymousFlagsCountOncePerAddress).
TEST_F(ProposalServiceTest, FlagsReachingTheThresholdMakeAProposal) {
  int64_t flagged = AddImage("f.jpg", "faces/bob", "library", "bob", 1000, 800, 6.0);
  for (const char* voter : {"session:a", "session:b"}) {
    ASSERT_TRUE(store_->AddFlag({flagged, voter, std::string("198.51.100.") + voter[8], "wrong_person", "", 10}).ok());
  }
  ASSERT_TRUE(store_->AddFlag({flagged, "session:a2", "198.51.100.a", "wrong_person", "", 10}).ok());
  catalog::ProposalFilter f;
  f.reason = "user_flags";
  ASSERT_TRUE(service_->RunWorkflows(5000).ok());
  EXPECT_TRUE(service_->List(f)->empty());
  ASSERT_TRUE(store_->AddFlag({flagged, "session:c", "198.51.100.c", "poor_quality", "", 11}).ok());
  auto report = service_->RunWorkflows(5001);
  EXPECT_EQ(report->from_flags, 1);
  ASSERT_EQ(service_->List(f)->size(), 1u);
  EXPECT_EQ(service_->List(f)->front().current_item_id, flagged);
  EXPECT_EQ(service_->RunWorkflows(5002)->from_flags, 0);
}

TEST_F(ProposalServiceTest, ABetterPhotoOfAPersonWithACoverBecomesACoverProposal) {
  ASSERT_TRUE(catalog_->AddPerson("alice", 1).ok());
  EXPECT_EQ(service_->RunWorkflows(5000)->from_covers, 0);  // no cover yet: a person chooses the first
  auto first = service_->ProposeCover("alice", current_, "manual", "admin", 5001);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(service_->Approve(first->id, "admin", "", 5001).ok());
  EXPECT_EQ(*store_->CoverOf("alice"), current_);
  int64_t sharper = AddImage("s.jpg", "faces/alice", "library", "alice", 1600, 1200, 9.0);
  AddImage("t.jpg", "faces/alice", "library", "alice", 400, 300, 9.9);  // better scored, but below min size
  auto report = service_->RunWorkflows(5002);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->from_covers, 1);
  catalog::ProposalFilter f;
  f.item_id = sharper;
  auto made = service_->List(f);
  ASSERT_EQ(made->size(), 1u);
  const ProposalRecord p = made->front();
  EXPECT_EQ(p.slot, "cover:alice");
  EXPECT_EQ(p.current_item_id, current_);
  EXPECT_EQ(p.reason, "better_quality");
  EXPECT_EQ(p.proposed_by, "workflow:covers");
  EXPECT_EQ(service_->RunWorkflows(5003)->from_covers, 0);  // proposed once
  ASSERT_TRUE(service_->Approve(p.id, "admin", "", 5004).ok());
  EXPECT_EQ(*store_->CoverOf("alice"), sharper);
  EXPECT_TRUE(fs::exists(lib_ / "faces/alice/a.jpg"));  // a cover moves no file
  EXPECT_TRUE(fs::exists(lib_ / "faces/alice/s.jpg"));
  ASSERT_TRUE(service_->Revert(p.id, "admin", "", 5005).ok());
  EXPECT_EQ(*store_->CoverOf("alice"), current_);
  EXPECT_EQ(service_->Get(p.id)->status, "reverted");
}

TEST_F(ProposalServiceTest, AutoRulesAreOffByDefaultAndAuditedWithTheRuleWhenOn) {
  ProposalRecord p = ProposeBetter();  // scores 87
  int64_t low = AddImage("e.jpg", "review/near_duplicates", "review", "", 2000, 1500, 3.0, current_);
  ProposalRecord q = *service_->Propose({current_, low, "higher_resolution", "workflow:test"}, 1000);
  ASSERT_TRUE(service_->RunWorkflows(1100).ok());
  EXPECT_EQ(service_->Get(p.id)->status, "pending");
  EXPECT_EQ(service_->Get(q.id)->status, "pending");
  SetConfig({{"proposals", {{"auto_approve", true}, {"auto_deny", true}, {"auto_approve_threshold", 85}}}});
  auto report = service_->RunWorkflows(1200);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->auto_denied, 1);
  EXPECT_EQ(report->auto_approved, 1);
  EXPECT_EQ(service_->Get(q.id)->status, "denied");
  EXPECT_EQ(service_->Get(q.id)->rule, "auto_deny_threshold");
  EXPECT_EQ(service_->Get(p.id)->status, "approved");
  EXPECT_EQ(service_->Get(p.id)->rule, "auto_approve_threshold");
  auto audit = catalog_->ListAudit(better_, "system", 1, 0);
  EXPECT_NE(audit->front().reason.find("rule auto_approve_threshold"), std::string::npos);
}

TEST_F(ProposalServiceTest, AutoApproveSkipsAFlaggedImage) {
  SetConfig({{"proposals", {{"auto_approve", true}, {"auto_approve_threshold", 80}}}});
  ProposalRecord p = ProposeBetter();
  ASSERT_TRUE(store_->AddFlag({better_, "session:a", "", "wrong_subject", "", 10}).ok());
  ASSERT_TRUE(service_->RunWorkflows(1200).ok());
  EXPECT_EQ(service_->Get(p.id)->status, "pending");
}

TEST_F(ProposalServiceTest, SweepArchivesProposalsOlderThanStaleDays) {
  ProposalRecord p = ProposeBetter();  // made at 1000
  EXPECT_EQ(*service_->Sweep("admin", 1000 + 29 * 86400), 0);
  EXPECT_EQ(*service_->Sweep("admin", 1001 + 30 * 86400), 1);
  auto after = service_->Get(p.id);
  EXPECT_EQ(after->status, "archived");
  EXPECT_EQ(after->rule, "stale_proposal_days");
  EXPECT_TRUE(fs::exists(lib_ / "review/near_duplicates/b.jpg"));
}

TEST_F(ProposalServiceTest, BatchDecidesByScoreAndReportsCounts) {
  ProposalRecord p = ProposeBetter();  // 87
  int64_t low = AddImage("e.jpg", "review/near_duplicates", "review", "", 2000, 1500, 3.0, current_);
  ProposalRecord q = *service_->Propose({current_, low, "higher_resolution", "workflow:test"}, 1000);
  BatchRequest deny;
  deny.action = "deny";
  deny.max_score = 50;
  auto denied = service_->Batch(deny, "admin", 2000);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->matched, 1);
  EXPECT_EQ(denied->done, 1);
  EXPECT_EQ(service_->Get(q.id)->status, "denied");
  BatchRequest approve;
  approve.action = "approve";
  approve.min_score = 80;
  approve.without_flags = true;
  auto approved = service_->Batch(approve, "admin", 2001);
  EXPECT_EQ(approved->done, 1);
  EXPECT_EQ(approved->ids, std::vector<int64_t>{p.id});
  BatchRequest bad;
  bad.action = "approve";
  EXPECT_EQ(service_->Batch(bad, "admin", 1).status().code(), base::Code::kInvalidArgument);
  bad.action = "explode";
  EXPECT_EQ(service_->Batch(bad, "admin", 1).status().code(), base::Code::kInvalidArgument);
  BatchRequest again;
  again.action = "approve";
  again.ids = {p.id, q.id};
  auto twice = service_->Batch(again, "admin", 2002);
  EXPECT_EQ(twice->done, 0);
  EXPECT_EQ(twice->failed.size(), 2u);
}

TEST_F(ProposalServiceTest, CommunityScoreWeighsVotesAndFlags) {
  ASSERT_TRUE(store_->CastVote({current_, "session:a", "192.0.2.1", 1, 1}).ok());
  ASSERT_TRUE(store_->CastVote({current_, "session:b", "192.0.2.2", 1, 1}).ok());
  ASSERT_TRUE(store_->CastVote({current_, "session:c", "192.0.2.3", -1, 1}).ok());
  ASSERT_TRUE(store_->AddFlag({current_, "session:d", "192.0.2.4", "other", "x", 1}).ok());
  EXPECT_DOUBLE_EQ(*service_->CommunityScore(current_), 2 * 1.0 - 1.5 - 3.0);
  // A second session from an address that voted already adds nothing.
  ASSERT_TRUE(store_->CastVote({current_, "session:e", "192.0.2.1", 1, 2}).ok());
  EXPECT_DOUBLE_EQ(*service_->CommunityScore(current_), 2 * 1.0 - 1.5 - 3.0);
}

}  // namespace
}  // namespace triage::review
