// Specification of the gallery: filters, sorts, the month timeline, keyset pages that show every item once, and
// ranked lists that never show two frames of one burst in a row unless asked.
#include "quality/gallery.h"

#include <gtest/gtest.h>

#include <set>

#include "quality/gallery_fixture.h"
#include "quality/group_service.h"

namespace triage::quality {
namespace {

std::vector<int64_t> Ids(const std::vector<catalog::GalleryEntry>& entries) {
  std::vector<int64_t> out;
  for (const auto& e : entries) out.push_back(e.item.id);
  return out;
}

class GalleryTest : public ::testing::TestWithParam<std::string> {
 protected:
  // A photo with every fact the gallery filters on.
  static FixturePhoto Make(const std::string& taken, uint64_t phash, double aggregate, const std::string& category,
                           double sharpness, double composition, bool eyes_closed, const std::string& person,
                           const std::string& camera, const std::string& lens, const std::string& location) {
    FixturePhoto p(taken, phash, aggregate, sharpness, composition);
    p.category = category;
    p.eyes_closed = eyes_closed;
    p.person = person;
    p.camera = camera;
    p.lens = lens;
    p.location = location;
    return p;
  }

  void SetUp() override {
    portrait_ = f_.Add(Make("2024-05-03T09:00:00", 0x1, 8.5, "portrait", 9.0, 6.0, false, "alice", "Canon EOS R5",
                            "RF 85mm", "library"));
    blink_ = f_.Add(Make("2024-05-03T09:00:02", 0x3, 7.0, "portrait", 4.0, 5.0, true, "alice", "Canon EOS R5",
                         "RF 85mm", "library"));
    landscape_ = f_.Add(Make("2024-06-10T18:00:00", 0xf0f0f0f0f0f0f0f0ULL, 6.0, "landscape", 7.5, 8.0, false, "",
                             "Nikon Z6", "24-70", "library"));
    copy_ = f_.Add(Make("2023-01-01T12:00:00", 0xf0f0f0f0f0f0f0f1ULL, 3.0, "landscape", 2.0, 3.0, false, "", "Nikon Z6",
                        "24-70", "library"));
    unscored_ = f_.Add(Make("", 0x0f0f0f0f0f0f0f0fULL, -1, "others", 0, 0, false, "", "", "", "review"));
    GroupService service(f_.catalog(), f_.store());
    ASSERT_TRUE(service.Refresh({}).ok());
  }

  std::vector<int64_t> List(catalog::GalleryQuery q) {
    auto page = ListGallery(f_.store(), {q, "", /*keep_bursts_together=*/true});
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? Ids(page->items) : std::vector<int64_t>{};
  }

  GalleryFixture f_{GetParam()};
  int64_t portrait_ = 0, blink_ = 0, landscape_ = 0, copy_ = 0, unscored_ = 0;
};

TEST_P(GalleryTest, SortsByAggregateDateAndAnyDimension) {
  catalog::GalleryQuery q;
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_, landscape_, copy_, unscored_}));
  q.sort = "date";
  q.ascending = true;
  // The unscored item has no capture time: it comes last in either order (its arrival time used to stand in, which
  // put downloads without EXIF among the photos taken the month they were ingested).
  EXPECT_EQ(List(q), (std::vector<int64_t>{copy_, portrait_, blink_, landscape_, unscored_}));
  q.ascending = false;
  EXPECT_EQ(List(q), (std::vector<int64_t>{landscape_, blink_, portrait_, copy_, unscored_}));
  // So does an unscored photo ranked from the lowest score up, in one page or page by page.
  q.sort = "aggregate";
  q.ascending = true;
  EXPECT_EQ(List(q), (std::vector<int64_t>{copy_, landscape_, blink_, portrait_, unscored_}));
  q.limit = 2;
  std::vector<int64_t> paged;
  std::string cursor;
  for (int pages = 0; pages < 5; ++pages) {
    auto page = ListGallery(f_.store(), {q, cursor, true});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& e : page->items) paged.push_back(e.item.id);
    if (page->next_cursor.empty()) break;
    cursor = page->next_cursor;
  }
  EXPECT_EQ(paged, (std::vector<int64_t>{copy_, landscape_, blink_, portrait_, unscored_}));
  q.limit = 100;
  q.sort = "composition";
  q.ascending = false;
  EXPECT_EQ(List(q), (std::vector<int64_t>{landscape_, portrait_, blink_, copy_, unscored_}));
  // Ranked without asking to keep bursts together, the burst's second frame moves down by one.
  auto spread = ListGallery(f_.store(), {q, "", false});
  ASSERT_TRUE(spread.ok());
  EXPECT_EQ(Ids(spread->items), (std::vector<int64_t>{landscape_, portrait_, copy_, blink_, unscored_}));
  q.sort = "bokeh";
  auto bad = ListGallery(f_.store(), {q, "", false});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("sort \"bokeh\" is unknown"), std::string::npos);
}

// A scan dated before 1970 has a negative capture time: it still comes before the undated photo, newest first.
TEST_P(GalleryTest, APhotoTakenBefore1970SortsAmongTheDatedOnes) {
  const int64_t scan =
      f_.Add(Make("1950-06-01T12:00:00", 0x6666, 5.0, "others", 5.0, 5.0, false, "", "", "", "library"));
  catalog::GalleryQuery q;
  q.sort = "date";
  EXPECT_EQ(List(q), (std::vector<int64_t>{landscape_, blink_, portrait_, copy_, scan, unscored_}));
  q.ascending = true;
  EXPECT_EQ(List(q), (std::vector<int64_t>{scan, copy_, portrait_, blink_, landscape_, unscored_}));
}

// A photo waiting in review whose nearest match is alice (the matcher's suggestion, not a decision) is not one of her
// photos.
TEST_P(GalleryTest, APersonsPhotosAreThoseSortedToThemNotSuggestionsWaitingInReview) {
  int64_t suggested = f_.Add(Make("2024-05-03T09:30:00", 0x5555, 5.0, "portrait", 5.0, 5.0, false, "alice",
                                  "Canon EOS R5", "RF 85mm", "review"));
  catalog::GalleryQuery q;
  q.person = "alice";
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_}));
  q = {};
  q.location = "review";
  EXPECT_EQ(List(q), (std::vector<int64_t>{suggested, unscored_}));
}

TEST_P(GalleryTest, FiltersByPersonCategoryCameraLensDatesAndScores) {
  catalog::GalleryQuery q;
  q.person = "alice";
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_}));
  q = {};
  q.category = "landscape";
  EXPECT_EQ(List(q), (std::vector<int64_t>{landscape_, copy_}));
  q = {};
  q.camera = "Nikon Z6";
  q.lens = "24-70";
  EXPECT_EQ(List(q), (std::vector<int64_t>{landscape_, copy_}));
  // A part of the name, in any case; LIKE's own characters match only themselves.
  q = {};
  q.camera = "canon";
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_}));
  q.camera = "EOS R";
  q.lens = "rf 85";
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_}));
  q = {};
  q.camera = "%";
  EXPECT_TRUE(List(q).empty());
  q.camera = "Nikon_Z6";
  EXPECT_TRUE(List(q).empty());
  q = {};
  q.taken_from_ms = model::CaptureTimeMs("2024-05-01T00:00:00");
  q.taken_to_ms = model::CaptureTimeMs("2024-06-01T00:00:00");
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_}));
  // A photo without a capture time is in no date range, however wide, and is what "undated" lists.
  q = {};
  q.taken_from_ms = model::CaptureTimeMs("1971-01-01T00:00:00");
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_, landscape_, copy_}));
  q = {};
  q.undated = true;
  EXPECT_EQ(List(q), (std::vector<int64_t>{unscored_}));
  q = {};
  q.min_score = 5.0;
  q.max_score = 7.0;
  EXPECT_EQ(List(q), (std::vector<int64_t>{blink_, landscape_}));
  q = {};
  q.location = "review";
  EXPECT_EQ(List(q), (std::vector<int64_t>{unscored_}));
}

TEST_P(GalleryTest, SwitchesHideClosedEyesBurstFramesAndDuplicates) {
  catalog::GalleryQuery q;
  q.hide_closed_eyes = true;
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, landscape_, copy_, unscored_}));
  q = {};
  q.best_of_burst_only = true;  // portrait and blink are one burst (2 s apart, similar): the open eyes lead
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, landscape_, copy_, unscored_}));
  q = {};
  q.hide_duplicates = true;  // landscape leads its duplicate group with the old copy
  EXPECT_EQ(List(q), (std::vector<int64_t>{portrait_, blink_, landscape_, unscored_}));
  auto entries = *f_.store().Gallery({});
  EXPECT_EQ(entries[0].burst_id, portrait_);
  EXPECT_TRUE(entries[0].burst_lead);
  EXPECT_EQ(entries[0].burst_size, 2);
  EXPECT_EQ(entries[2].duplicate_group, landscape_);
  EXPECT_TRUE(entries[2].duplicate_lead);
  EXPECT_FALSE(entries[3].duplicate_lead);
}

// Photos that sort alike come oldest first in either order: a copy scoring as its original (the lead of their
// duplicate group, the oldest) came before it when ties went by falling id, so the grid showed "dup" ahead of the
// photo it copies. Pages cut between tied photos show each once.
TEST_P(GalleryTest, TiesComeOldestFirstInEitherOrderAcrossPages) {
  const int64_t twin_a = f_.Add(FixturePhoto("2024-07-01T10:00:00", 0x5555, 9.0));
  const int64_t twin_b = f_.Add(FixturePhoto("2024-07-01T10:00:00", 0xaaaa, 9.0));
  const int64_t twin_c = f_.Add(FixturePhoto("2024-07-01T10:00:00", 0x5a5a, 9.0));
  for (bool ascending : {false, true}) {
    catalog::GalleryQuery q;
    q.min_score = 9.0;
    q.ascending = ascending;
    EXPECT_EQ(List(q), (std::vector<int64_t>{twin_a, twin_b, twin_c})) << "ascending " << ascending;
    std::vector<int64_t> paged;
    std::string cursor;
    q.limit = 1;
    for (int page = 0; page < 5; ++page) {
      auto got = ListGallery(f_.store(), {q, cursor, /*keep_bursts_together=*/true});
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      for (const auto& e : got->items) paged.push_back(e.item.id);
      if (got->next_cursor.empty()) break;
      cursor = got->next_cursor;
    }
    EXPECT_EQ(paged, (std::vector<int64_t>{twin_a, twin_b, twin_c})) << "ascending " << ascending;
  }
}

TEST_P(GalleryTest, CountsPerCaptureMonthNewestFirst) {
  catalog::GalleryQuery q;
  q.location = "library";
  auto months = f_.store().GalleryMonths(q);
  ASSERT_TRUE(months.ok());
  ASSERT_EQ(months->size(), 3u);
  EXPECT_EQ((*months)[0].month, "2024-06");
  EXPECT_EQ((*months)[1].month, "2024-05");
  EXPECT_EQ((*months)[1].count, 2);
  EXPECT_EQ((*months)[2].month, "2023-01");
  // With the review queue, the photo without a capture time is counted last, apart, under month "".
  months = f_.store().GalleryMonths({});
  ASSERT_TRUE(months.ok());
  ASSERT_EQ(months->size(), 4u);
  EXPECT_EQ((*months)[2].month, "2023-01");
  EXPECT_EQ((*months)[3].month, "");
  EXPECT_EQ((*months)[3].count, 1);
}

TEST_P(GalleryTest, FacetsCountCamerasAndLensesOutsideTheTrashMostUsedFirst) {
  f_.Add(Make("2024-08-01T10:00:00", 0x7777, 5.0, "others", 5.0, 5.0, false, "", "Nikon Z6", "50mm", "review"));
  auto cameras = f_.store().GalleryFacet("camera", 10);
  ASSERT_TRUE(cameras.ok()) << cameras.status().ToString();
  ASSERT_EQ(cameras->size(), 2u);
  EXPECT_EQ((*cameras)[0].value, "Nikon Z6");
  EXPECT_EQ((*cameras)[0].count, 3);
  EXPECT_EQ((*cameras)[1].value, "Canon EOS R5");
  auto lenses = f_.store().GalleryFacet("lens", 1);
  ASSERT_TRUE(lenses.ok());
  ASSERT_EQ(lenses->size(), 1u);  // the limit holds
  EXPECT_EQ((*lenses)[0].value, "24-70");
  auto bad = f_.store().GalleryFacet("items.id; DROP TABLE items", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), base::Code::kInvalidArgument);
}

// The archive holds the images approved proposals replaced; like the trash, it is not the library: its photos are not
// shown, counted in facets, nor grouped (a replaced image leading a burst would hide the photo that took its slot).
TEST_P(GalleryTest, AnArchivedOrTrashedPhotoIsNeitherShownCountedNorGrouped) {
  // Both outscore the portrait they are copies of, taken a second after it: each would lead its burst.
  const int64_t archived =
      f_.Add(Make("2024-05-03T09:00:01", 0x1, 9.5, "portrait", 9.5, 6.0, false, "alice", "Leica Q", "28mm", "archive"));
  const int64_t trashed =
      f_.Add(Make("2024-05-03T09:00:03", 0x1, 9.6, "portrait", 9.6, 6.0, false, "alice", "Leica Q", "28mm", "trash"));
  GroupService service(f_.catalog(), f_.store());
  ASSERT_TRUE(service.Refresh({}).ok());
  const std::vector<int64_t> listed = List({});
  EXPECT_EQ(std::set<int64_t>(listed.begin(), listed.end()),
            (std::set<int64_t>{portrait_, blink_, landscape_, copy_, unscored_}));
  auto cameras = f_.store().GalleryFacet("camera", 10);
  ASSERT_TRUE(cameras.ok());
  for (const auto& c : *cameras) EXPECT_NE(c.value, "Leica Q");
  for (model::GroupKind kind : {model::GroupKind::kBurst, model::GroupKind::kDuplicate}) {
    auto groups = f_.store().ListGroups(kind, 0, 100);
    ASSERT_TRUE(groups.ok());
    for (const auto& g : *groups) {
      for (const auto& m : g.members) {
        EXPECT_NE(m.item_id, archived);
        EXPECT_NE(m.item_id, trashed);
      }
    }
  }
}

// A burst of eight frames that outscore everything else, and twelve single photos.
class RankedBurstTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    for (int i = 0; i < 8; ++i) {
      char at[32];
      std::snprintf(at, sizeof at, "2024-07-01T12:00:%02d.%d", i / 2, (i % 2) * 5);
      burst_.insert(f_.Add({at, 0xabcdef0123456789ULL ^ (1ULL << i), 9.0 - i * 0.05}));
    }
    for (int i = 0; i < 12; ++i) {
      f_.Add({"2024-07-0" + std::to_string(2 + i % 7) + "T0" + std::to_string(1 + i / 7) + ":00:00",
              0x1111111111111111ULL * (i + 1) ^ (i << 20), 8.0 - i * 0.3});
    }
    GroupService service(f_.catalog(), f_.store());
    ASSERT_TRUE(service.Refresh({}).ok());
    ASSERT_EQ(f_.store().ListGroups(model::GroupKind::kBurst, 0, 10)->size(), 1u);
  }

  // Every page of `limit` until the end.
  std::vector<catalog::GalleryEntry> AllPages(int limit, bool keep_together) {
    std::vector<catalog::GalleryEntry> all;
    GalleryRequest r;
    r.query.limit = limit;
    r.keep_bursts_together = keep_together;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = ListGallery(f_.store(), r);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      for (auto& e : page->items) all.push_back(e);

      if (page->next_cursor.empty()) break;
      r.cursor = page->next_cursor;
    }
    return all;
  }

  GalleryFixture f_{GetParam()};
  std::set<int64_t> burst_;
};

TEST_P(RankedBurstTest, PagesShowEveryItemOnceAndNoTwoFramesOfABurstInARow) {
  for (int limit : {1, 3, 7, 50}) {
    auto all = AllPages(limit, false);
    ASSERT_EQ(all.size(), 20u) << "limit " << limit;
    std::vector<int64_t> ids = Ids(all);
    EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 20u);
    // Eight frames among twelve others: they can be kept apart all the way down.
    for (size_t i = 1; i < all.size(); ++i) {
      EXPECT_FALSE(burst_.count(all[i].item.id) && burst_.count(all[i - 1].item.id))
          << "limit " << limit << ": frames at " << i - 1 << " and " << i;
    }
  }
}

TEST_P(RankedBurstTest, FramesStayTogetherWhenAskedAndOnlyTheBestWhenSwitched) {
  auto together = AllPages(5, true);
  ASSERT_EQ(together.size(), 20u);
  for (size_t i = 0; i < 8; ++i) EXPECT_TRUE(burst_.count(together[i].item.id)) << i;
  GalleryRequest r;
  r.query.best_of_burst_only = true;
  auto page = ListGallery(f_.store(), r);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 13u);
  EXPECT_EQ(*page->total, 13);
  EXPECT_TRUE(page->items[0].burst_lead);
  EXPECT_EQ(page->items[0].burst_size, 8);
}

TEST_P(RankedBurstTest, ACursorNotGivenByTheGalleryIsRefused) {
  for (const char* cursor : {"x", "1~2~3", "abc~1~0~", "1~2~3~4.x"}) {
    GalleryRequest r;
    r.cursor = cursor;
    auto page = ListGallery(f_.store(), r);
    ASSERT_FALSE(page.ok()) << cursor;
    EXPECT_EQ(page.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(page.status().message().find("cursor"), std::string::npos);
  }
}

// A next_cursor holds a position in one order; asked with another sort, it is refused rather than read as a value of
// that sort. The same order takes it.
TEST_P(RankedBurstTest, ACursorOfAnotherSortIsRefused) {
  GalleryRequest first;
  first.query.limit = 5;
  auto page = ListGallery(f_.store(), first);
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->next_cursor.empty());
  GalleryRequest by_date = first;
  by_date.query.sort = "date";
  by_date.cursor = page->next_cursor;
  auto refused = ListGallery(f_.store(), by_date);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("sorted by aggregate (desc), not by date (desc)"), std::string::npos)
      << refused.status().message();
  GalleryRequest reversed = first;
  reversed.query.ascending = true;
  reversed.cursor = page->next_cursor;
  EXPECT_FALSE(ListGallery(f_.store(), reversed).ok());
  GalleryRequest same = first;
  same.cursor = page->next_cursor;
  EXPECT_TRUE(ListGallery(f_.store(), same).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, GalleryTest, ::testing::ValuesIn(catalog::TestBackend::Names()),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Backends, RankedBurstTest, ::testing::ValuesIn(catalog::TestBackend::Names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace triage::quality
