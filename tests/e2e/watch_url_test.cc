// The inbox watcher and URL ingest, end to end.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/e2e/triage_runner.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

TEST(WatchTest, TakesCompletelyWrittenFilesFromTheInboxAndMovesThem) {
  TempDir dir("watch");
  fs::path lib = dir / "lib";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  WriteTestImage(dir / "a.jpg", 21);
  WriteTestImage(dir / "b.jpg", 22);
  pid_t pid =
      Start({"watch", "--library", lib.string(), "--debounce-ms", "200", "--max-files", "2"}, dir / "watch.log");
  ASSERT_TRUE(WaitForLogLine(dir / "watch.log", "watching ", 60'000)) << Slurp(dir / "watch.log");
  // One file written slowly in pieces, one moved in whole.
  std::string bytes = Slurp(dir / "a.jpg");
  {
    std::ofstream out(lib / "inbox/a.jpg", std::ios::binary);
    for (size_t i = 0; i < bytes.size(); i += bytes.size() / 4 + 1) {
      out.write(bytes.data() + i, static_cast<std::streamsize>(std::min(bytes.size() - i, bytes.size() / 4 + 1)));
      out.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  fs::rename(dir / "b.jpg", lib / "inbox/b.jpg");
  std::optional<int> status = WaitForExit(pid, 60'000);
  ASSERT_TRUE(status) << "watch did not finish: " << Slurp(dir / "watch.log");
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << Slurp(dir / "watch.log");
  EXPECT_TRUE(FilesUnder(lib / "inbox").empty());
  EXPECT_EQ(FilesUnder(lib / "review/unidentified"), (std::vector<std::string>{"a.jpg", "b.jpg"}));
  EXPECT_EQ(Slurp(lib / "review/unidentified/a.jpg"), bytes);  // complete, not a partial write
}

// A writer that closes the file and opens it again to append the rest, and a downloader that creates an empty
// placeholder first: between their writes each file is quiet, and neither may be taken in pieces.
TEST(WatchTest, AFileWrittenInPiecesWithPausesIsTakenWholeOnce) {
  TempDir dir("watch_pieces");
  fs::path lib = dir / "lib";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  WriteTestImage(dir / "a.jpg", 23);
  WriteTestImage(dir / "b.jpg", 24);
  pid_t pid =
      Start({"watch", "--library", lib.string(), "--debounce-ms", "200", "--max-files", "2"}, dir / "watch.log");
  ASSERT_TRUE(WaitForLogLine(dir / "watch.log", "watching ", 60'000)) << Slurp(dir / "watch.log");
  const std::string a = Slurp(dir / "a.jpg");
  const std::string b = Slurp(dir / "b.jpg");
  std::ofstream(lib / "inbox/a.jpg", std::ios::binary).write(a.data(), static_cast<std::streamsize>(a.size() / 2));
  std::ofstream(lib / "inbox/b.jpg", std::ios::binary).flush();  // the placeholder
  // Long past the quiet period and the settle time: without a hold, both would be taken now.
  ASSERT_TRUE(WaitForLogLine(dir / "watch.log", "b.jpg held back: it looks cut short (it is empty)", 30'000))
      << Slurp(dir / "watch.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  std::ofstream(lib / "inbox/a.jpg", std::ios::binary | std::ios::app)
      .write(a.data() + a.size() / 2, static_cast<std::streamsize>(a.size() - a.size() / 2));
  std::ofstream(lib / "inbox/b.jpg", std::ios::binary | std::ios::app)
      .write(b.data(), static_cast<std::streamsize>(b.size()));
  std::optional<int> status = WaitForExit(pid, 60'000);
  ASSERT_TRUE(status) << "watch did not finish: " << Slurp(dir / "watch.log");
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << Slurp(dir / "watch.log");
  const std::string log = Slurp(dir / "watch.log");
  EXPECT_NE(log.find("a.jpg held back: it looks cut short (its JPEG data stops before the end-of-image marker); "
                     "taken when it is written again, or as it is in 1"),
            std::string::npos)
      << log;
  EXPECT_TRUE(FilesUnder(lib / "inbox").empty());
  EXPECT_EQ(FilesUnder(lib / "review/unidentified"), (std::vector<std::string>{"a.jpg", "b.jpg"})) << log;
  EXPECT_EQ(Slurp(lib / "review/unidentified/a.jpg"), a);
  EXPECT_EQ(Slurp(lib / "review/unidentified/b.jpg"), b);
  EXPECT_TRUE(FilesUnder(lib / "review/unreadable").empty()) << log;
}

TEST(WatchTest, StopsCleanlyOnSigterm) {
  TempDir dir("watch_term");
  fs::path lib = dir / "lib";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  pid_t pid = Start({"watch", "--library", lib.string()}, dir / "watch.log");
  ASSERT_TRUE(WaitForLogLine(dir / "watch.log", "watching ", 60'000)) << Slurp(dir / "watch.log");
  ::kill(pid, SIGTERM);
  std::optional<int> status = WaitForExit(pid, 60'000);
  ASSERT_TRUE(status) << "watch did not stop on SIGTERM: " << Slurp(dir / "watch.log");
  EXPECT_TRUE(WIFEXITED(*status)) << "killed by signal " << WTERMSIG(*status);
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(UrlIngestTest, DownloadsRecordTheUrlAndReportFailuresPerUrl) {
  TempDir dir("url");
  fs::path lib = dir / "lib";
  // The site plays on loopback, which the URL guard refuses unless allow-listed.
  InitLibrary(lib, {{"analysis", {{"faces", false}}}, {"downloads", {{"allow_private", {"127.0.0.0/8"}}}}});
  WriteTestImage(dir / "pic.jpg", 23);
  std::string jpeg = Slurp(dir / "pic.jpg");
  httplib::Server server;
  server.Get("/photos/pic.jpg",
             [&](const httplib::Request&, httplib::Response& res) { res.set_content(jpeg, "image/jpeg"); });
  server.Get("/notes.jpg", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>hello</html>", "text/html");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  RunResult r = RunTriage({"ingest", "--library", lib.string(), "--json", base + "/photos/pic.jpg",
                           base + "/missing.jpg", base + "/notes.jpg"});
  server.stop();
  t.join();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json s = r.Json();
  EXPECT_EQ(s["total"], 3);
  EXPECT_EQ(s["failed"], 2);
  EXPECT_NE(s["items"][1]["error"].get<std::string>().find("404"), std::string::npos) << s.dump();
  EXPECT_NE(s["items"][2]["error"].get<std::string>().find("not an image"), std::string::npos) << s.dump();
  EXPECT_EQ(s["items"][2]["error"].get<std::string>().find("hello"), std::string::npos) << s.dump();  // no echo
  json items = RunTriage({"items", "--json", "--library", lib.string()}).Json();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["url"], base + "/photos/pic.jpg");
  EXPECT_EQ(items[0]["source"], "127.0.0.1");
  EXPECT_EQ(items[0]["original_name"], "pic.jpg");
  EXPECT_EQ(Slurp(lib / items[0]["path"].get<std::string>()), jpeg);
}

// A URL's user name and password reach its server, and nothing else: not the item's URL or origin, not the audit log,
// not the report. The catalog's files hold no byte of the password.
TEST(UrlIngestTest, APasswordInTheUrlIsSentToItsServerAndKeptNowhere) {
  TempDir dir("url_password");
  fs::path lib = dir / "lib";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}, {"downloads", {{"allow_private", {"127.0.0.0/8"}}}}});
  WriteTestImage(dir / "pic.jpg", 29);
  std::string jpeg = Slurp(dir / "pic.jpg");
  httplib::Server server;
  std::string authorization;
  server.Get("/pic.jpg", [&](const httplib::Request& req, httplib::Response& res) {
    authorization = req.get_header_value("Authorization");
    res.set_content(jpeg, "image/jpeg");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  const std::string plain = "http://127.0.0.1:" + std::to_string(port) + "/pic.jpg";
  RunResult r = RunTriage({"ingest", "--library", lib.string(), "--json",
                           "http://ann:Zq7-s3cret@127.0.0.1:" + std::to_string(port) + "/pic.jpg"});
  server.stop();
  t.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(authorization, "Basic YW5uOlpxNy1zM2NyZXQ=");  // base64 of ann:Zq7-s3cret
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  json items = RunTriage({"items", "--json", "--library", lib.string()}).Json();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["url"], plain);
  EXPECT_EQ(items[0]["original_path"], plain);
  size_t catalog_files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(lib / ".triage")) {
    if (!entry.is_regular_file() || entry.path().filename().string().rfind("catalog.db", 0) != 0) continue;
    ++catalog_files;
    EXPECT_EQ(Slurp(entry.path()).find("s3cret"), std::string::npos) << entry.path();
  }
  EXPECT_GE(catalog_files, 1u);
}

TEST(UrlIngestTest, LoopbackAndItsNumericFormsAreRefusedByDefault) {
  TempDir dir("url_guard");
  fs::path lib = dir / "lib";
  InitLibrary(lib, {{"analysis", {{"faces", false}}}});
  WriteTestImage(dir / "pic.jpg", 24);
  std::string jpeg = Slurp(dir / "pic.jpg");
  httplib::Server server;
  int requests = 0;
  server.Get("/pic.jpg", [&](const httplib::Request&, httplib::Response& res) {
    ++requests;
    res.set_content(jpeg, "image/jpeg");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  const std::string tail = ":" + std::to_string(port) + "/pic.jpg";
  RunResult r = RunTriage({"ingest", "--library", lib.string(), "--json", "http://127.0.0.1" + tail,
                           "http://2130706433" + tail, "http://0x7f.1" + tail, "http://127.1" + tail});
  server.stop();
  t.join();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json s = r.Json();
  EXPECT_EQ(s["failed"], 4) << s.dump();
  for (const auto& item : s["items"]) {
    EXPECT_NE(item["error"].get<std::string>().find("refused: 127.0.0.1 is a special-use address (loopback)"),
              std::string::npos)
        << item.dump();
  }
  EXPECT_EQ(requests, 0);
  EXPECT_TRUE(RunTriage({"items", "--json", "--library", lib.string()}).Json().empty());
}

TEST(UrlIngestTest, BadAllowPrivateEntryIsAConfigErrorNamingTheKey) {
  TempDir dir("url_cidr");
  fs::path lib = dir / "lib";
  InitLibrary(lib, {{"downloads", {{"allow_private", {"192.168.1.1/24"}}}}});
  RunResult r = RunTriage({"items", "--library", lib.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("downloads.allow_private: \"192.168.1.1/24\" has bits set beyond the prefix"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace triage::e2e
