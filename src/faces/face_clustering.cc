// Face clusters over the catalog: loading, incremental assignment, full re-clustering that keeps names.
#include "faces/face_clustering.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <unordered_map>

namespace triage::faces {
namespace {

constexpr int kPage = 5000;

ClusterNode NodeOf(const catalog::FaceRecord& f, const std::set<std::string>& rejected) {
  ClusterNode n;
  n.id = f.id;
  n.item_id = f.item_id;
  n.size_px = f.size_px;
  n.detection_score = f.detection_score;
  n.rejected = rejected;
  n.pinned = f.pinned;
  n.cluster = f.cluster_id;
  n.neighbours = f.neighbours;
  n.core = f.core;
  return n;
}

double Distance(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) return INFINITY;
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * double(a[i] - b[i]);
  return std::sqrt(sum);
}

void AddTo(std::vector<float>& sum, const std::vector<float>& v) {
  if (sum.empty()) sum.assign(v.size(), 0.f);
  for (size_t i = 0; i < v.size() && i < sum.size(); ++i) sum[i] += v[i];
}

std::vector<float> Divided(std::vector<float> sum, size_t n) {
  for (float& x : sum) x /= static_cast<float>(n);
  return sum;
}

}  // namespace

FaceClustering::FaceClustering(catalog::FaceStore& store, std::filesystem::path index_file, ClusterRules rules)
    : store_(store), index_file_(std::move(index_file)), rules_(rules) {}

base::Result<std::unique_ptr<FaceClustering>> FaceClustering::Open(catalog::FaceStore& store,
                                                                   std::filesystem::path index_file, ClusterRules rules,
                                                                   int64_t now) {
  std::unique_ptr<FaceClustering> c(new FaceClustering(store, std::move(index_file), rules));
  TRIAGE_RETURN_IF_ERROR(c->Load(now));
  return c;
}

void FaceClustering::RebuildModel(const ClusterRules& rules) {
  rules_ = rules;
  model_ = std::make_unique<ClusterModel>(rules_, *index_, [this] {
    auto id = store_.CreateCluster("", now_);
    return id.ok() ? *id : int64_t{0};  // a failed insert leaves the face in no cluster; the next run retries it
  });
}

base::Status FaceClustering::Load(int64_t now) {
  std::lock_guard lock(mu_);
  auto loaded = FaceIndex::Load(index_file_, kClusterDimensions);
  const bool rebuild = !loaded.ok();
  index_ = rebuild ? FaceIndex::Create(kClusterDimensions) : std::move(*loaded);
  return ReadStore(now, rebuild);
}

base::Status FaceClustering::Refresh(int64_t now) {
  std::lock_guard lock(mu_);
  return ReadStore(now, false);
}

base::Status FaceClustering::ReadStore(int64_t now, bool rebuild) {
  now_ = now;
  bool index_changed = rebuild;
  max_face_id_ = 0;
  RebuildModel(rules_);
  auto rejections = store_.ListRejections();
  if (!rejections.ok()) return rejections.status();
  std::unordered_map<int64_t, std::set<std::string>> rejected;
  for (const auto& [face, person] : *rejections) rejected[face].insert(person);
  auto clusters = store_.ListClusters(true);
  if (!clusters.ok()) return clusters.status();
  for (const auto& c : *clusters) model_->SetClusterPerson(c.id, c.person);
  std::set<int64_t> seen;
  std::vector<catalog::FaceRecord> pending;
  std::vector<int64_t> missing_ids;  // faces the index lacks, added at once below
  std::vector<std::vector<float>> missing;
  catalog::FaceFilter filter;
  filter.limit = kPage;
  filter.with_embeddings = rebuild;
  for (;;) {
    auto page = store_.ListFaces(filter);
    if (!page.ok()) return page.status();
    for (catalog::FaceRecord& f : *page) {
      if (!index_->Contains(f.id)) {
        if (!rebuild) {
          auto full = store_.GetFace(f.id);
          if (!full.ok()) return full.status();
          f.embedding = std::move(full->embedding);
        }
        if (f.embedding.size() != kClusterDimensions) continue;  // stored without an embedding: not clustered
        missing_ids.push_back(f.id);
        missing.push_back(std::move(f.embedding));
      }
      seen.insert(f.id);
      max_face_id_ = std::max(max_face_id_, f.id);
      if (f.neighbours < 0)
        pending.push_back(std::move(f));
      else
        model_->Put(NodeOf(f, rejected[f.id]));
    }
    if (page->size() < static_cast<size_t>(kPage)) break;
    filter.after_id = page->back().id;
  }
  if (!missing_ids.empty()) {
    TRIAGE_RETURN_IF_ERROR(index_->AddBatch(missing_ids, missing, std::max(1u, std::thread::hardware_concurrency())));
    index_changed = true;
  }
  for (int64_t id : index_->Ids()) {
    if (!seen.count(id)) {
      index_->Remove(id);  // its photo was purged meanwhile
      index_changed = true;
    }
  }
  std::set<int64_t> changed;
  for (const auto& f : pending) TRIAGE_RETURN_IF_ERROR(AddFace(f, now, changed));
  TRIAGE_RETURN_IF_ERROR(Persist(changed));
  TRIAGE_RETURN_IF_ERROR(NoteStoreState());
  return index_changed ? Save() : base::Status::Ok();
}

base::Status FaceClustering::Persist(const std::set<int64_t>& changed) {
  std::vector<catalog::FaceAssignment> rows;
  for (int64_t id : changed) {
    const ClusterNode* n = model_->Find(id);
    if (n) rows.push_back({n->id, n->cluster, n->neighbours, n->core, n->pinned});
  }
  return store_.SetAssignments(rows);
}

base::Status FaceClustering::AddFace(const catalog::FaceRecord& face, int64_t now, std::set<int64_t>& changed) {
  now_ = now;
  if (!index_->Contains(face.id)) return base::Status::Ok();
  std::set<int64_t> touched = model_->Add(NodeOf(face, {}));
  changed.insert(touched.begin(), touched.end());
  max_face_id_ = std::max(max_face_id_, face.id);
  return AttachToPerson(face, now, changed);
}

base::Status FaceClustering::AttachToPerson(const catalog::FaceRecord& face, int64_t now, std::set<int64_t>& changed) {
  const ClusterNode* n = model_->Find(face.id);
  if (!n || n->cluster != 0 || !face.Assigned()) return base::Status::Ok();
  auto existing = store_.ClusterOfPerson(face.person);
  if (!existing.ok()) return existing.status();
  int64_t cluster = 0;
  if (*existing) {
    cluster = (*existing)->id;
  } else {
    auto created = store_.CreateCluster(face.person, now);
    if (!created.ok()) return created.status();
    cluster = *created;
    model_->SetClusterPerson(cluster, face.person);
  }
  if (!model_->Accepts(cluster, *n)) return base::Status::Ok();
  std::set<int64_t> placed = model_->Place(face.id, cluster);
  changed.insert(placed.begin(), placed.end());
  return base::Status::Ok();
}

base::Status FaceClustering::AddItem(int64_t item_id, int64_t now) {
  std::lock_guard lock(mu_);
  // Another process may have re-clustered, merged, named or undone since this object last read the store (`faces
  // recluster` beside a running watch or server): clustering on the old picture would write its faces back into
  // clusters that are gone. Read it again first when it changed; that costs one small query when it did not.
  auto state = store_.ClusterState();
  if (!state.ok()) return state.status();
  if (*state != state_) TRIAGE_RETURN_IF_ERROR(ReadStore(now, false));
  catalog::FaceFilter filter;
  filter.item_id = item_id;
  auto faces = store_.ListFaces(filter);
  if (!faces.ok()) return faces.status();
  std::set<int64_t> changed;
  for (const auto& f : *faces) {
    if (model_->Find(f.id) || f.embedding.size() != kClusterDimensions) continue;
    TRIAGE_RETURN_IF_ERROR(index_->Add(f.id, f.embedding));
    TRIAGE_RETURN_IF_ERROR(AddFace(f, now, changed));
  }
  // Faces matched as a person are pinned and attract nobody, so a new face next to them forms a cluster of its own;
  // that cluster is the person's, as a re-cluster names it.
  std::set<int64_t> unnamed;
  for (int64_t id : changed) {
    const ClusterNode* n = model_->Find(id);
    if (n && n->cluster != 0 && model_->PersonOf(n->cluster).empty()) unnamed.insert(n->cluster);
  }
  for (int64_t cluster : unnamed) TRIAGE_RETURN_IF_ERROR(JoinNearestPerson(cluster, changed));
  TRIAGE_RETURN_IF_ERROR(Persist(changed));
  return NoteStoreState();
}

base::Status FaceClustering::NoteStoreState() {
  auto state = store_.ClusterState();
  if (!state.ok()) return state.status();
  state_ = *state;
  return base::Status::Ok();
}

base::Status FaceClustering::JoinNearestPerson(int64_t cluster, std::set<int64_t>& changed) {
  const std::set<int64_t> members = model_->Members(cluster);
  if (members.empty()) return base::Status::Ok();
  const std::vector<float> centre = CentreLocked(cluster);
  int64_t nearest = 0;
  std::string person;
  double best = rules_.match_distance;
  for (const auto& [named, name] : model_->named_clusters()) {
    if (model_->Members(named).empty()) continue;
    const double d = Distance(centre, CentreLocked(named));
    if (d <= best) best = d, nearest = named, person = name;
  }
  if (nearest == 0) return base::Status::Ok();
  for (int64_t id : members) {
    if (!model_->Accepts(nearest, *model_->Find(id))) return base::Status::Ok();
  }
  std::set<int64_t> moved = model_->Merge(cluster, nearest);
  changed.insert(moved.begin(), moved.end());
  TRIAGE_RETURN_IF_ERROR(Persist(moved));
  return store_.SetClusterPerson(nearest, person);  // the faces that came follow the cluster's name
}

base::Result<ReclusterReport> FaceClustering::Recluster(const ClusterRules& rules, double match_distance, int64_t now) {
  std::lock_guard lock(mu_);
  auto start = std::chrono::steady_clock::now();
  now_ = now;
  std::vector<ClusterNode> nodes;
  std::map<std::string, std::pair<std::vector<float>, size_t>> person_sums;  // person -> (sum, count)
  std::unordered_map<int64_t, std::string> old_person;
  for (const auto& [id, n] : model_->nodes()) {
    nodes.push_back(n);
    std::string p = model_->PersonOf(n.cluster);
    if (p.empty()) continue;
    old_person[id] = p;
    auto& [sum, count] = person_sums[p];
    AddTo(sum, index_->Vector(id));
    ++count;
  }
  auto labels = FullCluster(rules, *index_, nodes);
  // Each re-formed cluster's faces, its members' old persons and its centre.
  std::map<int64_t, std::vector<int64_t>> members;
  for (const auto& [id, r] : labels)
    if (r.label != 0) members[r.label].push_back(id);
  std::map<int64_t, std::string> name_of;
  for (const auto& [label, ids] : members) {
    std::map<std::string, size_t> votes;
    std::vector<float> sum;
    for (int64_t id : ids) {
      if (old_person.count(id)) ++votes[old_person[id]];
      AddTo(sum, index_->Vector(id));
    }
    auto best = std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) { return a.second < b.second; });
    if (best != votes.end() && best->second * 2 >= ids.size()) {
      name_of[label] = best->first;
      continue;
    }
    std::vector<float> centre = Divided(sum, ids.size());
    double nearest = match_distance;
    for (const auto& [person, total] : person_sums) {
      double d = Distance(centre, Divided(total.first, total.second));
      if (d <= nearest) {
        nearest = d;
        name_of[label] = person;
      }
    }
  }
  // New cluster rows; then every face's new place.
  std::map<int64_t, int64_t> cluster_of_label;
  std::map<std::string, int64_t> cluster_of_person;
  for (const auto& [label, ids] : members) {
    auto id = store_.CreateCluster(name_of.count(label) ? name_of[label] : "", now);
    if (!id.ok()) return id.status();
    cluster_of_label[label] = *id;
    if (name_of.count(label)) cluster_of_person.emplace(name_of[label], *id);
  }
  RebuildModel(rules);
  for (const auto& [label, id] : cluster_of_label)
    model_->SetClusterPerson(id, name_of.count(label) ? name_of[label] : "");
  std::set<int64_t> all;
  for (ClusterNode n : nodes) {
    const FullResult& r = labels.at(n.id);
    n.neighbours = r.neighbours;
    n.core = r.core;
    int64_t old_cluster = n.cluster;
    if (n.pinned) {
      // Placed by hand: with its person's re-formed cluster, else where it was (none stays none).
      auto p = old_person.find(n.id);
      n.cluster =
          p != old_person.end() && cluster_of_person.count(p->second) ? cluster_of_person[p->second] : old_cluster;
      if (n.cluster != 0 && n.cluster == old_cluster && p != old_person.end())
        model_->SetClusterPerson(n.cluster, p->second);
    } else {
      n.cluster = r.label == 0 ? 0 : cluster_of_label[r.label];
    }
    std::string person = model_->PersonOf(n.cluster);
    if (!person.empty() && n.rejected.count(person)) n.cluster = 0;
    all.insert(n.id);
    model_->Put(std::move(n));
  }
  TRIAGE_RETURN_IF_ERROR(Persist(all));
  // Faces follow their cluster's name.
  for (const auto& [label, id] : cluster_of_label) {
    if (name_of.count(label)) TRIAGE_RETURN_IF_ERROR(store_.SetClusterPerson(id, name_of[label]));
  }
  TRIAGE_RETURN_IF_ERROR(store_.DropEmptyClusters());
  ReclusterReport report;
  report.faces = static_cast<int64_t>(nodes.size());
  auto clusters = store_.ListClusters(true);
  if (!clusters.ok()) return clusters.status();
  report.clusters = static_cast<int64_t>(clusters->size());
  report.named = std::count_if(clusters->begin(), clusters->end(), [](const auto& c) { return !c.person.empty(); });
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

base::Status FaceClustering::Place(const std::vector<int64_t>& face_ids, int64_t cluster) {
  std::lock_guard lock(mu_);
  std::set<int64_t> changed;
  for (int64_t id : face_ids) {
    std::set<int64_t> c = model_->Place(id, cluster);
    changed.insert(c.begin(), c.end());
  }
  return Persist(changed);
}

base::Status FaceClustering::Merge(int64_t from, int64_t to) {
  std::lock_guard lock(mu_);
  return Persist(model_->Merge(from, to));
}

void FaceClustering::SetClusterPerson(int64_t cluster, const std::string& person) {
  std::lock_guard lock(mu_);
  model_->SetClusterPerson(cluster, person);
}

base::Status FaceClustering::Reject(int64_t face_id, const std::string& person, int64_t now) {
  std::lock_guard lock(mu_);
  TRIAGE_RETURN_IF_ERROR(store_.AddRejection(face_id, person, now));
  model_->Reject(face_id, person);
  const ClusterNode* n = model_->Find(face_id);
  if (n && n->cluster != 0 && model_->PersonOf(n->cluster) == person) return Persist(model_->Place(face_id, 0));
  return base::Status::Ok();
}

base::Status FaceClustering::Unreject(int64_t face_id, const std::string& person) {
  std::lock_guard lock(mu_);
  TRIAGE_RETURN_IF_ERROR(store_.RemoveRejection(face_id, person));
  model_->Unreject(face_id, person);
  return base::Status::Ok();
}

base::Status FaceClustering::Restore(const std::vector<catalog::FaceRecord>& faces) {
  std::lock_guard lock(mu_);
  std::set<int64_t> changed;
  for (const auto& f : faces) {
    std::set<int64_t> c = model_->Restore(f.id, f.cluster_id, f.pinned);
    changed.insert(c.begin(), c.end());
  }
  return Persist(changed);
}

int64_t FaceClustering::ClusterOf(int64_t face_id) const {
  std::lock_guard lock(mu_);
  const ClusterNode* n = model_->Find(face_id);
  return n ? n->cluster : 0;
}

std::vector<float> FaceClustering::CentreLocked(int64_t cluster) const {
  std::vector<float> sum;
  const auto& m = model_->Members(cluster);
  for (int64_t id : m) AddTo(sum, index_->Vector(id));
  return m.empty() ? sum : Divided(sum, m.size());
}

std::vector<float> FaceClustering::Centre(int64_t cluster) const {
  std::lock_guard lock(mu_);
  return CentreLocked(cluster);
}

double FaceClustering::DistanceFromCentre(int64_t face_id) const {
  std::lock_guard lock(mu_);
  const ClusterNode* n = model_->Find(face_id);
  if (!n || n->cluster == 0) return 0;
  return Distance(index_->Vector(face_id), CentreLocked(n->cluster));
}

std::map<int64_t, std::vector<std::pair<int64_t, double>>> FaceClustering::Suggestions(
    const std::vector<int64_t>& clusters, double max_distance, size_t limit) const {
  std::lock_guard lock(mu_);
  // Every cluster's centre in one pass over the faces.
  std::map<int64_t, std::pair<std::vector<float>, size_t>> sums;
  for (const auto& [id, n] : model_->nodes()) {
    if (n.cluster == 0) continue;
    auto& [sum, count] = sums[n.cluster];
    AddTo(sum, index_->Vector(id));
    ++count;
  }
  std::map<int64_t, std::vector<float>> centres;
  for (auto& [cluster, total] : sums) centres[cluster] = Divided(std::move(total.first), total.second);
  std::map<int64_t, std::vector<std::pair<int64_t, double>>> out;
  for (int64_t cluster : clusters) {
    auto& near = out[cluster];
    auto mine = centres.find(cluster);
    if (mine == centres.end()) continue;
    for (const auto& [other, centre] : centres) {
      if (other == cluster) continue;
      double d = Distance(mine->second, centre);
      if (d <= max_distance) near.emplace_back(other, d);
    }
    std::sort(near.begin(), near.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    if (near.size() > limit) near.resize(limit);
  }
  return out;
}

base::Status FaceClustering::Save() const {
  std::lock_guard lock(mu_);
  return index_->Save(index_file_);
}

size_t FaceClustering::size() const {
  std::lock_guard lock(mu_);
  return index_->size();
}

}  // namespace triage::faces
