// Quality of face clustering on a labelled face folder, ingested with nobody enrolled:
//   <root>/{enroll,probe}/<person>/*   one face of <person>
//   <root>/probe/_unknown/<name><n>.*  one face of <name> (a person never enrolled)
//   <root>/probe/_group/*              several unlabelled faces (clustered too, left out of the scores)
// Faces are clustered one photo at a time, as ingest does (faces::ClusterModel), under the default rules and a few
// cluster distances around them; the floor is single-linkage at the match distance 0.6 (every pair within 0.6 joined,
// what a threshold-only grouping does). Prints pairwise precision and recall and the clusters per true person.
// Usage: cluster_quality <root> [--model-dir DIR]
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "faces/cluster_model.h"
#include "faces/face_analyzer.h"
#include "vision/decode.h"

namespace fs = std::filesystem;
using namespace triage;

namespace {

struct LabelledFace {
  std::string label;  // "" for group faces
  int64_t item = 0;
  std::vector<float> embedding;
  double size_px = 0;  // full-image pixels
  double score = 0;
};

std::string LabelOfUnknown(const fs::path& file) {
  std::string stem = file.stem().string();
  while (!stem.empty() && (std::isdigit(static_cast<unsigned char>(stem.back())) || stem.back() == '_'))
    stem.pop_back();
  return "?" + stem;
}

std::vector<fs::path> Images(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void AddPhoto(const faces::FaceAnalyzer& analyzer, const fs::path& file, const std::string& label, bool single,
              std::vector<LabelledFace>& out) {
  static int64_t item = 0;
  auto decoded = vision::DecodeImage(file, vision::DecodeOptions{});
  if (!decoded.ok()) return void(std::printf("  ! %s: %s\n", file.c_str(), decoded.status().message().c_str()));
  auto found = analyzer.Analyze(decoded->image);
  if (!found.ok()) return void(std::printf("  ! %s: %s\n", file.c_str(), found.status().message().c_str()));
  ++item;
  const double to_full = static_cast<double>(decoded->info.width) / std::max(1, decoded->image.width);
  if (single && found->size() != 1) {
    std::printf("  (%s: %zu faces, left out)\n", file.filename().c_str(), found->size());
    return;
  }
  for (const auto& f : *found) {
    out.push_back(
        {single ? label : "", item, f.embedding, std::min(f.box.width, f.box.height) * to_full, f.detection_score});
  }
}

struct Scores {
  double precision = 0, recall = 0;
  std::map<std::string, std::pair<int, int>> per_person;  // label -> (clusters, faces in none)
  int clusters = 0;
};

Scores Score(const std::vector<LabelledFace>& faces, const std::vector<int64_t>& cluster_of) {
  Scores s;
  int64_t tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < faces.size(); ++i) {
    if (faces[i].label.empty()) continue;
    for (size_t j = i + 1; j < faces.size(); ++j) {
      if (faces[j].label.empty()) continue;
      const bool same = faces[i].label == faces[j].label;
      const bool together = cluster_of[i] != 0 && cluster_of[i] == cluster_of[j];
      tp += same && together;
      fp += !same && together;
      fn += same && !together;
    }
  }
  s.precision = tp + fp ? static_cast<double>(tp) / (tp + fp) : 1.0;
  s.recall = tp + fn ? static_cast<double>(tp) / (tp + fn) : 1.0;
  std::map<std::string, std::set<int64_t>> clusters;
  std::set<int64_t> all;
  for (size_t i = 0; i < faces.size(); ++i) {
    if (cluster_of[i] != 0) all.insert(cluster_of[i]);
    if (faces[i].label.empty()) continue;
    auto& [n, none] = s.per_person[faces[i].label];
    if (cluster_of[i] == 0)
      ++none;
    else
      clusters[faces[i].label].insert(cluster_of[i]);
    n = static_cast<int>(clusters[faces[i].label].size());
  }
  s.clusters = static_cast<int>(all.size());
  return s;
}

std::vector<int64_t> Incremental(const std::vector<LabelledFace>& faces, const faces::ClusterRules& rules) {
  auto index = faces::FaceIndex::Create(faces.front().embedding.size());
  int64_t next_cluster = 1;
  faces::ClusterModel model(rules, *index, [&] { return next_cluster++; });
  for (size_t i = 0; i < faces.size(); ++i) {
    (void)index->Add(static_cast<int64_t>(i + 1), faces[i].embedding);
    faces::ClusterNode n;
    n.id = static_cast<int64_t>(i + 1);
    n.item_id = faces[i].item;
    n.size_px = faces[i].size_px;
    n.detection_score = faces[i].score;
    model.Add(n);
  }
  std::vector<int64_t> out;
  for (size_t i = 0; i < faces.size(); ++i) out.push_back(model.Find(static_cast<int64_t>(i + 1))->cluster);
  return out;
}

std::vector<int64_t> SingleLinkage(const std::vector<LabelledFace>& faces, double threshold) {
  std::vector<size_t> parent(faces.size());
  std::iota(parent.begin(), parent.end(), size_t{0});
  auto root = [&](size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (size_t i = 0; i < faces.size(); ++i) {
    for (size_t j = i + 1; j < faces.size(); ++j) {
      double d = 0;
      for (size_t k = 0; k < faces[i].embedding.size(); ++k) {
        d += (faces[i].embedding[k] - faces[j].embedding[k]) * double(faces[i].embedding[k] - faces[j].embedding[k]);
      }
      if (std::sqrt(d) <= threshold) parent[root(i)] = root(j);
    }
  }
  std::map<size_t, int> size;
  for (size_t i = 0; i < faces.size(); ++i) ++size[root(i)];
  std::vector<int64_t> out;
  for (size_t i = 0; i < faces.size(); ++i) out.push_back(size[root(i)] > 1 ? static_cast<int64_t>(root(i) + 1) : 0);
  return out;
}

void Print(const char* name, const Scores& s, bool per_person) {
  std::printf("%-34s precision %.3f  recall %.3f  clusters %d\n", name, s.precision, s.recall, s.clusters);
  if (!per_person) return;
  for (const auto& [label, counts] : s.per_person) {
    std::printf("    %-22s clusters %d  faces in none %d\n", label.c_str(), counts.first, counts.second);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cluster_quality <root> [--model-dir DIR]\n");
    return 2;
  }
  faces::FaceOptions options;
  options.model_dir = TRIAGE_DEFAULT_MODEL_DIR;
  if (argc >= 4 && std::string(argv[2]) == "--model-dir") options.model_dir = argv[3];
  auto analyzer = faces::FaceAnalyzer::Open(options);
  if (!analyzer.ok()) {
    std::fprintf(stderr, "%s\n", analyzer.status().message().c_str());
    return 1;
  }
  const fs::path root = argv[1];
  std::vector<LabelledFace> faces;
  for (const char* part : {"enroll", "probe"}) {
    if (!fs::is_directory(root / part)) continue;
    for (const auto& dir : fs::directory_iterator(root / part)) {
      const std::string name = dir.path().filename().string();
      if (name == "_noface") continue;
      for (const fs::path& file : Images(dir.path())) {
        if (name == "_group")
          AddPhoto(**analyzer, file, "", false, faces);
        else
          AddPhoto(**analyzer, file, name == "_unknown" ? LabelOfUnknown(file) : name, true, faces);
      }
    }
  }
  const auto labelled = std::count_if(faces.begin(), faces.end(), [](const auto& f) { return !f.label.empty(); });
  std::printf("%zu faces (%ld labelled, %ld from group photos)\n", faces.size(), static_cast<long>(labelled),
              static_cast<long>(faces.size() - labelled));
  if (faces.empty()) return 1;
  faces::ClusterRules defaults;  // the config's defaults (config::FaceClusteringOptions)
  defaults.cluster_distance = 0.5;
  defaults.min_faces = 3;
  defaults.min_face_size_px = 50;
  defaults.min_detection_score = 0.75;
  Print("triage, defaults (0.50, 3 faces)", Score(faces, Incremental(faces, defaults)), true);
  for (double d : {0.45, 0.55}) {
    for (int m : {2, 3}) {
      faces::ClusterRules r = defaults;
      r.cluster_distance = d;
      r.min_faces = m;
      char name[64];
      std::snprintf(name, sizeof(name), "triage, %.2f, %d faces", d, m);
      Print(name, Score(faces, Incremental(faces, r)), false);
    }
  }
  Print("floor: single linkage at 0.60", Score(faces, SingleLinkage(faces, 0.6)), false);
  return 0;
}
