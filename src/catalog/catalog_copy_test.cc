// `triage db copy` underneath: a catalog moved SQLite -> PostgreSQL -> SQLite holds exactly what it held, verified by
// counts and checksums, and reads back the same through the Catalog interface.
#include "catalog/catalog_copy.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
  c.analysis = analysis;
  c.action = "ingest";
  c.at = at;
  return c;
}

// A catalog with a bit of everything: items in each place, a relocation, a skip, persons, references, users,
// sessions and a free audit entry.
void Fill(Catalog& catalog, UserStore& users) {
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
  auto users = sqlite->Users(**original);
  Fill(**original, *users);

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
}

TEST(CatalogCopyTest, CopiedPostgresCatalogHandsOutNewIdsPastTheCopied) {
  auto sqlite = TestBackend::Make("sqlite");
  auto postgres = TestBackend::Make("postgres");
  auto original = sqlite->Open();
  auto moved = postgres->Open();
  ASSERT_TRUE(original.ok() && moved.ok());
  auto users = sqlite->Users(**original);
  Fill(**original, *users);
  ASSERT_TRUE(CopyCatalog(TestBackend::Tables(**original), TestBackend::Tables(**moved)).ok());
  auto id = (*moved)->Apply(Insert("after-copy", "library/x/new.jpg", "library", "", 9000));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, 31);
  EXPECT_TRUE((*moved)->AddPerson("erin", 9001).ok());
  EXPECT_EQ((*moved)->ListAudit(*id, "", 10, 0)->size(), 1u);
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

}  // namespace
}  // namespace triage::catalog
