// Incremental and full density clustering of faces.
#include "faces/cluster_model.h"

#include <algorithm>
#include <numeric>
#include <thread>

namespace triage::faces {
namespace {

const std::set<int64_t> kNoMembers;

}  // namespace

bool ClusterModel::Good(const ClusterNode& n) const {
  return n.rejected.empty() && n.size_px >= rules_.min_face_size_px && n.detection_score >= rules_.min_detection_score;
}

void ClusterModel::Put(ClusterNode node) {
  if (node.cluster != 0) members_[node.cluster].insert(node.id);
  nodes_[node.id] = std::move(node);
}

void ClusterModel::SetClusterPerson(int64_t cluster, const std::string& person) {
  if (person.empty())
    persons_.erase(cluster);
  else
    persons_[cluster] = person;
}

const ClusterNode* ClusterModel::Find(int64_t id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second;
}

const std::set<int64_t>& ClusterModel::Members(int64_t cluster) const {
  auto it = members_.find(cluster);
  return it == members_.end() ? kNoMembers : it->second;
}

std::string ClusterModel::PersonOf(int64_t cluster) const {
  auto it = persons_.find(cluster);
  return it == persons_.end() ? std::string() : it->second;
}

std::vector<Neighbour> ClusterModel::Within(const std::vector<float>& embedding) const {
  std::vector<Neighbour> found = index_.Nearest(embedding, rules_.neighbourhood);
  found.erase(std::find_if(found.begin(), found.end(),
                           [&](const Neighbour& n) { return n.distance > rules_.cluster_distance; }),
              found.end());
  return found;
}

bool ClusterModel::Accepts(int64_t cluster, const ClusterNode& n) const {
  if (cluster == 0) return false;
  std::string person = PersonOf(cluster);
  if (!person.empty() && n.rejected.count(person)) return false;
  for (int64_t m : Members(cluster)) {
    if (m != n.id && nodes_.at(m).item_id == n.item_id) return false;  // one photo, one face per person
  }
  return true;
}

void ClusterModel::Assign(ClusterNode& n, int64_t cluster, std::set<int64_t>& changed) {
  if (n.cluster == cluster) return;
  if (n.cluster != 0) {
    auto it = members_.find(n.cluster);
    it->second.erase(n.id);
    if (it->second.empty()) members_.erase(it);
  }
  n.cluster = cluster;
  if (cluster != 0) members_[cluster].insert(n.id);
  changed.insert(n.id);
}

int64_t ClusterModel::NearestCoreCluster(const ClusterNode& n, const std::vector<Neighbour>& around) const {
  for (const Neighbour& nb : around) {  // nearest first
    if (nb.id == n.id) continue;
    const ClusterNode* q = Find(nb.id);
    if (q && q->core && !q->pinned && Accepts(q->cluster, n)) return q->cluster;
  }
  return 0;
}

std::set<int64_t> ClusterModel::Merge(int64_t from, int64_t to) {
  std::set<int64_t> changed;
  if (from == to) return changed;
  std::vector<int64_t> moving(Members(from).begin(), Members(from).end());
  for (int64_t id : moving) Assign(nodes_.at(id), to, changed);
  persons_.erase(from);
  return changed;
}

void ClusterModel::BecomeCore(int64_t id, const std::vector<Neighbour>& around, std::set<int64_t>& changed) {
  ClusterNode& c = nodes_.at(id);
  for (const Neighbour& nb : around) {
    if (nb.id == id) continue;
    auto it = nodes_.find(nb.id);
    // Faces placed by hand stay where they were put: they neither link clusters nor are linked.
    if (it == nodes_.end() || !it->second.core || it->second.pinned || it->second.cluster == 0) continue;
    int64_t other = it->second.cluster;
    if (c.cluster == 0) {
      if (Accepts(other, c)) Assign(c, other, changed);
      continue;
    }
    if (other == c.cluster) continue;
    // Two clusters meet: merge unless named as different persons or sharing a photo.
    std::string pa = PersonOf(c.cluster), pb = PersonOf(other);
    if (!pa.empty() && !pb.empty() && pa != pb) continue;
    std::set<int64_t> items;
    for (int64_t m : Members(c.cluster)) items.insert(nodes_.at(m).item_id);
    const auto& theirs = Members(other);
    if (std::any_of(theirs.begin(), theirs.end(), [&](int64_t m) { return items.count(nodes_.at(m).item_id); })) {
      continue;
    }
    // The named one survives, else the larger, else the older.
    int64_t keep = c.cluster, drop = other;
    auto rank = [&](int64_t k) { return std::make_tuple(!PersonOf(k).empty(), Members(k).size(), -k); };
    if (rank(drop) > rank(keep)) std::swap(keep, drop);
    std::set<int64_t> moved = Merge(drop, keep);
    changed.insert(moved.begin(), moved.end());
  }
  if (c.cluster == 0) Assign(c, new_cluster_(), changed);
}

void ClusterModel::ReplaceBorder(int64_t id, std::set<int64_t>& changed) {
  ClusterNode& b = nodes_.at(id);
  if (b.core || b.pinned) return;
  int64_t target = NearestCoreCluster(b, Within(index_.Vector(id)));
  Assign(b, target, changed);
}

std::set<int64_t> ClusterModel::Add(ClusterNode node) {
  const int64_t id = node.id;
  node.cluster = 0;
  node.core = false;
  node.neighbours = 0;
  const bool good = Good(node);
  nodes_[id] = std::move(node);
  std::set<int64_t> changed{id};
  const std::vector<Neighbour> around = Within(index_.Vector(id));
  std::vector<int64_t> new_cores;
  if (good) {
    int count = 1;
    for (const Neighbour& nb : around) {
      auto it = nodes_.find(nb.id);
      if (nb.id == id || it == nodes_.end() || !Good(it->second)) continue;
      ++count;
      ClusterNode& q = it->second;
      ++q.neighbours;
      changed.insert(q.id);
      if (!q.core && q.neighbours >= rules_.min_faces) new_cores.push_back(q.id);
    }
    nodes_.at(id).neighbours = count;
    if (count >= rules_.min_faces) new_cores.push_back(id);
  }
  for (int64_t c : new_cores) nodes_.at(c).core = true;
  for (int64_t c : new_cores) {
    if (nodes_.at(c).pinned) continue;
    const std::vector<Neighbour> near = c == id ? around : Within(index_.Vector(c));
    BecomeCore(c, near, changed);
    for (const Neighbour& nb : near) {
      auto it = nodes_.find(nb.id);
      if (it != nodes_.end() && !it->second.core) ReplaceBorder(nb.id, changed);
    }
  }
  if (!nodes_.at(id).core && !nodes_.at(id).pinned) {
    ClusterNode& n = nodes_.at(id);
    Assign(n, NearestCoreCluster(n, around), changed);
  }
  return changed;
}

std::set<int64_t> ClusterModel::Place(int64_t id, int64_t cluster) {
  std::set<int64_t> changed;
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return changed;
  it->second.pinned = true;
  Assign(it->second, cluster, changed);
  return changed;
}

void ClusterModel::Unreject(int64_t id, const std::string& person) {
  auto it = nodes_.find(id);
  if (it != nodes_.end()) it->second.rejected.erase(person);
}

std::set<int64_t> ClusterModel::Restore(int64_t id, int64_t cluster, bool pinned) {
  std::set<int64_t> changed;
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return changed;
  if (it->second.pinned != pinned) changed.insert(id);
  it->second.pinned = pinned;
  Assign(it->second, cluster, changed);
  return changed;
}

void ClusterModel::Reject(int64_t id, const std::string& person) {
  auto it = nodes_.find(id);
  if (it != nodes_.end()) it->second.rejected.insert(person);
}

namespace {

// Union-find over node positions with the photos each set holds (two faces of one photo never share a set).
class Components {
 public:
  explicit Components(const std::vector<ClusterNode>& nodes) : parent_(nodes.size()), items_(nodes.size()) {
    std::iota(parent_.begin(), parent_.end(), size_t{0});
    for (size_t i = 0; i < nodes.size(); ++i) items_[i].insert(nodes[i].item_id);
  }
  size_t Root(size_t i) {
    while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
    return i;
  }
  void Join(size_t a, size_t b) {
    a = Root(a);
    b = Root(b);
    if (a == b) return;
    if (items_[a].size() < items_[b].size()) std::swap(a, b);
    if (std::any_of(items_[b].begin(), items_[b].end(), [&](int64_t item) { return items_[a].count(item); })) return;
    items_[a].insert(items_[b].begin(), items_[b].end());
    items_[b].clear();
    parent_[b] = a;
  }
  bool Holds(size_t root, int64_t item) const { return items_[root].count(item) > 0; }
  void AddItem(size_t root, int64_t item) { items_[root].insert(item); }

 private:
  std::vector<size_t> parent_;
  std::vector<std::set<int64_t>> items_;
};

}  // namespace

std::unordered_map<int64_t, FullResult> FullCluster(const ClusterRules& rules, const FaceIndex& index,
                                                    const std::vector<ClusterNode>& input) {
  std::vector<ClusterNode> nodes = input;
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::unordered_map<int64_t, size_t> at;
  for (size_t i = 0; i < nodes.size(); ++i) at[nodes[i].id] = i;
  ClusterModel judge(rules, const_cast<FaceIndex&>(index), [] { return int64_t{0}; });
  // One search per face, on every core.
  std::vector<std::vector<size_t>> around(nodes.size());
  auto search = [&](size_t from, size_t step) {
    for (size_t i = from; i < nodes.size(); i += step) {
      for (const Neighbour& nb : index.Nearest(index.Vector(nodes[i].id), rules.neighbourhood)) {
        if (nb.distance > rules.cluster_distance) break;
        auto it = at.find(nb.id);
        if (it != at.end() && it->second != i) around[i].push_back(it->second);
      }
    }
  };
  const size_t threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) workers.emplace_back(search, t, threads);
  for (auto& w : workers) w.join();
  std::vector<bool> core(nodes.size(), false);
  std::vector<int> counts(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!judge.Good(nodes[i])) continue;
    counts[i] = 1 + static_cast<int>(std::count_if(around[i].begin(), around[i].end(),
                                                   [&](size_t j) { return judge.Good(nodes[j]); }));
    core[i] = counts[i] >= rules.min_faces;
  }
  Components sets(nodes);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!core[i]) continue;
    for (size_t j : around[i])
      if (core[j]) sets.Join(i, j);
  }
  std::vector<size_t> label_of(nodes.size(), SIZE_MAX);  // roots of non-core faces' clusters
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (core[i]) {
      label_of[i] = sets.Root(i);
      continue;
    }
    for (size_t j : around[i]) {  // nearest first
      if (core[j] && !sets.Holds(sets.Root(j), nodes[i].item_id)) {
        label_of[i] = sets.Root(j);
        sets.AddItem(label_of[i], nodes[i].item_id);
        break;
      }
    }
  }
  std::unordered_map<int64_t, FullResult> out;
  std::unordered_map<size_t, int64_t> number;
  for (size_t i = 0; i < nodes.size(); ++i) {
    int64_t label = 0;
    if (label_of[i] != SIZE_MAX) {
      label = number.emplace(label_of[i], static_cast<int64_t>(number.size() + 1)).first->second;
    }
    out[nodes[i].id] = {label, counts[i], core[i]};
  }
  return out;
}

}  // namespace triage::faces
