// `triage db copy` underneath: a catalog moved SQLite -> PostgreSQL -> SQLite holds exactly what it held, verified by
// counts and checksums, and reads back the same through the Catalog interface.
#include "catalog/catalog_copy.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/statement.h"
#include "catalog/test_backends.h"
#include "model/json.h"

namespace triage::catalog {
namespace {

using nlohmann::json;

CatalogChange Insert(const std::string& journal_id, const std::string& path, const std::string& location,
                     const std::string& category, int64_t at) {
  CatalogChange c;
  c.journal_id = journal_id;
  c.item.path = path;
  c.item.original_name = path.substr(path.rfind('/') + 1);
  c.item.original_path = "/in/" + c.item.original_name;
  c.item.fingerprint = {"sha-" + journal_id, 1234, 0x8000000000000001ull, 0x0F0F, true};
  c.item.fingerprint.signature = {0, 1, 2, 255};
  c.item.location = location;
  c.item.category = category;
  c.item.sharpness = 0.1 + 0.2;  // not exactly representable: must survive the round trip bit for bit
  c.item.reasons = {{"no_faces_detected", "Kein Gesicht erkannt: «ä»"}};
  model::Face face;
  face.box = {1.5f, 2.25f, 30, 40};
  face.embedding = {0.125f, -0.5f, 3.0f};
  face.landmarks = {{1, 2}, {3, 4}};
  face.match = {model::MatchKind::kLowConfidence, "ada", 0.55, 0.3, {}};
  c.faces = {face};
  model::StoredAnalysis analysis;
  analysis.analysis.readable = true;
  analysis.analysis.faces = {face};
  analysis.analysis.quality = {
      true, 6.5, "portrait", {{"sharpness", 1.0, 7.25, 30, 2.175}, {"exposure", 0.5, 5, 20, 1}}, {}, false, "sharp"};
  c.analysis = analysis;
  c.action = "ingest";
  c.at = at;
  return c;
}

// A catalog with a bit of everything: items in each place, a relocation, a skip, persons, references, users,
// sessions and a free audit entry.
void FillCatalog(Catalog& catalog, UserStore& users) {
  for (int i = 0; i < 30; ++i) {
    const char* where = i % 3 == 0 ? "library" : i % 3 == 1 ? "review" : "trash";
    ASSERT_TRUE(catalog
                    .Apply(Insert("j" + std::to_string(i), std::string(where) + "/x/" + std::to_string(i) + ".jpg",
                                  where, i % 3 == 1 ? "unidentified" : "", 1000 + i))
                    .ok());
  }
  CatalogChange approve;
  approve.kind = CatalogChange::Kind::kRelocateItem;
  approve.journal_id = "approve-2";
  approve.item.id = 2;
  approve.item.path = "faces/carol/2.jpg";
  approve.item.location = "library";
  approve.item.person = "carol";
  approve.action = "approve";
  approve.references = {{0, "carol", {0.25f, 0.5f}, "item:2"}};
  approve.at = 5000;
  ASSERT_TRUE(catalog.Apply(approve).ok());
  ASSERT_TRUE(catalog.SkipReview(5, "bob", 6000).ok());
  ASSERT_TRUE(catalog.AddPerson("dave", 7000).ok());
  ASSERT_TRUE(catalog.AddAudit({0, 7001, "admin", 0, "settings", "", "", "changed thresholds"}).ok());
  ASSERT_TRUE(users.AddUser({0, "alice", "admin", "aa:bb", 10}).ok());
  ASSERT_TRUE(users.AddSession({"tok", "alice", "csrf", 10, 99999999999}).ok());
}

// What the stores beside the catalog hold: a face cluster named as a person with a rejection and a logged people
// action, an undo token, a proposal with votes and a flag, a public mark, an approved cover, a burst.
void FillStores(TestBackend& backend, Catalog& catalog) {
  auto faces = backend.Faces(catalog);
  auto cluster = faces->CreateCluster("", 8000);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  ASSERT_TRUE(faces->SetAssignments({{1, *cluster, 3, true, false}, {4, *cluster, 2, false, true}}).ok());
  ASSERT_TRUE(faces->SetClusterPerson(*cluster, "ada").ok());
  ASSERT_TRUE(faces->AddRejection(7, "ada", 8001).ok());
  auto action = faces->LogAction({0, 8002, "admin", "name", "named a cluster ada", R"({"cluster":1})", std::nullopt});
  ASSERT_TRUE(action.ok());
  ASSERT_TRUE(faces->MarkUndone(*action, 8003).ok());
  ASSERT_TRUE(
      backend.Undo(catalog)
          ->AddUndo({"undo-1", "approve", "bob", R"({"item":2})", "approved 2.jpg as carol", 5000, 99999999999, 0})
          .ok());
  auto proposals = backend.Proposals(catalog);
  ProposalRecord swap;
  swap.slot = "faces/carol/2.jpg";
  swap.current_item_id = 2;
  swap.proposed_item_id = 5;
  swap.reason = "better_quality";
  swap.current = {640, 480, 41.5, 1234, 0.3};
  swap.proposed = {1280, 960, 77.25, 4321, 0.7};
  swap.proposed_by = "workflow:upgrade";
  swap.proposed_at = 8100;
  ASSERT_TRUE(proposals->AddProposal(swap).ok());
  ProposalRecord cover = swap;
  cover.slot = CoverSlot("carol");
  cover.reason = "manual";
  cover.current_item_id = 0;
  cover.proposed_item_id = 2;
  auto cover_id = proposals->AddProposal(cover);
  ASSERT_TRUE(cover_id.ok());
  ASSERT_TRUE(proposals->ApplyCover({*cover_id, "carol", 0, 2, kProposalApproved, "admin", "nice", "", 8101}).ok());
  for (const char* voter : {"user:bob", "session:ab12"}) {
    ASSERT_TRUE(proposals->CastVote({5, voter, "127.0.0.1", 1, 8102}).ok());
    ASSERT_TRUE(proposals->AddFlag({5, voter, "127.0.0.1", "other", "blurry «ä»", 8103}).ok());
  }
  ASSERT_TRUE(proposals->SetPublic(4, true, "admin", 8104).ok());
  model::ItemGroup burst{model::GroupKind::kBurst,
                         1,
                         {{1, true, 7.5, "lead", 0}, {4, false, 6.25, "burst_frame", 3}},
                         "the sharpest frame"};
  ASSERT_TRUE(backend.Gallery(catalog)->ReplaceGroups(model::GroupKind::kBurst, {}, true, {burst}).ok());
}

// Everything FillCatalog and FillStores write, into `catalog` opened from `backend`.
void FillAll(TestBackend& backend, Catalog& catalog) {
  auto users = backend.Users(catalog);
  FillCatalog(catalog, *users);
  FillStores(backend, catalog);
}

// Every copied table, row by row, as the catalog holds it.
std::map<std::string, std::vector<Row>> AllRows(Catalog& catalog) {
  std::map<std::string, std::vector<Row>> out;
  for (const TableSpec& table : CopiedTables()) {
    auto rows = TestBackend::Tables(catalog).ReadRows(table, std::nullopt, 100000);
    EXPECT_TRUE(rows.ok()) << table.name << ": " << rows.status().ToString();
    if (rows.ok()) out[table.name] = *rows;
  }
  return out;
}

// What a user sees of a catalog: every item with its faces and analysis, the audit log, persons and references.
json Export(Catalog& c) {
  json out;
  ItemFilter all;
  all.limit = 1000;
  auto items = c.ListItems(all);
  for (const auto& item : *items) {
    json entry = item;
    entry["faces"] = *c.FacesOf(item.id);
    auto analysis = c.GetAnalysis(item.id);
    entry["analysis"] = analysis->has_value() ? json(**analysis) : json(nullptr);
    out["items"].push_back(entry);
  }
  out["audit"] = *c.ListAudit(0, "", 1000, 0);
  out["persons"] = *c.ListPersons();
  auto refs = c.AllReferences();
  for (const auto& ref : *refs) out["references"].push_back({ref.person, ref.embedding, ref.source});
  return out;
}

TEST(CatalogCopyTest, SqliteToPostgresAndBackHoldsTheSameRows) {
  auto sqlite = TestBackend::Make("sqlite");
  auto postgres = TestBackend::Make("postgres");
  auto back = TestBackend::Make("sqlite");
  auto original = sqlite->Open();
  auto moved = postgres->Open();
  auto returned = back->Open();
  ASSERT_TRUE(original.ok() && moved.ok() && returned.ok()) << moved.status().ToString();
  FillAll(*sqlite, **original);

  auto there = CopyCatalog(TestBackend::Tables(**original), TestBackend::Tables(**moved), {7, nullptr});
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  auto home = CopyCatalog(TestBackend::Tables(**moved), TestBackend::Tables(**returned));
  ASSERT_TRUE(home.ok()) << home.status().ToString();

  ASSERT_EQ(there->size(), home->size());
  for (size_t i = 0; i < there->size(); ++i) {
    EXPECT_EQ((*there)[i].rows, (*home)[i].rows) << (*there)[i].table;
    EXPECT_EQ((*there)[i].sha256, (*home)[i].sha256) << (*there)[i].table;
  }
  EXPECT_EQ(there->front().table, "items");
  EXPECT_EQ(there->front().rows, 30);
  json exported = Export(**original);
  EXPECT_EQ(Export(**moved), exported);
  EXPECT_EQ(Export(**returned), exported);
  EXPECT_EQ(postgres->Users(**moved)->GetUser("alice")->password_hash, "aa:bb");

  auto rows = AllRows(**original);
  for (const auto& [table, held] : rows) EXPECT_FALSE(held.empty()) << table << " is filled, so its copy is tested";
  EXPECT_GT(rows["dimension_scores"].size(), 7u) << "pages of 7 end inside an item's scores";
  EXPECT_EQ(AllRows(**moved), rows);
  EXPECT_EQ(AllRows(**returned), rows);
  EXPECT_EQ(postgres->Faces(**moved)->ListRejections()->size(), 1u);
  EXPECT_EQ(postgres->Proposals(**moved)->CoverOf("carol").value(), 2);
  EXPECT_EQ(postgres->Undo(**moved)->FindUndo("undo-1")->summary, "approved 2.jpg as carol");
  EXPECT_EQ(postgres->Users(**moved)->FindSession("tok", 11).status().code(), base::Code::kNotFound)
      << "sign-ins are not copied";
}

TEST(CatalogCopyTest, CopiedPostgresCatalogHandsOutNewIdsPastTheCopied) {
  auto sqlite = TestBackend::Make("sqlite");
  auto postgres = TestBackend::Make("postgres");
  auto original = sqlite->Open();
  auto moved = postgres->Open();
  ASSERT_TRUE(original.ok() && moved.ok());
  FillAll(*sqlite, **original);
  ASSERT_TRUE(CopyCatalog(TestBackend::Tables(**original), TestBackend::Tables(**moved)).ok());
  auto id = (*moved)->Apply(Insert("after-copy", "library/x/new.jpg", "library", "", 9000));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 31);
  EXPECT_TRUE((*moved)->AddPerson("erin", 9001).ok());
  EXPECT_EQ((*moved)->ListAudit(*id, "", 10, 0)->size(), 1u);
  auto faces = postgres->Faces(**moved);
  auto cluster = faces->CreateCluster("", 9002);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_EQ(*cluster, 2);
  EXPECT_EQ(*faces->LogAction({0, 9003, "admin", "name", "", "{}", std::nullopt}), 2);
}

TEST(CatalogCopyTest, RefusesATargetThatHoldsACatalogAndWritesNothing) {
  auto a = TestBackend::Make("sqlite");
  auto b = TestBackend::Make("postgres");
  auto from = a->Open();
  auto to = b->Open();
  ASSERT_TRUE(from.ok() && to.ok());
  ASSERT_TRUE((*from)->Apply(Insert("j1", "library/x/1.jpg", "library", "", 1)).ok());
  ASSERT_TRUE((*to)->AddPerson("zoe", 1).ok());
  auto copied = CopyCatalog(TestBackend::Tables(**from), TestBackend::Tables(**to));
  EXPECT_EQ(copied.status().code(), base::Code::kConflict);
  EXPECT_NE(copied.status().message().find("persons"), std::string::npos) << copied.status().message();
  EXPECT_EQ(*(*to)->CountItems({}), 0);
}

// The raw SQLite handle of a test catalog, to damage it the way an older or foreign database would be.
base::Status Damage(Catalog& catalog, const char* sql) {
  auto& sqlite = dynamic_cast<sqlite::SqliteCatalog&>(catalog);
  auto lock = sqlite.Lock();
  return sqlite::Exec(sqlite.handle(), sql);
}

TEST(CatalogCopyTest, RefusalNamesTheFirstTableThatHoldsRows) {
  auto a = TestBackend::Make("sqlite");
  auto b = TestBackend::Make("sqlite");
  auto from = a->Open();
  auto to = b->Open();
  ASSERT_TRUE(from.ok() && to.ok());
  ASSERT_TRUE((*from)->Apply(Insert("j1", "library/x/1.jpg", "library", "", 1)).ok());
  ASSERT_TRUE(b->Undo(**to)->AddUndo({"left-over", "keep", "bob", "{}", "", 1, 2, 0}).ok());
  auto copied = CopyCatalog(TestBackend::Tables(**from), TestBackend::Tables(**to));
  EXPECT_EQ(copied.status().code(), base::Code::kConflict);
  EXPECT_NE(copied.status().message().find("table undo_tokens holds 1 rows"), std::string::npos)
      << copied.status().message();
  EXPECT_EQ(*(*to)->CountItems({}), 0);
}

TEST(CatalogCopyTest, ATableWithoutAColumnIsNamedBeforeAnythingIsWritten) {
  for (const char* side : {"--from", "--to"}) {
    auto a = TestBackend::Make("sqlite");
    auto b = TestBackend::Make("sqlite");
    auto from = a->Open();
    auto to = b->Open();
    ASSERT_TRUE(from.ok() && to.ok());
    ASSERT_TRUE((*from)->Apply(Insert("j1", "library/x/1.jpg", "library", "", 1)).ok());
    Catalog& damaged = std::string(side) == "--from" ? **from : **to;
    ASSERT_TRUE(Damage(damaged, "ALTER TABLE votes DROP COLUMN address").ok());
    auto copied = CopyCatalog(TestBackend::Tables(**from), TestBackend::Tables(**to));
    EXPECT_EQ(copied.status().code(), base::Code::kCorrupt) << side;
    EXPECT_NE(copied.status().message().find(std::string(side) + ": table votes"), std::string::npos)
        << copied.status().message();
    EXPECT_NE(copied.status().message().find("address"), std::string::npos) << copied.status().message();
    EXPECT_EQ(*(*to)->CountItems({}), 0) << side;
    EXPECT_EQ(*(*from)->CountItems({}), 1) << side;
  }
}

TEST(CatalogCopyTest, AWriteThatFailsHalfwayLeavesTheTargetEmptyAndTheSourceAsItWas) {
  auto a = TestBackend::Make("sqlite");
  auto b = TestBackend::Make("sqlite");
  auto from = a->Open();
  auto to = b->Open();
  ASSERT_TRUE(from.ok() && to.ok());
  FillAll(*a, **from);
  auto before = ChecksumTables(TestBackend::Tables(**from));
  ASSERT_TRUE(before.ok());
  // The target refuses proposals, which come after the items, faces and persons.
  ASSERT_TRUE(Damage(**to,
                     "CREATE TRIGGER refuse BEFORE INSERT ON proposals BEGIN SELECT RAISE(ABORT, 'disk full'); "
                     "END")
                  .ok());
  auto copied = CopyCatalog(TestBackend::Tables(**from), TestBackend::Tables(**to), {5, nullptr});
  ASSERT_FALSE(copied.ok());
  EXPECT_NE(copied.status().message().find("proposals"), std::string::npos) << copied.status().message();
  EXPECT_NE(copied.status().message().find("nothing was written"), std::string::npos) << copied.status().message();
  auto target = ChecksumTables(TestBackend::Tables(**to));  // held: a range over *F() would outlive F()'s result
  ASSERT_TRUE(target.ok());
  for (const TableChecksum& t : *target) EXPECT_EQ(t.rows, 0) << t.table;
  auto after = ChecksumTables(TestBackend::Tables(**from));
  ASSERT_TRUE(after.ok());
  for (size_t i = 0; i < before->size(); ++i) EXPECT_EQ((*after)[i].sha256, (*before)[i].sha256) << (*after)[i].table;
  ASSERT_TRUE(Damage(**to, "DROP TRIGGER refuse").ok());
  EXPECT_TRUE(CopyCatalog(TestBackend::Tables(**from), TestBackend::Tables(**to)).ok()) << "and can be copied into";
}

}  // namespace
}  // namespace triage::catalog
