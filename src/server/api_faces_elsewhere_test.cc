// Specification of people actions taken by another process while the server runs (`triage faces name|undo` on the
// command line): the server's clusters follow the catalog, so naming a cluster on the People page after a command-line
// undo moves its photos as it would have before.
#include "faces/cluster_test_support.h"
#include "server/api_test_support.h"

namespace triage::server {
namespace {

// The command line's own library: a connection, journal, committer, clusters and people service of its own, opened
// while the server runs (as `triage faces ...` does in another process).
struct CommandLine {
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<commit::Journal> journal;
  std::unique_ptr<commit::Committer> committer;
  std::unique_ptr<catalog::FaceStore> faces;
  std::unique_ptr<faces::FaceClustering> clustering;
  std::unique_ptr<review::PeopleService> people;
};

class FacesElsewhereApiTest : public ApiTest {
 protected:
  std::unique_ptr<CommandLine> OpenCommandLine() {
    auto cli = std::make_unique<CommandLine>();
    auto cfg = config_->Current();
    auto catalog = backend_->Open();
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    cli->catalog = std::move(*catalog);
    cli->journal = std::move(*commit::Journal::Open(cfg->StateDir()));
    cli->committer = std::make_unique<commit::Committer>(*cli->journal, *cli->catalog, cfg->library);
    cli->faces = backend_->Faces(*cli->catalog);
    auto clustering = faces::FaceClustering::Open(*cli->faces, cfg->StateDir() / "faces.hnsw", {}, base::UnixNow());
    EXPECT_TRUE(clustering.ok()) << clustering.status().ToString();
    cli->clustering = std::move(*clustering);
    cli->people = std::make_unique<review::PeopleService>(*config_, *cli->catalog, *cli->faces, *cli->clustering,
                                                          *cli->committer);
    return cli;
  }

  // Three photos waiting with a face near `centre` each; returns their ids.
  std::vector<int64_t> ThreeWaiting(const std::vector<float>& centre) {
    std::vector<int64_t> items;
    for (int i = 0; i < 3; ++i) items.push_back(WaitingWithFaces({planted_.FaceNear(centre)}));
    return items;
  }
  int64_t ClusterOf(int64_t item) {
    catalog::FaceFilter f;
    f.item_id = item;
    return face_store_->ListFaces(f)->at(0).cluster_id;
  }
  std::string FolderOf(int64_t item) { return fs::path(catalog_->GetItem(item)->path).parent_path().string(); }
  httplib::Result NameOnThePeoplePage(int64_t cluster, const std::string& person) {
    return Post("/api/clusters/" + std::to_string(cluster) + "/name", {{"person", person}}, &bob_);
  }

  // Anna is known with a cluster of her own (named on the People page); the three photos of another cluster wait.
  void SetUpAnnaAndAStranger() {
    bob_ = Login("bob");
    anna_items_ = ThreeWaiting(planted_.Centre());
    ASSERT_EQ(NameOnThePeoplePage(ClusterOf(anna_items_[0]), "anna")->status, 200);
    items_ = ThreeWaiting(planted_.Centre());
    cluster_ = ClusterOf(items_[0]);
    ASSERT_NE(cluster_, ClusterOf(anna_items_[0]));
    for (int64_t id : items_) ASSERT_EQ(FolderOf(id), "review/unidentified");
  }

  // Naming the cluster as anna on the People page moves its three photos to faces/anna.
  void ExpectNamingOnThePeoplePageMovesThePhotos() {
    auto named = NameOnThePeoplePage(cluster_, "anna");
    ASSERT_TRUE(named);
    ASSERT_EQ(named->status, 200) << named->body;
    EXPECT_EQ(Body(named)["moved_items"].size(), 3u) << named->body;
    for (int64_t id : items_) EXPECT_EQ(FolderOf(id), "faces/anna") << "item " << id;
  }

  faces::testing::PlantedFaces planted_{17};
  TestSession bob_;
  std::vector<int64_t> anna_items_, items_;
  int64_t cluster_ = 0;
};

TEST_F(FacesElsewhereApiTest, NamedAndUndoneOnTheCommandLineThenNamedOnThePeoplePage) {
  SetUpAnnaAndAStranger();
  auto cli = OpenCommandLine();
  auto named = cli->people->Name(cluster_, "anna", "cli:ada", base::UnixNow());
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  for (int64_t id : items_) ASSERT_EQ(FolderOf(id), "faces/anna");
  auto undone = cli->people->Undo(named->action_id, "cli:ada", base::UnixNow());
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  for (int64_t id : items_) ASSERT_EQ(FolderOf(id), "review/unidentified");
  ExpectNamingOnThePeoplePageMovesThePhotos();
}

TEST_F(FacesElsewhereApiTest, NamedOnThePeoplePageUndoneOnTheCommandLineThenNamedAgain) {
  SetUpAnnaAndAStranger();
  auto named = NameOnThePeoplePage(cluster_, "anna");
  ASSERT_EQ(named->status, 200) << named->body;
  for (int64_t id : items_) ASSERT_EQ(FolderOf(id), "faces/anna");
  auto cli = OpenCommandLine();
  auto undone = cli->people->Undo(Body(named)["action_id"].get<int64_t>(), "cli:ada", base::UnixNow());
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  for (int64_t id : items_) ASSERT_EQ(FolderOf(id), "review/unidentified");
  ExpectNamingOnThePeoplePageMovesThePhotos();
}

TEST_F(FacesElsewhereApiTest, NamedOnTheCommandLineUndoneOnThePeoplePageThenNamedAgain) {
  SetUpAnnaAndAStranger();
  auto cli = OpenCommandLine();
  auto named = cli->people->Name(cluster_, "anna", "cli:ada", base::UnixNow());
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  auto undone = Post("/api/people/undo", {{"action_id", named->action_id}}, &bob_);
  ASSERT_EQ(undone->status, 200) << undone->body;
  for (int64_t id : items_) ASSERT_EQ(FolderOf(id), "review/unidentified");
  ExpectNamingOnThePeoplePageMovesThePhotos();
}

TEST_F(FacesElsewhereApiTest, NamedAndUndoneOnThePeoplePageThenNamedAgain) {
  SetUpAnnaAndAStranger();
  auto named = NameOnThePeoplePage(cluster_, "anna");
  ASSERT_EQ(named->status, 200) << named->body;
  auto undone = Post("/api/people/undo", {{"action_id", Body(named)["action_id"]}}, &bob_);
  ASSERT_EQ(undone->status, 200) << undone->body;
  ExpectNamingOnThePeoplePageMovesThePhotos();
}

// The same on a PostgreSQL catalog, where the command line and the server are as often on different hosts.
class FacesElsewherePostgresApiTest : public FacesElsewhereApiTest {
 protected:
  std::string Backend() const override { return "postgres"; }
};

TEST_F(FacesElsewherePostgresApiTest, NamedOnThePeoplePageUndoneOnTheCommandLineThenNamedAgain) {
  SetUpAnnaAndAStranger();
  auto named = NameOnThePeoplePage(cluster_, "anna");
  ASSERT_EQ(named->status, 200) << named->body;
  auto cli = OpenCommandLine();
  auto undone = cli->people->Undo(Body(named)["action_id"].get<int64_t>(), "cli:ada", base::UnixNow());
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  ExpectNamingOnThePeoplePageMovesThePhotos();
}

}  // namespace
}  // namespace triage::server
