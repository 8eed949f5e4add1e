// Specification of the face store on every catalog backend (SQLite and the tests' PostgreSQL): faces with their
// clusters, clusters named and hidden, "not this person", references and the people action log.
#include "catalog/store_test.h"

namespace triage::catalog {
namespace {

model::Face FaceAt(float x, float size, float first_value, const std::string& person) {
  model::Face f;
  f.box = {x, 10, size, size + 5};
  f.detection_score = 0.9f;
  f.embedding.assign(128, first_value);
  f.match.person = person;
  f.match.kind = person.empty() ? model::MatchKind::kUnknown : model::MatchKind::kKnown;
  f.match.distance = 0.4;
  return f;
}

class FaceStoreTest : public StoreTest<FaceStore, &TestBackend::Faces> {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    item_ = Insert("a", "review/multiple_faces", "multiple_faces",
                   {FaceAt(0, 40, 0.25f, "penny"), FaceAt(100, 80, 0.5f, "")}, 100);
    ASSERT_GT(item_, 0);
    auto faces = store_->ListFaces({});
    ASSERT_TRUE(faces.ok()) << faces.status().ToString();
    ASSERT_EQ(faces->size(), 2u);
    first_ = faces->at(0).id;
    second_ = faces->at(1).id;
  }

  // Adds photo `name`.jpg in `folder` (location "review" unless the folder is the trash) with `faces`; its id, 0 when
  // refused.
  int64_t Insert(const std::string& name, const std::string& folder, const std::string& category,
                 std::vector<model::Face> faces, int64_t at) {
    CatalogChange c;
    c.journal_id = "insert:" + name;
    c.item.path = folder + "/" + name + ".jpg";
    c.item.original_name = name + ".jpg";
    c.item.fingerprint.sha256 = name;
    c.item.location = folder == ".triage/trash" ? "trash" : "review";
    c.item.category = category;
    c.faces = std::move(faces);
    c.at = at;
    auto id = catalog_->Apply(c);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  // Moves the photo holding both faces to the trash.
  void TrashTheItem() {
    CatalogChange to_trash;
    to_trash.kind = CatalogChange::Kind::kRelocateItem;
    to_trash.journal_id = "trash:a";
    to_trash.item.id = item_;
    to_trash.item.path = ".triage/trash/a.jpg";
    to_trash.item.location = "trash";
    to_trash.at = 400;
    ASSERT_TRUE(catalog_->Apply(to_trash).ok());
  }

  int64_t item_ = 0, first_ = 0, second_ = 0;
};

TEST_P(FaceStoreTest, StoredFacesReadBackWithTheirEmbeddingSizeAndMatch) {
  auto f = store_->GetFace(first_);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->item_id, item_);
  EXPECT_FLOAT_EQ(f->box.width, 40);
  EXPECT_DOUBLE_EQ(f->size_px, 40) << "the box's shorter side";
  EXPECT_EQ(f->embedding, std::vector<float>(128, 0.25f));
  EXPECT_EQ(f->person, "penny");
  EXPECT_EQ(f->match_kind, "known");
  EXPECT_TRUE(f->Assigned());
  EXPECT_EQ(f->cluster_id, 0);
  EXPECT_EQ(f->neighbours, -1) << "not clustered yet";
  EXPECT_EQ(store_->GetFace(second_ + 100).status().code(), base::Code::kNotFound);
  EXPECT_EQ(*store_->FaceWatermark(), std::make_pair(second_, int64_t{2}));
}

TEST_P(FaceStoreTest, ListsFacesByClusterPersonAndItemInPages) {
  auto cluster = store_->CreateCluster("", 200);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  ASSERT_TRUE(store_->SetAssignments({{second_, *cluster, 3, true, false}}).ok());
  FaceFilter in_cluster;
  in_cluster.cluster_id = *cluster;
  auto listed = store_->ListFaces(in_cluster);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, second_);
  EXPECT_EQ(listed->front().neighbours, 3);
  EXPECT_TRUE(listed->front().core);
  FaceFilter unclustered;
  unclustered.cluster_id = 0;
  unclustered.with_embeddings = false;
  listed = store_->ListFaces(unclustered);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, first_);
  EXPECT_TRUE(listed->front().embedding.empty());
  FaceFilter by_person;
  by_person.person = "penny";
  by_person.item_id = item_;
  EXPECT_EQ(store_->ListFaces(by_person)->size(), 1u);
  FaceFilter page;
  page.after_id = first_;
  page.limit = 1;
  EXPECT_EQ(store_->ListFaces(page)->front().id, second_);
  page.limit = 0;
  EXPECT_EQ(store_->ListFaces(page).status().code(), base::Code::kInvalidArgument);
}

TEST_P(FaceStoreTest, CountsTheFacesInNoClusterOutsideTheTrash) {
  EXPECT_EQ(*store_->CountUnclusteredFaces(), 2) << "neither face is clustered yet";
  auto cluster = store_->CreateCluster("", 200);
  ASSERT_TRUE(store_->SetAssignments({{second_, *cluster, 3, true, false}}).ok());
  EXPECT_EQ(*store_->CountUnclusteredFaces(), 1);
  ASSERT_TRUE(store_->SetClusterHidden(*cluster, true).ok());
  EXPECT_EQ(*store_->CountUnclusteredFaces(), 1) << "a face in a hidden cluster is in a cluster";
  ASSERT_GT(Insert("b", ".triage/trash", "", {FaceAt(0, 60, 0.75f, "")}, 300), 0);
  EXPECT_EQ(*store_->CountUnclusteredFaces(), 1) << "a face of a photo in the trash is not counted";
  TrashTheItem();
  EXPECT_EQ(*store_->CountUnclusteredFaces(), 0) << "nor once the photo moves to the trash";
}

TEST_P(FaceStoreTest, APhotoInTheTrashLeavesItsClusterSizesAndListsUnlessAskedFor) {
  const int64_t other_item = Insert("b", "review/unidentified", "unidentified", {FaceAt(0, 60, 0.75f, "")}, 300);
  ASSERT_GT(other_item, 0);
  FaceFilter of_other;
  of_other.item_id = other_item;
  const int64_t third = store_->ListFaces(of_other)->front().id;
  auto shared = store_->CreateCluster("", 200);
  auto alone = store_->CreateCluster("", 201);
  ASSERT_TRUE(
      store_
          ->SetAssignments(
              {{first_, *shared, 2, true, false}, {third, *shared, 2, true, false}, {second_, *alone, 1, true, false}})
          .ok());
  EXPECT_EQ(store_->GetCluster(*shared)->size, 2);
  TrashTheItem();
  EXPECT_EQ(store_->GetCluster(*shared)->size, 1) << "the face of the deleted photo no longer counts";
  auto listed = store_->ListClusters(true);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u) << "a cluster whose every photo is in the trash is not listed";
  EXPECT_EQ(listed->front().id, *shared);
  EXPECT_TRUE(store_->GetCluster(*alone).ok()) << "but it is kept, for the photo's restore";
  FaceFilter shown;
  shown.cluster_id = *shared;
  shown.include_trashed = false;
  auto faces = store_->ListFaces(shown);
  ASSERT_EQ(faces->size(), 1u);
  EXPECT_EQ(faces->front().id, third);
  shown.include_trashed = true;
  EXPECT_EQ(store_->ListFaces(shown)->size(), 2u) << "the actions still see every face";
}

TEST_P(FaceStoreTest, NamingAClusterNamesItsFacesAndUnnamingForgetsThem) {
  auto cluster = store_->CreateCluster("", 200);
  ASSERT_TRUE(store_->SetAssignments({{first_, *cluster, 2, true, false}, {second_, *cluster, 2, true, false}}).ok());
  ASSERT_TRUE(store_->SetClusterPerson(*cluster, "kate").ok());
  EXPECT_EQ(store_->GetFace(second_)->person, "kate");
  EXPECT_EQ(store_->GetFace(second_)->match_kind, "named");
  auto of_kate = store_->ClusterOfPerson("kate");
  ASSERT_TRUE(of_kate->has_value());
  EXPECT_EQ((*of_kate)->size, 2);
  ASSERT_TRUE(store_->SetClusterPerson(*cluster, "").ok());
  EXPECT_EQ(store_->GetFace(first_)->match_kind, "unknown");
  EXPECT_FALSE(store_->ClusterOfPerson("kate")->has_value());
  EXPECT_EQ(store_->SetClusterPerson(*cluster + 50, "kate").code(), base::Code::kNotFound);
  ASSERT_TRUE(store_->SetFacePersons({first_}, "penny", "named").ok());
  EXPECT_EQ(store_->GetFace(first_)->person, "penny");
}

TEST_P(FaceStoreTest, HiddenAndEmptyClustersLeaveTheList) {
  auto big = store_->CreateCluster("", 200);
  auto small = store_->CreateCluster("", 201);
  auto empty = store_->CreateCluster("", 202);
  ASSERT_TRUE(store_->SetAssignments({{first_, *big, 2, true, false}, {second_, *small, 1, false, true}}).ok());
  auto listed = store_->ListClusters(false);
  ASSERT_EQ(listed->size(), 2u) << "the empty cluster is not listed";
  ASSERT_TRUE(store_->SetClusterHidden(*small, true).ok());
  EXPECT_EQ(store_->ListClusters(false)->size(), 1u);
  EXPECT_EQ(store_->ListClusters(true)->size(), 2u);
  EXPECT_TRUE(store_->GetCluster(*small)->hidden);
  EXPECT_EQ(store_->SetClusterHidden(*empty + 50, true).code(), base::Code::kNotFound);
  ASSERT_TRUE(store_->DropEmptyClusters().ok());
  EXPECT_EQ(store_->GetCluster(*empty).status().code(), base::Code::kNotFound);
  EXPECT_TRUE(store_->GetCluster(*big).ok());
}

TEST_P(FaceStoreTest, RejectionsAreRememberedOncePerFaceAndPerson) {
  ASSERT_TRUE(store_->AddRejection(first_, "kate", 10).ok());
  ASSERT_TRUE(store_->AddRejection(first_, "kate", 11).ok());
  ASSERT_TRUE(store_->AddRejection(second_, "penny", 12).ok());
  using Pairs = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(*store_->ListRejections(), (Pairs{{first_, "kate"}, {second_, "penny"}}));
  EXPECT_EQ(store_->AddRejection(second_ + 100, "kate", 13).code(), base::Code::kNotFound);
  ASSERT_TRUE(store_->RemoveRejection(first_, "kate").ok());
  EXPECT_EQ(*store_->ListRejections(), (Pairs{{second_, "penny"}}));
}

TEST_P(FaceStoreTest, ReferencesNeedTheirPerson) {
  EXPECT_EQ(store_->AddReference("nobody", std::vector<float>(128, 1), "manual").status().code(),
            base::Code::kNotFound);
  ASSERT_TRUE(catalog_->AddPerson("kate", 1).ok());
  auto ref = store_->AddReference("kate", std::vector<float>(128, 1), "item:1");
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  auto all = catalog_->AllReferences();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().id, *ref);
  EXPECT_EQ(all->front().source, "item:1");
  ASSERT_TRUE(store_->RemoveReferences({*ref}).ok());
  EXPECT_TRUE(catalog_->AllReferences()->empty());
}

TEST_P(FaceStoreTest, ActionsAreLoggedUpdatedAndUndoneOnce) {
  auto first = store_->LogAction({0, 10, "alice", "name", "named 2 faces kate", R"({"faces":[1]})", std::nullopt});
  auto second = store_->LogAction({0, 11, "alice", "merge", "", "{}", std::nullopt});
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(store_->UpdateAction(*second, "merged 2 clusters", R"({"from":3})").ok());
  EXPECT_EQ(store_->UpdateAction(*second + 10, "x", "{}").code(), base::Code::kNotFound);
  auto listed = store_->ListActions(10);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->front().id, *second) << "newest first";
  EXPECT_EQ(listed->front().summary, "merged 2 clusters");
  EXPECT_EQ(listed->front().undo, R"({"from":3})");
  EXPECT_FALSE(listed->front().undone_at.has_value());
  ASSERT_TRUE(store_->MarkUndone(*first, 20).ok());
  EXPECT_EQ(store_->GetAction(*first)->undone_at, 20);
  EXPECT_EQ(store_->MarkUndone(*first, 21).code(), base::Code::kConflict);
  EXPECT_EQ(store_->GetAction(*second + 10).status().code(), base::Code::kNotFound);
}

TRIAGE_ON_EVERY_BACKEND(FaceStoreTest);

}  // namespace
}  // namespace triage::catalog
