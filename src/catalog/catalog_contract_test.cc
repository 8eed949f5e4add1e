// The catalog contract: every Catalog implementation passes these; each test runs against SQLite in a temp dir and
// against a fresh database in the tests' own PostgreSQL cluster.
#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/test_backends.h"
#include "model/json.h"
#include "model/json_quality.h"

namespace triage::catalog {
namespace {

namespace fs = std::filesystem;

class CatalogContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = TestBackend::Make(GetParam());
    auto c = backend_->Open();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
  }
  void TearDown() override {
    catalog_.reset();
    backend_.reset();
  }

  CatalogChange Insert(const std::string& journal_id, const std::string& path, const std::string& location,
                       const std::string& category = "", const std::string& sha = "aa") {
    CatalogChange c;
    c.journal_id = journal_id;
    c.item.path = path;
    c.item.original_name = fs::path(path).filename();
    c.item.fingerprint = {sha, 100, 0xF0F0, 0x0F0F, true};
    c.item.location = location;
    c.item.category = category;
    c.item.reasons = {{"no_faces_detected", "No face was detected."}};
    c.action = "ingest";
    c.at = 1000;
    return c;
  }

  std::unique_ptr<TestBackend> backend_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_P(CatalogContractTest, InsertThenReadBack) {
  auto id = catalog_->Apply(Insert("j1", "review/unidentified/a.jpg", "review", "unidentified"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto item = catalog_->GetItem(*id);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->path, "review/unidentified/a.jpg");
  EXPECT_EQ(item->fingerprint.phash, 0xF0F0u);
  EXPECT_EQ(item->fingerprint.phash_center, 0x0F0Fu);
  EXPECT_EQ(item->reasons.at(0).code, "no_faces_detected");
  auto pending = catalog_->PendingReview(*id);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->category, "unidentified");
  EXPECT_EQ(pending->reason_code, "no_faces_detected");
}

// The daily series counts as sorted automatically what the totals do: photos filed to a person and, when photos
// without people go to the library, those filed under photos/.
TEST_P(CatalogContractTest, DailyStatsCountPhotosFiledWithoutPeopleAsSortedAutomatically) {
  for (const CatalogChange& c : {Insert("j1", "faces/alice/a.jpg", "library", "", "s1"),
                                 Insert("j2", "photos/2024/06/b.jpg", "library", "", "s2"),
                                 Insert("j3", "review/unidentified/c.jpg", "review", "unidentified", "s3")}) {
    ASSERT_TRUE(catalog_->Apply(c).ok());
  }
  auto days = catalog_->GetDailyStats(0);
  ASSERT_TRUE(days.ok()) << days.status().ToString();
  ASSERT_EQ(days->size(), 1u);
  EXPECT_EQ((*days)[0].ingested, 3);
  EXPECT_EQ((*days)[0].auto_sorted, 2);
  EXPECT_EQ((*days)[0].to_review, 1);
}

TEST_P(CatalogContractTest, ApplyIsIdempotentByJournalId) {
  auto a = catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library"));
  auto b = catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*catalog_->CountItems({}), 1);
  EXPECT_TRUE(*catalog_->WasApplied("j1"));
  EXPECT_FALSE(*catalog_->WasApplied("j2"));
}

TEST_P(CatalogContractTest, SamePathTwiceIsRefused) {
  ASSERT_TRUE(catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library")).ok());
  auto b = catalog_->Apply(Insert("j2", "faces/x/a.jpg", "library"));
  EXPECT_EQ(b.status().code(), base::Code::kAlreadyExists);
  EXPECT_FALSE(*catalog_->WasApplied("j2"));  // the whole transaction rolled back
}

TEST_P(CatalogContractTest, ApplyAllReturnsIdsInOrderAndSkipsAppliedChanges) {
  auto first = catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library"));
  ASSERT_TRUE(first.ok());
  auto ids =
      catalog_->ApplyAll({Insert("j2", "review/x/b.jpg", "review", "x"), Insert("j1", "faces/x/a.jpg", "library"),
                          Insert("j3", "review/x/c.jpg", "review", "x")});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ((*ids)[1], *first);  // applied before: skipped, its id returned
  EXPECT_EQ(catalog_->GetItem((*ids)[0])->path, "review/x/b.jpg");
  EXPECT_EQ(catalog_->GetItem((*ids)[2])->path, "review/x/c.jpg");
  EXPECT_TRUE(*catalog_->WasApplied("j3"));
  EXPECT_EQ(*catalog_->CountItems({}), 3);
}

TEST_P(CatalogContractTest, ApplyAllIsAllOrNothing) {
  ASSERT_TRUE(catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library")).ok());
  // The second change takes a path that is taken: the first must not stay applied either.
  auto ids =
      catalog_->ApplyAll({Insert("j2", "review/x/b.jpg", "review", "x"), Insert("j3", "faces/x/a.jpg", "library")});
  EXPECT_EQ(ids.status().code(), base::Code::kAlreadyExists);
  EXPECT_FALSE(*catalog_->WasApplied("j2"));
  EXPECT_FALSE(catalog_->FindByPath("review/x/b.jpg")->has_value());
  EXPECT_EQ(*catalog_->CountItems({}), 1);
}

TEST_P(CatalogContractTest, RelocateClosesReviewAndAudits) {
  auto id = catalog_->Apply(Insert("j1", "review/unidentified/a.jpg", "review", "unidentified"));
  CatalogChange move;
  move.kind = CatalogChange::Kind::kRelocateItem;
  move.journal_id = "j2";
  move.item.id = *id;
  move.item.path = "faces/alice/a.jpg";
  move.item.location = "library";
  move.item.person = "alice";
  move.actor = "admin";
  move.action = "approve";
  move.reason = "approved as alice";
  move.at = 2000;
  ASSERT_TRUE(catalog_->Apply(move).ok());
  EXPECT_EQ(catalog_->PendingReview(*id).status().code(), base::Code::kNotFound);
  auto audit = catalog_->ListAudit(*id, "", 10, 0);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ(audit->at(0).action, "approve");
  EXPECT_EQ(audit->at(0).from_state, "review/unidentified");
  EXPECT_EQ(audit->at(0).to_state, "faces/alice");
  EXPECT_EQ(audit->at(0).actor, "admin");
}

// Listed by the latest change (the trash as its photos were deleted): by the time of the change, then, within one
// second, by the order the audit log recorded the changes in; never by id alone.
TEST_P(CatalogContractTest, ItemsListedByTheirLatestChange) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto id = catalog_->Apply(Insert("j" + std::to_string(i), "review/unidentified/" + std::to_string(i) + ".jpg",
                                     "review", "unidentified", "s" + std::to_string(i)));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  // Deleted: 2 first, then 1 and 0 within the same second.
  const std::vector<std::pair<int, int64_t>> deletions = {{2, 3000}, {1, 4000}, {0, 4000}};
  for (const auto& [i, at] : deletions) {
    CatalogChange move;
    move.kind = CatalogChange::Kind::kRelocateItem;
    move.journal_id = "t" + std::to_string(i);
    move.item.id = ids[i];
    move.item.path = ".triage/trash/" + std::to_string(i) + ".jpg";
    move.item.location = "trash";
    move.actor = "admin";
    move.action = "reject";
    move.at = at;
    ASSERT_TRUE(catalog_->Apply(move).ok());
  }
  ItemFilter f;
  f.location = "trash";
  f.by_change = true;
  auto listed = catalog_->ListItems(f);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ(listed->at(0).id, ids[0]);
  EXPECT_EQ(listed->at(1).id, ids[1]);
  EXPECT_EQ(listed->at(2).id, ids[2]);
  f.limit = 1;
  f.offset = 2;
  EXPECT_EQ(catalog_->ListItems(f)->at(0).id, ids[2]);
}

TEST_P(CatalogContractTest, RelocateAddsItsReferencesOnceCreatingThePerson) {
  auto id = catalog_->Apply(Insert("j1", "review/unidentified/a.jpg", "review", "unidentified"));
  CatalogChange move;
  move.kind = CatalogChange::Kind::kRelocateItem;
  move.journal_id = "j2";
  move.item.id = *id;
  move.item.path = "faces/carol/a.jpg";
  move.item.location = "library";
  move.item.person = "carol";
  move.action = "approve";
  move.references = {{0, "carol", {0.25f, 0.5f}, "item:1"}};
  ASSERT_TRUE(catalog_->Apply(move).ok());
  ASSERT_TRUE(catalog_->Apply(move).ok());  // replayed by recovery: applied once
  auto refs = catalog_->AllReferences();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(refs->at(0).person, "carol");
  EXPECT_EQ(refs->at(0).source, "item:1");
  EXPECT_FLOAT_EQ(refs->at(0).embedding[1], 0.5f);
  EXPECT_EQ(catalog_->ListPersons()->at(0).name, "carol");
}

TEST_P(CatalogContractTest, FaceLabelsAreSetByPlaceAndAuditedWithReferences) {
  CatalogChange insert = Insert("j1", "review/multiple_faces/g.jpg", "review", "multiple_faces");
  for (float x : {10.0f, 200.0f, 400.0f}) {
    model::Face f;
    f.box = {x, 20, 50, 50};
    f.embedding = {x, 1.0f};
    insert.faces.push_back(f);
  }
  auto id = catalog_->Apply(insert);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(catalog_->AddPerson("alice", 1000).ok());
  CatalogChange name;
  name.kind = CatalogChange::Kind::kReferences;
  name.journal_id = "j2";
  name.item.id = *id;
  name.face_labels = {{1, {"alice", false}}, {2, {"", true}}};
  name.references.push_back({0, "alice", {200.0f, 1.0f}, model::ReferenceSource(*id, 1)});
  name.action = "name-face";
  name.reason = "face 2 named alice";
  name.at = 1001;
  ASSERT_TRUE(catalog_->Apply(name).ok());
  auto faces = catalog_->FacesOf(*id);
  ASSERT_TRUE(faces.ok());
  ASSERT_EQ(faces->size(), 3u);
  EXPECT_FALSE(faces->at(0).label.Decided());
  EXPECT_EQ(faces->at(1).label, (model::FaceLabel{"alice", false}));
  EXPECT_EQ(faces->at(1).box.x, 200.0f);
  EXPECT_EQ(faces->at(2).label, (model::FaceLabel{"", true}));
  auto refs = catalog_->AllReferences();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(model::ParseReferenceSource(refs->front().source).face_index, 1);
  auto audit = catalog_->ListAudit(*id, "", 10, 0);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->front().action, "name-face");
  // Clearing a label puts the face back to undecided.
  name.journal_id = "j3";
  name.face_labels = {{1, {}}};
  name.references.clear();
  ASSERT_TRUE(catalog_->Apply(name).ok());
  EXPECT_FALSE(catalog_->FacesOf(*id)->at(1).label.Decided());
}

TEST_P(CatalogContractTest, FindsDuplicatesAndHashesButNotTrash) {
  auto a = catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library", "", "sha-a"));
  ASSERT_TRUE(catalog_->Apply(Insert("j2", "trash/b.jpg", "trash", "", "sha-b")).ok());
  EXPECT_EQ(**catalog_->FindBySha256("sha-a"), *a);
  EXPECT_FALSE(catalog_->FindBySha256("sha-b")->has_value());
  auto hashes = catalog_->AllPerceptualHashes();
  ASSERT_EQ(hashes->size(), 1u);
  EXPECT_EQ(hashes->at(0).phash_center, 0x0F0Fu);
}

// The near-duplicate index of every process follows the catalog through this log.
TEST_P(CatalogContractTest, HashChangesFollowInsertTrashAndDelete) {
  auto a = catalog_->Apply(Insert("j1", "review/x/a.jpg", "review", "x", "sha-a"));
  auto snapshot = catalog_->PerceptualHashSnapshot();
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ(snapshot->changes.size(), 1u);
  EXPECT_TRUE(snapshot->changes[0].present);
  EXPECT_EQ(catalog_->PerceptualHashChangesSince(snapshot->cursor)->changes.size(), 0u);
  auto b = catalog_->Apply(Insert("j2", "review/x/b.jpg", "review", "x", "sha-b"));
  CatalogChange trash;
  trash.kind = CatalogChange::Kind::kRelocateItem;
  trash.journal_id = "j3";
  trash.item.id = *a;
  trash.item.path = ".triage/trash/a.jpg";
  trash.item.location = "trash";
  trash.at = 2000;
  ASSERT_TRUE(catalog_->Apply(trash).ok());
  auto changes = catalog_->PerceptualHashChangesSince(snapshot->cursor);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->changes.size(), 2u);
  EXPECT_EQ(changes->changes[0].id, *b);
  EXPECT_TRUE(changes->changes[0].present);
  EXPECT_EQ(changes->changes[1].id, *a);
  EXPECT_FALSE(changes->changes[1].present);
  ASSERT_TRUE(catalog_->DeleteItem(PurgeAudit(*b, "admin", "purged", 3000)).ok());
  auto after_delete = catalog_->PerceptualHashChangesSince(changes->cursor);
  ASSERT_EQ(after_delete->changes.size(), 1u);
  EXPECT_EQ(after_delete->changes[0].id, *b);
  EXPECT_FALSE(after_delete->changes[0].present);
}

// An item purged keeps its id in the audit: a photo ingested later, even right after the newest item was purged, gets
// an id of its own, and the purged photo's history is not shown as the new one's.
TEST_P(CatalogContractTest, APurgedItemsIdIsNeverGivenToAnotherPhoto) {
  auto a = catalog_->Apply(Insert("j1", "review/x/a.jpg", "review", "x", "sha-a"));
  auto b = catalog_->Apply(Insert("j2", "review/x/b.jpg", "review", "x", "sha-b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(catalog_->DeleteItem(PurgeAudit(*b, "admin", "purged", 3000)).ok());
  auto c = catalog_->Apply(Insert("j3", "review/x/c.jpg", "review", "x", "sha-c"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_NE(*c, *b);
  EXPECT_GT(*c, *b);
  AuditQuery query;
  query.item_id = *b;
  auto history = catalog_->ListAuditEntries(query);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u) << "the purged photo's intake and purge, and nothing of the photo after it";
  EXPECT_TRUE(history->at(0).action == "purge" || history->at(1).action == "purge");
  auto item = catalog_->GetItem(*c);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->path, "review/x/c.jpg");
}

// The log keeps each item's latest change only: it does not grow with every move, and a reader still learns of
// every item that changed after its cursor.
TEST_P(CatalogContractTest, HashChangeLogKeepsOneEntryPerItem) {
  auto a = catalog_->Apply(Insert("j1", "review/x/a.jpg", "review", "x", "sha-a"));
  ASSERT_TRUE(a.ok());
  auto relocate = [&](int n, const std::string& location) {
    CatalogChange move;
    move.kind = CatalogChange::Kind::kRelocateItem;
    move.journal_id = "m" + std::to_string(n);
    move.item.id = *a;
    move.item.path = location == "trash" ? ".triage/trash/a.jpg" : "review/x/a.jpg";
    move.item.location = location;
    move.at = 2000 + n;
    return catalog_->Apply(move);
  };
  for (int n = 0; n < 20; ++n) ASSERT_TRUE(relocate(n, n % 2 == 0 ? "trash" : "review").ok());
  auto b = catalog_->Apply(Insert("j2", "review/x/b.jpg", "review", "x", "sha-b"));
  ASSERT_TRUE(b.ok());
  auto all = catalog_->PerceptualHashChangesSince(0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->changes.size(), 2u);
  EXPECT_EQ(all->changes[0].id, *a);
  EXPECT_TRUE(all->changes[0].present);  // the 20th move put it back in review
  EXPECT_EQ(all->changes[1].id, *b);
  const int64_t seen = all->cursor;
  ASSERT_TRUE(relocate(20, "trash").ok());
  auto later = catalog_->PerceptualHashChangesSince(seen);
  ASSERT_EQ(later->changes.size(), 1u);
  EXPECT_EQ(later->changes[0].id, *a);
  EXPECT_FALSE(later->changes[0].present);
  EXPECT_EQ(later->cursor, catalog_->PerceptualHashSnapshot()->cursor);
  auto from_start = catalog_->PerceptualHashChangesSince(0);
  ASSERT_EQ(from_start->changes.size(), 2u);
  EXPECT_EQ(from_start->changes[0].id, *b);
  EXPECT_EQ(from_start->changes[1].id, *a);
}

TEST_P(CatalogContractTest, StoresEachItemsNearDuplicateSignature) {
  CatalogChange with = Insert("j1", "review/x/a.jpg", "review", "x", "sha-a");
  with.item.fingerprint.signature = {1, 2, 0, 255, 7};
  auto a = catalog_->Apply(with);
  auto b = catalog_->Apply(Insert("j2", "review/x/b.jpg", "review", "x", "sha-b"));
  ASSERT_TRUE(a.ok() && b.ok());
  auto stored = catalog_->NearDuplicateSignature(*a);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, (std::vector<uint8_t>{1, 2, 0, 255, 7}));
  auto none = catalog_->NearDuplicateSignature(*b);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "an item without a signature reads as empty";
  EXPECT_EQ(catalog_->NearDuplicateSignature(*b + 100).status().code(), base::Code::kNotFound);
}

TEST_P(CatalogContractTest, StoresAnalysesAndListsWhatThePolicyPlaces) {
  CatalogChange review = Insert("j1", "review/x/a.jpg", "review", "unidentified", "sha-a");
  model::StoredAnalysis s;
  s.analysis.readable = true;
  s.analysis.faces_analysed = true;
  model::Face f;
  f.match.person = "ada";
  f.match.distance = 0.5;
  f.match.confidence = 0.8;
  f.match.candidates = {{"ada", 0.5, 0.8}, {"bob", 0.7, 0.2}};
  s.analysis.faces = {f};
  s.facts.near_duplicate_of = 7;
  review.analysis = s;
  auto id = catalog_->Apply(review);
  CatalogChange by_hand = Insert("j2", "faces/ada/b.jpg", "library", "", "sha-b");
  by_hand.item.auto_sorted = false;
  by_hand.analysis = s;
  ASSERT_TRUE(catalog_->Apply(by_hand).ok());
  auto stored = catalog_->GetAnalysis(*id);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  ASSERT_EQ((*stored)->analysis.faces.size(), 1u);
  EXPECT_EQ((*stored)->analysis.faces[0].match.candidates[1].person, "bob");
  EXPECT_EQ((*stored)->facts.near_duplicate_of, 7);
  auto listed = catalog_->ListAnalysedItems(0, 100);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u) << "an item a person placed is not the policy's to move";
  EXPECT_EQ(listed->at(0).id, *id);
  EXPECT_EQ(listed->at(0).category, "unidentified");
  EXPECT_FALSE(catalog_->GetAnalysis(999)->has_value());
}

// `recompute` reads the measures of every analysis first: that listing must give exactly what a whole parse gives of
// the parts scoring reads, and nothing of the rest.
TEST_P(CatalogContractTest, ListsAnalysesWholeOrOnlyTheirMeasures) {
  CatalogChange change = Insert("j1", "review/x/a.jpg", "review", "unidentified", "sha-a");
  model::StoredAnalysis s;
  s.version = 3;
  s.analysis.readable = true;
  s.analysis.faces_analysed = true;
  s.analysis.sharpness = 12.5;
  s.analysis.info.width = 4000;
  s.analysis.info.height = 3000;
  s.analysis.info.format = "jpeg";
  s.analysis.info.taken_at = "2024-05-01T10:00:00.250";
  s.analysis.info.iso = 800;
  s.analysis.info.exposure_s = 0.01;
  model::QualityMetrics& m = s.analysis.metrics;
  m.measured = true;
  m.sharpness = 321.5;
  m.noise_sigma = 2.25;
  m.face_count = 2;
  m.eyes.resize(2);
  m.eyes[0].aspect_ratio = 0.31;
  m.eyes[0].contrast = 0.4;
  m.eyes[0].edge_ratio = 0.62;  // round-trips with the rest of the eye measures
  m.eyes[1].aspect_ratio = 0.12;
  model::QualityScore& q = s.analysis.quality;
  q.scored = true;
  q.aggregate = 7.25;
  q.category = "group_portrait";
  q.dimensions = {{"sharpness", 321.5, 8, 30, 2.4}};
  q.penalties = {{"noise", 0.5, "grain"}};
  q.eyes_closed = true;
  q.sentence = "sharp, but one closed eye";
  model::Face f;
  f.match.person = "ada";
  s.analysis.faces = {f, f};
  s.facts.near_duplicate_of = 7;
  change.analysis = s;
  auto id = catalog_->Apply(change);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  CatalogChange trashed = Insert("j2", ".triage/trash/b.jpg", "trash", "", "sha-b");
  trashed.analysis = s;
  ASSERT_TRUE(catalog_->Apply(trashed).ok());

  auto whole = catalog_->ListStoredAnalyses(0, 10, AnalysisParts::kWhole);
  auto measures = catalog_->ListStoredAnalyses(0, 10, AnalysisParts::kMeasures);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_TRUE(measures.ok()) << measures.status().ToString();
  ASSERT_EQ(whole->size(), 2u) << "trash is listed, flagged";
  ASSERT_EQ(measures->size(), 2u);
  EXPECT_FALSE(whole->at(0).in_trash);
  EXPECT_TRUE(whole->at(1).in_trash);
  EXPECT_TRUE(measures->at(1).in_trash);
  EXPECT_EQ(measures->at(0).item_id, *id);
  EXPECT_EQ(nlohmann::json(whole->at(0).analysis), nlohmann::json(s)) << "the whole analysis comes back";

  const model::StoredAnalysis& part = measures->at(0).analysis;
  EXPECT_EQ(nlohmann::json(part.analysis.metrics), nlohmann::json(s.analysis.metrics));
  EXPECT_EQ(part.version, 3);
  EXPECT_TRUE(part.analysis.readable);
  EXPECT_EQ(part.analysis.info.width, 4000);
  EXPECT_EQ(part.analysis.info.taken_at, "2024-05-01T10:00:00.250");
  EXPECT_DOUBLE_EQ(part.analysis.info.iso, 800);
  EXPECT_DOUBLE_EQ(part.analysis.info.exposure_s, 0.01);
  EXPECT_TRUE(part.analysis.faces.empty());
  EXPECT_FALSE(part.analysis.quality.scored);
  EXPECT_FALSE(part.facts.near_duplicate_of.has_value());
  // Nothing else: the measures-only analysis is the whole one with the other parts left at their defaults.
  model::StoredAnalysis expected = s;
  expected.analysis.faces_analysed = false;
  expected.analysis.sharpness = 0;
  expected.analysis.faces.clear();
  expected.analysis.quality = {};
  expected.facts = {};
  EXPECT_EQ(nlohmann::json(part), nlohmann::json(expected));
}

// The lookup the near-duplicate checks make: the item as GetItem reads it, but for its quality score.
TEST_P(CatalogContractTest, AnItemWithoutItsQualityIsTheItemButForIt) {
  CatalogChange change = Insert("j1", "review/near_duplicates/a.jpg", "review", "near_duplicates", "sha-a");
  change.item.duplicate_of = 42;
  change.item.info.taken_at = "2024-05-01T10:00:00.250";
  model::StoredAnalysis s;
  s.analysis.readable = true;
  s.analysis.quality.scored = true;
  s.analysis.quality.aggregate = 7.25;
  s.analysis.quality.category = "landscape";
  change.analysis = s;
  auto id = catalog_->Apply(change);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto whole = catalog_->GetItem(*id);
  auto brief = catalog_->GetItemWithoutQuality(*id);
  ASSERT_TRUE(whole.ok() && brief.ok());
  ASSERT_TRUE(whole->quality.scored) << "the fixture has a score to leave out";
  EXPECT_FALSE(brief->quality.scored);
  EXPECT_EQ(brief->duplicate_of, std::optional<int64_t>(42));
  model::ItemRecord expected = *whole;
  expected.quality = {};
  EXPECT_EQ(nlohmann::json(*brief), nlohmann::json(expected));
  EXPECT_EQ(catalog_->GetItemWithoutQuality(*id + 1000).status().code(), base::Code::kNotFound);
}

TEST_P(CatalogContractTest, FiltersPagesAndCounts) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        catalog_->Apply(Insert("r" + std::to_string(i), "review/d/" + std::to_string(i), "review", "duplicates")).ok());
  }
  ASSERT_TRUE(catalog_->Apply(Insert("l", "faces/a/l.jpg", "library")).ok());
  ASSERT_TRUE(catalog_->Apply(Insert("t", ".triage/trash/t.jpg", "trash")).ok());
  ASSERT_TRUE(catalog_->Apply(Insert("a1", ".triage/archive/a1.jpg", "archive")).ok());
  ASSERT_TRUE(catalog_->Apply(Insert("a2", ".triage/archive/a2.jpg", "archive")).ok());
  ItemFilter f;
  f.category = "duplicates";
  f.limit = 2;
  EXPECT_EQ(*catalog_->CountItems(f), 5);
  auto page = catalog_->ListItems(f);
  ASSERT_EQ(page->size(), 2u);
  f.after_id = page->back().id;
  auto next = catalog_->ListItems(f);
  ASSERT_EQ(next->size(), 2u);
  EXPECT_GT(next->front().id, page->back().id);
  auto stats = catalog_->GetStats(0);
  EXPECT_EQ(stats->in_review, 5);
  EXPECT_EQ(stats->by_category["duplicates"], 5);
  EXPECT_EQ(stats->in_library, 1);
  EXPECT_EQ(stats->in_trash, 1);
  EXPECT_EQ(stats->in_archive, 2) << "the images approved proposals replaced are counted too";
  EXPECT_EQ(stats->total, 9);
}

TEST_P(CatalogContractTest, PersonsAndReferences) {
  ASSERT_TRUE(catalog_->AddPerson("alice", 1).ok());
  EXPECT_EQ(catalog_->AddPerson("alice", 1).status().code(), base::Code::kAlreadyExists);
  auto added = catalog_->AddReference({0, "alice", {0.1f, 0.2f}, "a.jpg"});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(catalog_->AddReference({0, "bob", {0.1f}, "b.jpg"}).status().code(), base::Code::kNotFound);
  auto refs = catalog_->AllReferences();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_FLOAT_EQ(refs->at(0).embedding[1], 0.2f);
  EXPECT_EQ(refs->at(0).id, *added) << "the id AddReference answers is the stored reference's";
  auto second = catalog_->AddReference({0, "alice", {0.3f, 0.4f}, "c.jpg"});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_GT(*second, *added);
  EXPECT_EQ(catalog_->ListPersons()->at(0).references, 2);
  EXPECT_EQ(catalog_->ListPersons()->at(0).display_name, "") << "shown by the folder name until told otherwise";
  ASSERT_TRUE(catalog_->SetPersonDisplayName("alice", "Alice Liddell").ok());
  EXPECT_EQ(catalog_->ListPersons()->at(0).display_name, "Alice Liddell");
  EXPECT_EQ(catalog_->ListPersons()->at(0).name, "alice");
  EXPECT_EQ(catalog_->SetPersonDisplayName("bob", "Bob").code(), base::Code::kNotFound);
  ASSERT_TRUE(catalog_->RemovePerson("alice").ok());
  EXPECT_TRUE(catalog_->AllReferences()->empty());
  EXPECT_EQ(catalog_->RemovePerson("alice").code(), base::Code::kNotFound);
}

TEST_P(CatalogContractTest, SkipKeepsItemPendingAndAudits) {
  auto id = catalog_->Apply(Insert("j1", "review/x/a.jpg", "review", "unidentified"));
  auto later = catalog_->Apply(Insert("j2", "review/x/b.jpg", "review", "unidentified"));
  ASSERT_TRUE(catalog_->SkipReview(*id, "bob", 5000).ok());
  EXPECT_TRUE(catalog_->PendingReview(*id).ok());
  ItemFilter queue;
  queue.location = "review";
  queue.queue_order = true;
  auto order = catalog_->ListItems(queue);
  ASSERT_EQ(order->size(), 2u);
  EXPECT_EQ(order->at(0).id, *later);  // the skipped item moved behind the other
  EXPECT_EQ(order->at(1).id, *id);
  EXPECT_EQ(catalog_->ListAudit(*id, "bob", 10, 0)->size(), 1u);
  auto skips = catalog_->ListAuditEntries({0, "", "skip", 10, 0});
  ASSERT_TRUE(skips.ok()) << skips.status().ToString();
  ASSERT_EQ(skips->size(), 1u) << "by action, whatever the item";
  EXPECT_EQ(skips->at(0).item_id, *id);
  EXPECT_TRUE(catalog_->ListAuditEntries({0, "bob", "approve", 10, 0})->empty());
  // Newest first, a skipped photo also goes last: else the photo just skipped would come straight back on top.
  auto newest = catalog_->Apply(Insert("j3", "review/x/c.jpg", "review", "unidentified"));
  ASSERT_TRUE(catalog_->SkipReview(*newest, "bob", 6000).ok());
  queue.newest_first = true;
  auto newest_order = catalog_->ListItems(queue);
  ASSERT_TRUE(newest_order.ok()) << newest_order.status().ToString();
  std::vector<int64_t> ids;
  for (const model::ItemRecord& r : *newest_order) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{*later, *id, *newest})) << "unskipped newest first, then skipped as skipped";
  queue.newest_first = false;
  ids.clear();
  auto oldest_order = catalog_->ListItems(queue);
  ASSERT_TRUE(oldest_order.ok());
  for (const model::ItemRecord& r : *oldest_order) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{*later, *id, *newest}));
  EXPECT_EQ(catalog_->SkipReview(999, "bob", 1).code(), base::Code::kNotFound);
}

TEST_P(CatalogContractTest, ReopeningKeepsData) {
  ASSERT_TRUE(catalog_->Apply(Insert("j1", "faces/x/a.jpg", "library")).ok());
  catalog_.reset();
  auto again = backend_->Open();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*(*again)->CountItems({}), 1);
  EXPECT_TRUE(*(*again)->WasApplied("j1"));
}

TEST_P(CatalogContractTest, NotADatabaseIsAClearError) {
  std::string names;
  auto c = backend_->OpenBroken(names);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(names), std::string::npos) << c.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogContractTest, ::testing::ValuesIn(TestBackend::Names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace triage::catalog
