// Whole-program specification of a library whose catalog is on PostgreSQL (the tests' own cluster), of moving a
// catalog there and back with `triage db copy`, and of the errors a wrong catalog URL gives.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <set>

#include "catalog/postgres/schema.h"
#include "tests/e2e/triage_runner.h"
#include "tests/postgres/test_cluster.h"

namespace triage::e2e {
namespace {

using nlohmann::json;

const json kNoFaces = {{"analysis", {{"faces", false}}}};

class PostgresCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = testing::CreateTestDatabase();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    fs::create_directories(in());
    for (int i = 0; i < 6; ++i) WriteTestImage(in() / ("p" + std::to_string(i) + ".jpg"), 100 + i);
  }
  void TearDown() override { (void)testing::DropTestDatabase(url_); }
  fs::path lib() const { return dir_ / "lib"; }
  fs::path in() const { return dir_ / "in"; }
  RunResult Triage(std::vector<std::string> args) {
    args.push_back("--library");
    args.push_back(lib().string());
    return RunTriage(args);
  }
  // What the commands show of a library's catalog at `catalog`: items, clusters with their faces, people actions,
  // proposals, the review queue.
  json Export(const std::string& catalog) {
    json out;
    for (const std::vector<std::string>& command : {std::vector<std::string>{"items", "--json"},
                                                    {"faces", "clusters", "--json"},
                                                    {"faces", "actions", "--json"},
                                                    {"proposals", "list", "--json"},
                                                    {"review", "list", "--json"}}) {
      std::vector<std::string> args = command;
      args.insert(args.end(), {"--catalog", catalog});
      out[command[0] + " " + command[1]] = Triage(args).Json();
    }
    return out;
  }
  // Items as `items --json` lists them from `catalog`.
  json Items(const std::string& catalog) { return Triage({"items", "--json", "--catalog", catalog}).Json(); }

  TempDir dir_{"pg_catalog"};
  std::string url_;
};

TEST_F(PostgresCatalogTest, LibraryMadeWithACatalogUrlKeepsItsCatalogThere) {
  RunResult init = RunTriage({"init", "--library", lib().string(), "--catalog", url_});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(json::parse(Slurp(lib() / "triage.json"))["catalog"]["url"], url_);
  EXPECT_FALSE(fs::exists(lib() / ".triage/catalog.db"));
  json doc = json::parse(Slurp(lib() / "triage.json"));
  doc.merge_patch(kNoFaces);
  std::ofstream(lib() / "triage.json") << doc.dump();
  RunResult ingest = Triage({"ingest", in().string(), "--json"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_EQ(ingest.Json()["total"], 6);
  json items = Triage({"items", "--json"}).Json();
  EXPECT_EQ(items.size(), 6u);
  EXPECT_FALSE(fs::exists(lib() / ".triage/catalog.db")) << "nothing went to SQLite";
  RunResult migrate = Triage({"db", "migrate", "--json"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.err;
  EXPECT_EQ(migrate.Json()["schema_version"], catalog::postgres::Migrations().size());
}

TEST_F(PostgresCatalogTest, ProposalsGroupsClustersAndServeRunOnPostgres) {
  ASSERT_EQ(RunTriage({"init", "--library", lib().string(), "--catalog", url_}).exit_code, 0);
  json doc = json::parse(Slurp(lib() / "triage.json"));
  doc.merge_patch(kNoFaces);
  std::ofstream(lib() / "triage.json") << doc.dump();
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  for (const std::vector<std::string>& command : {std::vector<std::string>{"proposals", "list", "--json"},
                                                  {"faces", "clusters"},
                                                  {"bursts"},
                                                  {"duplicates"},
                                                  {"recompute"}}) {
    RunResult r = Triage(command);
    EXPECT_EQ(r.exit_code, 0) << command[0] << ": " << r.err;
  }
  EXPECT_TRUE(Triage({"proposals", "list", "--json"}).Json()["proposals"].empty());

  const fs::path log = dir_ / "serve.log";
  pid_t server = Start({"serve", "--port", "0", "--library", lib().string()}, log);
  ASSERT_TRUE(WaitForLogLine(log, "triage: serving", 60000)) << Slurp(log);
  ::kill(server, SIGTERM);
  auto status = WaitForExit(server, 30000);
  ASSERT_TRUE(status.has_value()) << "serve did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << Slurp(log);
  EXPECT_EQ(Slurp(log).find("People page is off"), std::string::npos) << Slurp(log);
  EXPECT_FALSE(fs::exists(lib() / ".triage/catalog.db")) << "nothing went to SQLite";
}

TEST_F(PostgresCatalogTest, IngestClustersFacesAndNamingAClusterMovesItsPhotos) {
  ASSERT_EQ(RunTriage({"init", "--library", lib().string(), "--catalog", url_}).exit_code, 0);
  json doc = json::parse(Slurp(lib() / "triage.json"));
  doc.merge_patch(
      {{"face_clustering",
        {{"min_faces", 2}, {"cluster_distance", 0.55}, {"min_face_size", 40}, {"min_detection_score", 0.5}}}});
  std::ofstream(lib() / "triage.json") << doc.dump();
  const fs::path faces = dir_ / "faces";
  fs::create_directories(faces);
  for (const char* name : {"obama.jpg", "obama2.jpg", "obama3.jpg"}) {
    fs::copy_file(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces" / name, faces / name);
  }
  RunResult ingest = Triage({"ingest", faces.string()});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  EXPECT_EQ(ingest.err.find("without clustering"), std::string::npos) << ingest.err;
  json clusters = Triage({"faces", "clusters", "--json"}).Json()["clusters"];
  ASSERT_FALSE(clusters.empty()) << "the photos of one face formed no cluster";
  const int64_t size = clusters[0]["size"];
  EXPECT_GE(size, 2);
  RunResult named = Triage({"faces", "name", std::to_string(clusters[0]["id"].get<int64_t>()), "obama"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  json items = Triage({"items", "--json"}).Json();
  ASSERT_EQ(items.size(), 3u);
  int64_t filed = 0;
  for (const auto& item : items) filed += fs::path(item["path"].get<std::string>()).parent_path() == "faces/obama";
  EXPECT_EQ(filed, size) << "every photo of the named cluster moved to its person: " << items.dump();
  // The command says how many photos moved and where to.
  EXPECT_NE(named.out.find(fmt::format("  {} photo{} moved: {} to faces/obama\n", size, size == 1 ? "" : "s", size)),
            std::string::npos)
      << named.out;
}

TEST_F(PostgresCatalogTest, CopyToPostgresAndBackGivesIdenticalItems) {
  InitLibrary(lib(), kNoFaces);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  json original = Items("sqlite:");
  ASSERT_EQ(original.size(), 6u);

  RunResult there = Triage({"db", "copy", "--from", "sqlite:", "--to", url_, "--json"});
  ASSERT_EQ(there.exit_code, 0) << there.err;
  EXPECT_TRUE(there.Json()["verified"].get<bool>());
  EXPECT_EQ(there.Json()["tables"][0]["rows"], 6);
  EXPECT_EQ(Items(url_), original);

  RunResult back = Triage({"db", "copy", "--from", url_, "--to", "sqlite:.triage/back.db", "--json"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.Json()["tables"], there.Json()["tables"]) << "same counts and checksums both ways";
  EXPECT_EQ(Items("sqlite:.triage/back.db"), original);

  RunResult again = Triage({"db", "copy", "--from", "sqlite:", "--to", url_});
  EXPECT_EQ(again.exit_code, 5);  // refused: the target's rows conflict with the copy
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  EXPECT_EQ(Items(url_), original) << "a refused copy writes nothing";
}

TEST_F(PostgresCatalogTest, LibraryWithFacesClustersAndProposalsCopiesThereAndBackIdentically) {
  InitLibrary(lib(),
              {{"face_clustering",
                {{"min_faces", 2}, {"cluster_distance", 0.55}, {"min_face_size", 40}, {"min_detection_score", 0.5}}}});
  const fs::path faces = dir_ / "faces";
  fs::create_directories(faces);
  for (const char* name : {"obama.jpg", "obama2.jpg", "obama3.jpg"}) {
    fs::copy_file(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces" / name, faces / name);
  }
  ASSERT_EQ(Triage({"ingest", faces.string()}).exit_code, 0);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  json clusters = Triage({"faces", "clusters", "--json"}).Json()["clusters"];
  ASSERT_FALSE(clusters.empty()) << "the photos of one face formed no cluster";
  const std::string cluster = std::to_string(clusters[0]["id"].get<int64_t>());
  ASSERT_EQ(Triage({"faces", "name", cluster, "obama"}).exit_code, 0);
  const std::string face = std::to_string(clusters[0]["faces"][0]["id"].get<int64_t>());
  RunResult refused = Triage({"faces", "not-this-person", face});
  ASSERT_EQ(refused.exit_code, 0) << refused.err;
  json items = Items("sqlite:");
  std::vector<std::string> library, review;
  for (const auto& item : items) {
    (item["location"] == "library" ? library : review).push_back(std::to_string(item["id"].get<int64_t>()));
  }
  ASSERT_GE(library.size(), 1u);
  ASSERT_GE(review.size(), 2u);
  RunResult proposed = Triage({"proposals", "add", library[0], review[0]});
  ASSERT_EQ(proposed.exit_code, 0) << proposed.err;
  ASSERT_EQ(Triage({"public", library[0]}).exit_code, 0);
  ASSERT_EQ(Triage({"review", "skip", review[1]}).exit_code, 0);
  const json original = Export("sqlite:");

  RunResult there = Triage({"db", "copy", "--from", "sqlite:", "--to", url_, "--json"});
  ASSERT_EQ(there.exit_code, 0) << there.err;
  RunResult back = Triage({"db", "copy", "--from", url_, "--to", "sqlite:.triage/back.db", "--json"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.Json()["tables"], there.Json()["tables"]) << "same counts and checksums both ways";
  const json tables = there.Json()["tables"];  // a range over a temporary's member would outlive the temporary
  for (const auto& table : tables) {
    static const std::set<std::string> kFilled = {"items",          "faces",     "face_clusters", "face_rejections",
                                                  "people_actions", "proposals", "public_items",  "person_references",
                                                  "analyses"};
    if (kFilled.count(table["table"])) {
      EXPECT_GT(table["rows"], 0) << table.dump();
    }
  }
  EXPECT_EQ(Export(url_), original);
  EXPECT_EQ(Export("sqlite:.triage/back.db"), original);
}

TEST_F(PostgresCatalogTest, CopyIntoADatabaseThatIsNotACatalogOrIsUnreachableExplainsAndLeavesTheSourceAsItWas) {
  InitLibrary(lib(), kNoFaces);
  ASSERT_EQ(Triage({"ingest", in().string()}).exit_code, 0);
  const json original = Items("sqlite:");
  RunResult unreachable =
      Triage({"db", "copy", "--from", "sqlite:", "--to", "postgresql://nobody:secret@/triage?host=/nonexistent"});
  EXPECT_EQ(unreachable.exit_code, 4);
  EXPECT_NE(unreachable.err.find("--to"), std::string::npos) << unreachable.err;
  EXPECT_EQ(unreachable.err.find("secret"), std::string::npos) << "the password stays out of messages";
  RunResult unknown = Triage({"db", "copy", "--from", "sqlite:", "--to", "mysql://db/triage"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("mysql://db/triage"), std::string::npos) << unknown.err;
  EXPECT_EQ(Items("sqlite:"), original);
}

TEST_F(PostgresCatalogTest, WrongCatalogUrlsAreExplained) {
  InitLibrary(lib(), kNoFaces);
  RunResult unknown = Triage({"items", "--catalog", "mysql://db/triage"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("mysql://db/triage"), std::string::npos) << unknown.err;
  RunResult unreachable = RunTriage({"items", "--library", lib().string()},
                                    {"TRIAGE_CATALOG=postgresql://nobody:secret@/triage?host=/nonexistent"});
  EXPECT_EQ(unreachable.exit_code, 4);
  EXPECT_NE(unreachable.err.find("cannot connect to catalog"), std::string::npos) << unreachable.err;
  EXPECT_EQ(unreachable.err.find("secret"), std::string::npos) << "the password stays out of messages";
}

}  // namespace
}  // namespace triage::e2e
