// Specification of ingest over HTTP: uploads and URLs go through the same pipeline as the CLI.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>

#include "base/files.h"
#include "base/ip_network.h"
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
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->source, "phone");
  EXPECT_EQ(item->original_name, "obama.jpg");
  EXPECT_TRUE(fs::exists(root_ / item->path));
  EXPECT_EQ(catalog_->GetItem(second)->category, "duplicates");
  EXPECT_EQ(AuditOf(first)[0].actor, "alice");
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
  // The answer names each file as it was sent, never where the server staged it.
  EXPECT_EQ(out["items"][0]["input"], "obama.jpg");
  EXPECT_EQ(r->body.find(root_.string()), std::string::npos) << r->body;
  // So do the catalog and the audit log: where an upload came from is the name it was sent with.
  EXPECT_EQ(item->original_path, "obama.jpg");
  EXPECT_EQ(catalog_->GetItem(second)->original_path, "again.jpg");
  const std::string audit = Get("/api/audit?item_id=" + std::to_string(first), &s)->body;
  EXPECT_NE(audit.find("\"from\":\"obama.jpg\""), std::string::npos) << audit;
  EXPECT_EQ(audit.find(root_.string()), std::string::npos) << audit;
}

// A file the server cannot store (its disk full, a file size limit) fails the upload with the system's reason and
// the file it was: nothing of the upload is added and nothing is left in staging; the server goes on. (A file size
// limit on this process stands in for a full disk: writes past it fail as a full disk's do.)
TEST_F(IngestApiTest, AnUploadTheServerCannotStoreSaysWhyAndAddsNothing) {
  TestSession s = Login("alice");
  const std::string photo = *base::ReadFile(Fixture("obama.jpg"));
  const std::string large(3 << 20, 'x');
  httplib::MultipartFormDataItems form = {
      {"files", photo, "first.jpg", "image/jpeg"},
      {"files", large, "big scan.jpg", "image/jpeg"},
      {"files", photo, "third.jpg", "image/jpeg"},
  };
  const size_t items_before = catalog_->ListItems({})->size();
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = before;
  limited.rlim_cur = 1 << 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, previous_handler);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500) << r->body;
  EXPECT_EQ(Body(r)["error"], "io");
  EXPECT_EQ(Body(r)["message"],
            "writing into the staging folder failed for \"big scan.jpg\" (file 2 of the upload): File too large; "
            "nothing of this upload was added");
  EXPECT_EQ(catalog_->ListItems({})->size(), items_before);
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
  // The same files are taken once the server can store them.
  auto again = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(Body(again)["items"].size(), 3u);
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
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->original_name, name);  // the catalog keeps the bytes as sent
  EXPECT_EQ(fs::path(item->path).filename(), "__.jpg");
  EXPECT_TRUE(fs::exists(root_ / item->path));
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

// The file is named after the name it was sent with, made safe, and always ends in its format's extension: an upload
// named "..." was stored as "image", which no viewer opens as a photo.
TEST_F(IngestApiTest, UploadedNamesBecomeSafeNamesWithTheExtensionOfTheBytes) {
  TestSession s = Login("alice");
  const std::string jpeg = *base::ReadFile(Fixture("obama.jpg"));
  const std::vector<std::pair<std::string, std::string>> sent_and_stored = {
      {"...", "image"}, {".", "image"},         {".jpg", "image"},       {" ", "image"},
      {"a.txt", "a"},   {"../../up", "_.._up"}, {"dir\\x.png", "dir_x"}, {std::string(300, 'n'), ""},
  };
  httplib::MultipartFormDataItems form;
  for (const auto& [sent, stored] : sent_and_stored) form.push_back({"files", jpeg, sent, "image/jpeg"});
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json out = Body(r);
  ASSERT_EQ(out["placed"], static_cast<int>(sent_and_stored.size())) << r->body;
  for (size_t i = 0; i < sent_and_stored.size(); ++i) {
    const auto& [sent, stem] = sent_and_stored[i];
    auto item = catalog_->GetItem(out["items"][i]["item_id"].get<int64_t>());
    ASSERT_TRUE(item.ok()) << item.status().ToString();
    EXPECT_EQ(item->original_name, sent);  // the catalog keeps the name as sent
    const fs::path file = fs::path(item->path).filename();
    EXPECT_EQ(file.extension(), ".jpg") << "sent \"" << sent << "\", stored as " << item->path;
    // The stem, with a collision suffix where an earlier upload took the name.
    if (!stem.empty()) {
      EXPECT_EQ(file.stem().string().rfind(stem, 0), 0u) << item->path;
    }
    EXPECT_LE(file.string().size(), 200u);
    // In a folder of the library's (review/<category>/ or faces/<person>/), never beside or above it.
    EXPECT_EQ(fs::weakly_canonical(root_ / item->path).parent_path().parent_path().parent_path(),
              fs::weakly_canonical(root_))
        << item->path;
    EXPECT_TRUE(fs::exists(root_ / item->path));
  }
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

// Chrome and Firefox send a name's double quotes as %22: the catalog keeps the name the file had.
TEST_F(IngestApiTest, AQuoteInAnUploadedNameIsKeptAsTheFileHadIt) {
  TestSession s = Login("alice");
  httplib::MultipartFormDataItems form = {
      {"files", *base::ReadFile(Fixture("obama.jpg")), "=HYPERLINK(%22x%22).jpg", "image/jpeg"}};
  auto r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto item = catalog_->GetItem(Body(r)["items"][0]["item_id"].get<int64_t>());
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->original_name, "=HYPERLINK(\"x\").jpg");
  EXPECT_TRUE(fs::exists(root_ / item->path));
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
  // A photo sent without a file name reads as a form field; the answer says what is missing.
  httplib::MultipartFormDataItems unnamed = {{"files", *base::ReadFile(Fixture("obama.jpg")), "", "image/jpeg"}};
  r = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, unnamed);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("a file part needs a file name"), std::string::npos) << r->body;
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
  site.Get("/photo.jpg",
           [&](const httplib::Request&, httplib::Response& res) { res.set_content(photo, "image/jpeg"); });
  int port = site.bind_to_any_port("127.0.0.1");
  std::thread site_thread([&] { site.listen_after_bind(); });
  for (int i = 0; i < 5000 && !site.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The site is on loopback.
  ASSERT_TRUE(config_
                  ->Update([](json& d) {
                    d["downloads"]["allow_private"] = json::array({"127.0.0.0/8"});
                    return base::Status::Ok();
                  })
                  .ok());
  TestSession s = Login("alice");
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/photo.jpg";
  auto r = Post("/api/ingest/url", {{"url", url}, {"source", "web"}}, &s);
  site.stop();
  site_thread.join();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  int64_t id = Body(r)["item"]["item_id"];
  auto item = catalog_->GetItem(id);
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(item->url, url);
  EXPECT_EQ(*base::ReadFile(root_ / item->path), photo);
}

TEST_F(IngestApiTest, UrlMustBeHttp) {
  TestSession s = Login("alice");
  EXPECT_EQ(Post("/api/ingest/url", {{"url", "file:///etc/passwd"}}, &s)->status, 400);
  EXPECT_EQ(Post("/api/ingest/url", json::object(), &s)->status, 400);
  auto number = Post("/api/ingest/url", {{"url", 5}}, &s);  // not "url is required": it is there, of the wrong kind
  EXPECT_EQ(number->status, 400);
  EXPECT_NE(Body(number)["message"].get<std::string>().find("url must be a string"), std::string::npos) << number->body;
  EXPECT_NE(Body(number)["message"].get<std::string>().find("(got 5)"), std::string::npos) << number->body;
  EXPECT_EQ(Post("/api/ingest/url", {{"url", "http://x"}, {"source", 5}}, &s)->status, 400);
  // A URL that cannot be fetched as written is a bad request, said as such, not a download that failed (422).
  const std::vector<std::pair<std::string, std::string>> malformed = {
      {"http://127.0.0.1:99999/a.jpg", "malformed URL (Port number"},
      {"http://", "malformed URL"},
      {"http:///a.jpg", "malformed URL (no host)"},
      {"http://a.example/" + std::string(9000, 'x'), "URL too long: 9017 characters"},
      {"http://user:secret@a.example/a b\r\nX: y", "malformed URL"},
  };
  for (const auto& [url, says] : malformed) {
    SCOPED_TRACE(url.substr(0, 60));
    auto r = Post("/api/ingest/url", {{"url", url}}, &s);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(Body(r)["error"], "invalid_argument") << r->body;
    EXPECT_NE(Body(r)["message"].get<std::string>().find(says), std::string::npos) << r->body;
    EXPECT_EQ(r->body.find("secret"), std::string::npos) << r->body;
  }
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

// A web site on 127.0.0.1 for URL ingest: /photo.jpg answers at once, /slow.jpg only once released.
class TestSite {
 public:
  explicit TestSite(std::string photo) : photo_(std::move(photo)) {
    server_.Get("/photo.jpg", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      res.set_content(photo_, "image/jpeg");
    });
    server_.Get("/slow.jpg", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      std::unique_lock lock(mu_);
      slow_started_ = true;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(20), [this] { return released_; });
      res.set_content(photo_, "image/jpeg");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestSite() {
    Release();
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  bool WaitForSlowRequest() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [this] { return slow_started_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int requests() const { return requests_; }

 private:
  std::string photo_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool slow_started_ = false;
  bool released_ = false;
};

TEST_F(IngestApiTest, UrlOnLoopbackIsRefusedByDefaultWithTheReason) {
  TestSite site(*base::ReadFile(Fixture("biden.jpg")));
  TestSession s = Login("alice");
  auto r = Post("/api/ingest/url", {{"url", site.Url("/photo.jpg")}}, &s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_NE(Body(r)["message"].get<std::string>().find("refused: 127.0.0.1 is a special-use address (loopback)"),
            std::string::npos)
      << r->body;
  EXPECT_EQ(site.requests(), 0);
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

TEST_F(IngestApiTest, SlowUrlDownloadDoesNotBlockUploads) {
  ASSERT_TRUE(config_
                  ->Update([](json& d) {
                    d["downloads"]["allow_private"] = json::array({"127.0.0.0/8"});
                    return base::Status::Ok();
                  })
                  .ok());
  TestSite site(*base::ReadFile(Fixture("biden.jpg")));
  TestSession s = Login("alice");
  std::atomic<int> url_status{0};
  std::thread url_request([&] {
    httplib::Client other("127.0.0.1", server_->port());
    other.set_read_timeout(60, 0);
    auto r = other.Post("/api/ingest/url", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}},
                        json{{"url", site.Url("/slow.jpg")}}.dump(), "application/json");
    url_status = r ? r->status : -1;
  });
  ASSERT_TRUE(site.WaitForSlowRequest());
  httplib::MultipartFormDataItems form = {{"files", *base::ReadFile(Fixture("obama.jpg")), "obama.jpg", "image/jpeg"}};
  auto upload = client_->Post("/api/ingest", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, form);
  // The site holds the download until released (or 20 s): an upload queued behind it would see it answered first.
  const bool download_still_open = url_status.load() == 0;
  site.Release();
  url_request.join();
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 200) << upload->body;
  EXPECT_TRUE(download_still_open) << "the upload waited for the download";
  EXPECT_EQ(url_status, 200);
}

}  // namespace
}  // namespace triage::server
