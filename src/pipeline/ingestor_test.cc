// Specification of the intake pipeline's orchestration against a real SQLite catalog in a temporary library:
// input order, in-batch duplicates, other processes' changes, catalog failures and exceptions from a stage.
#include "pipeline/ingestor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include "base/files.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "commit/journal.h"
#include "fingerprint/sha256.h"
#include "pipeline/analyse.h"
#include "pipeline/duplicate_index.h"
#include "review/review_service.h"
#include "vision/decode.h"
#include "vision/near_duplicate_check.h"

namespace triage::pipeline {
namespace {

namespace fs = std::filesystem;

fs::path Fixture(const std::string& name) { return fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces" / name; }

// What one process holds of a library: its own catalog connection, journal session, committer and ingestor.
struct Process {
  std::unique_ptr<config::ConfigStore> config;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<commit::Journal> journal;
  std::unique_ptr<commit::Committer> committer;
  std::unique_ptr<Ingestor> ingestor;
};

// A catalog whose exact-duplicate lookup fails on demand; everything else is the real SQLite catalog.
class FailingLookupCatalog final : public catalog::Catalog {
 public:
  explicit FailingLookupCatalog(std::unique_ptr<catalog::Catalog> real) : real_(std::move(real)) {}
  std::atomic<bool> fail_lookups{false};
  std::atomic<bool> fail_writes{false};  // every item change fails, as on a full disk

  base::Result<std::optional<int64_t>> FindBySha256(const std::string& sha256) override {
    if (fail_lookups) return base::Status::Unavailable("database is locked");
    return real_->FindBySha256(sha256);
  }
  base::Result<std::optional<int64_t>> FindByOriginalPath(const std::string& p) override {
    return real_->FindByOriginalPath(p);
  }
  base::Result<int64_t> Apply(const catalog::CatalogChange& c) override {
    if (fail_writes) return base::Status::Io("database or disk is full");
    return real_->Apply(c);
  }
  std::atomic<int> group_commits{0};  // ApplyAll calls: one per group placed
  base::Result<std::vector<int64_t>> ApplyAll(const std::vector<catalog::CatalogChange>& c) override {
    group_commits++;
    if (fail_writes) return base::Status::Io("database or disk is full");
    return real_->ApplyAll(c);
  }
  base::Result<bool> WasApplied(const std::string& id) override { return real_->WasApplied(id); }
  base::Result<model::ItemRecord> GetItem(int64_t id) override { return real_->GetItem(id); }
  base::Result<std::optional<model::ItemRecord>> FindByPath(const std::string& p) override {
    return real_->FindByPath(p);
  }
  base::Result<std::vector<catalog::HashEntry>> AllPerceptualHashes() override { return real_->AllPerceptualHashes(); }
  base::Result<catalog::HashChanges> PerceptualHashSnapshot() override { return real_->PerceptualHashSnapshot(); }
  base::Result<catalog::HashChanges> PerceptualHashChangesSince(int64_t c) override {
    return real_->PerceptualHashChangesSince(c);
  }
  base::Result<std::optional<model::StoredAnalysis>> GetAnalysis(int64_t id) override { return real_->GetAnalysis(id); }
  base::Result<std::vector<uint8_t>> NearDuplicateSignature(int64_t id) override {
    return real_->NearDuplicateSignature(id);
  }
  base::Result<std::vector<catalog::AnalysedItem>> ListAnalysedItems(int64_t after, int limit) override {
    return real_->ListAnalysedItems(after, limit);
  }
  base::Result<std::vector<catalog::StoredAnalysisRow>> ListStoredAnalyses(int64_t after, int limit,
                                                                           catalog::AnalysisParts parts) override {
    return real_->ListStoredAnalyses(after, limit, parts);
  }
  base::Status UpdateAnalyses(const std::vector<catalog::StoredAnalysisRow>& rows) override {
    return real_->UpdateAnalyses(rows);
  }
  base::Result<std::vector<model::ItemRecord>> ListItems(const catalog::ItemFilter& f) override {
    return real_->ListItems(f);
  }
  base::Result<int64_t> CountItems(const catalog::ItemFilter& f) override { return real_->CountItems(f); }
  base::Result<std::vector<model::Face>> FacesOf(int64_t id) override { return real_->FacesOf(id); }
  base::Result<model::ReviewEntry> PendingReview(int64_t id) override { return real_->PendingReview(id); }
  base::Status SkipReview(int64_t id, const std::string& a, int64_t at) override {
    return real_->SkipReview(id, a, at);
  }
  base::Result<catalog::Stats> GetStats(int64_t s) override { return real_->GetStats(s); }
  base::Result<std::vector<catalog::DayStats>> GetDailyStats(int64_t s) override { return real_->GetDailyStats(s); }
  base::Status AddAudit(const model::AuditEntry& e) override { return real_->AddAudit(e); }
  base::Result<std::vector<model::AuditEntry>> ListAuditEntries(const catalog::AuditQuery& q) override {
    return real_->ListAuditEntries(q);
  }
  base::Result<int64_t> AddPerson(const std::string& n, int64_t at) override { return real_->AddPerson(n, at); }
  base::Result<std::vector<model::PersonRecord>> ListPersons() override { return real_->ListPersons(); }
  base::Status SetPersonDisplayName(const std::string& n, const std::string& d) override {
    return real_->SetPersonDisplayName(n, d);
  }
  base::Status RemovePerson(const std::string& n) override { return real_->RemovePerson(n); }
  base::Result<int64_t> AddReference(const model::PersonReference& r) override { return real_->AddReference(r); }
  base::Result<std::vector<model::PersonReference>> AllReferences() override { return real_->AllReferences(); }
  base::Result<std::vector<model::ItemRecord>> TrashedBefore(int64_t b) override { return real_->TrashedBefore(b); }
  base::Status DeleteItem(const model::AuditEntry& a, const std::string& at) override {
    return real_->DeleteItem(a, at);
  }

 private:
  std::unique_ptr<catalog::Catalog> real_;
};

class IngestorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("triage_ingestor_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(lib_);
    fs::create_directories(lib_ / ".triage");
    fs::create_directories(in_);
    nlohmann::json doc = config::DefaultConfigJson();
    doc["analysis"]["faces"] = false;
    ASSERT_TRUE(config::SaveConfigJson(lib_, doc).ok());
  }
  void TearDown() override {
    fs::remove_all(lib_);
    fs::remove_all(in_);
  }

  Process Open(AnalyseFn analyse = nullptr, bool failing_lookups = false) {
    Process p;
    p.config = std::move(*config::ConfigStore::Open(lib_));
    auto sqlite = catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db");
    EXPECT_TRUE(sqlite.ok());
    if (failing_lookups)
      p.catalog = std::make_unique<FailingLookupCatalog>(std::move(*sqlite));
    else
      p.catalog = std::move(*sqlite);
    p.journal = std::move(*commit::Journal::Open(lib_ / ".triage"));
    p.committer = std::make_unique<commit::Committer>(*p.journal, *p.catalog, lib_);
    p.ingestor = std::make_unique<Ingestor>(*p.config, *p.catalog, *p.committer, nullptr, std::move(analyse));
    return p;
  }

  fs::path Input(const std::string& fixture, const std::string& as) {
    fs::copy_file(Fixture(fixture), in_ / as, fs::copy_options::overwrite_existing);
    return in_ / as;
  }
  // A half-size re-encoded copy: a near duplicate of `fixture`.
  fs::path NearCopy(const std::string& fixture, const std::string& as) {
    EXPECT_TRUE(vision::WriteJpegThumbnail(Fixture(fixture), in_ / as, 256, vision::DecodeOptions{}.max_pixels).ok());
    return in_ / as;
  }
  static IngestSummary Ingest(Process& p, const std::vector<fs::path>& paths) {
    auto s = p.ingestor->IngestPaths(paths, {});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : IngestSummary{};
  }

  fs::path lib_;
  fs::path in_ = fs::temp_directory_path() / ("triage_ingestor_in_" + std::to_string(::getpid()));
};

TEST_F(IngestorTest, ReportsInInputOrderAndFindsDuplicatesWithinTheBatch) {
  Process p = Open();
  auto s = Ingest(p, {Input("obama.jpg", "a.jpg"), Input("biden.jpg", "b.jpg"), Input("obama.jpg", "c.jpg")});
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(fs::path(s.items[0].input).filename(), "a.jpg");
  EXPECT_EQ(fs::path(s.items[2].input).filename(), "c.jpg");
  EXPECT_EQ(s.items[0].decision.category, "unidentified");
  EXPECT_EQ(s.items[2].decision.category, "duplicates");
  EXPECT_EQ(s.items[2].decision.duplicate_of, s.items[0].item_id);
  EXPECT_EQ(s.failed, 0);
}

// An input with the same bytes as one analysed before in the batch takes that analysis instead of decoding the same
// pixels again (one analysis thread here, so that the original's analysis is done before the copy is staged); what
// is decided from it is still the copy's own. An unreadable file's copy is analysed again, its message naming it, and
// the next batch (whose config may differ) analyses anew.
TEST_F(IngestorTest, AnInputWithTheBytesOfOneAnalysedBeforeInTheBatchTakesItsAnalysis) {
  nlohmann::json doc = config::DefaultConfigJson();
  doc["analysis"]["faces"] = false;
  doc["analysis"]["threads"] = 1;
  ASSERT_TRUE(config::SaveConfigJson(lib_, doc).ok());
  std::atomic<int> analysed{0};
  Process p = Open([&](const fs::path& staged, const std::string* bytes, const config::Config& c, const FaceStage* f,
                       model::Analysis& a) {
    analysed++;
    AnalyseStaged(staged, bytes, c, f, a);
  });
  std::ofstream(in_ / "x.jpg") << "not a picture at all";
  std::ofstream(in_ / "y.jpg") << "not a picture at all";
  auto s = Ingest(p, {Input("obama.jpg", "a.jpg"), Input("biden.jpg", "b.jpg"), Input("obama.jpg", "c.jpg"),
                      Input("obama.jpg", "d.jpg"), in_ / "x.jpg", in_ / "y.jpg"});
  ASSERT_EQ(s.items.size(), 6u);
  for (size_t i = 0; i < s.items.size(); ++i) {
    ASSERT_EQ(fs::path(s.items[i].input).filename(), std::string(1, "abcdxy"[i]) + ".jpg");
  }
  EXPECT_EQ(analysed.load(), 4) << "a, b, x and y analysed; c and d took a's analysis";
  for (size_t i : {2u, 3u}) {
    EXPECT_EQ(s.items[i].decision.category, "duplicates") << s.items[i].input;
    EXPECT_EQ(s.items[i].decision.duplicate_of, s.items[0].item_id) << s.items[i].input;
  }
  auto original = p.catalog->GetAnalysis(s.items[0].item_id);
  auto copy = p.catalog->GetAnalysis(s.items[3].item_id);
  ASSERT_TRUE(original.ok() && copy.ok() && *original && *copy);
  EXPECT_TRUE((*copy)->analysis.readable);
  EXPECT_EQ((*copy)->analysis.info.width, (*original)->analysis.info.width);
  EXPECT_EQ((*copy)->analysis.sharpness, (*original)->analysis.sharpness);
  EXPECT_EQ(p.catalog->GetItem(s.items[3].item_id)->fingerprint.phash,
            p.catalog->GetItem(s.items[0].item_id)->fingerprint.phash);
  EXPECT_EQ(s.items[5].decision.category, "unreadable");
  const std::string why = s.items[5].decision.Summary();
  EXPECT_EQ(why.find("x.jpg"), std::string::npos) << why;

  auto again = Ingest(p, {Input("obama.jpg", "e.jpg")});
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_EQ(again.items[0].decision.category, "duplicates");
  EXPECT_EQ(analysed.load(), 5) << "a new batch analyses again";
}

// Two intakes of one library (two `ingest --move`, `watch` beside an ingest) list the same file; the one that finds
// it gone when it comes to read it passes it over instead of reporting a failure: nothing of it was lost.
TEST_F(IngestorTest, AFileGoneBeforeItWasReadIsSkippedNotFailed) {
  nlohmann::json doc = config::DefaultConfigJson();
  doc["analysis"]["faces"] = false;
  doc["intake"]["settle_ms"] = 1500;  // the file is listed, then watched this long before it is read
  ASSERT_TRUE(config::SaveConfigJson(lib_, doc).ok());
  Process p = Open();
  const fs::path kept = Input("obama.jpg", "kept.jpg");
  const fs::path taken = Input("biden.jpg", "taken.jpg");
  std::thread other_intake([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    fs::remove(taken);
  });
  auto s = Ingest(p, {kept, taken});
  other_intake.join();
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.to_library + s.to_review, 1);
  EXPECT_EQ(s.total, 1) << "a skipped input is not counted in total";
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_TRUE(s.items[0].ok);
  EXPECT_FALSE(s.items[1].ok);
  EXPECT_TRUE(s.items[1].error.ok()) << s.items[1].error.ToString();
  EXPECT_NE(s.items[1].skipped.find("gone before it was read"), std::string::npos) << s.items[1].skipped;
  // A file that is there but cannot be read is still a failure, named as one.
  const fs::path locked = Input("obama2.jpg", "locked.jpg");
  fs::permissions(locked, fs::perms::none);
  if (::access(locked.c_str(), R_OK) != 0) {  // (root reads it anyway)
    auto again = Ingest(p, {locked});
    EXPECT_EQ(again.failed, 1);
    EXPECT_EQ(again.skipped, 0);
  }
}

// Copied or moved, an input is read once (hashed, staged and decoded from the same bytes): what the catalog stores
// of it is what hashing and analysing the file on its own give.
TEST_F(IngestorTest, AnInputReadOnceGetsTheHashAndFingerprintOfItsFile) {
  Process p = Open();
  const std::vector<std::string> names = {"obama.jpg", "skimage_coffee.jpg", "skimage_astronaut.jpg"};
  for (bool move : {false, true}) {
    SCOPED_TRACE(move ? "move" : "copy");
    std::vector<fs::path> inputs;
    for (const std::string& name : names) inputs.push_back(Input(name, (move ? "m-" : "c-") + name));
    IngestOptions options;
    options.move = move;
    auto s = p.ingestor->IngestPaths(inputs, options);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_EQ(s->items.size(), names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      const fs::path input = s->items[i].input;
      const std::string fixture = input.filename().string().substr(2);  // without "c-" or "m-"
      SCOPED_TRACE(fixture);
      ASSERT_TRUE(s->items[i].ok) << s->items[i].error.ToString();
      model::Analysis alone;
      auto sha = fingerprint::Sha256OfFile(Fixture(fixture));
      ASSERT_TRUE(sha.ok());
      AnalyseStaged(Fixture(fixture), *p.config->Current(), nullptr, alone);
      auto item = p.catalog->GetItem(s->items[i].item_id);
      ASSERT_TRUE(item.ok());
      EXPECT_EQ(item->fingerprint.sha256, *sha);
      EXPECT_EQ(item->fingerprint.size_bytes, static_cast<int64_t>(fs::file_size(Fixture(fixture))));
      EXPECT_EQ(item->fingerprint.phash, alone.fingerprint.phash);
      EXPECT_EQ(item->fingerprint.phash_center, alone.fingerprint.phash_center);
      EXPECT_EQ(item->info.width, alone.info.width);
      EXPECT_EQ(item->info.height, alone.info.height);
      auto signature = p.catalog->NearDuplicateSignature(s->items[i].item_id);
      ASSERT_TRUE(signature.ok());
      EXPECT_TRUE(*signature == alone.fingerprint.signature);
      EXPECT_EQ(fs::exists(input), !move);
    }
  }
}

// A JPEG cut short and padded out with zeros to well past its missing data decodes without an error (the zeros read
// as image data); it is unreadable as the same file cut short without the zeros is, through the file and through its
// bytes in memory. Zeros after a whole JPEG's end, and a motion photo's video after it, leave it readable.
TEST_F(IngestorTest, AJpegCutShortAndPaddedWithZerosIsUnreadable) {
  Process p = Open();
  const std::string whole = *base::ReadFile(Fixture("obama.jpg"));
  const auto write = [&](const std::string& name, const std::string& bytes) {
    EXPECT_TRUE(base::WriteFileDurably(in_ / name, bytes).ok());
    return in_ / name;
  };
  const std::string zeros(1 << 20, '\0');
  for (const fs::path& file :
       {write("cut_padded.jpg", whole.substr(0, 20000) + zeros),
        write("header_padded.jpg", whole.substr(0, 1000) + zeros), write("cut.jpg", whole.substr(0, 20000))}) {
    SCOPED_TRACE(file.filename().string());
    const std::string bytes = *base::ReadFile(file);
    for (const std::string* in_memory : {static_cast<const std::string*>(nullptr), &bytes}) {
      model::Analysis a;
      AnalyseStaged(file, in_memory, *p.config->Current(), nullptr, a);
      EXPECT_FALSE(a.readable);
      EXPECT_EQ(a.unreadable_reason.rfind("jpeg decoder: the file ends early, as if cut off", 0), 0u)
          << a.unreadable_reason;
    }
  }
  std::string trailer = "ftypmp42";
  for (int i = 0; i < 4096; ++i) trailer += static_cast<char>(i % 251);
  trailer += std::string(16, '\0');  // a video's last bytes may be zeros too
  for (const fs::path& file : {write("zeros_after.jpg", whole + zeros), write("motion.jpg", whole + trailer)}) {
    SCOPED_TRACE(file.filename().string());
    model::Analysis a;
    AnalyseStaged(file, *p.config->Current(), nullptr, a);
    EXPECT_TRUE(a.readable) << a.unreadable_reason;
  }
  auto s = Ingest(p, {in_ / "cut_padded.jpg", in_ / "zeros_after.jpg"});
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.items[0].decision.category, "unreadable");
  EXPECT_NE(s.items[1].decision.category, "unreadable");
}

// A group is placed early only for an input that duplicates one of its waiting images: the near copy must still
// find its original, which waits in the same group when it is decided.
TEST_F(IngestorTest, FindsANearDuplicateOfAnImageWaitingInTheSameGroup) {
  Process p = Open();
  auto s = Ingest(p, {Input("obama.jpg", "a.jpg"), Input("biden.jpg", "b.jpg"), NearCopy("obama.jpg", "c.jpg"),
                      NearCopy("biden.jpg", "d.jpg")});
  ASSERT_EQ(s.items.size(), 4u);
  EXPECT_EQ(s.items[2].decision.category, "near_duplicates");
  EXPECT_EQ(s.items[2].decision.duplicate_of, s.items[0].item_id);
  EXPECT_EQ(s.items[3].decision.category, "near_duplicates");
  EXPECT_EQ(s.items[3].decision.duplicate_of, s.items[1].item_id);
  EXPECT_EQ(s.items[1].decision.category, "unidentified") << "two different people are not near duplicates";
}

// An input that may duplicate one waiting in the group is put off until the group is placed, instead of the group
// being placed early for it; the inputs after it that are no candidates of it are decided meanwhile. Every input is
// still decided as it would be one at a time, and reported in input order.
TEST_F(IngestorTest, AnInputPutOffForAWaitingOneIsDecidedAsInInputOrder) {
  const std::vector<fs::path> inputs = {Input("obama.jpg", "a.jpg"),
                                        NearCopy("obama.jpg", "b.jpg"),
                                        Input("biden.jpg", "c.jpg"),
                                        Input("obama.jpg", "d.jpg"),
                                        NearCopy("biden.jpg", "e.jpg"),
                                        Input("skimage_coffee.jpg", "f.jpg"),
                                        Input("biden.jpg", "g.jpg"),
                                        Input("vladmandic_sample1.jpg", "h.jpg"),
                                        NearCopy("vladmandic_sample1.jpg", "i.jpg")};
  // One at a time: the order of decisions an ingest must keep.
  std::vector<std::pair<std::string, std::string>> alone;  // category, name of the input it duplicates
  {
    Process p = Open();
    std::map<int64_t, std::string> name_of;
    for (const fs::path& in : inputs) {
      auto s = Ingest(p, {in});
      ASSERT_EQ(s.items.size(), 1u);
      const ItemOutcome& o = s.items[0];
      ASSERT_TRUE(o.ok) << o.error.ToString();
      name_of[o.item_id] = in.filename().string();
      alone.emplace_back(o.decision.category, o.decision.duplicate_of ? name_of[*o.decision.duplicate_of] : "");
    }
  }
  ASSERT_EQ(alone[1], std::make_pair(std::string("near_duplicates"), std::string("a.jpg")));
  ASSERT_EQ(alone[3].second, "a.jpg");
  ASSERT_EQ(alone[8], std::make_pair(std::string("near_duplicates"), std::string("h.jpg")));

  fs::remove_all(lib_ / ".triage");
  fs::create_directories(lib_ / ".triage");
  fs::remove_all(lib_ / "review");
  Process p = Open(nullptr, true);
  auto s = Ingest(p, inputs);
  ASSERT_EQ(s.items.size(), inputs.size());
  std::map<int64_t, std::string> name_of;
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(fs::path(s.items[i].input).filename(), inputs[i].filename()) << "reported in input order";
    ASSERT_TRUE(s.items[i].ok) << s.items[i].error.ToString();
    name_of[s.items[i].item_id] = inputs[i].filename().string();
  }
  EXPECT_EQ(name_of.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const model::Decision& d = s.items[i].decision;
    EXPECT_EQ(std::make_pair(d.category, d.duplicate_of ? name_of[*d.duplicate_of] : std::string()), alone[i])
        << inputs[i].filename();
  }
  // Placed early for each copy of a waiting input, the batch took five group commits (a | b c | d e f | g h | i).
  // Put off, the copies wait for the group and are decided after it: a c f h | b e i | d g (d copies a and b, g c and
  // e, so each waits for the one before it).
  EXPECT_EQ(static_cast<FailingLookupCatalog&>(*p.catalog).group_commits.load(), 3);
}

// Near duplicates join a group through any member. A tighter framing of a scene (90% of the original) is another
// picture; against a 5% crop of the original it measures a scale of only 1.05, within what a crop may change, but
// against the original 1.11. Linked to the crop it would join the original's group: it is checked against the
// group's other members as well, and stands alone, whichever came first (the crop first, the original waits as the
// crop's copy).
TEST_F(IngestorTest, AnotherFramingCloseToACropDoesNotJoinTheCropsOriginal) {
  auto crop = [&](const std::string& as, float side) {
    const float at = (512 - side) / 2;
    EXPECT_TRUE(vision::WriteJpegCrop(Fixture("skimage_astronaut.jpg"), in_ / as, {at, at, side, side}, 0, 400,
                                      vision::DecodeOptions{}.max_pixels)
                    .ok());
    return in_ / as;
  };
  // Named so that the original comes first (inputs are taken in name order): the crop then waits as its copy.
  const fs::path crop5 = crop("b-crop5.jpg", 486), reframe = crop("c-reframe.jpg", 462);
  {
    // Each on its own against the crop, the reframing passes the check: the test would not show the group rule else.
    Process p = Open();
    Ingest(p, {crop5});
    auto s = Ingest(p, {reframe});
    ASSERT_EQ(s.items.size(), 1u);
    ASSERT_EQ(s.items[0].decision.category, "near_duplicates") << "the check itself now tells them apart";
  }
  fs::remove_all(lib_ / ".triage");
  fs::create_directories(lib_ / ".triage");
  Process p = Open();
  auto s = Ingest(p, {Input("skimage_astronaut.jpg", "a-original.jpg"), crop5, reframe});
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.items[1].decision.category, "near_duplicates");
  EXPECT_EQ(s.items[1].decision.duplicate_of, s.items[0].item_id);
  EXPECT_EQ(s.items[2].decision.category, "unidentified") << "another framing is a picture of its own";
  EXPECT_FALSE(s.items[2].decision.duplicate_of.has_value());
  // A second copy of the crop still joins it: its original shows the same picture.
  auto again = Ingest(p, {NearCopy("skimage_astronaut.jpg", "half.jpg")});
  ASSERT_EQ(again.items.size(), 1u);
  EXPECT_EQ(again.items[0].decision.category, "near_duplicates");

  // The crop first: the original then waits as the crop's copy, and the reframing, which the crop alone would take
  // in, is told apart by the original.
  fs::remove_all(lib_ / ".triage");
  fs::create_directories(lib_ / ".triage");
  Process q = Open();
  auto first = Ingest(q, {crop5, Input("skimage_astronaut.jpg", "d-original.jpg"), crop("e-reframe.jpg", 462)});
  ASSERT_EQ(first.items.size(), 3u);
  EXPECT_EQ(first.items[1].decision.category, "near_duplicates");
  EXPECT_EQ(first.items[1].decision.duplicate_of, first.items[0].item_id);
  EXPECT_EQ(first.items[2].decision.category, "unidentified") << "another framing is a picture of its own";
}

// A copy keeps its original's capture time; the next frame of a burst has its own. Both look alike to the check,
// but only the copy is a near duplicate: the frame is another shot, filed as any photo is.
TEST_F(IngestorTest, ABurstFrameTakenAtAnotherInstantIsNoNearDuplicate) {
  const fs::path a = Input("obama.jpg", "a.jpg");
  const fs::path copy = NearCopy("obama.jpg", "copy.jpg");
  ASSERT_TRUE(
      vision::WriteJpegThumbnail(Fixture("obama.jpg"), in_ / "frame.jpg", 300, vision::DecodeOptions{}.max_pixels)
          .ok());
  // A frame of the same second, taken at its whole second: ".00" is a sub-second it states, not one it lost.
  ASSERT_TRUE(
      vision::WriteJpegThumbnail(Fixture("obama.jpg"), in_ / "frame0.jpg", 280, vision::DecodeOptions{}.max_pixels)
          .ok());
  const std::map<uintmax_t, std::string> taken = {{fs::file_size(a), "2024-06-01T10:00:00.30"},
                                                  {fs::file_size(copy), "2024-06-01T10:00:00.30"},
                                                  {fs::file_size(in_ / "frame.jpg"), "2024-06-01T10:00:02.10"},
                                                  {fs::file_size(in_ / "frame0.jpg"), "2024-06-01T10:00:00.00"}};
  ASSERT_EQ(taken.size(), 4u);
  Process p = Open([&](const fs::path& staged, const std::string* bytes, const config::Config& c, const FaceStage* f,
                       model::Analysis& analysis) {
    AnalyseStaged(staged, bytes, c, f, analysis);
    analysis.info.taken_at = taken.at(fs::file_size(staged));
  });
  auto first = Ingest(p, {a});
  ASSERT_EQ(first.items.size(), 1u);
  ASSERT_EQ(p.catalog->GetItem(first.items[0].item_id)->info.taken_at, "2024-06-01T10:00:00.30");
  auto s = Ingest(p, {copy, in_ / "frame.jpg"});
  ASSERT_EQ(s.items.size(), 2u);
  ASSERT_EQ(s.items[1].input, (in_ / "frame.jpg").string());
  EXPECT_EQ(s.items[1].decision.category, "unidentified") << s.items[1].decision.Summary();
  EXPECT_FALSE(s.items[1].decision.duplicate_of);
  EXPECT_EQ(s.items[0].decision.category, "near_duplicates");
  EXPECT_EQ(s.items[0].decision.duplicate_of, first.items[0].item_id);
  auto whole_second = Ingest(p, {in_ / "frame0.jpg"});
  ASSERT_EQ(whole_second.items.size(), 1u);
  EXPECT_EQ(whole_second.items[0].decision.category, "unidentified") << whole_second.items[0].decision.Summary();
  EXPECT_FALSE(whole_second.items[0].decision.duplicate_of);
}

// The checks made ahead, while analysing in parallel, are verdicts the serial lookup obeys, keyed by the other
// image's signature: a near copy is found from them, a verdict planted against that image is obeyed, and a verdict
// about another picture changes nothing.
TEST_F(IngestorTest, TheLookupReadsTheVerdictsCheckedAheadForTheSameSignature) {
  Process p = Open();
  auto s = Ingest(p, {Input("obama.jpg", "a.jpg"), Input("biden.jpg", "b.jpg")});
  ASSERT_EQ(s.items.size(), 2u);
  model::Analysis near;
  AnalyseStaged(NearCopy("obama.jpg", "c.jpg"), *p.config->Current(), nullptr, near);
  ASSERT_TRUE(near.fingerprint.has_phash);
  DuplicateIndex index;
  ASSERT_TRUE(index.Refresh(*p.catalog).ok());

  // The id FindNearDuplicate finds with `memo`, 0 for none.
  auto lookup = [&](CheckMemo& memo) -> int64_t {
    auto found = index.FindNearDuplicate(*p.catalog, near.fingerprint, 0, &memo);
    EXPECT_TRUE(found.ok());
    return found.ok() && found->has_value() ? (*found)->id : 0;
  };
  auto memo_saying = [&](int64_t item, bool same) {
    auto signature = p.catalog->NearDuplicateSignature(item);
    EXPECT_TRUE(signature.ok());
    CheckMemo memo;
    memo.Put(signature.ok() ? *signature : std::vector<uint8_t>{}, same);
    return memo;
  };

  CheckMemo ahead;
  index.CheckAhead(*p.catalog, near.fingerprint, ahead);
  EXPECT_GE(ahead.size(), 1u);
  EXPECT_EQ(lookup(ahead), s.items[0].item_id);
  CheckMemo planted = memo_saying(s.items[0].item_id, false);
  EXPECT_EQ(lookup(planted), 0) << "the verdict in the memo stands";
  CheckMemo unrelated = memo_saying(s.items[1].item_id, false);
  EXPECT_EQ(lookup(unrelated), s.items[0].item_id);
}

// A memo makes the image's side of the check ready once and keeps it for every candidate; the verdicts are those of
// the check without one.
TEST_F(IngestorTest, AMemoChecksEachCandidateAsTheCheckWithoutOne) {
  Process p = Open();
  auto s = Ingest(p, {Input("obama.jpg", "a.jpg"), Input("biden.jpg", "b.jpg")});
  ASSERT_EQ(s.items.size(), 2u);
  model::Analysis near, other;
  AnalyseStaged(NearCopy("obama.jpg", "c.jpg"), *p.config->Current(), nullptr, near);
  AnalyseStaged(Fixture("biden.jpg"), *p.config->Current(), nullptr, other);
  ASSERT_FALSE(near.fingerprint.signature.empty());
  CheckMemo memo;
  const auto* ready = &memo.QueryFor(near.fingerprint.signature);
  EXPECT_EQ(&memo.QueryFor(near.fingerprint.signature), ready) << "made once";
  int found = 0;
  for (const ItemOutcome& item : s.items) {
    auto stored = p.catalog->NearDuplicateSignature(item.item_id);
    ASSERT_TRUE(stored.ok());
    const bool alone = ConfirmedNearDuplicate(near.fingerprint, *stored, 0, 0);
    EXPECT_EQ(ConfirmedNearDuplicate(near.fingerprint, *stored, 0, 0, &memo), alone);
    EXPECT_EQ(memo.Find(*stored), std::optional<bool>(alone));
    // The whole verdict is kept with it (the group check reads its details), made once.
    const vision::NearDuplicateVerdict& verdict = memo.VerdictFor(near.fingerprint.signature, *stored);
    EXPECT_EQ(verdict.same, alone);
    EXPECT_EQ(verdict.reason, vision::CheckNearDuplicate(near.fingerprint.signature, *stored).reason);
    EXPECT_EQ(&memo.VerdictFor(near.fingerprint.signature, *stored), &verdict) << "checked once";
    found += alone;
  }
  EXPECT_EQ(memo.size(), s.items.size());
  EXPECT_EQ(found, 1) << "the near copy is the same picture as one of the two";
  EXPECT_EQ(&memo.QueryFor(near.fingerprint.signature), ready) << "kept for every candidate";
  // Another signature gets a query of its own.
  auto obama = p.catalog->NearDuplicateSignature(s.items[0].item_id);
  ASSERT_TRUE(obama.ok());
  CheckMemo again;
  EXPECT_TRUE(again.QueryFor(near.fingerprint.signature).Check(*obama).same) << "obama's copy is obama";
  EXPECT_FALSE(again.QueryFor(other.fingerprint.signature).Check(*obama).same) << "biden is not";
  EXPECT_TRUE(again.QueryFor(near.fingerprint.signature).Check(*obama).same);
}

TEST_F(IngestorTest, StoresTheAnalysisTheItemWasDecidedOn) {
  Process p = Open();
  auto s = Ingest(p, {Input("obama.jpg", "a.jpg"), Input("obama.jpg", "b.jpg")});
  auto stored = p.catalog->GetAnalysis(s.items[1].item_id);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_TRUE((*stored)->analysis.readable);
  EXPECT_GT((*stored)->analysis.info.width, 0);
  EXPECT_EQ((*stored)->facts.exact_duplicate_of, s.items[0].item_id);
  // Where the first copy went, kept with the facts and named in the reason a reviewer reads.
  EXPECT_EQ((*stored)->facts.exact_duplicate_path, s.items[0].path);
  EXPECT_NE(s.items[1].decision.reasons.at(0).text.find(s.items[0].path), std::string::npos)
      << s.items[1].decision.reasons.at(0).text;
}

// Defect: the index was loaded once, so a long-running ingestor (serve, watch) missed what another process added.
TEST_F(IngestorTest, FindsNearDuplicatesThatAnotherProcessAddedMeanwhile) {
  Process server = Open();
  Process cli = Open();
  Ingest(server, {Input("biden.jpg", "first.jpg")});  // the server's index is loaded now
  auto original = Ingest(cli, {Input("skimage_coffee.jpg", "coffee.jpg")});
  auto near = Ingest(server, {NearCopy("skimage_coffee.jpg", "coffee_small.jpg")});
  ASSERT_EQ(near.items.size(), 1u);
  EXPECT_EQ(near.items[0].decision.category, "near_duplicates");
  EXPECT_EQ(near.items[0].decision.duplicate_of, original.items[0].item_id);
}

// Defect: items rejected (or purged) by another process stayed in the index, and new photos were linked to them.
TEST_F(IngestorTest, NeverLinksToAnItemThatWentToTheTrash) {
  Process server = Open();
  Process reviewer = Open();
  auto original = Ingest(server, {Input("skimage_coffee.jpg", "coffee.jpg")});
  review::ReviewService review(*reviewer.config, *reviewer.catalog, *reviewer.committer);
  ASSERT_TRUE(review.Reject(original.items[0].item_id, "alice", 100).ok());
  auto near = Ingest(server, {NearCopy("skimage_coffee.jpg", "coffee_small.jpg")});
  EXPECT_EQ(near.items[0].decision.category, "unidentified");
  EXPECT_FALSE(near.items[0].decision.duplicate_of.has_value());
}

// Defect: a failed duplicate lookup read as "no duplicate", so an exact copy could be filed as new.
TEST_F(IngestorTest, ACatalogFailureFailsTheItemInsteadOfSkippingTheDuplicateCheck) {
  Process p = Open(nullptr, /*failing_lookups=*/true);
  Ingest(p, {Input("obama.jpg", "a.jpg")});
  static_cast<FailingLookupCatalog&>(*p.catalog).fail_lookups = true;
  fs::path copy = Input("obama.jpg", "copy.jpg");
  auto s = Ingest(p, {copy});
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_FALSE(s.items[0].ok);
  EXPECT_EQ(s.items[0].error.code(), base::Code::kUnavailable);
  EXPECT_NE(s.items[0].error.message().find("database is locked"), std::string::npos);
  EXPECT_TRUE(fs::exists(copy));
  EXPECT_EQ(s.failed, 1);
  catalog::ItemFilter all;
  EXPECT_EQ(*p.catalog->CountItems(all), 1);
  EXPECT_TRUE(fs::is_empty(p.committer->StagingDir()));
}

// A catalog that cannot be written (a full disk) after the file was placed: the report says where the photo is and
// that recovery records it, rather than a bare "FAILED" that has users ingest it again; recovery then does.
TEST_F(IngestorTest, APhotoPlacedButNotRecordedSaysWhereItIsAndRecoveryRecordsIt) {
  {
    Process p = Open(nullptr, /*failing_lookups=*/true);
    static_cast<FailingLookupCatalog&>(*p.catalog).fail_writes = true;
    auto s = Ingest(p, {Input("obama.jpg", "a.jpg")});
    ASSERT_EQ(s.items.size(), 1u);
    EXPECT_FALSE(s.items[0].ok);
    const std::string& message = s.items[0].error.message();
    EXPECT_NE(message.find("placed at review/unidentified/a.jpg but not yet recorded in the catalog"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("triage recover"), std::string::npos) << message;
    EXPECT_NE(message.find("database or disk is full"), std::string::npos) << message;
    EXPECT_TRUE(fs::exists(lib_ / "review/unidentified/a.jpg"));
    catalog::ItemFilter all;
    EXPECT_EQ(*p.catalog->CountItems(all), 0);
  }  // the process ends: its journal session is a dead one
  auto catalog = catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db");
  ASSERT_TRUE(catalog.ok());
  auto report = commit::Recover(lib_ / ".triage", **catalog);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problems.empty());
  EXPECT_GE(report->rolled_forward, 1);
  auto found = (*catalog)->FindByPath("review/unidentified/a.jpg");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->has_value());
}

// Defect: an exception from a stage (OpenCV, std::filesystem, stoll ...) ended the whole batch.
TEST_F(IngestorTest, AnExceptionInAStageFailsOnlyThatImage) {
  Process p = Open([](const fs::path& staged, const std::string* bytes, const config::Config& c, const FaceStage* f,
                      model::Analysis& a) {
    if (fs::file_size(staged) == fs::file_size(Fixture("biden.jpg"))) throw std::runtime_error("cv::Exception here");
    AnalyseStaged(staged, bytes, c, f, a);
  });
  fs::path bad = Input("biden.jpg", "bad.jpg");
  auto s = Ingest(p, {Input("obama.jpg", "a.jpg"), bad, Input("skimage_coffee.jpg", "c.jpg")});
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_TRUE(s.items[0].ok);
  EXPECT_FALSE(s.items[1].ok);
  EXPECT_NE(s.items[1].error.message().find("cv::Exception here"), std::string::npos);
  EXPECT_TRUE(s.items[2].ok);
  EXPECT_TRUE(fs::exists(bad));
}

TEST_F(IngestorTest, AMovedInputGoesBackWhenItCannotBePlaced) {
  Process p = Open([](const fs::path&, const std::string*, const config::Config&, const FaceStage*, model::Analysis&) {
    throw std::bad_alloc();
  });
  fs::path in = Input("obama.jpg", "moved.jpg");
  IngestOptions move;
  move.move = true;
  auto s = p.ingestor->IngestPaths({in}, move);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->items[0].ok);
  EXPECT_TRUE(fs::exists(in)) << "the input is back where it was";
}

// A queue worker's last check before committing (does it still hold the job?): an input it refuses is passed over,
// reported as skipped, nothing of it recorded; a copy's staged file is removed, a moved input put back; the others
// of the group are placed.
TEST_F(IngestorTest, AnInputRefusedJustBeforeTheCommitIsPassedOverAndPutBack) {
  Process p = Open();
  fs::path kept = Input("obama.jpg", "kept.jpg"), copied = Input("biden.jpg", "copied.jpg");
  fs::path moved = Input("skimage_coffee.jpg", "moved.jpg");
  p.ingestor->SetBeforeCommit([&](const pipeline::Input& input, std::string* why) {
    if (input.path == kept) return true;
    *why = "taken over";
    return false;
  });
  auto s = Ingest(p, {kept, copied});
  ASSERT_EQ(s.items.size(), 2u);  // in name order: copied.jpg, kept.jpg
  EXPECT_EQ(s.items[0].skipped, "taken over");
  EXPECT_TRUE(s.items[1].ok) << s.items[1].error.ToString();
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.failed, 0);
  IngestOptions move;
  move.move = true;
  auto m = p.ingestor->IngestPaths({moved}, move);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->items[0].skipped, "taken over");
  EXPECT_TRUE(fs::exists(moved)) << "the moved input is back where it was";
  EXPECT_TRUE(fs::exists(copied));
  catalog::ItemFilter all;
  all.limit = 100;
  auto items = p.catalog->ListItems(all);
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(fs::path(items->front().path).filename(), "kept.jpg");
  std::vector<fs::path> left;
  for (const auto& e : fs::recursive_directory_iterator(lib_ / ".triage"))
    if (e.is_regular_file() && e.path().string().find("staging") != std::string::npos) left.push_back(e.path());
  EXPECT_TRUE(left.empty()) << left.front();
}

// A batch cut short by an exception (here from the check before the commit) lets go of what it had not placed: its
// staged copies are removed, an input put off included, moved inputs are back, and the ingest lock is free for the
// next batch, which reports its own inputs only and places them.
TEST_F(IngestorTest, ABatchCutShortByAnExceptionLeavesNothingStagedAndTheNextBatchRuns) {
  Process p = Open();
  const fs::path a = Input("obama.jpg", "a.jpg"), copy = NearCopy("obama.jpg", "b.jpg");
  const fs::path moved = Input("biden.jpg", "c.jpg");
  bool fail = true;
  p.ingestor->SetBeforeCommit([&](const pipeline::Input&, std::string*) {
    if (fail) throw std::runtime_error("the job queue could not be read");
    return true;
  });
  IngestOptions move;
  move.move = true;
  EXPECT_THROW(static_cast<void>(p.ingestor->IngestPaths({a, copy, moved}, move)), std::runtime_error);
  EXPECT_TRUE(fs::exists(a) && fs::exists(copy) && fs::exists(moved)) << "moved inputs are back where they were";
  std::vector<fs::path> left;
  for (const auto& e : fs::recursive_directory_iterator(lib_ / ".triage"))
    if (e.is_regular_file() && e.path().string().find("staging") != std::string::npos) left.push_back(e.path());
  EXPECT_TRUE(left.empty()) << left.front();

  fail = false;
  Process other = Open();  // another process of the library: the ingest lock is not held any more
  auto s = Ingest(other, {a});
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_TRUE(s.items[0].ok) << s.items[0].error.ToString();
  auto again = Ingest(p, {copy});
  ASSERT_EQ(again.items.size(), 1u) << "the batch before left nothing behind";
  EXPECT_EQ(fs::path(again.items[0].input).filename(), "b.jpg");
  EXPECT_EQ(again.items[0].decision.category, "near_duplicates");
}

}  // namespace
}  // namespace triage::pipeline
