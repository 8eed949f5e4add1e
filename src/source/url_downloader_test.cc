// Specification of DownloadUrl against a cpp-httplib server on 127.0.0.1 started by each test.
#include "source/url_downloader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "base/files.h"
#include "base/ids.h"
#include "base/ip_network.h"
#include "fingerprint/sha256.h"

namespace triage::source {
namespace {

namespace fs = std::filesystem;

uint32_t Crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string PngChunk(const std::string& type, const std::string& data) {
  return BigEndian32(static_cast<uint32_t>(data.size())) + type + data + BigEndian32(Crc32(type + data));
}

// A valid 2x2 8-bit greyscale PNG: IHDR, one IDAT holding an uncompressed (stored) zlib stream, IEND.
std::string TinyPng() {
  const std::string raw("\x00\x10\x20\x00\x30\x40", 6);  // two rows: filter byte + two pixels
  uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  std::string zlib("\x78\x01\x01", 3);  // zlib header, final stored block
  zlib += std::string{static_cast<char>(raw.size()), 0, static_cast<char>(~raw.size()), static_cast<char>(0xFF)};
  zlib += raw + BigEndian32((b << 16) | a);
  const std::string ihdr = BigEndian32(2) + BigEndian32(2) + std::string("\x08\x00\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1A\n", 8) + PngChunk("IHDR", ihdr) + PngChunk("IDAT", zlib) + PngChunk("IEND", "");
}

class UrlDownloaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::setenv("no_proxy", "127.0.0.1", 1); }

  void SetUp() override {
    dest_ = fs::temp_directory_path() / ("triage-download-test-" + base::RandomId());
    fs::create_directories(dest_);
    AddRoutes();
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so TearDown must not race ahead of it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      release_slow_ = true;
    }
    cv_.notify_all();
    server_.stop();
    thread_.join();
    fs::remove_all(dest_);
  }

  void AddRoutes();

  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  // The test server is on loopback, which the URL guard refuses unless allow-listed.
  static DownloadOptions Local(const std::string& allow = "127.0.0.0/8") {
    DownloadOptions options;
    options.allow_private = {*base::ParseIpNetwork(allow)};
    return options;
  }

  std::vector<std::string> FilesInDest() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dest_)) names.push_back(entry.path().filename().string());
    return names;
  }

  const std::string png_ = TinyPng();
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  fs::path dest_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool release_slow_ = false;
  std::atomic<int> requests_{0};  // every request that reached the server
  std::atomic<size_t> redirect_bytes_sent_{0};
};

void UrlDownloaderTest::AddRoutes() {
  server_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    ++requests_;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.Get("/to-127.0.0.2", [this](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://127.0.0.2:" + std::to_string(port_) + "/photos/cat.png");
  });
  server_.Get("/to-metadata", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://169.254.169.254/latest/meta-data/");
  });
  // Content-Type deliberately lies: the type must come from the bytes.
  server_.Get("/photos/cat.png",
              [this](const httplib::Request&, httplib::Response& res) { res.set_content(png_, "text/plain"); });
  server_.Get("/album/picture.gif",
              [this](const httplib::Request&, httplib::Response& res) { res.set_content(png_, "image/gif"); });
  server_.Get(R"(/named/(.*))",
              [this](const httplib::Request&, httplib::Response& res) { res.set_content(png_, "image/png"); });
  server_.Get("/hop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/photos/cat.png"); });
  server_.Get("/long-redirect", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/" + std::string(30'000, 'a'));
  });
  server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
  server_.Get("/empty-location", [](const httplib::Request&, httplib::Response& res) {
    res.status = 302;
    res.set_header("Location", "");
  });
  server_.Get("/bad-location", [](const httplib::Request&, httplib::Response& res) {
    res.status = 302;
    res.set_header("Location", "http://127.0.0.1:99999/x.jpg");
  });
  server_.Get("/to-file",
              [](const httplib::Request&, httplib::Response& res) { res.set_redirect("file:///etc/hostname"); });
  server_.Get("/empty.jpg", [](const httplib::Request&, httplib::Response& res) { res.set_content("", "image/jpeg"); });
  server_.Get("/page.jpg", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<!DOCTYPE html><html>sorry</html>", "image/jpeg");
  });
  server_.Get("/big-declared", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(png_ + std::string(20000, 'x'), "image/png");
  });
  server_.Get("/big-chunked", [this](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("image/png", [this](size_t offset, httplib::DataSink& sink) {
      const std::string chunk = offset == 0 ? png_ : std::string(4096, 'x');
      if (offset > 200000) {
        sink.done();
      } else {
        sink.write(chunk.data(), chunk.size());
      }
      return true;
    });
  });
  // A redirect whose body never ends: only its Location is needed.
  server_.Get("/endless-redirect", [this](const httplib::Request&, httplib::Response& res) {
    res.status = 302;
    res.set_header("Location", "/photos/cat.png");
    res.set_chunked_content_provider("text/html", [this](size_t offset, httplib::DataSink& sink) {
      const std::string chunk(65536, 'r');
      redirect_bytes_sent_ = offset;
      if (offset > (size_t{1} << 31)) {
        sink.done();
        return true;
      }
      return sink.write(chunk.data(), chunk.size());
    });
  });
  server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return release_slow_; });
    res.set_content(png_, "image/png");
  });
}

TEST_F(UrlDownloaderTest, DownloadsImageNamedAfterUrlWithHashSizeAndSniffedFormat) {
  auto download = DownloadUrl(Url("/photos/cat.png"), dest_, Local());
  ASSERT_TRUE(download.ok()) << download.status().ToString();
  EXPECT_EQ(download->path, dest_ / "cat.png");
  EXPECT_EQ(download->format, "png");
  EXPECT_EQ(download->size_bytes, static_cast<int64_t>(png_.size()));
  EXPECT_EQ(download->sha256_hex, fingerprint::Sha256Hex(png_));
  EXPECT_EQ(download->host, "127.0.0.1");
  EXPECT_EQ(download->url, Url("/photos/cat.png"));
  EXPECT_EQ(download->final_url, Url("/photos/cat.png"));
  EXPECT_EQ(*base::ReadFile(download->path), png_);
  EXPECT_EQ(FilesInDest(), std::vector<std::string>{"cat.png"});
}

TEST_F(UrlDownloaderTest, ExtensionFollowsContentNotUrlAndExistingFilesAreKept) {
  ASSERT_TRUE(base::WriteFileDurably(dest_ / "picture.png", "older").ok());
  auto download = DownloadUrl(Url("/album/picture.gif"), dest_, Local());
  ASSERT_TRUE(download.ok()) << download.status().ToString();
  EXPECT_EQ(download->path, dest_ / "picture_1.png");
  EXPECT_EQ(*base::ReadFile(dest_ / "picture.png"), "older");
}

// The URL's last segment names the file as an upload's name does (model::LibraryFileName): safe, and ending in the
// extension of the bytes.
TEST_F(UrlDownloaderTest, NameFromTheUrlIsSafeAndEndsInTheExtensionOfTheBytes) {
  const std::pair<const char*, const char*> cases[] = {
      {"/named/...", "image.png"},
      {"/named/.png", "image.png"},
      {"/named/a.txt", "a.png"},
      {"/named/IMG_2019.05.01", "IMG_2019.05.01.png"},  // a date, not an extension: kept whole
      {"/named/", "download.png"},
      {"/named/caf%C3%A9%09b.png", "café_b.png"},  // a control character is one "_", not the whole name dropped
  };
  for (const auto& [path, name] : cases) {
    auto download = DownloadUrl(Url(path), dest_, Local());
    ASSERT_TRUE(download.ok()) << path << ": " << download.status().ToString();
    EXPECT_EQ(download->path.filename(), name) << path;
    fs::remove(download->path);
  }
}

TEST_F(UrlDownloaderTest, FollowsRedirectsAndNamesFileAfterFinalUrl) {
  auto download = DownloadUrl(Url("/hop"), dest_, Local());
  ASSERT_TRUE(download.ok()) << download.status().ToString();
  EXPECT_EQ(download->final_url, Url("/photos/cat.png"));
  EXPECT_EQ(download->path.filename(), "cat.png");
}

TEST_F(UrlDownloaderTest, ReportsHttpStatusForMissingPage) {
  auto download = DownloadUrl(Url("/nothing-here"), dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kNotFound);
  EXPECT_EQ(download.status().message(), "http 404 from " + Url("/nothing-here"));
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, RefusesBodyDeclaredLargerThanLimit) {
  DownloadOptions options = Local();
  options.max_bytes = 10000;
  auto download = DownloadUrl(Url("/big-declared"), dest_, options);
  ASSERT_FALSE(download.ok());
  EXPECT_NE(download.status().message().find("larger than the limit of 10000 bytes"), std::string::npos)
      << download.status().message();
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, AbortsUndeclaredChunkedBodyOnceItPassesLimit) {
  DownloadOptions options = Local();
  options.max_bytes = 10000;
  auto download = DownloadUrl(Url("/big-chunked"), dest_, options);
  ASSERT_FALSE(download.ok());
  EXPECT_NE(download.status().message().find("larger than the limit of 10000 bytes"), std::string::npos)
      << download.status().message();
  EXPECT_TRUE(FilesInDest().empty());
}

// A redirect's body counted against nothing: an endless one was read until the total timeout. It is not read at all
// now, and the redirect is followed.
TEST_F(UrlDownloaderTest, ARedirectsBodyIsNotReadAndTheRedirectIsFollowed) {
  DownloadOptions options = Local();
  options.max_bytes = 10000;
  const auto start = std::chrono::steady_clock::now();
  auto download = DownloadUrl(Url("/endless-redirect"), dest_, options);
  ASSERT_TRUE(download.ok()) << download.status().message();
  EXPECT_EQ(download->final_url, Url("/photos/cat.png"));
  EXPECT_EQ(download->size_bytes, static_cast<int64_t>(png_.size()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_LT(redirect_bytes_sent_.load(), size_t{64} << 20) << "the redirect's body was read on";
}

TEST_F(UrlDownloaderTest, StopsAfterMaxRedirects) {
  auto download = DownloadUrl(Url("/loop"), dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_NE(download.status().message().find("too many redirects (max 5)"), std::string::npos)
      << download.status().message();
}

TEST_F(UrlDownloaderTest, RejectsContentThatIsNotAnImageAndRemovesIt) {
  auto download = DownloadUrl(Url("/page.jpg"), dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(download.status().message().find("not an image"), std::string::npos) << download.status().message();
  // The response's bytes are never echoed: they may be an internal page.
  EXPECT_EQ(download.status().message().find("DOCTYPE"), std::string::npos) << download.status().message();
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, TimesOutOnSilentServer) {
  DownloadOptions options = Local();
  options.total_timeout_ms = 300;
  const auto start = std::chrono::steady_clock::now();
  auto download = DownloadUrl(Url("/slow"), dest_, options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kUnavailable);
  EXPECT_NE(download.status().message().find("timed out after"), std::string::npos) << download.status().message();
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, RefusesSchemesOtherThanHttpAndHttps) {
  for (const std::string url : {"file:///etc/hostname", "ftp://127.0.0.1/x.jpg", "gopher://127.0.0.1/"}) {
    auto download = DownloadUrl(url, dest_, Local());
    ASSERT_FALSE(download.ok()) << url;
    EXPECT_EQ(download.status().code(), base::Code::kInvalidArgument) << url;
    EXPECT_NE(download.status().message().find("unsupported scheme"), std::string::npos) << url;
  }
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, RefusesRedirectToFileScheme) {
  auto download = DownloadUrl(Url("/to-file"), dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_NE(download.status().message().find("unsupported scheme \"file\" (only http and https): file:///etc/hostname"),
            std::string::npos)
      << download.status().message();
  EXPECT_TRUE(FilesInDest().empty());
}

// A URL of hostile length, given or as a redirect's Location, is refused naming its length; its error message used to
// overflow the stack of the regex that took credentials out of it (the whole server went down).
TEST_F(UrlDownloaderTest, RefusesAHugeUrlGivenOrRedirectedTo) {
  const std::string huge = Url("/" + std::string(50'000, 'a'));
  auto given = DownloadUrl(huge, dest_, Local());
  ASSERT_FALSE(given.ok());
  EXPECT_EQ(given.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(given.status().message().find(fmt::format("URL too long: {} characters, at most 8192 are taken ({}...)",
                                                      huge.size(), huge.substr(0, 80))),
            0u)
      << given.status().message().substr(0, 200);
  EXPECT_EQ(requests_, 0);

  auto redirected = DownloadUrl(Url("/long-redirect"), dest_, Local());
  ASSERT_FALSE(redirected.ok());
  EXPECT_NE(redirected.status().message().find("URL too long: 300"), std::string::npos)
      << redirected.status().message().substr(0, 200);
  EXPECT_EQ(requests_, 1);
  EXPECT_TRUE(FilesInDest().empty());
}

// A redirect that names no place, or no URL, is the remote server's fault: said so, with the URL asked for, and never
// as a malformed URL of the request's.
TEST_F(UrlDownloaderTest, ARedirectToAnEmptyOrMalformedLocationSaysWhereItCameFrom) {
  auto empty = DownloadUrl(Url("/empty-location"), dest_, Local());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), base::Code::kUnavailable);
  EXPECT_EQ(empty.status().message(), "http 302 with an empty Location from " + Url("/empty-location"));
  auto bad = DownloadUrl(Url("/bad-location"), dest_, Local());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), base::Code::kUnavailable);
  EXPECT_EQ(bad.status().message().find("a redirect to what is no URL to fetch: malformed URL (Port"), 0u)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("(redirected from " + Url("/bad-location") + ")"), std::string::npos)
      << bad.status().message();
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, RejectsMalformedUrl) {
  auto download = DownloadUrl("http://", dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kInvalidArgument);
}

// A 200 answer with nothing in it is said as such, not as "the first 0 bytes match no image format".
TEST_F(UrlDownloaderTest, AnEmptyBodyIsSaidToBeEmpty) {
  auto download = DownloadUrl(Url("/empty.jpg"), dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(download.status().message().find("not an image: the server sent an empty body"), std::string::npos)
      << download.status().message();
  EXPECT_TRUE(FilesInDest().empty());
}

// What is wrong with a malformed URL is named: a port out of range said only "malformed URL".
TEST_F(UrlDownloaderTest, AMalformedUrlSaysWhichPartIsWrong) {
  auto download = DownloadUrl("http://127.0.0.1:99999/x.jpg", dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kInvalidArgument);
  EXPECT_NE(download.status().message().find("malformed URL ("), std::string::npos) << download.status().message();
  EXPECT_NE(download.status().message().find("ort"), std::string::npos) << download.status().message();
  EXPECT_NE(download.status().message().find("http://127.0.0.1:99999/x.jpg"), std::string::npos);
}

TEST_F(UrlDownloaderTest, AnEmptyHostIsMalformedNotTheFirstPathSegment) {
  auto download = DownloadUrl("http:///x/cat.png", dest_, Local());
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(download.status().message(), "malformed URL (no host): http:///x/cat.png");
}

// Credentials in a URL are never repeated: not in an error, not in the stored origin. An upper-case scheme is a scheme.
TEST_F(UrlDownloaderTest, CredentialsAreLeftOutOfErrorsAndOriginsAndSchemesIgnoreCase) {
  std::string with_credentials = Url("/photos/cat.png");
  with_credentials.replace(with_credentials.find("://") + 3, 0, "ann:s3cret@");
  auto refused = DownloadUrl(with_credentials, dest_, DownloadOptions{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), base::Code::kPermissionDenied);
  EXPECT_EQ(refused.status().message().find("s3cret"), std::string::npos) << refused.status().message();
  EXPECT_EQ(refused.status().message().find("ann"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find(Url("/photos/cat.png")), std::string::npos) << refused.status().message();
  auto fetched = DownloadUrl(with_credentials, dest_, Local());
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->url, Url("/photos/cat.png"));
  EXPECT_EQ(fetched->final_url, Url("/photos/cat.png"));
  std::string upper = Url("/photos/cat.png");
  upper.replace(0, 4, "HTTP");
  auto shouted = DownloadUrl(upper, dest_, Local());
  EXPECT_TRUE(shouted.ok()) << shouted.status().ToString();
}

// A URL refused before any request (too long; malformed by a password holding "/", "?", "#" or a space) quoted its
// credentials: the excerpt was cut before the "@", or the "/" ended the host part early.
TEST_F(UrlDownloaderTest, CredentialsAreLeftOutOfTheErrorsOfUrlsRefusedUnread) {
  const std::string password = "Sup3rS3cretPassw0rd";
  std::string long_url = "http://" + std::string(150, 'u') + ":" + password + "@127.0.0.1/" + std::string(9000, 'a');
  for (const std::string& url :
       {long_url, "http://u:" + password + "-" + std::string(100, 'p') + "@h/x.jpg" + std::string(9000, 'a'),
        "http://alice:pa/" + password + "@127.0.0.1/x.jpg", "http://alice:pa " + password + "@127.0.0.1/x.jpg"}) {
    auto refused = DownloadUrl(url, dest_, Local());
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().message().find(password), std::string::npos) << refused.status().message();
    EXPECT_EQ(refused.status().message().find("uuuuuuuu"), std::string::npos) << refused.status().message();
  }
}

TEST_F(UrlDownloaderTest, RefusesLoopbackByDefaultWithoutConnecting) {
  auto download = DownloadUrl(Url("/photos/cat.png"), dest_, DownloadOptions{});
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kPermissionDenied);
  EXPECT_EQ(download.status().message(),
            "refused: 127.0.0.1 is a special-use address (loopback); "
            "downloads.allow_private can allow it: " +
                Url("/photos/cat.png"));
  EXPECT_EQ(requests_, 0);
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, FetchesAnAllowListedAddress) {
  auto download = DownloadUrl(Url("/photos/cat.png"), dest_, Local("127.0.0.1/32"));
  ASSERT_TRUE(download.ok()) << download.status().ToString();
  EXPECT_EQ(download->sha256_hex, fingerprint::Sha256Hex(png_));
  EXPECT_EQ(requests_, 1);
}

TEST_F(UrlDownloaderTest, RefusesRedirectFromAllowedToRefusedAddress) {
  auto download = DownloadUrl(Url("/to-127.0.0.2"), dest_, Local("127.0.0.1/32"));
  ASSERT_FALSE(download.ok());
  EXPECT_EQ(download.status().code(), base::Code::kPermissionDenied);
  EXPECT_NE(download.status().message().find("refused: 127.0.0.2 is a special-use address (loopback)"),
            std::string::npos)
      << download.status().message();
  EXPECT_NE(download.status().message().find("(redirected from " + Url("/to-127.0.0.2") + ")"), std::string::npos)
      << download.status().message();

  auto metadata = DownloadUrl(Url("/to-metadata"), dest_, Local());
  ASSERT_FALSE(metadata.ok());
  EXPECT_NE(metadata.status().message().find("refused: 169.254.169.254 is a special-use address (link-local)"),
            std::string::npos)
      << metadata.status().message();
  EXPECT_EQ(requests_, 2);  // the two first hops only
  EXPECT_TRUE(FilesInDest().empty());
}

TEST_F(UrlDownloaderTest, RefusesNumericHostFormsOfLoopback) {
  const std::string port = std::to_string(port_);
  for (const std::string host : {"2130706433", "0x7f.1", "127.1", "0177.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]",
                                 "[::1]", "localhost", "0.0.0.0", "0"}) {
    const std::string url = "http://" + host + ":" + port + "/photos/cat.png";
    auto download = DownloadUrl(url, dest_, DownloadOptions{});
    ASSERT_FALSE(download.ok()) << url;
    EXPECT_EQ(download.status().code(), base::Code::kPermissionDenied) << url << ": " << download.status().message();
    EXPECT_EQ(download.status().message().rfind("refused: ", 0), 0u) << download.status().message();
  }
  EXPECT_EQ(requests_, 0);
  EXPECT_TRUE(FilesInDest().empty());
}

TEST(UrlSchemeTest, IsTheSchemeInLowerCaseOrNothing) {
  EXPECT_EQ(UrlScheme("HTTPS://example.org/a.jpg"), "https");
  EXPECT_EQ(UrlScheme("Http://example.org/"), "http");
  EXPECT_EQ(UrlScheme("ftp://example.org/"), "ftp");
  EXPECT_EQ(UrlScheme("example.org/a.jpg"), "");
}

}  // namespace
}  // namespace triage::source
