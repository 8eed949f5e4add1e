// Face clusters over the SQLite catalog: incremental ingest against a full re-cluster, names and "not this person"
// surviving re-clusters and later ingests, and the index rebuilt when it is missing or behind the catalog.
#include "faces/face_clustering.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_face_store.h"
#include "faces/cluster_test_support.h"

namespace triage::faces {
namespace {

namespace fs = std::filesystem;
using Partition = std::set<std::set<int64_t>>;

class FaceClusteringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("face_clustering_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto c = catalog::sqlite::SqliteCatalog::Open(dir_ / "catalog.db");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    store_ = std::make_unique<catalog::sqlite::SqliteFaceStore>(*catalog_);
  }
  void TearDown() override {
    clustering_.reset();
    store_.reset();
    catalog_.reset();
    fs::remove_all(dir_);
  }

  // Stores a photo with these faces (as ingest does); returns the item id.
  int64_t Photo(const std::vector<std::vector<float>>& embeddings, const std::string& known_person = "") {
    catalog::CatalogChange c;
    c.journal_id = "j" + std::to_string(++photos_);
    c.item.path = "review/unidentified/p" + std::to_string(photos_) + ".jpg";
    c.item.original_name = "p.jpg";
    c.item.fingerprint.sha256 = "s" + std::to_string(photos_);
    c.item.location = "review";
    c.item.category = "unidentified";
    c.action = "ingest";
    c.at = 1000;
    for (const auto& e : embeddings) {
      model::Face f;
      f.box = {10, 10, 120, 120};
      f.detection_score = 0.95f;
      f.embedding = e;
      if (!known_person.empty()) {
        f.match.person = known_person;
        f.match.kind = model::MatchKind::kKnown;
      }
      c.faces.push_back(f);
    }
    auto id = catalog_->Apply(c);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return *id;
  }

  void Open() {
    clustering_.reset();
    auto c = FaceClustering::Open(*store_, dir_ / "faces.hnsw", rules_, 2000);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    clustering_ = std::move(*c);
  }

  int64_t Ingest(const std::vector<std::vector<float>>& embeddings) {
    int64_t item = Photo(embeddings);
    EXPECT_TRUE(clustering_->AddItem(item, 2000).ok());
    return item;
  }

  std::vector<catalog::FaceRecord> Faces() {
    catalog::FaceFilter all;
    all.with_embeddings = false;
    return *store_->ListFaces(all);
  }

  Partition Stored() {
    std::map<int64_t, std::set<int64_t>> groups;
    for (const auto& f : Faces())
      if (f.cluster_id != 0) groups[f.cluster_id].insert(f.id);
    Partition p;
    for (auto& [c, ids] : groups) p.insert(ids);
    return p;
  }

  int64_t ClusterOfItem(int64_t item) {
    catalog::FaceFilter f;
    f.item_id = item;
    return store_->ListFaces(f)->at(0).cluster_id;
  }

  fs::path dir_;
  std::unique_ptr<catalog::sqlite::SqliteCatalog> catalog_;
  std::unique_ptr<catalog::sqlite::SqliteFaceStore> store_;
  std::unique_ptr<FaceClustering> clustering_;
  ClusterRules rules_;
  testing::PlantedFaces planted_{11};
  int photos_ = 0;
};

TEST_F(FaceClusteringTest, IngestOneByOneGivesWhatAFullReclusterGives) {
  Open();
  std::vector<std::vector<float>> centres;
  for (int p = 0; p < 5; ++p) centres.push_back(planted_.Centre());
  for (int round = 0; round < 5; ++round) {
    for (int p = 0; p < 5; ++p)
      if (round < 3 + p) Ingest({planted_.FaceNear(centres[p])});
    Ingest({planted_.Centre()});  // a stranger
  }
  Partition incremental = Stored();
  EXPECT_EQ(incremental.size(), 5u);
  auto report = clustering_->Recluster(rules_, 0.6, 3000);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->clusters, 5);
  EXPECT_EQ(Stored(), incremental);
}

// A running watch or server holds one FaceClustering while the CLI re-clusters the same catalog with another: the
// next photo the running one takes must not write faces back into the clusters the re-cluster removed.
TEST_F(FaceClusteringTest, AReclusterByAnotherProcessIsSeenByTheNextIngest) {
  Open();
  auto anna = planted_.Centre();
  std::vector<int64_t> items;
  for (int i = 0; i < 5; ++i) items.push_back(Ingest({planted_.FaceNear(anna)}));
  const int64_t before = ClusterOfItem(items[0]);
  ASSERT_NE(before, 0);
  {
    auto other = FaceClustering::Open(*store_, dir_ / "other.hnsw", rules_, 2500);  // the CLI's
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    ASSERT_TRUE((*other)->Recluster(rules_, 0.6, 2600).ok());
    ASSERT_TRUE(store_->DropEmptyClusters().ok());
  }
  const int64_t after = ClusterOfItem(items[0]);
  ASSERT_NE(after, before) << "the re-cluster made new clusters";
  const int64_t later = Ingest({planted_.FaceNear(anna)});
  std::set<int64_t> live;
  for (const auto& c : *store_->ListClusters(true)) live.insert(c.id);
  for (const auto& f : Faces()) {
    EXPECT_TRUE(f.cluster_id == 0 || live.count(f.cluster_id))
        << "face " << f.id << " in removed cluster " << f.cluster_id;
  }
  for (int64_t item : items) EXPECT_EQ(ClusterOfItem(item), after);
  EXPECT_EQ(ClusterOfItem(later), after);
}

TEST_F(FaceClusteringTest, NamesSurviveAReclusterUnderNewRules) {
  Open();
  auto anna = planted_.Centre(), bea = planted_.Centre();
  std::vector<int64_t> anna_items;
  for (int i = 0; i < 5; ++i) anna_items.push_back(Ingest({planted_.FaceNear(anna)}));
  for (int i = 0; i < 4; ++i) Ingest({planted_.FaceNear(bea)});
  int64_t cluster = ClusterOfItem(anna_items[0]);
  ASSERT_NE(cluster, 0);
  ASSERT_TRUE(store_->SetClusterPerson(cluster, "anna").ok());
  clustering_->SetClusterPerson(cluster, "anna");
  ClusterRules looser = rules_;
  looser.cluster_distance = 0.45;
  ASSERT_TRUE(clustering_->Recluster(looser, 0.6, 3000).ok());
  int64_t after = ClusterOfItem(anna_items[0]);
  ASSERT_NE(after, 0);
  EXPECT_EQ(store_->GetCluster(after)->person, "anna");
  for (int64_t item : anna_items) EXPECT_EQ(ClusterOfItem(item), after);
  auto named = store_->ClusterOfPerson("anna");
  ASSERT_TRUE(named.ok() && *named);
  EXPECT_EQ((*named)->id, after);
  // A new photo of her joins the named cluster.
  int64_t later = Ingest({planted_.FaceNear(anna)});
  EXPECT_EQ(ClusterOfItem(later), after);
}

TEST_F(FaceClusteringTest, NotThisPersonHoldsAcrossIngestsReclustersAndReopening) {
  Open();
  auto anna = planted_.Centre();
  std::vector<int64_t> items;
  for (int i = 0; i < 5; ++i) items.push_back(Ingest({planted_.FaceNear(anna)}));
  int64_t cluster = ClusterOfItem(items[0]);
  ASSERT_TRUE(store_->SetClusterPerson(cluster, "anna").ok());
  clustering_->SetClusterPerson(cluster, "anna");
  catalog::FaceFilter f;
  f.item_id = items[2];
  int64_t face = store_->ListFaces(f)->at(0).id;
  ASSERT_TRUE(clustering_->Reject(face, "anna", 2500).ok());
  EXPECT_EQ(store_->GetFace(face)->cluster_id, 0);
  for (int i = 0; i < 3; ++i) Ingest({planted_.FaceNear(anna)});
  EXPECT_EQ(store_->GetFace(face)->cluster_id, 0);
  ASSERT_TRUE(clustering_->Recluster(rules_, 0.6, 3000).ok());
  EXPECT_EQ(store_->GetFace(face)->cluster_id, 0);
  EXPECT_EQ(store_->GetCluster(ClusterOfItem(items[0]))->person, "anna");
  Open();
  Ingest({planted_.FaceNear(anna)});
  ASSERT_TRUE(clustering_->Recluster(rules_, 0.6, 3100).ok());
  EXPECT_EQ(store_->GetFace(face)->cluster_id, 0);
}

TEST_F(FaceClusteringTest, IndexIsRebuiltWhenMissingAndCatchesUpWhenBehind) {
  Open();
  auto anna = planted_.Centre();
  for (int i = 0; i < 4; ++i) Ingest({planted_.FaceNear(anna)});
  Partition before = Stored();
  ASSERT_EQ(before.size(), 1u);
  ASSERT_TRUE(clustering_->Save().ok());
  clustering_.reset();
  // Photos stored while clustering was off: their faces are clustered when it opens next.
  int64_t missed = Photo({planted_.FaceNear(anna)});
  fs::remove(dir_ / "faces.hnsw");
  Open();
  EXPECT_EQ(clustering_->size(), 5u);
  EXPECT_NE(ClusterOfItem(missed), 0);
  EXPECT_EQ(Stored().size(), 1u);
  EXPECT_EQ(Stored().begin()->size(), 5u);
  // A damaged file is rebuilt too.
  clustering_.reset();
  { std::ofstream(dir_ / "faces.hnsw") << "garbage"; }
  Open();
  EXPECT_EQ(clustering_->size(), 5u);
}

TEST_F(FaceClusteringTest, KnownFacesJoinTheirPersonsCluster) {
  Open();
  int64_t item = Photo({planted_.Centre()}, "carl");
  ASSERT_TRUE(clustering_->AddItem(item, 2000).ok());
  auto named = store_->ClusterOfPerson("carl");
  ASSERT_TRUE(named.ok() && *named);
  EXPECT_EQ(ClusterOfItem(item), (*named)->id);
}

// Faces matched as a person are pinned and attract nobody: an unknown face beside them (the demo's smaller copy of a
// known photo) once formed a cluster of its own, unnamed until a re-cluster named it.
TEST_F(FaceClusteringTest, AnUnknownFaceBesideAPersonsFacesJoinsTheirCluster) {
  Open();
  const std::vector<float> carl = planted_.Centre();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(clustering_->AddItem(Photo({planted_.FaceNear(carl)}, "carl"), 2000).ok());
  const int64_t unknown = Ingest({planted_.FaceNear(carl)});
  auto named = store_->ClusterOfPerson("carl");
  ASSERT_TRUE(named.ok() && *named);
  const int64_t carls = (*named)->id;
  EXPECT_EQ(ClusterOfItem(unknown), carls);
  const Partition incremental = Stored();
  EXPECT_EQ(incremental.size(), 1u);
  ASSERT_TRUE(clustering_->Recluster(rules_, rules_.match_distance, 3000).ok());
  EXPECT_EQ(Stored(), incremental);
  // Somebody else, with faces of their own, stays out of carl's cluster.
  const std::vector<float> dora = planted_.Centre();
  int64_t last = 0;
  for (int i = 0; i < 3; ++i) last = Ingest({planted_.FaceNear(dora)});
  const int64_t doras = ClusterOfItem(last);
  EXPECT_NE(doras, 0);
  EXPECT_NE(doras, (*store_->ClusterOfPerson("carl"))->id);
}

}  // namespace
}  // namespace triage::faces
