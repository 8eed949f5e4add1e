// Specification of journaled moves and recovery.
#include "commit/committer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "catalog/sqlite/sqlite_catalog.h"
#include "commit/folders.h"

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
  static std::vector<fs::path> FilesUnder(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) out.push_back(it->path());
    }
    return out;
  }
  fs::path Input(const std::string& name, const std::string& content) {
    std::ofstream(lib_ / "in" / name) << content;
    return lib_ / "in" / name;
  }
  // Moves `in` into staging as found stable now.
  base::Result<Staged> StageMove(Committer& c, const fs::path& in) {
    return c.StageMove(in, *base::StampOf(in), nullptr);
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

TEST_F(CommitterTest, MoveHashesTheStagedFileAndReturnsOneThatChangedSinceItWasStable) {
  fs::path in = Input("grow.jpg", "first");
  const base::FileStamp stable = *base::StampOf(in);
  std::ofstream(in, std::ios::app) << " and more";  // a writer was still at work after the stability check
  size_t seen = 0;
  auto staged = committer_->StageMove(in, stable, [&](const unsigned char*, size_t n) { seen += n; });
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.status().code(), base::Code::kUnavailable);
  EXPECT_NE(staged.status().message().find("changed while being ingested; left for the next run"), std::string::npos)
      << staged.status().message();
  EXPECT_EQ(*base::ReadFile(in), "first and more");  // back where it was
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
  // Unchanged, it is taken and every byte is seen.
  seen = 0;
  auto again = committer_->StageMove(in, *base::StampOf(in), [&](const unsigned char*, size_t n) { seen += n; });
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(seen, 14u);
  EXPECT_FALSE(fs::exists(in));
}

// A file listed as regular and then replaced by a symbolic link (to a file the dropper could not read) is neither
// moved nor copied into the library: the link stays where it was, nothing of its target is read, nothing is staged.
TEST_F(CommitterTest, ALinkPutInPlaceOfAListedFileIsNeverTaken) {
  const fs::path secret = lib_ / "secret.txt";
  std::ofstream(secret) << "not for the library";
  for (bool move : {false, true}) {
    SCOPED_TRACE(move ? "move" : "copy");
    fs::path in = Input("x.jpg", "listed as a photo");
    const base::FileStamp stable = *base::StampOf(secret);  // what a swapper copies with touch --reference
    fs::remove(in);
    fs::create_symlink(secret, in);
    size_t seen = 0;
    auto sink = [&](const unsigned char*, size_t n) { seen += n; };
    std::string bytes;
    auto staged = move ? committer_->StageMove(in, stable, sink, &bytes) : committer_->StageCopy(in, sink, &bytes);
    ASSERT_FALSE(staged.ok());
    EXPECT_EQ(staged.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(staged.status().message().find("symbolic link"), std::string::npos) << staged.status().message();
    EXPECT_EQ(seen, 0u);
    EXPECT_TRUE(bytes.empty());
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(in)));  // left where it was
    EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
    fs::remove(in);
  }
  EXPECT_EQ(*base::ReadFile(secret), "not for the library");
}

// Staged with `bytes`, an input is read once: the hash sees, the staged copy holds and `bytes` keeps the same bytes.
TEST_F(CommitterTest, StagingKeepsTheBytesItReadOnce) {
  const std::string content(3 << 20, 'z');
  for (bool move : {false, true}) {
    SCOPED_TRACE(move ? "move" : "copy");
    fs::path in = Input(move ? "moved.jpg" : "copied.jpg", content);
    std::string hashed, kept;
    auto sink = [&](const unsigned char* d, size_t n) { hashed.append(reinterpret_cast<const char*>(d), n); };
    auto staged =
        move ? committer_->StageMove(in, *base::StampOf(in), sink, &kept) : committer_->StageCopy(in, sink, &kept);
    ASSERT_TRUE(staged.ok()) << staged.status().ToString();
    EXPECT_TRUE(hashed == content);
    EXPECT_TRUE(kept == content);
    EXPECT_TRUE(*base::ReadFile(staged->path) == content);
    EXPECT_EQ(fs::exists(in), !move);
  }
  // A moved input that changed after it was found stable goes back, and nothing is kept.
  fs::path in = Input("grow.jpg", "first");
  const base::FileStamp stable = *base::StampOf(in);
  std::ofstream(in, std::ios::app) << " and more";
  std::string kept = "left over";
  EXPECT_EQ(committer_->StageMove(in, stable, nullptr, &kept).status().code(), base::Code::kUnavailable);
  EXPECT_TRUE(kept.empty());
  EXPECT_TRUE(fs::exists(in));
}

TEST_F(CommitterTest, NameCollisionGetsSuffixNeverOverwrites) {
  fs::create_directories(lib_ / "faces/alice");
  std::ofstream(lib_ / "faces/alice/a.jpg") << "curated";
  auto staged = StageMove(*committer_, Input("a.jpg", "new"));
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

TEST_F(CommitterTest, NameWithoutExtensionGetsTheExtensionOfItsFormat) {
  // An upload named "..." held a JPEG: it was stored as "image", a file nothing opens as a photo.
  auto staged = committer_->StageCopy(Input("upload", "x"), nullptr);
  ASSERT_TRUE(staged.ok());
  catalog::CatalogChange change = Change("review");
  change.item.info.format = "jpeg";
  auto placed = committer_->Place(*staged, lib_ / "review/unidentified", "...", change);
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(placed->path, lib_ / "review/unidentified/image.jpg");
  EXPECT_EQ(catalog_->GetItem(placed->item_id)->path, "review/unidentified/image.jpg");
  EXPECT_EQ(catalog_->GetItem(placed->item_id)->original_name, "x.jpg");  // the catalog keeps what was sent
}

TEST_F(CommitterTest, RecoveryReturnsStagedMoveOfDeadSession) {
  fs::path in = Input("c.jpg", "data");
  {
    auto other = Journal::Open(lib_ / ".triage");
    Committer c(**other, *catalog_, lib_);
    ASSERT_TRUE(StageMove(c, in).ok());
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

// A staged input whose name at the source was taken by another file before recovery (the same name dropped into the
// inbox again) comes back beside it under a free name; only the same bytes twice (a cross-device move stopped before
// it removed the original) leave one copy.
TEST_F(CommitterTest, RecoveryKeepsANewFileAtAStagedInputsNameAndReturnsTheInputBesideIt) {
  const fs::path in = Input("d.jpg", "first"), same = Input("e.jpg", "same");
  {
    auto other = Journal::Open(lib_ / ".triage");
    Committer c(**other, *catalog_, lib_);
    ASSERT_TRUE(StageMove(c, in).ok());
    auto staged = StageMove(c, same);
    ASSERT_TRUE(staged.ok());
    ASSERT_TRUE(fs::copy_file(staged->path, same));  // as a cross-device move leaves it: the original not yet removed
  }
  std::ofstream(in) << "second";  // a new photo under the same name
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(*base::ReadFile(in), "second");
  EXPECT_EQ(*base::ReadFile(lib_ / "in/d_1.jpg"), "first");
  EXPECT_EQ(*base::ReadFile(same), "same");
  EXPECT_EQ(FilesUnder(lib_ / "in").size(), 3u);
}

// A process killed while opening its session leaves the session under its hidden name, holding only its lock:
// recovery removes it once it is a minute old, and leaves a younger one to the process that may be opening it.
TEST_F(CommitterTest, RecoveryRemovesASessionItsProcessDiedOpening) {
  const fs::path old_one = lib_ / ".triage/journal/.0123456789abcdef",
                 young = lib_ / ".triage/journal/.fedcba9876543210";
  for (const fs::path& dir : {old_one, young}) {
    fs::create_directories(dir);
    std::ofstream(dir / "LOCK") << lib_.string() << "\n";
  }
  fs::last_write_time(old_one, fs::file_time_type::clock::now() - std::chrono::minutes(2));
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(fs::exists(old_one));
  EXPECT_TRUE(fs::exists(young / "LOCK"));
  EXPECT_EQ(report->sessions, 0);
}

// Each host recovers only its own dead sessions: a lock that does not hold across hosts can never make one host undo
// another's open work. Sessions made before hosts (directly under journal/) are recovered by any host.
TEST_F(CommitterTest, RecoveryOnOneHostNeverTouchesAnotherHostsSessions) {
  const fs::path state = lib_ / ".triage";
  fs::path a_in = Input("on_a.jpg", "a"), b_in = Input("on_b.jpg", "b"), old_in = Input("old.jpg", "o");
  for (const auto& [host, in] : {std::pair<std::string, fs::path>{"host-a", a_in}, {"host-b", b_in}, {"", old_in}}) {
    auto dead = Journal::Open(state, host);
    ASSERT_TRUE(dead.ok());
    EXPECT_EQ((*dead)->staging_dir().parent_path(), host.empty() ? state / "staging" : state / "staging" / host);
    Committer c(**dead, *catalog_, lib_);
    ASSERT_TRUE(StageMove(c, in).ok());  // then the process dies with its input staged
  }
  EXPECT_TRUE(HostHasSessions(state, "host-a"));
  EXPECT_FALSE(HostHasSessions(state, "host-c"));

  auto on_b = Recover(state, *catalog_, nullptr, "host-b");
  ASSERT_TRUE(on_b.ok());
  EXPECT_EQ(on_b->sessions, 2) << "host-b's own and the one without a host";
  EXPECT_EQ(*base::ReadFile(b_in), "b");
  EXPECT_EQ(*base::ReadFile(old_in), "o");
  EXPECT_FALSE(fs::exists(a_in)) << "host-a's staged input stays in host-a's staging";
  EXPECT_TRUE(HostHasSessions(state, "host-a"));
  EXPECT_FALSE(FilesUnder(state / "staging" / "host-a").empty());

  auto without_host = Recover(state, *catalog_);
  EXPECT_EQ(without_host->sessions, 0) << "a recovery without a host takes no host's sessions";
  EXPECT_FALSE(fs::exists(a_in));

  auto on_a = Recover(state, *catalog_, nullptr, "host-a");
  ASSERT_TRUE(on_a.ok());
  EXPECT_EQ(on_a->rolled_back, 1);
  EXPECT_EQ(*base::ReadFile(a_in), "a");
  EXPECT_FALSE(HostHasSessions(state, "host-a"));
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

// A catalog that cannot record a relocation (here: a change it refuses) must not leave a running process with the file
// in one folder and the catalog naming another until the next start: the file goes back, and nothing is left open.
TEST_F(CommitterTest, ARelocationTheCatalogCannotRecordPutsTheFileBack) {
  auto staged = committer_->StageCopy(Input("f.jpg", "x"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / "review/unidentified", "f.jpg", Change("review"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  auto item = catalog_->GetItem(placed->item_id);
  catalog::CatalogChange move;
  move.item.location = "nowhere";  // refused by the catalog
  move.item.person = "bob";
  move.actor = "admin";
  move.action = "approve";
  auto moved = committer_->Relocate(*item, lib_ / "faces/bob", move);
  ASSERT_FALSE(moved.ok());
  EXPECT_NE(
      moved.status().message().find(
          "the catalog could not record the move, so nothing was changed (review/unidentified/f.jpg is where it was)"),
      std::string::npos)
      << moved.status().message();
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/f.jpg"));
  EXPECT_FALSE(fs::exists(lib_ / "faces/bob/f.jpg"));
  EXPECT_EQ(catalog_->GetItem(placed->item_id)->path, "review/unidentified/f.jpg");
  // Nothing for recovery to do: a later start finds the library as it is.
  committer_.reset();
  journal_.reset();
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rolled_forward, 0);
  EXPECT_TRUE(report->problems.empty());
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/f.jpg"));
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
  f.match.kind = model::MatchKind::kLowConfidence;
  f.match.person = "eve";
  f.match.distance = 0.55;
  f.match.confidence = 0.5;
  f.match.candidates = {{"eve", 0.55, 0.5}, {"mallory", 0.71, 0.22}};
  c.faces = {f};
  c.references = {{0, "eve", {0.75f, -0.5f}, "item:9"}};
  in.change = c;
  auto out = DecodeIntent(EncodeIntent(in));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->change->item.fingerprint.phash, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(out->change->item.fingerprint.phash_center, 0x1234u);
  EXPECT_EQ(out->change->item.duplicate_of, 3);
  EXPECT_EQ(out->change->faces.at(0).match.person, "eve");
  ASSERT_EQ(out->change->faces.at(0).match.candidates.size(), 2u);
  EXPECT_EQ(out->change->faces.at(0).match.candidates[1].person, "mallory");
  EXPECT_FLOAT_EQ(out->change->faces.at(0).embedding[1], -1.25f);
  ASSERT_EQ(out->change->references.size(), 1u);
  EXPECT_EQ(out->change->references[0].person, "eve");
  EXPECT_EQ(out->change->references[0].source, "item:9");
  EXPECT_FLOAT_EQ(out->change->references[0].embedding[1], -0.5f);
  EXPECT_EQ(DecodeIntent("{not json").status().code(), base::Code::kCorrupt);
}

// Group commit (PlaceAll).
// A purge whose file cannot be deleted (here a folder with something in it stands where the file was; in life an
// immutable file or a read-only trash) did not happen: the item stays, and recovery finishes nothing in the catalog.
TEST_F(CommitterTest, APurgeThatCannotDeleteTheFileChangesNothingAndRecoveryLeavesIt) {
  auto staged = committer_->StageCopy(Input("g.jpg", "x"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / "review/unidentified", "g.jpg", Change("review"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  const model::ItemRecord item = *catalog_->GetItem(placed->item_id);
  fs::remove(lib_ / item.path);
  fs::create_directories(lib_ / item.path / "inside");
  base::Status purged = committer_->Purge(item, "admin", "purged by admin", 500);
  ASSERT_FALSE(purged.ok());
  EXPECT_NE(purged.message().find("cannot delete"), std::string::npos) << purged.message();
  EXPECT_NE(purged.message().find("nothing was changed"), std::string::npos) << purged.message();
  EXPECT_TRUE(catalog_->GetItem(item.id).ok());
  committer_.reset();
  journal_.reset();
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rolled_forward, 0);
  EXPECT_TRUE(catalog_->GetItem(item.id).ok()) << "recovery deleted the item of a file still there";
}

// A purge works from a list read before it (a long purge, a CLI beside a server): a photo restored out of the trash
// since, by another process, is left where it went, its catalog entry too.
TEST_F(CommitterTest, APurgeLeavesAPhotoRestoredMeanwhile) {
  auto staged = committer_->StageCopy(Input("r.jpg", "restored"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / ".triage/trash", "r.jpg", Change("trash"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  const model::ItemRecord listed = *catalog_->GetItem(placed->item_id);  // as the purge read it
  catalog::CatalogChange restore;
  restore.item.location = "review";
  restore.item.category = "unidentified";
  restore.action = "restore";
  ASSERT_TRUE(committer_->Relocate(listed, lib_ / "review/unidentified", restore).ok());
  base::Status purged = committer_->Purge(listed, "cli", "in trash longer than 30 days", 900);
  EXPECT_EQ(purged.code(), base::Code::kConflict) << purged.ToString();
  EXPECT_NE(purged.message().find("moved meanwhile"), std::string::npos) << purged.message();
  ASSERT_TRUE(catalog_->GetItem(listed.id).ok()) << "the restored photo's entry was deleted";
  EXPECT_EQ(catalog_->GetItem(listed.id)->path, "review/unidentified/r.jpg");
  EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/r.jpg"));
}

// A trashed photo whose file is not there: while another process's journal holds a move of it (its file moved, the
// catalog not yet told), the purge leaves it; once no process moves it, it was deleted outside triage and goes.
TEST_F(CommitterTest, APurgeOfAMissingFileWaitsForAMoveInFlight) {
  auto staged = committer_->StageCopy(Input("m.jpg", "moving"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / ".triage/trash", "m.jpg", Change("trash"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  const model::ItemRecord item = *catalog_->GetItem(placed->item_id);
  auto other = Journal::Open(lib_ / ".triage", "otherhost");  // a live process, on this host or another
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  Intent moving;
  moving.kind = Intent::Kind::kCommit;
  moving.id = "restore1";
  moving.from = lib_ / item.path;
  moving.to = lib_ / "review/unidentified/m.jpg";
  catalog::CatalogChange change = Change("review");
  change.item.id = item.id;
  moving.change = change;
  ASSERT_TRUE((*other)->Record(moving).ok());
  fs::create_directories(moving.to.parent_path());
  fs::rename(moving.from, moving.to);  // moved; the catalog not yet told
  EXPECT_TRUE(ItemInFlight(lib_ / ".triage", item.id));
  EXPECT_FALSE(ItemInFlight(lib_ / ".triage", item.id + 1));
  EXPECT_EQ(committer_->Purge(item, "cli", "old", 900).code(), base::Code::kConflict);
  EXPECT_TRUE(catalog_->GetItem(item.id).ok());
  // A restore here meanwhile says what is going on, not "moved or deleted outside triage".
  catalog::CatalogChange restore = Change("review");
  restore.action = "restore";
  auto restored = committer_->Relocate(item, lib_ / "review/unidentified", restore);
  EXPECT_EQ(restored.status().code(), base::Code::kConflict);
  EXPECT_NE(restored.status().message().find("being moved or purged by another triage process"), std::string::npos)
      << restored.status().ToString();
  ASSERT_TRUE((*other)->Done(moving.id).ok());
  fs::remove(moving.to);  // as if deleted by hand, and no move of it open
  EXPECT_FALSE(ItemInFlight(lib_ / ".triage", item.id));
  EXPECT_TRUE(committer_->Purge(item, "cli", "old", 900).ok());
  EXPECT_EQ(catalog_->GetItem(item.id).status().code(), base::Code::kNotFound);
}

// A purge recorded by a process that died before deleting: recovery deletes file and item; when the file cannot be
// deleted, the purge is rolled back (the item stays in the catalog) instead of being finished in the catalog alone.
TEST_F(CommitterTest, RecoveryRollsAPurgeBackWhenItsFileCannotBeDeleted) {
  auto staged = committer_->StageCopy(Input("h.jpg", "x"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / "review/unidentified", "h.jpg", Change("review"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  const int64_t id = placed->item_id;
  auto other = Journal::Open(lib_ / ".triage");
  Intent in;
  in.kind = Intent::Kind::kPurge;
  in.id = "purge1";
  in.from = lib_ / "review/unidentified/h.jpg";
  catalog::CatalogChange change;
  change.item.id = id;
  change.actor = "admin";
  change.reason = "purged";
  change.at = 600;
  in.change = change;
  ASSERT_TRUE((*other)->Record(in).ok());
  other->reset();
  fs::remove(in.from);
  fs::create_directories(in.from / "inside");  // cannot be deleted by a file's unlink
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rolled_forward, 0);
  EXPECT_EQ(report->rolled_back, 1);
  EXPECT_TRUE(catalog_->GetItem(id).ok());
  fs::remove_all(in.from);  // now it can: the same kind of entry is finished
  in.id = "purge2";
  other = Journal::Open(lib_ / ".triage");
  ASSERT_TRUE((*other)->Record(in).ok());
  other->reset();
  std::ofstream(in.from) << "x";
  report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rolled_forward, 1);
  EXPECT_EQ(catalog_->GetItem(id).status().code(), base::Code::kNotFound);
  EXPECT_FALSE(fs::exists(in.from));
}

// Two processes deciding one item: the one that read the item before the other moved it is told it was decided
// meanwhile (a conflict naming where it is now), not that a rename failed or that the file was moved by hand.
TEST_F(CommitterTest, ARelocationOfAnItemMovedMeanwhileIsAConflictNamingWhereItIsNow) {
  auto staged = committer_->StageCopy(Input("k.jpg", "x"), nullptr);
  auto placed = committer_->Place(*staged, lib_ / "review/unidentified", "k.jpg", Change("review"));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  const model::ItemRecord stale = *catalog_->GetItem(placed->item_id);
  catalog::CatalogChange move;
  move.item.location = "library";
  move.item.person = "bob";
  move.actor = "admin";
  move.action = "approve";
  ASSERT_TRUE(committer_->Relocate(stale, lib_ / "faces/bob", move).ok());
  move.item.person = "ann";
  auto second = committer_->Relocate(stale, lib_ / "faces/ann", move);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), base::Code::kConflict);
  EXPECT_NE(second.status().message().find("decided meanwhile by somebody else (it is now at faces/bob/k.jpg)"),
            std::string::npos)
      << second.status().message();
  EXPECT_EQ(catalog_->GetItem(stale.id)->path, "faces/bob/k.jpg");
  EXPECT_FALSE(fs::exists(lib_ / "faces/ann"));
}

class PlaceAllTest : public CommitterTest {
 protected:
  Placement Copied(const std::string& name, const std::string& content, const std::string& dest) {
    auto staged = committer_->StageCopy(Input(name, content), nullptr);
    EXPECT_TRUE(staged.ok());
    return {*staged, lib_ / dest, name, Change("review")};
  }
  // Journal entries of the live session (a finished group leaves none).
  int OpenEntries() {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(lib_ / ".triage/journal"))
      n += e.path().extension() == ".json";
    return n;
  }
};

TEST_F(PlaceAllTest, NamesGetTheExtensionOfTheirFormat) {
  std::vector<Placement> group;
  for (const char* name : {"...", "a.txt", " "}) {
    group.push_back(Copied(name[0] == ' ' ? "blank" : (name[0] == '.' ? "dots" : name), "jpeg bytes", "review/x"));
    group.back().name = name;
    group.back().change.item.info.format = "jpeg";
  }
  auto placed = committer_->PlaceAll(std::move(group));
  ASSERT_EQ(placed.size(), 3u);
  const char* expected[] = {"review/x/image.jpg", "review/x/a.jpg", "review/x/image_1.jpg"};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(placed[i].ok()) << placed[i].status().ToString();
    EXPECT_EQ(catalog_->GetItem(placed[i]->item_id)->path, expected[i]);
    EXPECT_TRUE(fs::exists(lib_ / expected[i]));
  }
}

TEST_F(PlaceAllTest, PlacesEveryInputUnderDistinctNamesAndClosesTheEntry) {
  fs::create_directories(lib_ / "review/unidentified");
  std::ofstream(lib_ / "review/unidentified/a.jpg") << "already there";
  std::vector<Placement> group;
  for (const char* content : {"one", "two", "three"}) group.push_back(Copied("a.jpg", content, "review/unidentified"));
  auto placed = committer_->PlaceAll(std::move(group));
  ASSERT_EQ(placed.size(), 3u);
  const char* expected[] = {"review/unidentified/a_1.jpg", "review/unidentified/a_2.jpg",
                            "review/unidentified/a_3.jpg"};
  const char* contents[] = {"one", "two", "three"};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(placed[i].ok()) << placed[i].status().ToString();
    EXPECT_EQ(catalog_->GetItem(placed[i]->item_id)->path, expected[i]);
    EXPECT_EQ(*base::ReadFile(lib_ / expected[i]), contents[i]);
  }
  EXPECT_EQ(*base::ReadFile(lib_ / "review/unidentified/a.jpg"), "already there");
  EXPECT_EQ(OpenEntries(), 0);
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

// A staged copy is made durable when its group is placed, before the journal names it; one that cannot be synced
// (here: gone) is reported and left out, and the rest of the group is placed.
TEST_F(PlaceAllTest, StagedCopiesAreSyncedWhenPlacedAndOneThatCannotBeIsLeftOut) {
  std::vector<Placement> group = {Copied("s1.jpg", "one", "review/unidentified"),
                                  Copied("s2.jpg", "two", "review/unidentified")};
  EXPECT_FALSE(group[0].staged.synced);  // a copy's bytes are not yet durable while it waits in staging
  const std::string gone = group[1].staged.path.filename().string();
  fs::remove(group[1].staged.path);
  auto placed = committer_->PlaceAll(std::move(group));
  ASSERT_EQ(placed.size(), 2u);
  ASSERT_TRUE(placed[0].ok()) << placed[0].status().ToString();
  EXPECT_EQ(*base::ReadFile(lib_ / "review/unidentified/s1.jpg"), "one");
  ASSERT_FALSE(placed[1].ok());
  EXPECT_NE(placed[1].status().message().find(gone), std::string::npos) << placed[1].status().ToString();
  EXPECT_FALSE(fs::exists(lib_ / "review/unidentified/s2.jpg"));
  auto items = catalog_->ListItems({});
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 1u);
  EXPECT_EQ(OpenEntries(), 0);
}

TEST_F(PlaceAllTest, MovedInputsCloseTheirStageIntents) {
  std::vector<Placement> group;
  for (const char* name : {"m1.jpg", "m2.jpg"}) {
    auto staged = StageMove(*committer_, Input(name, name));
    ASSERT_TRUE(staged.ok());
    group.push_back({*staged, lib_ / "review/unidentified", name, Change("review")});
  }
  EXPECT_EQ(OpenEntries(), 2);  // the stage intents
  auto placed = committer_->PlaceAll(std::move(group));
  ASSERT_TRUE(placed[0].ok() && placed[1].ok());
  EXPECT_EQ(OpenEntries(), 0);
  EXPECT_FALSE(fs::exists(lib_ / "in/m1.jpg"));
  EXPECT_EQ(*base::ReadFile(lib_ / "review/unidentified/m2.jpg"), "m2.jpg");
}

// Inputs to move get their names in staging ahead, their intents in one shared entry: it stays until the last input
// it names is placed or given back. Moved in that way, an input's rename is made durable when its group is placed.
TEST_F(PlaceAllTest, InputsMovedWithReservedSlotsShareOneEntryClosedByTheLastOfThem) {
  const std::vector<fs::path> in = {Input("m1.jpg", "one"), Input("m2.jpg", "two"), Input("m3.jpg", "three")};
  auto slots = committer_->ReserveMoves(in);
  ASSERT_TRUE(slots.ok()) << slots.status().ToString();
  ASSERT_EQ(slots->size(), 3u);
  EXPECT_EQ(OpenEntries(), 1);
  std::vector<Placement> group;
  for (size_t i = 0; i < 2; ++i) {
    auto staged = committer_->StageMove(in[i], *base::StampOf(in[i]), nullptr, nullptr, &(*slots)[i]);
    ASSERT_TRUE(staged.ok()) << staged.status().ToString();
    EXPECT_EQ(staged->path, (*slots)[i].to);
    EXPECT_FALSE(staged->folder_synced);
    EXPECT_FALSE(fs::exists(in[i]));
    group.push_back({*staged, lib_ / "review/unidentified", in[i].filename().string(), Change("review")});
  }
  committer_->Release((*slots)[2]);  // m3 is not staged after all
  EXPECT_EQ(OpenEntries(), 1) << "m1 and m2 are still in staging";
  auto placed = committer_->PlaceAll(std::move(group));
  ASSERT_TRUE(placed[0].ok() && placed[1].ok());
  EXPECT_EQ(OpenEntries(), 0);
  EXPECT_EQ(*base::ReadFile(lib_ / "review/unidentified/m1.jpg"), "one");
  EXPECT_EQ(*base::ReadFile(lib_ / "review/unidentified/m2.jpg"), "two");
  EXPECT_EQ(*base::ReadFile(in[2]), "three");
}

// A process that dies with inputs moved in under a shared entry: recovery returns the one still in staging, leaves
// the placed one placed and the one never moved where it is, and counts only what it returned.
TEST_F(CommitterTest, RecoveryReturnsWhatASharedStageEntryLeftInStaging) {
  const std::vector<fs::path> in = {Input("p.jpg", "placed"), Input("s.jpg", "staged"), Input("n.jpg", "never")};
  {
    auto other = Journal::Open(lib_ / ".triage");
    Committer c(**other, *catalog_, lib_);
    auto slots = c.ReserveMoves(in);
    ASSERT_TRUE(slots.ok());
    auto placed = c.StageMove(in[0], *base::StampOf(in[0]), nullptr, nullptr, &(*slots)[0]);
    auto staged = c.StageMove(in[1], *base::StampOf(in[1]), nullptr, nullptr, &(*slots)[1]);
    ASSERT_TRUE(placed.ok() && staged.ok());
    ASSERT_TRUE(c.Place(*placed, lib_ / "review/unidentified", "p.jpg", Change("review")).ok());
  }  // dies: the lock is released, the entry stays
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rolled_back, 1);
  EXPECT_TRUE(report->problems.empty());
  EXPECT_EQ(*base::ReadFile(in[1]), "staged");
  EXPECT_EQ(*base::ReadFile(in[2]), "never");
  EXPECT_FALSE(fs::exists(in[0]));
  EXPECT_EQ(*base::ReadFile(lib_ / "review/unidentified/p.jpg"), "placed");
  for (const fs::path& f : FilesUnder(lib_ / ".triage/journal")) EXPECT_NE(f.extension(), ".json") << f;
}

TEST_F(PlaceAllTest, OneBadChangeFailsAloneAndAnUnmovedInputIsLeftOutOfTheEntry) {
  // The catalog holds a row at the path the second input will take (its file is gone): its change must fail.
  catalog::CatalogChange taken = Change("review");
  taken.journal_id = "earlier";
  taken.item.path = "review/unidentified/b.jpg";
  ASSERT_TRUE(catalog_->Apply(taken).ok());
  std::vector<Placement> group = {Copied("a.jpg", "A", "review/unidentified"),
                                  Copied("b.jpg", "B", "review/unidentified"),
                                  Copied("c.jpg", "C", "review/unidentified")};
  fs::remove(group[2].staged.path);  // the third input's staged file vanished: it cannot be moved
  auto placed = committer_->PlaceAll(std::move(group));
  ASSERT_EQ(placed.size(), 3u);
  ASSERT_TRUE(placed[0].ok()) << placed[0].status().ToString();
  EXPECT_EQ(placed[1].status().code(), base::Code::kAlreadyExists);
  EXPECT_FALSE(placed[2].ok());
  EXPECT_EQ(catalog_->GetItem(placed[0]->item_id)->path, "review/unidentified/a.jpg");
  EXPECT_EQ(OpenEntries(), 1);  // kept for recovery: the second input moved, its change not applied
  // The entry no longer promises the third input: recovery finds only the second one to settle.
  journal_.reset();
  committer_.reset();
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0].find("neither"), std::string::npos) << report->problems[0];
  EXPECT_EQ(report->rolled_forward, 1);  // the first input: applied already, nothing to do
}

// A dead session's commit whose staged file was deleted from its staging folder by hand can never be recorded: it is
// reported once and dropped, not kept as an unsettled move that every command warns of for good. One naming a
// staging folder that is not where this session's is now (the library moved) is kept.
TEST_F(CommitterTest, ACommitWhoseStagedFileIsGoneIsDroppedOnceButOneOfAnotherFolderIsKept) {
  journal_.reset();
  committer_.reset();
  fs::path session;
  {
    auto dead = Journal::Open(lib_ / ".triage");
    ASSERT_TRUE(dead.ok());
    session = (*dead)->staging_dir();
    for (const auto& [id, from] : {std::pair<std::string, fs::path>{"gone", session / "gone.jpg"},
                                   {"elsewhere", lib_ / "moved-away/.triage/staging/x/other.jpg"}}) {
      Intent in;
      in.kind = Intent::Kind::kCommit;
      in.id = id;
      in.from = from;
      in.to = lib_ / "review/unidentified" / from.filename();
      catalog::CatalogChange change = Change("review");
      change.item.path = "review/unidentified/" + from.filename().string();
      in.change = change;
      ASSERT_TRUE((*dead)->Record(in).ok());
    }
  }
  auto report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 2u);
  ASSERT_EQ(report->unsettled.size(), 1u);
  EXPECT_NE(report->unsettled[0].find("journal entry elsewhere"), std::string::npos) << report->unsettled[0];
  const std::string dropped =
      report->problems[0].find("journal entry gone") == 0 ? report->problems[0] : report->problems[1];
  EXPECT_NE(dropped.find("nothing to record, dropped"), std::string::npos) << dropped;
  // The next run reports only the one it keeps.
  report = Recover(lib_ / ".triage", *catalog_);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_NE(report->problems[0].find("journal entry elsewhere"), std::string::npos);
}

// A library copied (cp -a) with an interrupted run in its journal: the copy's recovery once moved the original
// library's staged file into the original's review folder (the journal holds absolute paths). The copy leaves the
// session to the original, which settles it; a library moved (mv) settles it at its new place.
TEST_F(CommitterTest, AnInterruptedRunOfACopiedLibraryIsLeftToTheOriginalAndAMovedOneIsSettledWhereItIsNow) {
  journal_.reset();
  committer_.reset();
  catalog_.reset();
  // A dead session of lib_ with one placement recorded and not done: the staged file, the intent to place it.
  const auto interrupt = [&](const std::string& name) {
    auto dead = Journal::Open(lib_ / ".triage");
    ASSERT_TRUE(dead.ok());
    std::ofstream((*dead)->staging_dir() / name) << name;
    Intent in;
    in.kind = Intent::Kind::kCommit;
    in.id = "place-" + name;
    in.from = (*dead)->staging_dir() / name;
    in.to = lib_ / "review/unidentified" / name;
    catalog::CatalogChange change = Change("review");
    change.journal_id = in.id;
    change.item.path = "review/unidentified/" + name;
    in.change = change;
    ASSERT_TRUE((*dead)->Record(in).ok());
  };
  interrupt("a.jpg");
  const fs::path copy = lib_.string() + "-copy";
  fs::copy(lib_, copy, fs::copy_options::recursive);
  {
    auto copied_catalog = catalog::sqlite::SqliteCatalog::Open(copy / ".triage/catalog.db");
    ASSERT_TRUE(copied_catalog.ok());
    auto report = Recover(copy / ".triage", **copied_catalog);
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->problems.size(), 1u);
    EXPECT_NE(report->problems[0].find("which this folder was copied from"), std::string::npos) << report->problems[0];
    EXPECT_EQ(report->rolled_forward, 0);
  }
  EXPECT_FALSE(fs::exists(lib_ / "review/unidentified/a.jpg")) << "the copy moved the original's file";
  EXPECT_TRUE(FilesUnder(copy / "review").empty());
  EXPECT_TRUE(FilesUnder(copy / ".triage/journal").empty());
  fs::remove_all(copy);
  {
    auto own = catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db");
    ASSERT_TRUE(own.ok());
    auto report = Recover(lib_ / ".triage", **own);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->problems.empty()) << report->problems[0];
    EXPECT_EQ(report->rolled_forward, 1);
    EXPECT_EQ(*base::ReadFile(lib_ / "review/unidentified/a.jpg"), "a.jpg");
  }
  // Moved: the old folder is gone; the session's paths are read at the new one.
  interrupt("b.jpg");
  const fs::path moved = lib_.string() + "-moved";
  fs::rename(lib_, moved);
  {
    auto moved_catalog = catalog::sqlite::SqliteCatalog::Open(moved / ".triage/catalog.db");
    ASSERT_TRUE(moved_catalog.ok());
    auto report = Recover(moved / ".triage", **moved_catalog);
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->problems.empty()) << report->problems[0];
    EXPECT_EQ(report->rolled_forward, 1);
    auto item = (*moved_catalog)->FindByPath("review/unidentified/b.jpg");
    ASSERT_TRUE(item.ok() && item->has_value());
  }
  EXPECT_EQ(*base::ReadFile(moved / "review/unidentified/b.jpg"), "b.jpg");
  fs::rename(moved, lib_);
}

TEST_F(CommitterTest, EmptyFoldersAreRemovedUpToTheRootAndNoFurther) {
  const fs::path photos = lib_ / "photos";
  fs::create_directories(photos / "2024/05");
  fs::create_directories(photos / "2023/01");
  std::ofstream(photos / "2023/01/a.jpg") << "a";
  fs::create_directories(lib_ / "faces/bob");
  RemoveEmptyFoldersWithin(photos / "2024/05", photos / "");  // a root written with a trailing slash is the same
  EXPECT_FALSE(fs::exists(photos / "2024"));
  EXPECT_TRUE(fs::is_directory(photos));                 // the root stays, even when it is empty of dates now
  RemoveEmptyFoldersWithin(photos / "2023/01", photos);  // a folder with a photo stays, and so do those above it
  EXPECT_TRUE(fs::exists(photos / "2023/01/a.jpg"));
  RemoveEmptyFoldersWithin(lib_ / "faces/bob", photos);  // outside the root: left alone
  EXPECT_TRUE(fs::is_directory(lib_ / "faces/bob"));
  RemoveEmptyFoldersWithin(fs::path("faces/bob"), photos);  // paths that cannot be compared: left alone
  EXPECT_TRUE(fs::is_directory(lib_ / "faces/bob"));
  RemoveEmptyFoldersWithin(photos, photos);  // the root itself is never removed
  fs::remove(photos / "2023/01/a.jpg");
  RemoveEmptyFoldersWithin(photos / "2023/01", photos);
  EXPECT_FALSE(fs::exists(photos / "2023"));
  EXPECT_TRUE(fs::is_directory(photos));
}

}  // namespace
}  // namespace triage::commit
