// Specification of keeping bursts and duplicate groups current from stored facts: a first refresh groups the whole
// library, later ones only what changed, and the result equals a regrouping from scratch.
#include "quality/group_service.h"

#include <gtest/gtest.h>

#include <random>

#include "quality/gallery_fixture.h"

namespace triage::quality {
namespace {

constexpr uint64_t kScene = 0x5a5a00ff12345678ULL;

std::string At(int second, int centis = 0) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2024-06-01T10:%02d:%02d.%02d", second / 60, second % 60, centis);
  return buf;
}

std::vector<std::vector<int64_t>> Listed(catalog::GalleryStore& store, model::GroupKind kind) {
  std::vector<std::vector<int64_t>> out;
  auto groups = store.ListGroups(kind, 0, 10000);
  for (const auto& g : *groups) {
    std::vector<int64_t> ids;
    for (const auto& m : g.members) ids.push_back(m.item_id);
    out.push_back(ids);
  }
  return out;
}

// Runs on every catalog backend.
class GroupServiceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GroupServiceTest, FirstRefreshGroupsTheLibraryFromStoredFacts) {
  GalleryFixture f(GetParam());
  int64_t a = f.Add({At(0), kScene, 6.0});
  int64_t b = f.Add({At(1, 20), kScene ^ 0x3, 8.0});
  int64_t c = f.Add({At(2, 50), kScene ^ 0x7, 7.0});
  int64_t old = f.Add({"2019-01-01T08:00:00", kScene ^ 0x1, 4.0});  // the same scene years ago: a duplicate
  f.Add({At(100), ~kScene, 5.0});                                   // another scene
  GroupService service(f.catalog(), f.store());
  model::GroupingRules rules;
  auto r = service.Refresh(rules);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->rebuilt);
  EXPECT_EQ(Listed(f.store(), model::GroupKind::kBurst), (std::vector<std::vector<int64_t>>{{b, c, a}}));
  // The burst frames are not duplicates of each other; each is a near duplicate of the old photo, and the union
  // joins them all in one group led by the best score.
  auto dups = *f.store().ListGroups(model::GroupKind::kDuplicate, 0, 100);
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0].lead(), b);
  EXPECT_EQ(dups[0].members.size(), 4u);
  EXPECT_NE(dups[0].why.find("highest aggregate"), std::string::npos);
  EXPECT_EQ(f.store().GetGroup(model::GroupKind::kDuplicate, dups[0].id)->members.back().item_id, old);
  // Nothing changed: nothing to do.
  auto again = service.Refresh(rules);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->rebuilt);
  EXPECT_EQ(again->changed_items, 0);
}

TEST_P(GroupServiceTest, ANewFrameJoinsItsBurstWithoutRegroupingTheLibrary) {
  GalleryFixture f(GetParam());
  model::GroupingRules rules;
  GroupService service(f.catalog(), f.store());
  int64_t a = f.Add({At(0), kScene, 6.0});
  int64_t b = f.Add({At(1), kScene ^ 0x3, 7.0});
  ASSERT_TRUE(service.Refresh(rules).ok());
  // A sharper frame 40 s later (within 0.8 min of #b) and a photo of another day.
  int64_t c = f.Add({At(41), kScene ^ 0xf, 9.0, 9.0, 9.0});
  f.Add({"2024-06-02T09:00:00", ~kScene, 5.0});
  auto r = service.Refresh(rules);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->rebuilt);
  EXPECT_EQ(r->changed_items, 2);
  auto bursts = *f.store().ListGroups(model::GroupKind::kBurst, 0, 100);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].id, a);
  EXPECT_EQ(bursts[0].lead(), c);
  EXPECT_EQ(bursts[0].members.size(), 3u);
  // The lead leaves for the trash: the burst is found again without it.
  const std::string lead_location = f.catalog().GetItem(c)->location;
  const std::string lead_path = f.catalog().GetItem(c)->path;
  catalog::CatalogChange trash;
  trash.kind = catalog::CatalogChange::Kind::kRelocateItem;
  trash.journal_id = "trash-c";
  trash.item = *f.catalog().GetItem(c);
  trash.item.location = "trash";
  trash.item.path = ".triage/trash/c.jpg";
  trash.action = "reject";
  ASSERT_TRUE(f.catalog().Apply(trash).ok());
  ASSERT_TRUE(service.Refresh(rules).ok());
  bursts = *f.store().ListGroups(model::GroupKind::kBurst, 0, 100);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].lead(), b);
  EXPECT_EQ(bursts[0].members.size(), 2u);
  EXPECT_EQ(bursts[0].id, a) << "the group keeps the id of its smallest member, which stayed";
  // Restored from the trash, the frame joins again and leads again, under the same group id (a link to the burst
  // made before the frame left still finds it).
  catalog::CatalogChange restore;
  restore.kind = catalog::CatalogChange::Kind::kRelocateItem;
  restore.journal_id = "restore-c";
  restore.item = *f.catalog().GetItem(c);
  restore.item.location = lead_location;
  restore.item.path = lead_path;
  restore.action = "restore";
  ASSERT_TRUE(f.catalog().Apply(restore).ok());
  ASSERT_TRUE(service.Refresh(rules).ok());
  bursts = *f.store().ListGroups(model::GroupKind::kBurst, 0, 100);
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].id, a);
  EXPECT_EQ(bursts[0].lead(), c);
  EXPECT_EQ(bursts[0].members.size(), 3u);
}

TEST_P(GroupServiceTest, AChangeOfRulesRegroupsEverything) {
  GalleryFixture f(GetParam());
  GroupService service(f.catalog(), f.store());
  f.Add({At(0), kScene, 6.0});
  f.Add({At(30), ~kScene, 6.0});  // dissimilar, 30 s apart: no burst at 0.4 s rapid
  model::GroupingRules rules;
  ASSERT_TRUE(service.Refresh(rules).ok());
  EXPECT_TRUE(f.store().ListGroups(model::GroupKind::kBurst, 0, 10)->empty());
  rules.rapid_burst_seconds = 40;
  auto r = service.Refresh(rules);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->rebuilt);
  EXPECT_EQ(f.store().ListGroups(model::GroupKind::kBurst, 0, 10)->size(), 1u);
}

TEST_P(GroupServiceTest, CaughtUpGroupsEqualARegroupingFromScratch) {
  GalleryFixture f(GetParam());
  GroupService service(f.catalog(), f.store());
  model::GroupingRules rules;
  std::mt19937_64 rng(7);
  ASSERT_TRUE(service.Refresh(rules).ok());
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 25; ++i) {
      int second = static_cast<int>(rng() % 900);
      uint64_t scene = (rng() % 4) * 0x1111111111111111ULL;
      f.Add({At(second % 3600, static_cast<int>(rng() % 100)), scene ^ (1ULL << (rng() % 8)),
             static_cast<double>(rng() % 100) / 10});
    }
    auto r = service.Refresh(rules);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto bursts = Listed(f.store(), model::GroupKind::kBurst);
  auto dups = Listed(f.store(), model::GroupKind::kDuplicate);
  EXPECT_FALSE(bursts.empty());
  EXPECT_FALSE(dups.empty());
  ASSERT_TRUE(service.Rebuild(rules).ok());
  EXPECT_EQ(Listed(f.store(), model::GroupKind::kBurst), bursts);
  EXPECT_EQ(Listed(f.store(), model::GroupKind::kDuplicate), dups);
}

INSTANTIATE_TEST_SUITE_P(Backends, GroupServiceTest, ::testing::ValuesIn(catalog::TestBackend::Names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace triage::quality
