// Specification of journaled moves and recovery.
#include "commit/committer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "catalog/sqlite/sqlite_catalog.h"

namespace triage::commit {
namespace {

class CommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("commit_test_" + std::to_string(::getpid()));
    fs::create_directories(lib_ / ".triage");
    fs::create_directories(lib_ / "in");
    catalog_ = std::move(*catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db"));
    journal_ = std::move(*Journal::Open(lib_ / ".triage"));
    committer_ = std::make_unique<Committer>(*journal_, *catalog_, lib_);
  }
  void TearDown() override {
    committer_.reset();
    journal_.reset();
    catalog_.reset();
    fs::remove_all(lib_);
  }
  fs::path Input(const std::string& name, const std::string& content) {
    std::ofstream(lib_ / "in" / name) << content;
    return lib_ / "in" / name;
  }
  catalog::CatalogChange Change(const std::string& location) {
    catalog::CatalogChange c;
    c.item.original_name = "x.jpg";
    c.item.fingerprint.sha256 = "s";
    c.item.location = location;
    c.item.category = location == "review" ? "unidentified" : "";
    c.action = "ingest";
    return c;
  }
  fs::path lib_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Committer> committer_;
};

TEST_F(CommitterTest, CopyLeavesOriginalAndHashesEveryByte) {
  fs::path in = Input("a.jpg", "hello");
  size_t seen = 0;
  auto staged = committer_->StageCopy(in, [&](const unsigned char*, size_t n) { seen += n; });
  ASSERT_TRUE(staged.ok());
  EXPECT_EQ(seen, 5u);
  auto placed = committer_->Place(*staged, lib_ / "faces/alice", "a.jpg", Change("library"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_TRUE(fs::exists(in));
  EXPECT_TRUE(fs::exists(lib_ / "faces/alice/a.jpg"));
  EXPECT_EQ(catalog_->GetItem(placed->item_id)->path, "faces/alice/a.jpg");
}

TEST_F(CommitterTest, NameCollisionGetsSuffixNeverOverwrites) {
  fs::create_directories(lib_ / "faces/alice");
  std::ofstream(lib_ / "faces/alice/a.jpg") << "curated";
  auto staged = committer_->StageMove(Input("a.jpg", "new"));
  ASSERT_TRUE(staged.ok());
  auto placed = committer_->Place(*staged, lib_ / "faces/alice", "a.jpg", Change("library"));
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(placed->path, lib_ / "faces/alice/a_1.jpg");
  EXPECT_EQ(*base::ReadFile(lib_ / "faces/alice/a.jpg"), "curated");
  EXPECT_EQ(*base::ReadFile(lib_ / "faces/alice/a_1.jpg"), "new");
}

TEST_F(CommitterTest, HostileNameIsSanitizedInsideTheFolder) {
  auto staged = committer_->StageCopy(Input("b.jpg", "x"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / "review/unidentified", "../../escape.jpg", Change("review"));
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(placed->path.parent_path(), lib_ / "review/unidentified");
}

TEST_F(CommitterTest, RecoveryReturnsStagedMoveOfDeadSession) {
  fs::path in = Input("c.jpg", "data");
  {
    auto other = Journal::Open(lib_ / ".triage");
    Committer c(**other, *catalog_, lib_);
    ASSERT_TRUE(c.StageMove(in).ok());
    EXPECT_FALSE(fs::exists(in));
    // Simulate death: the session's lock is released without finishing (its intent stays).
    auto report = Recover(lib_ / ".triage", *catalog_);
    EXPECT_EQ(report->rolled_back, 0);  // still alive: left alone
  }
  // The destructor released the lock but kept the unfinished session.
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rolled_back, 1);
  EXPECT_EQ(*base::ReadFile(in), "data");
}

TEST_F(CommitterTest, RecoveryRollsCommitForward) {
  auto other = Journal::Open(lib_ / ".triage");
  Intent in;
  in.kind = Intent::Kind::kCommit;
  in.id = "abc";
  auto staged = committer_->StageCopy(Input("d.jpg", "data"), nullptr);
  in.from = staged->path;
  in.to = lib_ / "review/unidentified/d.jpg";
  in.change = Change("review");
  in.change->journal_id = "abc";
  in.change->item.path = "review/unidentified/d.jpg";
  ASSERT_TRUE((*other)->Record(in).ok());
  other->reset();
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->rolled_forward, 1);
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/d.jpg"));
  EXPECT_TRUE(catalog_->FindByPath("review/unidentified/d.jpg")->has_value());
}

TEST_F(CommitterTest, RelocateMovesAndAudits) {
  auto staged = committer_->StageCopy(Input("e.jpg", "x"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / "review/unidentified", "e.jpg", Change("review"));
  auto item = catalog_->GetItem(placed->item_id);
  catalog::CatalogChange move;
  move.item.location = "library";
  move.item.person = "bob";
  move.actor = "admin";
  move.action = "approve";
  auto moved = committer_->Relocate(*item, lib_ / "faces/bob", move);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_TRUE(fs::exists(lib_ / "faces/bob/e.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "review/unidentified/e.jpg"));
  EXPECT_EQ(catalog_->GetItem(placed->item_id)->path, "faces/bob/e.jpg");
}

TEST(IntentCodecTest, RoundTripsEveryField) {
  Intent in;
  in.kind = Intent::Kind::kCommit;
  in.id = "id1";
  in.from = "/a";
  in.to = "/b";
  catalog::CatalogChange c;
  c.item.fingerprint = {"sha", 7, 0xFFFFFFFFFFFFFFFFull, 0x1234, true};
  c.item.duplicate_of = 3;
  c.item.reasons = {{"near_duplicate", "Looks like 3."}};
  model::Face f;
  f.embedding = {0.5f, -1.25f};
  f.landmarks = {{1, 2}};
  f.match = {model::MatchKind::kLowConfidence, "eve", 0.55, 0.5};
  c.faces = {f};
  c.references = {{0, "eve", {0.75f, -0.5f}, "item:9"}};
  in.change = c;
  auto out = DecodeIntent(EncodeIntent(in));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->change->item.fingerprint.phash, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(out->change->item.fingerprint.phash_center, 0x1234u);
  EXPECT_EQ(out->change->item.duplicate_of, 3);
  EXPECT_EQ(out->change->faces.at(0).match.person, "eve");
  EXPECT_FLOAT_EQ(out->change->faces.at(0).embedding[1], -1.25f);
  ASSERT_EQ(out->change->references.size(), 1u);
  EXPECT_EQ(out->change->references[0].person, "eve");
  EXPECT_EQ(out->change->references[0].source, "item:9");
  EXPECT_FLOAT_EQ(out->change->references[0].embedding[1], -0.5f);
  EXPECT_EQ(DecodeIntent("{not json").status().code(), base::Code::kCorrupt);
}

}  // namespace
}  // namespace triage::commit
