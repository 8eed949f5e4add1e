// Specification of the gallery API: filters and sorts, cursor pages, the month timeline, an item's explained score,
// bursts and duplicate groups, and refused parameters.
#include <fmt/format.h>

#include "quality/gallery_fixture.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

class GalleryApiTest : public ApiTest {
 protected:
  // A burst of three frames (the middle one best), a photo with closed eyes, and a duplicate pair years apart.
  void SetUp() override {
    ApiTest::SetUp();
    auto add = [&](quality::FixturePhoto p) { return *catalog_->Apply(quality::FixtureChange(p, ++added_)); };
    quality::FixturePhoto frame("2024-05-03T09:00:00.10", 0x1, 6.0);
    frame.camera = "Canon EOS R5";
    frame.lens = "RF 85mm";
    frame.person = "alice";
    frame.category = "portrait";
    burst_[0] = add(frame);
    frame.taken_at = "2024-05-03T09:00:00.30";
    frame.aggregate = 8.0;
    burst_[1] = add(frame);
    frame.taken_at = "2024-05-03T09:00:01.00";
    frame.phash = 0x3;
    frame.aggregate = 7.0;
    burst_[2] = add(frame);
    quality::FixturePhoto blink("2024-05-20T12:00:00", 0xff00ff00ff00ff00ULL, 7.5);
    blink.eyes_closed = true;
    blink_ = add(blink);
    quality::FixturePhoto hill("2024-06-01T18:00:00", 0xf0f0f0f0f0f0f0f0ULL, 5.0, 9.5, 5);
    hill.category = "landscape";
    hill_ = add(hill);
    hill.taken_at = "2021-06-01T18:00:00";
    hill.phash ^= 0x10;
    hill.aggregate = 4.0;
    hill.sharpness = 3.0;
    old_hill_ = add(hill);
  }

  std::vector<int64_t> Ids(const json& page) {
    std::vector<int64_t> out;
    for (const auto& item : page["items"]) out.push_back(item["id"]);
    return out;
  }

  int added_ = 0;
  int64_t burst_[3] = {};
  int64_t blink_ = 0, hill_ = 0, old_hill_ = 0;
};

TEST_F(GalleryApiTest, RanksFiltersAndSwitchesBurstsClosedEyesAndDuplicates) {
  TestSession s = Login("alice");
  auto r = Get("/api/gallery", &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json all = Body(r);
  EXPECT_EQ(all["total"], 6);
  // By aggregate, the burst's frames spaced apart: 8.0, 7.5, 7.0, 6.0 would put two frames in a row.
  EXPECT_EQ(Ids(all), (std::vector<int64_t>{burst_[1], blink_, burst_[2], hill_, burst_[0], old_hill_}));
  EXPECT_EQ(all["items"][0]["burst"]["lead"], true);
  EXPECT_EQ(all["items"][0]["burst"]["size"], 3);
  EXPECT_EQ(all["items"][0]["quality"]["dimensions"]["sharpness"]["weight"], 10);
  EXPECT_EQ(all["items"][0]["lens"], "RF 85mm");
  EXPECT_TRUE(all["next_cursor"].is_null());
  EXPECT_EQ(all["months"][0]["month"], "2024-06");
  EXPECT_EQ(all["months"][1]["count"], 4);
  EXPECT_EQ(Ids(Body(Get("/api/gallery?keep_bursts_together=true", &s))),
            (std::vector<int64_t>{burst_[1], blink_, burst_[2], burst_[0], hill_, old_hill_}));
  EXPECT_EQ(Ids(Body(Get("/api/gallery?best_of_burst=true&hide_closed_eyes=true&hide_duplicates=true", &s))),
            (std::vector<int64_t>{burst_[1], hill_}));
  EXPECT_EQ(Ids(Body(Get("/api/gallery?person=alice&camera=Canon%20EOS%20R5&lens=RF%2085mm&min_score=6.5", &s))),
            (std::vector<int64_t>{burst_[1], burst_[2]}));
  EXPECT_EQ(Ids(Body(Get("/api/gallery?category=landscape&from=2024-06&to=2024-06", &s))),
            (std::vector<int64_t>{hill_}));
  EXPECT_EQ(Ids(Body(Get("/api/gallery?sort=sharpness&max_score=5", &s))), (std::vector<int64_t>{hill_, old_hill_}));
  EXPECT_EQ(Ids(Body(Get("/api/gallery?sort=date&order=asc&limit=2", &s)))[0], old_hill_);
  EXPECT_EQ(Body(Get("/api/gallery", &s))["undated"], 0);
  // The timeline leaves the dates out of its filters: every month to move to stays on it.
  json june = Body(Get("/api/gallery?from=2024-06&to=2024-06", &s));
  EXPECT_EQ(june["total"], 1);
  EXPECT_EQ(june["months"].size(), all["months"].size());
  EXPECT_EQ(Ids(Body(Get("/api/gallery?min_score=6.5&max_score=8.", &s))),
            (std::vector<int64_t>{burst_[1], blink_, burst_[2]}));
  EXPECT_EQ(Ids(Body(Get("/api/gallery?camera=canon%20eos&lens=rf", &s))).size(), 3u);
}

// A score bound is one of the values the tiles show (one decimal): a photo shown as 7.8 (7.75) is in "7.8 or more",
// one shown as 7.7 (7.74) in "7.7 or less", and splitting the library there loses neither.
TEST_F(GalleryApiTest, ScoreBoundsTakeTheScoresAsShownToOneDecimal) {
  quality::FixturePhoto shown_high("2023-01-01T10:00:00", 0x0f0f0f0f00000000ULL, 7.75);
  quality::FixturePhoto shown_low("2023-01-02T10:00:00", 0x00000000f0f0f0f0ULL, 7.74);
  const int64_t high = *catalog_->Apply(quality::FixtureChange(shown_high, ++added_));
  const int64_t low = *catalog_->Apply(quality::FixtureChange(shown_low, ++added_));
  TestSession s = Login("alice");
  const auto ids = [&](const std::string& query) { return Ids(Body(Get("/api/gallery?sort=date&" + query, &s))); };
  EXPECT_EQ(ids("from=2023-01&to=2023-01&min_score=7.8"), (std::vector<int64_t>{high}));
  EXPECT_EQ(ids("from=2023-01&to=2023-01&max_score=7.7"), (std::vector<int64_t>{low}));
  EXPECT_EQ(ids("from=2023-01&to=2023-01&min_score=7.7&max_score=7.8").size(), 2u);
  EXPECT_EQ(ids("from=2023-01&to=2023-01&min_score=7.9").size(), 0u);
  EXPECT_EQ(ids("from=2023-01&to=2023-01&min_score=7.75"), (std::vector<int64_t>{high})) << "shown as 7.8 or more";
  // 3.05 and 8.35 are stored a hair below (binary), and shown as 3.0 and 8.3: the bounds follow what is shown.
  quality::FixturePhoto three("2023-02-01T10:00:00", 0x0ff00ff000000000ULL, 3.05);
  quality::FixturePhoto eight("2023-02-02T10:00:00", 0x000000000ff00ff0ULL, 8.35);
  const int64_t shown_3_0 = *catalog_->Apply(quality::FixtureChange(three, ++added_));
  const int64_t shown_8_3 = *catalog_->Apply(quality::FixtureChange(eight, ++added_));
  EXPECT_EQ(ids("from=2023-02&to=2023-02&max_score=3.0"), (std::vector<int64_t>{shown_3_0}));
  EXPECT_EQ(ids("from=2023-02&to=2023-02&min_score=3.1"), (std::vector<int64_t>{shown_8_3}));
  EXPECT_EQ(ids("from=2023-02&to=2023-02&min_score=8.4").size(), 0u);
  EXPECT_EQ(ids("from=2023-02&to=2023-02&max_score=8.3").size(), 2u);
  // Every split of the range leaves each photo in exactly one half.
  for (int t = 0; t < 100; ++t) {
    const std::string below = fmt::format("{}.{}", t / 10, t % 10),
                      above = fmt::format("{}.{}", (t + 1) / 10, (t + 1) % 10);
    EXPECT_EQ(ids("from=2023-01&to=2023-02&max_score=" + below).size() +
                  ids("from=2023-01&to=2023-02&min_score=" + above).size(),
              4u)
        << below << " / " << above;
  }
}

TEST_F(GalleryApiTest, FacetsListTheCamerasAndLensesInUseMostUsedFirst) {
  TestSession s = Login("alice");
  auto r = Get("/api/gallery/facets", &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json facets = Body(r);
  ASSERT_EQ(facets["cameras"].size(), 1u);  // photos without a camera name are not a value
  EXPECT_EQ(facets["cameras"][0]["value"], "Canon EOS R5");
  EXPECT_EQ(facets["cameras"][0]["count"], 3);
  ASSERT_EQ(facets["lenses"].size(), 1u);
  EXPECT_EQ(facets["lenses"][0]["value"], "RF 85mm");
  EXPECT_EQ(Get("/api/gallery/facets")->status, 401);
}

TEST_F(GalleryApiTest, CursorPagesCoverEveryItemOnce) {
  TestSession s = Login("bob");
  std::vector<int64_t> seen;
  std::string url = "/api/gallery?limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    json page = Body(Get(url, &s));
    for (int64_t id : Ids(page)) seen.push_back(id);
    EXPECT_EQ(page.contains("months"), pages == 0);  // the timeline comes with the first page only
    if (page["next_cursor"].is_null()) break;
    url = "/api/gallery?limit=2&cursor=" + page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{burst_[1], blink_, burst_[2], hill_, burst_[0], old_hill_}));
}

TEST_F(GalleryApiTest, ScoreBurstsAndDuplicatesSayWhyTheLeadLeads) {
  TestSession s = Login("alice");
  json score = Body(Get("/api/items/" + std::to_string(burst_[0]) + "/score", &s));
  EXPECT_EQ(score["quality"]["aggregate"], 6.0);
  EXPECT_EQ(score["quality"]["category"], "portrait");
  EXPECT_EQ(score["quality"]["dimensions"]["composition"]["score"], 5.0);
  ASSERT_EQ(score["groups"].size(), 1u);
  EXPECT_EQ(score["groups"][0]["kind"], "burst");
  EXPECT_EQ(score["groups"][0]["lead"], burst_[1]);
  json bursts = Body(Get("/api/bursts", &s));
  ASSERT_EQ(bursts["groups"].size(), 1u);
  EXPECT_NE(bursts["groups"][0]["why"].get<std::string>().find("best of 3 frames"), std::string::npos);
  EXPECT_EQ(bursts["groups"][0]["members"][0]["relation"], "lead");
  EXPECT_TRUE(bursts["next_after"].is_null());
  json dups = Body(Get("/api/duplicates", &s));
  ASSERT_EQ(dups["groups"].size(), 1u);
  EXPECT_EQ(dups["groups"][0]["lead"], hill_);
  EXPECT_EQ(dups["groups"][0]["members"][1]["relation"], "near_duplicate");
  EXPECT_EQ(dups["groups"][0]["members"][1]["distance"], 1);
  EXPECT_EQ(Get("/api/items/999999/score", &s)->status, 404);
  EXPECT_EQ(Get("/api/bursts", nullptr)->status, 401);
}

TEST_F(GalleryApiTest, RefusesBadParametersNamingThem) {
  TestSession s = Login("alice");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/gallery?sort=bokeh", "is unknown; use aggregate, date or a dimension"},
      // A misspelt parameter was no filter, and a repeated one the first value only: both are said.
      {"/api/gallery?limt=3", "limt\\\": not one this request takes"},
      {"/api/gallery?person=ada&person=bob", "person\\\": given 2 times"},
      {"/api/bursts?limt=3", "limt\\\": not one this request takes (it takes after, limit)"},
      {"/api/duplicates?after=1&after=2", "given 2 times"},
      {"/api/gallery?limit=5&limit=5", "limit\\\": given 2 times"},  // the same value twice too
      // Every request, not only the gallery's: a thumbnail's size or a page's days given twice were taken once.
      {"/api/items/1/thumbnail?size=160&size=1280", "size\\\": given 2 times"},
      {"/api/stats/summary?days=1&days=30", "days\\\": given 2 times"},
      {"/api/review/queue?category=duplicates&category=unreadable", "category\\\": given 2 times"},
      {"/api/gallery?min_score=11", "min_score"},
      // strtod would read these as 5; no score box can show them.
      {"/api/gallery?min_score=0x5", "min_score: must be a score from 0 to 10"},
      {"/api/gallery?max_score=%20%205", "max_score: must be a score from 0 to 10"},
      {"/api/gallery?min_score=5e0", "min_score"},
      // Both bounds out of range: each named, in one refusal.
      {"/api/gallery?min_score=-5&max_score=99",
       "min_score: must be a score from 0 to 10 (got \\\"-5\\\"); query parameter max_score: must be a score"},
      {"/api/gallery?min_score=inf", "min_score"},
      {"/api/gallery?undated=yes", "undated: must be true or false"},
      {"/api/gallery?from=May", "from: must be a date"},
      {"/api/gallery?best_of_burst=maybe", "best_of_burst: must be true or false"},
      {"/api/gallery?order=sideways", "order"},
      {"/api/gallery?location=trash", "location"},
      {"/api/gallery?limit=0", "limit"},
      {"/api/gallery?cursor=abc", "cursor"},
      {"/api/gallery?cursor=aggregate.desc~nan~1~0~", "cursor: not one this gallery gave"},  // an empty last page
      {"/api/gallery?cursor=aggregate.desc~5~-1~0~", "cursor"},
      {"/api/gallery?cursor=5~1~0~", "cursor: not one this gallery gave"},  // no order: the form before it had one
      // A position in another order: a capture time read as a score would skip or repeat photos.
      {"/api/gallery?cursor=date.desc~1700000000000~4~0~", "sorted by date (desc), not by aggregate (desc)"},
      {"/api/gallery?sort=aggregate&order=asc&cursor=aggregate.desc~5~4~0~", "sorted by aggregate (desc)"},
      {"/api/gallery?to=2024-02-30", "to: must be a date YYYY-MM-DD or a month YYYY-MM"},
      {"/api/gallery?from=2023-02-29", "from: must be a date"},
      {"/api/gallery?from=2024-13", "from: must be a date"},
      {"/api/bursts?limit=100000", "limit"},
      // An unknown category is refused with the categories there are, as `triage items --category` refuses one; it
      // used to answer an empty list, as if no photo had it.
      {"/api/gallery?category=bogus",
       "query parameter category: unknown quality category \\\"bogus\\\"; the quality categories are: portrait, "
       "group_portrait, "},
      // A person the library does not know is a typo, not a person without photos.
      {"/api/gallery?person=alcie", "query parameter person: no person named \\\"alcie\\\""},
      {"/api/gallery?person=..", "query parameter person"},
  };
  for (const auto& [url, expected] : cases) {
    auto r = Get(url, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << url;
    EXPECT_NE(r->body.find(expected), std::string::npos) << url << ": " << r->body;
  }
  EXPECT_EQ(Get("/api/gallery?from=2024-02-29&to=2024-12-31", &s)->status, 200);  // a leap day is a day
  EXPECT_EQ(Get("/api/gallery?category=landscape", &s)->status, 200);
  // A person is found by the name as written too: "Alice" is alice's folder name.
  EXPECT_EQ(Ids(Body(Get("/api/gallery?person=Alice", &s))).size(), 3u);
}

}  // namespace
}  // namespace triage::server
