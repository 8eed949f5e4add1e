// Specification of ingest over HTTP: uploads and URLs go through the same pipeline as the CLI.
#include <chrono>

#include "base/files.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

using IngestApiTest = ApiTest;

TEST_F(IngestApiTest, UploadGoesThroughThePipelineIntoReview) {
  TestSession s = Login("alice");
  httplib::MultipartFormDataItems form = {
      {"files", *base::ReadFile(Fixture("obama.jpg")), "obama.jpg", "image/jpeg"},
      {"files", *base::ReadFile(Fixture("obama.jpg")), "again.jpg", "image/jpeg"},
      {"source", "phone", "", ""},
  };
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json out = Body(r);
  EXPECT_EQ(out["placed"], 2);
  int64_t first = out["items"][0]["item_id"];
  int64_t second = out["items"][1]["item_id"];
  auto item = catalog_->GetItem(first);
  EXPECT_EQ(item->source, "phone");
  EXPECT_EQ(item->original_name, "obama.jpg");
  EXPECT_TRUE(fs::exists(root_ / item->path));
  EXPECT_EQ(catalog_->GetItem(second)->category, "duplicates");
  EXPECT_EQ(AuditOf(first)[0].actor, "alice");
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

TEST_F(IngestApiTest, UploadNamedWithBytesThatAreNotUtf8IsPlacedAndLeavesNothingInStaging) {
  TestSession s = Login("alice");
  const std::string name = "\xFF\xFE.jpg";
  httplib::MultipartFormDataItems form = {{"files", *base::ReadFile(Fixture("obama.jpg")), name, "image/jpeg"}};
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json out = Body(r);
  EXPECT_EQ(out["placed"], 1);
  auto item = catalog_->GetItem(out["items"][0]["item_id"].get<int64_t>());
  EXPECT_EQ(item->original_name, name);  // the catalog keeps the bytes as sent
  EXPECT_EQ(fs::path(item->path).filename(), "__.jpg");
  EXPECT_TRUE(fs::exists(root_ / item->path));
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

TEST_F(IngestApiTest, UploadRefusesNonMultipartAndEmptyForms) {
  TestSession s = Login("alice");
  EXPECT_EQ(Post("/api/ingest", json::object(), &s)->status, 400);
  httplib::MultipartFormDataItems no_files = {{"source", "phone", "", ""}};
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, no_files);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(IngestApiTest, UploadWithTooManyOrTooLargeFormFieldsIsABadRequestNotAServerError) {
  TestSession s = Login("alice");
  httplib::MultipartFormDataItems many;
  for (int i = 0; i <= 100; ++i) many.push_back({"f" + std::to_string(i), "v", "", ""});
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, many);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("at most 100 form fields"), std::string::npos) << r->body;
  httplib::MultipartFormDataItems large = {{"source", std::string(5000, 's'), "", ""}};
  r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, large);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
}

TEST_F(IngestApiTest, UploadLargerThanTheLimitIs413) {
  StopServer();
  options_.max_upload_bytes = 10'000;
  StartServer();
  TestSession s = Login("alice");
  httplib::MultipartFormDataItems form = {{"files", std::string(50'000, 'x'), "big.jpg", "image/jpeg"}};
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(IngestApiTest, UrlIsDownloadedAndIngested) {
  // A second server on 127.0.0.1 plays the web site the image comes from.
  httplib::Server site;
  std::string photo = *base::ReadFile(Fixture("biden.jpg"));
  site.Get("/photo.jpg", [&](const httplib::Request&, httplib::Response& res) { res.set_content(photo, "image/jpeg"); });
  int port = site.bind_to_any_port("127.0.0.1");
  std::thread site_thread([&] { site.listen_after_bind(); });
  for (int i = 0; i < 5000 && !site.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  TestSession s = Login("alice");
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/photo.jpg";
  auto r = Post("/api/ingest/url", {{"url", url}, {"source", "web"}}, &s);
  site.stop();
  site_thread.join();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  int64_t id = Body(r)["item"]["item_id"];
  auto item = catalog_->GetItem(id);
  EXPECT_EQ(item->url, url);
  EXPECT_EQ(*base::ReadFile(root_ / item->path), photo);
}

TEST_F(IngestApiTest, UrlMustBeHttp) {
  TestSession s = Login("alice");
  EXPECT_EQ(Post("/api/ingest/url", {{"url", "file:///etc/passwd"}}, &s)->status, 400);
  EXPECT_EQ(Post("/api/ingest/url", json::object(), &s)->status, 400);
  EXPECT_EQ(Post("/api/ingest/url", {{"url", "http://x"}, {"source", 5}}, &s)->status, 400);
}

}  // namespace
}  // namespace triage::server
