// Specification of the items API: list, one item, thumbnails (cached, ETag) and originals.
#include "base/files.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

using ItemsApiTest = ApiTest;

TEST_F(ItemsApiTest, ListsWithFiltersAndPaging) {
  auto ids = Ingest({"obama.jpg", "biden.jpg", "obama.jpg"});
  TestSession s = Login("alice");
  json all = Body(Get("/api/items", &s));
  EXPECT_EQ(all["total"], 3);
  EXPECT_EQ(all["items"][0]["id"], ids[2]);  // newest first by default
  EXPECT_EQ(Body(Get("/api/items?category=duplicates", &s))["total"], 1);
  EXPECT_EQ(Body(Get("/api/items?location=library", &s))["total"], 0);
  EXPECT_EQ(Body(Get("/api/items?per_page=1&page=2&sort=oldest", &s))["items"][0]["id"], ids[1]);
  EXPECT_EQ(Get("/api/items?location=attic", &s)->status, 400);
  EXPECT_EQ(Get("/api/items?per_page=0", &s)->status, 400);
}

TEST_F(ItemsApiTest, OneItemWithFacesAndAuditTrail) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  auto r = Get("/api/items/" + std::to_string(ids[0]), &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = Body(r);
  std::string original = j["item"]["original_name"];
  EXPECT_EQ(original.substr(original.find('_') + 1), "obama.jpg");
  EXPECT_EQ(j["item"].count("original_path"), 0u);  // no machine paths leave the server
  EXPECT_EQ(j["audit"][0]["action"], "ingest");
  EXPECT_EQ(Get("/api/items/31337", &s)->status, 404);
  EXPECT_EQ(Get("/api/items/-4", &s)->status, 400);
}

TEST_F(ItemsApiTest, ThumbnailIsMadeOnceCachedAndRevalidatedByETag) {
  auto ids = Ingest({"obama.jpg"});
  TestSession s = Login("alice");
  std::string url = "/api/items/" + std::to_string(ids[0]) + "/thumbnail?size=160";
  auto r = Get(url, &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(static_cast<unsigned char>(r->body[0]), 0xFF);
  EXPECT_NE(r->get_header_value("Cache-Control").find("max-age"), std::string::npos);
  std::string etag = r->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  int cached = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_ / ".triage" / "thumbs")) cached += e.is_regular_file();
  EXPECT_EQ(cached, 1);
  auto again = client_->Get(url.c_str(), {{"Cookie", s.cookie}, {"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(Get("/api/items/" + std::to_string(ids[0]) + "/thumbnail?size=333", &s)->status, 400);
  EXPECT_EQ(Get("/api/items/999999/thumbnail", &s)->status, 404);
}

TEST_F(ItemsApiTest, OriginalIsTheFileItself) {
  auto ids = Ingest({"biden.jpg"});
  TestSession s = Login("alice");
  auto r = Get("/api/items/" + std::to_string(ids[0]) + "/original", &s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body, *base::ReadFile(Fixture("biden.jpg")));
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(Get("/api/items/999999/original", &s)->status, 404);
  EXPECT_EQ(Get("/api/items/zz/original", &s)->status, 400);
}

TEST_F(ItemsApiTest, WebUiIsServedFromTheBinary) {
  auto index = client_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("<html"), std::string::npos);
  EXPECT_FALSE(index->get_header_value("ETag").empty());
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  auto missing = client_->Get("/no-such-file.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

}  // namespace
}  // namespace triage::server
