// The density clustering model: incremental assignment against the full computation, and its constraints.
#include "faces/cluster_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "faces/cluster_test_support.h"

namespace triage::faces {
namespace {

using Partition = std::set<std::set<int64_t>>;

class ClusterModelTest : public ::testing::Test {
 protected:
  ClusterModelTest() : index_(FaceIndex::Create(128)), planted_(7) {}

  // Adds a face to the index and remembers its node; returns its id.
  int64_t Face(const std::vector<float>& embedding, double size_px = 100, double score = 0.95, int64_t item = 0) {
    int64_t id = next_id_++;
    EXPECT_TRUE(index_->Add(id, embedding).ok());
    ClusterNode n;
    n.id = id;
    n.item_id = item == 0 ? id : item;
    n.size_px = size_px;
    n.detection_score = score;
    nodes_.push_back(n);
    return id;
  }

  std::unique_ptr<ClusterModel> Model() {
    return std::make_unique<ClusterModel>(rules_, *index_, [this] { return next_cluster_++; });
  }

  static Partition Of(const std::map<int64_t, int64_t>& labels) {
    std::map<int64_t, std::set<int64_t>> groups;
    for (const auto& [id, label] : labels)
      if (label != 0) groups[label].insert(id);
    Partition p;
    for (auto& [label, ids] : groups) p.insert(ids);
    return p;
  }

  Partition Incremental(std::vector<ClusterNode> order) {
    auto model = Model();
    for (const auto& n : order) model->Add(n);
    std::map<int64_t, int64_t> labels;
    for (const auto& [id, n] : model->nodes()) labels[id] = n.cluster;
    return Of(labels);
  }

  Partition Full() {
    std::map<int64_t, int64_t> labels;
    for (const auto& [id, r] : FullCluster(rules_, *index_, nodes_)) labels[id] = r.label;
    return Of(labels);
  }

  ClusterRules rules_;
  std::unique_ptr<FaceIndex> index_;
  testing::PlantedFaces planted_;
  std::vector<ClusterNode> nodes_;
  int64_t next_id_ = 1;
  int64_t next_cluster_ = 1;
};

TEST_F(ClusterModelTest, IncrementalAssignmentEqualsFullReclusterInAnyOrder) {
  std::vector<std::vector<float>> centres;
  for (int p = 0; p < 6; ++p) centres.push_back(planted_.Centre());
  for (int p = 0; p < 6; ++p) {
    for (int f = 0; f < 3 + p; ++f) Face(planted_.FaceNear(centres[p]));
    Face(planted_.FaceNear(centres[p]), 30);  // too small to seed: joins as a border face
  }
  for (int s = 0; s < 8; ++s) Face(planted_.Centre());                               // strangers
  for (int s = 0; s < 3; ++s) Face(planted_.FaceNear(planted_.Centre()), 100, 0.5);  // weak detections
  Partition full = Full();
  EXPECT_EQ(full.size(), 6u);
  for (const auto& cluster : full) EXPECT_GE(cluster.size(), 4u);
  EXPECT_EQ(Incremental(nodes_), full);
  std::vector<ClusterNode> shuffled = nodes_;
  for (int round = 0; round < 5; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), planted_.rng());
    EXPECT_EQ(Incremental(shuffled), full) << "insertion order " << round;
  }
}

TEST_F(ClusterModelTest, WeakFacesNeverSeedAClusterButJoinOne) {
  auto centre = planted_.Centre();
  for (int f = 0; f < 6; ++f) Face(planted_.FaceNear(centre), 30);
  EXPECT_TRUE(Full().empty());
  EXPECT_TRUE(Incremental(nodes_).empty());
  for (int f = 0; f < 3; ++f) Face(planted_.FaceNear(centre));
  Partition p = Incremental(nodes_);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p.begin()->size(), 9u);
  EXPECT_EQ(Full(), p);
}

TEST_F(ClusterModelTest, TwoFacesOfOnePhotoNeverShareACluster) {
  auto centre = planted_.Centre();
  for (int f = 0; f < 4; ++f) Face(planted_.FaceNear(centre));
  int64_t a = Face(planted_.FaceNear(centre), 100, 0.95, 500);
  int64_t b = Face(planted_.FaceNear(centre), 100, 0.95, 500);
  auto model = Model();
  for (const auto& n : nodes_) model->Add(n);
  const int64_t ca = model->Find(a)->cluster, cb = model->Find(b)->cluster;
  EXPECT_FALSE(ca != 0 && ca == cb) << "faces of one photo in one cluster";
  EXPECT_TRUE(ca != 0 || cb != 0);
  for (const auto& cluster : Full()) EXPECT_FALSE(cluster.count(a) && cluster.count(b));
}

TEST_F(ClusterModelTest, ClustersNamedAsDifferentPersonsNeverMerge) {
  auto x = planted_.Centre();
  auto y = planted_.Centre();
  auto model = Model();
  std::vector<int64_t> xs, ys;
  for (int f = 0; f < 4; ++f) xs.push_back(Face(planted_.FaceNear(x)));
  for (int f = 0; f < 4; ++f) ys.push_back(Face(planted_.FaceNear(y)));
  for (const auto& n : nodes_) model->Add(n);
  const int64_t cx = model->Find(xs[0])->cluster, cy = model->Find(ys[0])->cluster;
  ASSERT_NE(cx, cy);
  model->SetClusterPerson(cx, "anna");
  model->SetClusterPerson(cy, "bea");
  // A chain of good faces from one to the other would link them.
  for (int step = 1; step < 12; ++step) {
    ClusterNode n;
    n.id = Face(planted_.Between(x, y, step / 12.0));
    n.item_id = n.id;
    n.size_px = 100;
    n.detection_score = 0.95;
    model->Add(n);
  }
  EXPECT_NE(model->Find(xs[0])->cluster, model->Find(ys[0])->cluster);
  EXPECT_EQ(model->PersonOf(model->Find(xs[0])->cluster), "anna");
  EXPECT_EQ(model->PersonOf(model->Find(ys[0])->cluster), "bea");
}

TEST_F(ClusterModelTest, RejectedFaceNeverJoinsTheClusterOfThatPerson) {
  auto centre = planted_.Centre();
  auto model = Model();
  std::vector<int64_t> ids;
  for (int f = 0; f < 4; ++f) ids.push_back(Face(planted_.FaceNear(centre)));
  for (const auto& n : nodes_) model->Add(n);
  const int64_t cluster = model->Find(ids[0])->cluster;
  model->SetClusterPerson(cluster, "anna");
  ClusterNode twin;
  twin.id = Face(planted_.FaceNear(centre));
  twin.item_id = twin.id;
  twin.size_px = 100;
  twin.detection_score = 0.95;
  twin.rejected = {"anna"};
  model->Add(twin);
  EXPECT_EQ(model->Find(twin.id)->cluster, 0);
  EXPECT_FALSE(model->Good(*model->Find(twin.id)));
}

TEST(FaceIndexTest, SavesAndLoadsAndForgets) {
  testing::PlantedFaces planted(3);
  auto index = FaceIndex::Create(128);
  std::vector<std::vector<float>> v;
  for (int i = 0; i < 50; ++i) {
    v.push_back(planted.Centre());
    ASSERT_TRUE(index->Add(i + 1, v.back()).ok());
  }
  EXPECT_EQ(index->Add(99, {1.f, 2.f}).code(), base::Code::kInvalidArgument);
  auto file = std::filesystem::temp_directory_path() / ("face_index_" + std::to_string(::getpid()));
  ASSERT_TRUE(index->Save(file).ok());
  auto loaded = FaceIndex::Load(file, 128);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->size(), 50u);
  auto nearest = (*loaded)->Nearest(v[7], 3);
  ASSERT_EQ(nearest.size(), 3u);
  EXPECT_EQ(nearest[0].id, 8);
  EXPECT_NEAR(nearest[0].distance, 0, 1e-6);
  (*loaded)->Remove(8);
  EXPECT_NE((*loaded)->Nearest(v[7], 1).at(0).id, 8);
  EXPECT_EQ(FaceIndex::Load(file.string() + ".missing", 128).status().code(), base::Code::kNotFound);
  EXPECT_EQ(FaceIndex::Load(file, 64).status().code(), base::Code::kCorrupt);
  std::filesystem::resize_file(file, 100);
  EXPECT_EQ(FaceIndex::Load(file, 128).status().code(), base::Code::kCorrupt);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace triage::faces
