// People actions: naming a cluster routes its waiting photos (moved, audited) and undo puts them back; merge, split,
// "not this person", and their undo.
#include "review/people_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <set>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_face_store.h"
#include "faces/cluster_test_support.h"
#include "review/policy_service.h"

namespace triage::review {
namespace {

namespace fs = std::filesystem;

class PeopleServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lib_ = fs::temp_directory_path() / ("people_test_" + std::to_string(::getpid()));
    fs::remove_all(lib_);
    fs::create_directories(lib_ / ".triage");
    nlohmann::json doc = config::DefaultConfigJson();
    doc["face_clustering"]["max_references_per_person"] = 3;
    ASSERT_TRUE(config::SaveConfigJson(lib_, doc).ok());
    config_ = std::move(*config::ConfigStore::Open(lib_));
    sqlite_ = std::move(*catalog::sqlite::SqliteCatalog::Open(lib_ / ".triage/catalog.db"));
    faces_ = std::make_unique<catalog::sqlite::SqliteFaceStore>(*sqlite_);
    clustering_ = std::move(*faces::FaceClustering::Open(*faces_, lib_ / ".triage/faces.hnsw", {}, 100));
    journal_ = *commit::Journal::Open(lib_ / ".triage");
    committer_ = std::make_unique<commit::Committer>(*journal_, *sqlite_, lib_);
    service_ = std::make_unique<PeopleService>(*config_, *sqlite_, *faces_, *clustering_, *committer_);
  }
  void TearDown() override {
    service_.reset();
    committer_.reset();
    journal_.reset();
    clustering_.reset();
    faces_.reset();
    sqlite_.reset();
    fs::remove_all(lib_);
  }

  // A photo waiting in review/unidentified with these faces (stored analysis as ingest keeps it), clustered.
  int64_t Waiting(const std::vector<std::vector<float>>& embeddings) { return Placed(embeddings, "review", ""); }

  // A photo with these faces placed as intake places it: waiting in review (`folder` empty: its category's folder),
  // or in the library without a person in `folder` (photos/<yyyy>/<mm>, by the policy when `auto_sorted`).
  int64_t Placed(const std::vector<std::vector<float>>& embeddings, const std::string& location,
                 const std::string& folder, bool auto_sorted = false) {
    const std::string name = "p" + std::to_string(++photos_) + ".jpg";
    fs::create_directories(lib_ / "in");
    std::ofstream(lib_ / "in" / name) << name;
    auto staged = committer_->StageCopy(lib_ / "in" / name, nullptr);
    catalog::CatalogChange c;
    c.item.original_name = name;
    c.item.fingerprint.sha256 = name;
    c.item.location = location;
    if (location == "review") c.item.category = embeddings.size() == 1 ? "unidentified" : "multiple_faces";
    c.item.auto_sorted = auto_sorted;
    if (folder.rfind("faces/", 0) == 0) c.item.person = folder.substr(6);  // filed under a person
    c.item.reasons = {{"unknown_person", "The face matches nobody enrolled."}};
    c.item.faces_detected = static_cast<int>(embeddings.size());
    model::StoredAnalysis stored;
    stored.analysis.readable = true;
    stored.analysis.faces_analysed = true;
    for (const auto& e : embeddings) {
      model::Face face;
      face.box = {10, 10, 120, 120};
      face.detection_score = 0.95f;
      face.embedding = e;
      c.faces.push_back(face);
      face.embedding.clear();
      stored.analysis.faces.push_back(face);
    }
    c.analysis = stored;
    c.at = 100;
    auto placed =
        committer_->Place(*staged, folder.empty() ? lib_ / "review" / c.item.category : lib_ / folder, name, c);
    EXPECT_TRUE(placed.ok()) << placed.status().ToString();
    EXPECT_TRUE(clustering_->AddItem(placed->item_id, 100).ok());
    return placed->item_id;
  }

  std::vector<catalog::FaceRecord> FacesOf(int64_t item) {
    catalog::FaceFilter f;
    f.item_id = item;
    return *faces_->ListFaces(f);
  }
  int64_t ClusterOf(int64_t item) { return FacesOf(item).at(0).cluster_id; }
  std::string PathOf(int64_t item) { return sqlite_->GetItem(item)->path; }

  fs::path lib_;
  std::unique_ptr<config::ConfigStore> config_;
  std::unique_ptr<catalog::sqlite::SqliteCatalog> sqlite_;
  std::unique_ptr<catalog::sqlite::SqliteFaceStore> faces_;
  std::unique_ptr<faces::FaceClustering> clustering_;
  std::unique_ptr<commit::Journal> journal_;
  std::unique_ptr<commit::Committer> committer_;
  std::unique_ptr<PeopleService> service_;
  faces::testing::PlantedFaces planted_{5};
  int photos_ = 0;
};

TEST_F(PeopleServiceTest, NamingRoutesWaitingPhotosAndUndoPutsThemBack) {
  auto anna = planted_.Centre();
  std::vector<int64_t> photos;
  for (int i = 0; i < 4; ++i) photos.push_back(Waiting({planted_.FaceNear(anna)}));
  int64_t group = Waiting({planted_.FaceNear(anna), planted_.Centre()});
  int64_t cluster = ClusterOf(photos[0]);
  ASSERT_NE(cluster, 0);
  auto named = service_->Name(cluster, "Anna", "admin", 200);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->person, "anna");
  EXPECT_EQ(named->references_added, 3);  // face_clustering.max_references_per_person
  EXPECT_TRUE(named->errors.empty());
  EXPECT_EQ(named->moved_items.size(), 4u);
  EXPECT_EQ(named->moved_to, std::vector<std::string>(4, "faces/anna"));
  for (int64_t id : photos) {
    EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "faces/anna");
    EXPECT_TRUE(fs::exists(lib_ / PathOf(id)));
    EXPECT_EQ(sqlite_->GetItem(id)->person, "anna");
    auto audit = sqlite_->ListAudit(id, "admin", 10, 0);
    ASSERT_FALSE(audit->empty());
    EXPECT_EQ(audit->front().action, "name-cluster");
  }
  EXPECT_EQ(fs::path(PathOf(group)).parent_path(), "review/multiple_faces");  // only single-face photos move
  EXPECT_EQ(sqlite_->AllReferences()->size(), 3u);
  EXPECT_EQ(faces_->GetCluster(cluster)->person, "anna");
  EXPECT_EQ(FacesOf(photos[0]).at(0).match_kind, "named");
  for (int64_t id : photos) {  // filed by the reviewer's word, and said so, with the name as typed ("Anna")
    auto item = sqlite_->GetItem(id);
    ASSERT_EQ(item->reasons.size(), 1u);
    EXPECT_EQ(item->reasons[0].code, "named_person");
    EXPECT_EQ(item->reasons[0].text, "Named Anna by admin.");
    EXPECT_FALSE(item->auto_sorted);
  }

  auto undone = service_->Undo(named->action_id, "admin", 300);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(undone->restored_items.size(), 4u);
  for (int64_t id : photos) {
    EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "review/unidentified");
    EXPECT_TRUE(fs::exists(lib_ / PathOf(id)));
    EXPECT_FALSE(fs::exists(lib_ / "faces/anna" / fs::path(PathOf(id)).filename()));
    EXPECT_TRUE(sqlite_->PendingReview(id).ok());
  }
  EXPECT_TRUE(sqlite_->AllReferences()->empty());
  EXPECT_TRUE(sqlite_->ListPersons()->empty());
  EXPECT_FALSE(fs::exists(lib_ / "faces/anna"));  // the person the naming added leaves no empty folder behind
  EXPECT_EQ(faces_->GetCluster(cluster)->person, "");
  EXPECT_EQ(FacesOf(photos[0]).at(0).match_kind, "unknown");
  EXPECT_EQ(service_->Undo(named->action_id, "admin", 301).status().code(), base::Code::kConflict);
}

// routing.photos_without_people = library: a photo whose face matched nobody was sorted into photos/. Once its face
// is named, the policy files it under the person, as it would a new photo; one a person put in photos/ stays.
TEST_F(PeopleServiceTest, NamingFilesAPhotoSortedWithoutAPersonAndUndoPutsItBack) {
  auto anna = planted_.Centre();
  std::vector<int64_t> photos;
  for (int i = 0; i < 3; ++i) photos.push_back(Waiting({planted_.FaceNear(anna)}));
  const int64_t sorted = Placed({planted_.FaceNear(anna)}, "library", "photos/2024/05", true);
  const int64_t kept_by_hand = Placed({planted_.FaceNear(anna)}, "library", "photos/2024/06", false);
  const int64_t cluster = ClusterOf(photos[0]);
  ASSERT_EQ(ClusterOf(sorted), cluster);
  ASSERT_EQ(ClusterOf(kept_by_hand), cluster);
  auto named = service_->Name(cluster, "Anna", "admin", 200);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->moved_items.size(), 4u);
  EXPECT_EQ(fs::path(PathOf(sorted)).parent_path(), "faces/anna");
  EXPECT_TRUE(fs::exists(lib_ / PathOf(sorted)));
  EXPECT_EQ(sqlite_->GetItem(sorted)->person, "anna");
  EXPECT_EQ(fs::path(PathOf(kept_by_hand)).parent_path(), "photos/2024/06");
  EXPECT_EQ(sqlite_->GetItem(kept_by_hand)->person, "");

  auto undone = service_->Undo(named->action_id, "admin", 300);
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(fs::path(PathOf(sorted)).parent_path(), "photos/2024/05");
  EXPECT_TRUE(fs::exists(lib_ / PathOf(sorted)));
  auto item = sqlite_->GetItem(sorted);
  EXPECT_EQ(item->location, "library");
  EXPECT_EQ(item->person, "");
  EXPECT_TRUE(item->auto_sorted);
}

// Re-matching a waiting photo (the review card, apply-policy): a face of a cluster that was named counts as that
// person only while the person is enrolled; once removed, the face is matched like any other, against nobody.
TEST_F(PeopleServiceTest, AFaceNamedAfterAPersonRemovedSinceIsMatchedLikeAnyOther) {
  auto anna = planted_.Centre();
  const int64_t single = Waiting({planted_.FaceNear(anna)});
  const int64_t group = Waiting({planted_.FaceNear(anna), planted_.Centre()});
  for (int i = 0; i < 2; ++i) Waiting({planted_.FaceNear(anna)});
  const int64_t cluster = ClusterOf(single);
  ASSERT_EQ(FacesOf(group).at(0).cluster_id, cluster);
  ASSERT_TRUE(service_->Name(cluster, "anna", "admin", 200).ok());
  ASSERT_EQ(FacesOf(group).at(0).match_kind, "named");
  auto faces_of_group = [&] {
    std::vector<model::Face> faces(2);
    auto match_now = MatchNow(*sqlite_, *faces_);
    EXPECT_TRUE(match_now.ok()) << match_now.status().ToString();
    EXPECT_TRUE((*match_now)(group, faces).ok());
    return faces;
  };
  auto named = faces_of_group();
  EXPECT_EQ(named[0].match.kind, model::MatchKind::kKnown);
  EXPECT_EQ(named[0].match.person, "anna");
  EXPECT_NE(named[1].match.kind, model::MatchKind::kKnown);  // a stranger: nearest anna, the only one, but far

  // Removed by hand (the CLI's person remove): references and enrolment go, the cluster keeps its name.
  ASSERT_TRUE(sqlite_->RemovePerson("anna").ok());
  ASSERT_EQ(FacesOf(group).at(0).match_kind, "named");
  auto after = faces_of_group();
  EXPECT_NE(after[0].match.kind, model::MatchKind::kKnown);
  EXPECT_EQ(after[0].match.person, "");  // nobody is enrolled
}

// The preview of a policy (SimulatePolicy) and the re-sort (ApplyPolicy) match faces alike: a photo that waits as
// matching nobody, of a person enrolled since, is shown moving to that person and is moved there; a photo whose faces
// a reviewer has begun naming is neither shown moving nor moved. Without the same matching the preview said "stays"
// (matched at intake) while the re-sort filed the photo under the person.
TEST_F(PeopleServiceTest, ThePreviewOfAPolicyShowsWhatTheReSortDoes) {
  auto anna = planted_.Centre();
  const int64_t hers = Waiting({planted_.FaceNear(anna)});
  const int64_t named = Waiting({planted_.FaceNear(anna)});
  const int64_t stranger = Waiting({planted_.Centre()});
  // The other photo of her: a reviewer marked its face as nobody tracked.
  catalog::CatalogChange label;
  label.kind = catalog::CatalogChange::Kind::kReferences;
  label.journal_id = "label-1";
  label.item.id = named;
  label.face_labels = {{0, model::FaceLabel{"", true}}};
  label.at = 150;
  ASSERT_TRUE(sqlite_->Apply(label).ok());
  ASSERT_TRUE(sqlite_->FacesOf(named)->at(0).label.untracked);
  // Anna enrolled from elsewhere after the photos came in: their stored matches name nobody.
  ASSERT_TRUE(sqlite_->AddPerson("anna", 160).ok());
  ASSERT_TRUE(sqlite_->AddReference({0, "anna", planted_.FaceNear(anna), "enrol.jpg"}).ok());
  const config::Config config = *config_->Current();
  auto stale = SimulatePolicy(*sqlite_, config);
  ASSERT_TRUE(stale.ok()) << stale.status().ToString();
  EXPECT_EQ(stale->changed, 0) << "matched at intake, nobody is anna";

  auto match_now = MatchNow(*sqlite_, *faces_);
  ASSERT_TRUE(match_now.ok()) << match_now.status().ToString();
  auto preview = SimulatePolicy(*sqlite_, config, 5, *match_now);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  ASSERT_EQ(preview->moves.size(), 1u);
  EXPECT_EQ(preview->moves[0].to, "faces/anna");
  EXPECT_EQ(preview->moves[0].sample_ids, std::vector<int64_t>{hers});

  auto applied = ApplyPolicy(*sqlite_, *committer_, config, "admin", 200, *match_now);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->moved, preview->changed);
  EXPECT_EQ(sqlite_->GetItem(hers)->person, "anna");
  EXPECT_EQ(applied->left_alone, 1);
  EXPECT_EQ(sqlite_->GetItem(named)->location, "review") << "left to the reviewer who began naming it";
  EXPECT_EQ(sqlite_->GetItem(stranger)->location, "review");
}

TEST_F(PeopleServiceTest, MergeAndSplitAreUndoneAsOneAction) {
  auto x = planted_.Centre(), y = planted_.Centre();
  std::vector<int64_t> xs, ys;
  for (int i = 0; i < 4; ++i) xs.push_back(Waiting({planted_.FaceNear(x)}));
  for (int i = 0; i < 3; ++i) ys.push_back(Waiting({planted_.FaceNear(y)}));
  const int64_t cx = ClusterOf(xs[0]), cy = ClusterOf(ys[0]);
  ASSERT_NE(cx, cy);
  auto merged = service_->Merge(cy, cx, "admin", 200);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  for (int64_t id : ys) EXPECT_EQ(ClusterOf(id), cx);
  EXPECT_EQ(faces_->GetCluster(cx)->size, 7);
  ASSERT_TRUE(service_->Undo(merged->action_id, "admin", 210).ok());
  for (int64_t id : ys) EXPECT_EQ(ClusterOf(id), cy);
  for (int64_t id : xs) EXPECT_EQ(ClusterOf(id), cx);

  std::vector<int64_t> out = {FacesOf(xs[0]).at(0).id, FacesOf(xs[1]).at(0).id};
  auto split = service_->Split(cx, out, "admin", 220);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_NE(split->cluster_id, cx);
  EXPECT_EQ(ClusterOf(xs[0]), split->cluster_id);
  EXPECT_EQ(ClusterOf(xs[2]), cx);
  // A new face of x still joins the cluster it is densest in, and the split faces stay where they were put.
  Waiting({planted_.FaceNear(x)});
  EXPECT_EQ(ClusterOf(xs[0]), split->cluster_id);
  ASSERT_TRUE(service_->Undo(split->action_id, "admin", 230).ok());
  EXPECT_EQ(ClusterOf(xs[0]), cx);
  EXPECT_EQ(ClusterOf(xs[1]), cx);
  // A face of another cluster (a page out of date): refused, and nothing changes.
  EXPECT_EQ(service_->Split(cx, {FacesOf(ys[0]).at(0).id}, "admin", 240).status().code(), base::Code::kConflict);
}

// A cluster merged away holds no face: naming it would make a person with no face, hiding it an action that changes
// nothing; both are refused, as hiding a hidden cluster is. A face whose photo is in the trash teaches nobody.
TEST_F(PeopleServiceTest, AnEmptiedClusterIsNoOneToNameAndATrashedPhotoTeachesNothing) {
  auto x = planted_.Centre(), y = planted_.Centre();
  std::vector<int64_t> xs;
  for (int i = 0; i < 3; ++i) xs.push_back(Waiting({planted_.FaceNear(x)}));
  const int64_t trashed = Placed({planted_.FaceNear(x)}, "trash", ".triage/trash");
  const int64_t y1 = Waiting({planted_.FaceNear(y)});
  for (int i = 0; i < 2; ++i) Waiting({planted_.FaceNear(y)});
  const int64_t cx = ClusterOf(xs[0]), cy = ClusterOf(y1);
  ASSERT_NE(cx, cy);
  ASSERT_NE(cy, 0);
  ASSERT_EQ(ClusterOf(trashed), cx) << "the trashed photo's face is one of the cluster's";
  auto merged = service_->Merge(cy, cx, "admin", 200);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  auto ghost = service_->Name(cy, "Ghost", "admin", 210);
  EXPECT_EQ(ghost.status().code(), base::Code::kNotFound) << ghost.status().ToString();
  EXPECT_NE(ghost.status().message().find("has no faces"), std::string::npos) << ghost.status().message();
  auto persons = sqlite_->ListPersons();
  EXPECT_TRUE(std::none_of(persons->begin(), persons->end(), [](const auto& p) { return p.name == "ghost"; }));
  EXPECT_EQ(service_->SetHidden(cy, true, "admin", 215).status().code(), base::Code::kNotFound);
  ASSERT_TRUE(service_->SetHidden(cx, true, "admin", 220).ok());
  EXPECT_EQ(service_->SetHidden(cx, true, "admin", 221).status().code(), base::Code::kConflict);
  ASSERT_TRUE(service_->Name(cx, "Ada", "admin", 230).ok());
  const std::string from_trash = fmt::format("face:{}", FacesOf(trashed).at(0).id);
  auto refs = sqlite_->AllReferences();
  ASSERT_TRUE(refs.ok());
  EXPECT_FALSE(refs->empty());
  for (const auto& r : *refs) EXPECT_NE(r.source, from_trash) << "a photo in the trash taught ada's face";
}

// Two processes naming one cluster (`triage faces name` beside the server, or twice at once) must not both pass the
// "named already?" check: an action waits for the library's people lock, which another process holds here.
TEST_F(PeopleServiceTest, AnActionWaitsForThePeopleLockAnotherProcessHolds) {
  auto x = planted_.Centre();
  std::vector<int64_t> xs;
  for (int i = 0; i < 3; ++i) xs.push_back(Waiting({planted_.FaceNear(x)}));
  const int64_t cluster = ClusterOf(xs[0]);
  auto acquired = base::FileLock::Acquire(lib_ / ".triage/leases/people.lock");
  ASSERT_TRUE(acquired.ok()) << acquired.status().ToString();
  std::optional<base::FileLock> held(std::move(*acquired));
  auto naming = std::async(std::launch::async, [&] { return service_->Name(cluster, "Ada", "cli", 200); });
  EXPECT_EQ(naming.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout) << "it did not wait";
  held.reset();  // the other process is done
  auto named = naming.get();
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  auto again = service_->Name(cluster, "Bob", "cli", 210);
  EXPECT_EQ(again.status().code(), base::Code::kConflict) << "the second sees the first's name";
}

// Undoing the naming that created a person keeps the person when a photo was filed under them since.
TEST_F(PeopleServiceTest, UndoingANamingKeepsThePersonAPhotoWasFiledUnderSince) {
  auto x = planted_.Centre();
  std::vector<int64_t> xs;
  for (int i = 0; i < 3; ++i) xs.push_back(Waiting({planted_.FaceNear(x)}));
  auto named = service_->Name(ClusterOf(xs[0]), "Ada", "admin", 200);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  const int64_t filed = Placed({}, "library", "faces/ada");  // approved as ada meanwhile
  ASSERT_TRUE(service_->Undo(named->action_id, "admin", 210).ok());
  auto persons = sqlite_->ListPersons();
  EXPECT_TRUE(std::any_of(persons->begin(), persons->end(), [](const auto& p) { return p.name == "ada"; }));
  EXPECT_EQ(sqlite_->GetItem(filed)->person, "ada");
  EXPECT_TRUE(fs::exists(lib_ / PathOf(filed)));
}

TEST_F(PeopleServiceTest, MergingAClusterIntoANamedOneTeachesThePersonAndFilesItsPhotos) {
  auto look1 = planted_.Centre(), look2 = planted_.Centre();  // one person in two looks the clusters keep apart
  std::vector<int64_t> firsts, seconds;
  for (int i = 0; i < 3; ++i) firsts.push_back(Waiting({planted_.FaceNear(look1)}));
  for (int i = 0; i < 3; ++i) seconds.push_back(Waiting({planted_.FaceNear(look2)}));
  const int64_t named_cluster = ClusterOf(firsts[0]), other = ClusterOf(seconds[0]);
  ASSERT_NE(named_cluster, other);
  ASSERT_TRUE(service_->Name(named_cluster, "ben", "admin", 200).ok());
  ASSERT_TRUE(config_
                  ->Update([](nlohmann::json& doc) {
                    doc["face_clustering"]["max_references_per_person"] = 5;
                    return base::Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(sqlite_->AllReferences()->size(), 3u);
  for (int64_t id : seconds) EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "review/unidentified");

  auto merged = service_->Merge(other, named_cluster, "admin", 210);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->person, "ben");
  EXPECT_EQ(merged->moved_items.size(), 3u);
  for (int64_t id : seconds) {
    EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "faces/ben");
    EXPECT_TRUE(fs::exists(lib_ / PathOf(id)));
    EXPECT_EQ(sqlite_->GetItem(id)->reasons.at(0).code, "named_person");
  }
  // The second look is learnt: two more references (up to the raised limit of 5; the first look's three faces are
  // references already), from the merged faces.
  auto refs = *sqlite_->AllReferences();
  ASSERT_EQ(refs.size(), 5u);
  std::set<std::string> sources;
  for (const auto& r : refs) sources.insert(r.source);
  int from_second = 0;
  for (int64_t id : seconds)
    from_second += static_cast<int>(sources.count("face:" + std::to_string(FacesOf(id).at(0).id)));
  EXPECT_EQ(from_second, 2);

  ASSERT_TRUE(service_->Undo(merged->action_id, "admin", 220).ok());
  EXPECT_EQ(sqlite_->AllReferences()->size(), 3u);
  for (int64_t id : seconds) {
    EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "review/unidentified");
    EXPECT_TRUE(sqlite_->PendingReview(id).ok());
  }
  for (int64_t id : firsts) EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "faces/ben");
}

TEST_F(PeopleServiceTest, PhotosFollowFacesIntoAndOutOfANamedCluster) {
  auto anna = planted_.Centre(), stranger = planted_.Centre();
  std::vector<int64_t> annas;
  for (int i = 0; i < 4; ++i) annas.push_back(Waiting({planted_.FaceNear(anna)}));
  const int64_t odd = Waiting({planted_.FaceNear(stranger)});
  const int64_t cluster = ClusterOf(annas[0]);
  ASSERT_TRUE(service_->Name(cluster, "anna", "admin", 200).ok());
  const int64_t odd_face = FacesOf(odd).at(0).id;
  const auto folder = [&](int64_t id) { return fs::path(PathOf(id)).parent_path().generic_string(); };
  ASSERT_EQ(folder(odd), "review/unidentified");

  // Moved by hand into anna's cluster: filed under anna, by the reviewer's word.
  auto in = service_->Reassign({odd_face}, cluster, "admin", 210);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(folder(odd), "faces/anna");
  EXPECT_EQ(sqlite_->GetItem(odd)->reasons.at(0).code, "named_person");
  // Split off again: nothing says it is anna any more, so it waits in review; the others stay filed.
  auto split = service_->Split(cluster, {odd_face}, "admin", 220);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(folder(odd), "review/unidentified");
  EXPECT_EQ(split->moved_to, std::vector<std::string>{"review/unidentified"});
  EXPECT_TRUE(sqlite_->PendingReview(odd).ok());
  for (int64_t id : annas) EXPECT_EQ(folder(id), "faces/anna");
  ASSERT_TRUE(service_->Undo(split->action_id, "admin", 230).ok());
  EXPECT_EQ(folder(odd), "faces/anna");
  // Taken out of every cluster: the same.
  auto removed = service_->Remove({odd_face}, "admin", 240);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(folder(odd), "review/unidentified");
  ASSERT_TRUE(service_->Undo(removed->action_id, "admin", 250).ok());
  EXPECT_EQ(folder(odd), "faces/anna");
  // A face of anna split off still looks like her: her photo stays where it is (matched by her other faces).
  auto own = service_->Split(cluster, {FacesOf(annas[0]).at(0).id}, "admin", 260);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(folder(annas[0]), "faces/anna");
  ASSERT_TRUE(service_->Undo(own->action_id, "admin", 270).ok());
  ASSERT_TRUE(service_->Undo(in->action_id, "admin", 280).ok());
  EXPECT_EQ(folder(odd), "review/unidentified");
}

TEST_F(PeopleServiceTest, NotThisPersonHoldsThroughIngestAndRecluster) {
  auto anna = planted_.Centre();
  std::vector<int64_t> photos;
  for (int i = 0; i < 5; ++i) photos.push_back(Waiting({planted_.FaceNear(anna)}));
  const int64_t cluster = ClusterOf(photos[0]);
  ASSERT_TRUE(service_->Name(cluster, "anna", "admin", 200).ok());
  const int64_t face = FacesOf(photos[4]).at(0).id;
  // A page that showed the faces as somebody else's (renamed or moved since) refuses nothing: 409, nothing changes.
  auto stale = service_->NotThisPerson({face}, "admin", 205, "howard");
  EXPECT_EQ(stale.status().code(), base::Code::kConflict);
  EXPECT_NE(stale.status().message().find("is anna's now, not howard's"), std::string::npos)
      << stale.status().message();
  EXPECT_TRUE(faces_->ListRejections()->empty());
  EXPECT_EQ(faces_->GetFace(face)->person, "anna");
  auto refused = service_->NotThisPerson({face}, "admin", 210, "anna");
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(faces_->GetFace(face)->cluster_id, 0);
  EXPECT_EQ(faces_->GetFace(face)->person, "");
  Waiting({planted_.FaceNear(anna)});
  ASSERT_TRUE(clustering_->Recluster({}, 0.6, 220).ok());
  EXPECT_EQ(faces_->GetFace(face)->cluster_id, 0);
  EXPECT_EQ(faces_->GetCluster(ClusterOf(photos[0]))->person, "anna");
  // Putting the face back with anna by hand is refused while the mark holds; undo lifts it.
  EXPECT_EQ(service_->Reassign({face}, ClusterOf(photos[0]), "admin", 230).status().code(),
            base::Code::kInvalidArgument);
  ASSERT_TRUE(service_->Undo(refused->action_id, "admin", 240).ok());
  EXPECT_TRUE(faces_->ListRejections()->empty());
  EXPECT_TRUE(service_->Reassign({face}, ClusterOf(photos[0]), "admin", 250).ok());
  EXPECT_EQ(faces_->GetFace(face)->person, "anna");
}

// A face refused as the person, or taken out of their cluster, stops teaching matching who the person is: its
// reference goes (else new photos of whoever it really shows went on being sorted as the person); undo brings it back.
TEST_F(PeopleServiceTest, AFaceRefusedOrRemovedIsNoLongerAReferenceOfThePerson) {
  auto anna = planted_.Centre();
  std::vector<int64_t> photos;
  for (int i = 0; i < 4; ++i) photos.push_back(Waiting({planted_.FaceNear(anna)}));
  ASSERT_TRUE(service_->Name(ClusterOf(photos[0]), "anna", "admin", 200).ok());
  auto sources = [&] {
    std::set<std::string> out;
    for (const auto& r : *sqlite_->AllReferences()) out.insert(r.source);
    return out;
  };
  const std::set<std::string> before = sources();
  ASSERT_EQ(before.size(), 3u);
  int64_t refused_face = 0, removed_face = 0;
  for (int64_t photo : photos) {
    const int64_t face = FacesOf(photo).at(0).id;
    if (!before.count("face:" + std::to_string(face))) continue;
    (refused_face == 0 ? refused_face : removed_face) = face;
  }
  ASSERT_NE(refused_face, 0);
  ASSERT_NE(removed_face, 0);

  int64_t refused_photo = 0;
  for (int64_t photo : photos)
    if (FacesOf(photo).at(0).id == refused_face) refused_photo = photo;
  ASSERT_EQ(fs::path(PathOf(refused_photo)).parent_path(), "faces/anna");
  auto refused = service_->NotThisPerson({refused_face}, "admin", 210);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(sources().count("face:" + std::to_string(refused_face)), 0u);
  EXPECT_EQ(sources().size(), 2u);
  // Its photo left anna's folder for review, and waits there again.
  EXPECT_EQ(refused->moved_items, std::vector<int64_t>{refused_photo});
  EXPECT_EQ(sqlite_->GetItem(refused_photo)->location, "review");
  EXPECT_TRUE(sqlite_->PendingReview(refused_photo).ok());
  EXPECT_TRUE(fs::exists(lib_ / PathOf(refused_photo)));
  for (int64_t photo : photos) {
    if (photo == refused_photo) continue;
    EXPECT_EQ(fs::path(PathOf(photo)).parent_path(), "faces/anna");
  }
  auto removed = service_->Remove({removed_face}, "admin", 220);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(sources().size(), 1u);

  ASSERT_TRUE(service_->Undo(removed->action_id, "admin", 230).ok());
  ASSERT_TRUE(service_->Undo(refused->action_id, "admin", 240).ok());
  EXPECT_EQ(sources(), before);
  EXPECT_EQ(fs::path(PathOf(refused_photo)).parent_path(), "faces/anna");
  EXPECT_FALSE(sqlite_->PendingReview(refused_photo).ok());
  for (const auto& r : *sqlite_->AllReferences()) EXPECT_EQ(r.person, "anna");
}

TEST_F(PeopleServiceTest, RenamingAClusterTakesItsReferencesAndSortedPhotosToTheNewName) {
  auto anna = planted_.Centre();
  std::vector<int64_t> photos;
  for (int i = 0; i < 4; ++i) photos.push_back(Waiting({planted_.FaceNear(anna)}));
  const int64_t cluster = ClusterOf(photos[0]);
  ASSERT_TRUE(service_->Name(cluster, "anna", "admin", 200).ok());
  for (int64_t id : photos) ASSERT_EQ(fs::path(PathOf(id)).parent_path(), "faces/anna");
  auto persons_of_references = [&] {
    std::multiset<std::string> out;
    for (const auto& r : *sqlite_->AllReferences()) out.insert(r.person);
    return out;
  };
  ASSERT_EQ(persons_of_references(), (std::multiset<std::string>{"anna", "anna", "anna"}));

  EXPECT_EQ(service_->Name(cluster, "bea", "admin", 210).status().code(), base::Code::kConflict);
  auto renamed = service_->Name(cluster, "bea", "admin", 210, /*rename=*/true);
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(renamed->moved_items.size(), photos.size());
  // New photos of this face match bea only: anna keeps no reference made from these faces or their photos.
  EXPECT_EQ(persons_of_references(), (std::multiset<std::string>{"bea", "bea", "bea"}));
  for (int64_t id : photos) {
    EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "faces/bea");
    EXPECT_EQ(sqlite_->GetItem(id)->person, "bea");
    EXPECT_TRUE(fs::exists(lib_ / PathOf(id)));
  }
  EXPECT_TRUE(fs::is_empty(lib_ / "faces/anna"));

  ASSERT_TRUE(service_->Undo(renamed->action_id, "admin", 220).ok());
  EXPECT_EQ(persons_of_references(), (std::multiset<std::string>{"anna", "anna", "anna"}));
  for (int64_t id : photos) {
    EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "faces/anna");
    EXPECT_EQ(sqlite_->GetItem(id)->person, "anna");
    EXPECT_TRUE(fs::exists(lib_ / PathOf(id)));
  }

  // One of anna's reference faces moved by hand into carl's cluster is carl's, and no longer a reference of anna.
  auto carl = planted_.Centre();
  std::vector<int64_t> carls;
  for (int i = 0; i < 3; ++i) carls.push_back(Waiting({planted_.FaceNear(carl)}));
  ASSERT_TRUE(service_->Name(ClusterOf(carls[0]), "carl", "admin", 230).ok());
  std::string moved_source;
  for (const auto& r : *sqlite_->AllReferences())
    if (r.person == "anna" && r.source.rfind("face:", 0) == 0) moved_source = r.source;
  ASSERT_FALSE(moved_source.empty());
  const int64_t moved_face = std::stoll(moved_source.substr(5));
  ASSERT_TRUE(service_->Reassign({moved_face}, ClusterOf(carls[0]), "admin", 240).ok());
  for (const auto& r : *sqlite_->AllReferences()) EXPECT_FALSE(r.person == "anna" && r.source == moved_source);
}

// A face named on a group photo's card taught its person under "item:<id>:face:<index>"; renaming its cluster on the
// People page takes that reference to the new name too, instead of leaving the old name a reference of the same face.
TEST_F(PeopleServiceTest, RenamingAClusterTakesTheReferenceOfAFaceNamedOnAGroupPhotosCard) {
  const std::vector<float> bob = planted_.Centre(), other = planted_.Centre(), third = planted_.Centre();
  const int64_t group = Waiting({planted_.FaceNear(other), planted_.FaceNear(bob), planted_.FaceNear(third)});
  ASSERT_TRUE(sqlite_->AddPerson("bob", 150).ok());
  const std::string source = model::ReferenceSource(group, 1);
  ASSERT_TRUE(sqlite_->AddReference({0, "bob", planted_.FaceNear(bob), source}).ok());
  ASSERT_TRUE(service_->AssignFromReview(group, 1, "bob", 160).ok());
  const int64_t cluster = FacesOf(group).at(1).cluster_id;
  ASSERT_NE(cluster, 0);
  auto references = [&] {
    std::multiset<std::pair<std::string, std::string>> out;
    for (const auto& r : *sqlite_->AllReferences()) out.emplace(r.person, r.source);
    return out;
  };
  const auto before = references();
  ASSERT_EQ(before.count({"bob", source}), 1u);

  auto renamed = service_->Name(cluster, "robert", "admin", 200, /*rename=*/true);
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  for (const auto& [person, from] : references()) EXPECT_EQ(person, "robert") << from;
  EXPECT_FALSE(references().empty());
  // The card shows the face under the name it has now.
  EXPECT_EQ(service_->NamedFacesOf(group), (std::vector<std::string>{"", "robert", ""}));

  ASSERT_TRUE(service_->Undo(renamed->action_id, "admin", 210).ok());
  EXPECT_EQ(references(), before);
  EXPECT_EQ(service_->NamedFacesOf(group), (std::vector<std::string>{"", "bob", ""}));
}

TEST_F(PeopleServiceTest, AnActionIsUndoneOnlyAfterTheLaterOnesThatChangedItsFaces) {
  auto anna = planted_.Centre(), other = planted_.Centre();
  std::vector<int64_t> photos;
  for (int i = 0; i < 4; ++i) photos.push_back(Waiting({planted_.FaceNear(anna)}));
  std::vector<int64_t> others;
  for (int i = 0; i < 3; ++i) others.push_back(Waiting({planted_.FaceNear(other)}));
  auto named = service_->Name(ClusterOf(photos[0]), "anna", "admin", 200);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  auto refused = service_->NotThisPerson({FacesOf(photos[0]).at(0).id}, "admin", 210);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  // An action on other faces does not stand in the way.
  auto hidden = service_->SetHidden(ClusterOf(others[0]), true, "admin", 215);
  ASSERT_TRUE(hidden.ok()) << hidden.status().ToString();
  const std::string refused_path = PathOf(photos[0]);

  // Undoing the naming first would drop anna while the refusal's undo put her photo back under faces/anna.
  auto early = service_->Undo(named->action_id, "admin", 220);
  ASSERT_EQ(early.status().code(), base::Code::kConflict);
  EXPECT_NE(early.status().message().find("people action " + std::to_string(refused->action_id)), std::string::npos)
      << early.status().message();
  EXPECT_EQ(PathOf(photos[0]), refused_path);
  EXPECT_EQ(fs::path(PathOf(photos[1])).parent_path(), "faces/anna");

  ASSERT_TRUE(service_->Undo(refused->action_id, "admin", 230).ok());
  ASSERT_TRUE(service_->Undo(named->action_id, "admin", 240).ok());
  for (int64_t id : photos) EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "review/unidentified");
  for (const auto& p : *sqlite_->ListPersons()) EXPECT_NE(p.name, "anna");
}

TEST_F(PeopleServiceTest, RefusesWhatWouldLoseOrMixPersons) {
  auto x = planted_.Centre(), y = planted_.Centre();
  std::vector<int64_t> xs, ys;
  for (int i = 0; i < 3; ++i) xs.push_back(Waiting({planted_.FaceNear(x)}));
  for (int i = 0; i < 3; ++i) ys.push_back(Waiting({planted_.FaceNear(y)}));
  ASSERT_TRUE(service_->Name(ClusterOf(xs[0]), "anna", "admin", 200).ok());
  ASSERT_TRUE(service_->Name(ClusterOf(ys[0]), "bea", "admin", 200).ok());
  EXPECT_EQ(service_->Merge(ClusterOf(xs[0]), ClusterOf(ys[0]), "admin", 210).status().code(), base::Code::kConflict);
  EXPECT_EQ(service_->Name(ClusterOf(xs[0]), "carl", "admin", 210).status().code(), base::Code::kConflict);
  EXPECT_EQ(service_->Name(ClusterOf(xs[0]), "../etc", "admin", 210).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(service_->Name(9999, "dora", "admin", 210).status().code(), base::Code::kNotFound);
  EXPECT_EQ(service_->Undo(9999, "admin", 210).status().code(), base::Code::kNotFound);
  EXPECT_EQ(service_->NotThisPerson({}, "admin", 210).status().code(), base::Code::kInvalidArgument);
  for (int64_t id : xs) EXPECT_EQ(fs::path(PathOf(id)).parent_path(), "faces/anna");
}

}  // namespace
}  // namespace triage::review
