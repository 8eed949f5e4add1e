// Specification of body limits: each route's limit holds before its body is read, so large bodies from anyone
// cost no memory, and only a few uploads run at once. Raw sockets, because a client library would not let a
// test stop sending half-way or send a body before reading the answer.
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

#include "server/api_test_support.h"

namespace triage::server {
namespace {

using LimitsApiTest = ApiTest;

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  for (size_t sent = 0; sent < data.size();) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool Readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

// Reads what the server answered (until it closes or 64 KiB arrived).
std::string ReadAnswer(int fd) {
  std::string out;
  char buf[4096];
  while (out.size() < 65536 && Readable(fd, 5000)) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

int StatusOf(const std::string& answer) {
  return answer.rfind("HTTP/1.1 ", 0) == 0 ? std::stoi(answer.substr(9, 3)) : 0;
}

// POSTs `bytes` of body to `path` (declared, or chunked), reading the answer as soon as there is one: the
// whole answer, or "" when none came.
std::string PostLargeBody(int port, const std::string& path, size_t bytes, bool chunked) {
  int fd = Connect(port);
  if (fd < 0) return "";
  std::string head =
      "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + std::to_string(bytes) + "\r\n") + "\r\n";
  SendAll(fd, head);
  const std::string piece(1 << 20, ' ');
  const std::string chunk = "100000\r\n" + piece + "\r\n";
  for (size_t sent = 0; sent < bytes && !Readable(fd, sent == 0 ? 500 : 0); sent += piece.size()) {
    if (!SendAll(fd, chunked ? chunk : piece)) break;
  }
  if (chunked && !Readable(fd, 0)) SendAll(fd, "0\r\n\r\n");
  std::string answer = ReadAnswer(fd);
  ::close(fd);
  return answer;
}

int64_t PeakRssKb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_F(LimitsApiTest, LargeUnauthenticatedBodiesAreRefusedBeforeTheyAreRead) {
  const size_t kBody = 150u << 20;
  int64_t before_kb = PeakRssKb();
  std::vector<std::future<std::string>> answers;
  for (bool chunked : {false, false, false, true}) {
    answers.push_back(
        std::async(std::launch::async, PostLargeBody, server_->port(), "/api/auth/login", kBody, chunked));
  }
  answers.push_back(std::async(std::launch::async, PostLargeBody, server_->port(), "/api/nowhere", kBody, true));
  for (size_t i = 0; i < answers.size(); ++i) {
    std::string answer = answers[i].get();
    if (i + 1 < answers.size()) {
      EXPECT_EQ(StatusOf(answer), 413) << answer.substr(0, 300);
      EXPECT_NE(answer.find("65536 bytes"), std::string::npos) << answer.substr(0, 300);  // names the limit
    } else {
      EXPECT_EQ(StatusOf(answer), 404) << answer.substr(0, 300);
    }
  }
  int64_t grown_mb = (PeakRssKb() - before_kb) / 1024;
  RecordProperty("peak_rss_growth_mb", static_cast<int>(grown_mb));
#if !defined(__SANITIZE_THREAD__)
  // Under ThreadSanitizer every thread's stack and heap carry shadow memory several times their size, so the peak
  // says nothing about the bodies; the ordinary build checks it.
  EXPECT_LT(grown_mb, 64) << "peak RSS grew by " << grown_mb << " MB";
#endif
  // The server still answers.
  EXPECT_EQ(client_->Get("/api/auth/me")->status, 401);
}

// Clients that send their request a line at a time (or connect and send nothing) hold a thread each while they do,
// and the server's read timeout does not end them as long as a line comes now and then. Everyone else is answered.
TEST_F(LimitsApiTest, SlowClientsDoNotKeepOthersFromBeingAnswered) {
  std::vector<int> slow;
  for (int i = 0; i < 24; ++i) {
    int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    if (i % 2 == 0) SendAll(fd, "GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // every slow connection accepted and being read
  httplib::Client other("127.0.0.1", server_->port());
  other.set_connection_timeout(10, 0);
  other.set_read_timeout(10, 0);  // the server's read timeout is 30 s: a client stuck behind the slow ones fails
  for (int i = 0; i < 3; ++i) {
    for (size_t k = 0; k < slow.size(); k += 2) SendAll(slow[k], "X-Slow: " + std::to_string(i) + "\r\n");
    auto r = other.Get("/api/auth/me");
    ASSERT_TRUE(r) << "no answer while " << slow.size()
                   << " clients were sending slowly: " << httplib::to_string(r.error());
    EXPECT_EQ(r->status, 401);
  }
  // The slow ones are answered too once they finish their request.
  SendAll(slow[0], "\r\n");
  EXPECT_EQ(StatusOf(ReadAnswer(slow[0])), 200);
  for (int fd : slow) ::close(fd);
}

// `curl -X POST URL` sends neither Content-Length nor a body: that is an empty body, as with Content-Length: 0.
TEST_F(LimitsApiTest, APostWithoutLengthOrBodyIsAnEmptyBody) {
  auto ids = Ingest({"biden.jpg"});
  TestSession s = Login("alice");
  int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  SendAll(fd, "POST /api/review/" + std::to_string(ids[0]) + "/skip HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " +
                  s.cookie + "\r\nX-CSRF-Token: " + s.csrf + "\r\nConnection: close\r\n\r\n");
  const std::string answer = ReadAnswer(fd);
  ::close(fd);
  EXPECT_EQ(StatusOf(answer), 200) << answer.substr(0, 300);
  EXPECT_EQ(AuditOf(ids[0])[0].action, "skip");
}

// Sends `request` and, on the same connection right after it, a second request; returns all the server answered.
std::string SendWithAnotherAfterIt(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "";
  SendAll(fd, request + "GET /api/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  std::string answer = ReadAnswer(fd);
  ::close(fd);
  return answer;
}

size_t Answers(const std::string& answer) {
  size_t n = 0;
  for (size_t at = answer.find("HTTP/1.1 "); at != std::string::npos; at = answer.find("HTTP/1.1 ", at + 1)) ++n;
  return n;
}

// A body's length said two ways (two lengths, a length and chunked, a coding the server does not decode) would be
// read one way here and another by a proxy in front, which smuggles a request past it. Such a request is refused with
// what is wrong, before its body is read, and nothing after it on the connection is taken as a request.
TEST_F(LimitsApiTest, ABodyWhoseLengthIsSaidTwoWaysIsRefusedAndTheConnectionClosed) {
  const std::string body = R"({"username":"alice","password":"x"})";
  const std::string head = "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  const std::string length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  struct Case {
    std::string headers;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {length + "Content-Length: 5\r\n", 400,
       "two different Content-Length headers (" + std::to_string(body.size()) + " and 5)"},
      {"Content-Length: 5\r\n" + length, 400, "two different Content-Length headers (5 and "},
      {length + "Transfer-Encoding: chunked\r\n", 400, "both Transfer-Encoding and Content-Length"},
      {"Transfer-Encoding: gzip\r\n" + length, 400, "both Transfer-Encoding and Content-Length"},
      {"Transfer-Encoding: gzip, chunked\r\n", 501, "Transfer-Encoding \\\"gzip, chunked\\\" is not served"},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 501, "is not served"},
      {"Content-Length: +35\r\n", 400, "Content-Length \\\"+35\\\" is not a number of bytes"},
      {"Content-Length: 35, 35\r\n", 400, "is not a number of bytes"},
      {"Content-Length: -1\r\n", 400, "is not a number of bytes"},
      // The name it is addressed to, too.
      {"Host: attacker.example\r\n" + length, 400, "the request has 2 Host headers: send one"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.headers);
    const std::string answer = SendWithAnotherAfterIt(server_->port(), head + c.headers + "\r\n" + body);
    EXPECT_EQ(StatusOf(answer), c.status) << answer.substr(0, 400);
    EXPECT_NE(answer.find(c.says), std::string::npos) << answer.substr(0, 400);
    EXPECT_EQ(Answers(answer), 1u) << "the request after it is not read: " << answer.substr(0, 600);
  }
  // One length said twice alike, and chunked alone, are read as usual.
  const std::string close = "Connection: close\r\n";
  for (const std::string& fine : {length + length, std::string("Transfer-Encoding: Chunked\r\n")}) {
    SCOPED_TRACE(fine);
    const bool chunked = fine.find("Chunked") != std::string::npos;
    const std::string sent = chunked ? fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", body.size(), body) : body;
    int fd = Connect(server_->port());
    ASSERT_GE(fd, 0);
    SendAll(fd, head + close + fine + "\r\n" + sent);
    const std::string answer = ReadAnswer(fd);
    ::close(fd);
    EXPECT_EQ(StatusOf(answer), 401) << answer.substr(0, 400);  // a wrong password, read as one
    EXPECT_NE(answer.find("wrong user name or password"), std::string::npos) << answer.substr(0, 400);
  }
}

// Starts an authenticated upload that declares `bytes` but sends only its first part; returns the socket.
int StartUpload(int port, const TestSession& s, size_t bytes) {
  int fd = Connect(port);
  std::string part =
      "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\n" +
      std::string(1000, 'x');
  SendAll(fd, "POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + s.cookie + "\r\nX-CSRF-Token: " + s.csrf +
                  "\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: " + std::to_string(bytes) +
                  "\r\n\r\n" + part);
  return fd;
}

TEST_F(LimitsApiTest, AtMostTwoUploadsRunAtOnceOthersAreAskedToRetry) {
  TestSession s = Login("alice");
  int first = StartUpload(server_->port(), s, 10'000'000);
  int second = StartUpload(server_->port(), s, 10'000'000);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int third = StartUpload(server_->port(), s, 10'000'000);
  std::string answer = ReadAnswer(third);
  EXPECT_EQ(StatusOf(answer), 503) << answer;
  EXPECT_NE(answer.find("Retry-After: "), std::string::npos) << answer;
  for (int fd : {first, second, third}) ::close(fd);
  // The cut-off uploads leave nothing behind.
  for (int i = 0; i < 100 && !fs::is_empty(journal_->staging_dir()); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

TEST_F(LimitsApiTest, UploadBodyPastTheLimitIs413EvenWithoutADeclaredLength) {
  StopServer();
  options_.max_upload_bytes = 100'000;
  StartServer();
  TestSession s = Login("alice");
  int fd = Connect(server_->port());
  SendAll(fd, "POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + s.cookie + "\r\nX-CSRF-Token: " + s.csrf +
                  "\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string part =
      "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n\r\n" + std::string(50'000, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", part.size());
  SendAll(fd, size + part + "\r\n");
  std::string more(50'000, 'y');
  for (int i = 0; i < 10 && !Readable(fd, 0); ++i) {
    std::snprintf(size, sizeof size, "%zx\r\n", more.size());
    if (!SendAll(fd, size + more + "\r\n")) break;
  }
  std::string answer = ReadAnswer(fd);
  ::close(fd);
  EXPECT_EQ(StatusOf(answer), 413) << answer;
  EXPECT_TRUE(fs::is_empty(journal_->staging_dir()));
}

// A key given twice was taken as its last value ({"person":"a","person":"b"} filed under b), and a route that reads no
// body acted on any (a malformed "{\"ids\":[1," enabled auto-sorting): both are 400 and change nothing.
TEST_F(LimitsApiTest, ABodyWithARepeatedKeyOrMalformedJsonIsRefusedEvenWhereNoBodyIsRead) {
  TestSession s = Login("carol");
  httplib::Headers headers = {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
  auto twice = client_->Put("/api/config/thresholds", headers, R"({"min_confidence":0.5,"min_confidence":0.9})",
                            "application/json");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400);
  EXPECT_NE(Body(twice)["message"].get<std::string>().find("\"min_confidence\" more than once"), std::string::npos)
      << twice->body;
  // The same key in two different objects is no repetition.
  auto nested =
      client_->Post("/api/config/thresholds/simulate", headers, R"({"a":{"x":1},"b":{"x":2}})", "application/json");
  ASSERT_TRUE(nested);
  EXPECT_EQ(Body(nested)["message"].get<std::string>().find("more than once"), std::string::npos) << nested->body;
  for (const char* path : {"/api/disable", "/api/enable"}) {
    auto bad = client_->Post(path, headers, "{\"ids\":[1,2,3", "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << path << " " << bad->body;
    EXPECT_NE(Body(bad)["message"].get<std::string>().find("not valid JSON"), std::string::npos) << bad->body;
  }
  auto status = client_->Get("/api/status", headers);
  ASSERT_TRUE(status);
  EXPECT_EQ(Body(status)["auto_sort_enabled"], true) << "the refused /api/disable changed nothing";
}

// Nesting is bounded where a body is parsed: quoting a deeply nested value back in an error message recursed once per
// level, and 80,000 levels (160 KB, well under the body limit) overflowed the stack and took the server down. A
// long value is quoted shortened.
TEST_F(LimitsApiTest, ADeeplyNestedOrHugeValueIsAClientErrorAndTheServerStaysUp) {
  TestSession s = Login("carol");
  httplib::Headers headers = {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
  const int depth = 100'000;
  const std::string deep = "{\"min_confidence\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
  for (const char* path : {"/api/config/thresholds", "/api/config/thresholds/simulate", "/api/review/bulk"}) {
    auto r = std::string(path) == "/api/config/thresholds" ? client_->Put(path, headers, deep, "application/json")
                                                           : client_->Post(path, headers, deep, "application/json");
    ASSERT_TRUE(r) << path << ": the server did not answer";
    EXPECT_EQ(r->status, 400) << path;
    EXPECT_NE(Body(r)["message"].get<std::string>().find("nested more than 64 levels"), std::string::npos)
        << r->body.substr(0, 200);
  }
  // Within the bound, a wrong value is named with an excerpt of it.
  const std::string nested = "{\"min_confidence\":" + std::string(60, '[') + std::string(60, ']') + "}";
  auto r = client_->Put("/api/config/thresholds", headers, nested, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_LT(r->body.size(), 400u) << r->body.substr(0, 200);
  const std::string huge = "{\"min_confidence\":\"" + std::string(900'000, 'A') + "\"}";
  r = client_->Put("/api/config/thresholds", headers, huge, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_LT(r->body.size(), 400u) << "the value is quoted shortened";
  EXPECT_EQ(Get("/api/status", &s)->status, 200);
}

// A second server asked for a port that is in use fails to start: bound with SO_REUSEPORT (cpp-httplib's default)
// both listened and the kernel shared the connections between two libraries.
// Sends `request` alone on a connection and returns all the server answered.
std::string Exchange(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "";
  SendAll(fd, request);
  std::string answer = ReadAnswer(fd);
  ::close(fd);
  return answer;
}

// What cpp-httplib refuses before any route sees the request is named too: a method the server does not serve (TRACE,
// CONNECT) is a 405 with the methods it serves, not a bare 400; a request line it cannot read says so.
TEST_F(LimitsApiTest, MethodsNotServedAndUnreadableRequestsAreNamed) {
  const std::string host = "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
  const std::string on_api = Exchange(server_->port(), "TRACE /api/items HTTP/1.1\r\n" + host);
  EXPECT_EQ(StatusOf(on_api), 405) << on_api.substr(0, 400);
  EXPECT_NE(on_api.find("Allow: GET"), std::string::npos) << on_api.substr(0, 400);
  EXPECT_NE(on_api.find("/api/items is served with GET, not TRACE"), std::string::npos) << on_api.substr(0, 400);
  for (const std::string method : {"TRACE", "CONNECT"}) {
    const std::string answer = Exchange(server_->port(), method + " / HTTP/1.1\r\n" + host);
    EXPECT_EQ(StatusOf(answer), 405) << answer.substr(0, 400);
    EXPECT_NE(answer.find("Allow: GET, HEAD"), std::string::npos) << answer.substr(0, 400);
    EXPECT_NE(answer.find(method + " is not served here"), std::string::npos) << answer.substr(0, 400);
  }
  // What follows an unreadable request on its connection is not read as another request: one answer, and the
  // connection closed at once (it stayed open until the keep-alive timeout).
  for (const std::string line : {"GET / HTTP/9.9", "GET /", "NOT-A-METHOD / HTTP/1.1"}) {
    const std::string answer = SendWithAnotherAfterIt(server_->port(), line + "\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_EQ(StatusOf(answer), 400) << line << ": " << answer.substr(0, 400);
    EXPECT_NE(answer.find("could not be read as HTTP/1.1"), std::string::npos) << line << ": " << answer.substr(0, 400);
    EXPECT_EQ(Answers(answer), 1u) << line << ": " << answer.substr(0, 600);
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << line << ": " << answer.substr(0, 400);
  }
  // The server still answers.
  EXPECT_EQ(StatusOf(Exchange(server_->port(), "GET /api/openapi.json HTTP/1.1\r\n" + host)), 200);
}

TEST_F(LimitsApiTest, ASecondServerOnAPortInUseDoesNotStart) {
  ServerContext context{*config_,         *catalog_,   *users_,    *gallery_,
                        *review_,         *persons_,   *ingestor_, journal_->staging_dir(),
                        *proposal_store_, *proposals_, *undo_};
  ServerOptions options = options_;
  options.port = server_->port();
  auto second = Server::Create(options, context);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("cannot listen on 127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace triage::server
