// Speed and memory of face clustering on random 128-d embeddings with planted clusters (persons as centres ~1.6
// apart, ~25 faces each within ~0.2 of one another):
//   - assigning one new face (index insert + incremental density step) at each size, against the floor of finding
//     its neighbours by a linear scan over every stored embedding (no index);
//   - a full re-cluster (`triage faces recluster`: one index search per face, union of core faces);
//   - memory per face (index vectors and graph, plus the clustering state).
// Usage: cluster_speed [--sizes 100000,1000000] [--probes 2000] [--recluster 100000]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "faces/cluster_model.h"
#include "faces/cluster_test_support.h"

using namespace triage;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// CPU seconds of this thread / this process: the machine is shared, so wall time alone mostly measures the others.
double ThreadCpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec * 1e-9;
}
double ProcessCpu() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec * 1e-9;
}

struct Planted {
  std::vector<std::vector<float>> centres;
  std::vector<std::vector<float>> faces;
  std::vector<int64_t> label;  // index into centres
};

Planted Plant(size_t n, faces::testing::PlantedFaces& gen) {
  Planted p;
  const size_t persons = std::max<size_t>(1, n / 25);
  for (size_t c = 0; c < persons; ++c) p.centres.push_back(gen.Centre());
  std::uniform_int_distribution<size_t> pick(0, persons - 1);
  p.faces.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    size_t c = i < persons ? i : pick(gen.rng());
    p.label.push_back(static_cast<int64_t>(c));
    p.faces.push_back(gen.FaceNear(p.centres[c]));
  }
  return p;
}

size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<size_t>(resident) * 4096;
}

volatile size_t sink = 0;

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

void AssignAt(size_t n, size_t probes, faces::testing::PlantedFaces& gen) {
  const size_t rss0 = ResidentBytes();
  auto t = Clock::now();
  Planted p = Plant(n, gen);
  const double generate_s = Seconds(t);
  const size_t rss_data = ResidentBytes();
  auto index = faces::FaceIndex::Create(128);
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = static_cast<int64_t>(i + 1);
  t = Clock::now();
  double cpu = ProcessCpu();
  if (!index->AddBatch(ids, p.faces, std::max(1u, std::thread::hardware_concurrency())).ok()) return;
  const double build_s = Seconds(t), build_cpu = ProcessCpu() - cpu;
  int64_t next_cluster = static_cast<int64_t>(p.centres.size()) + 1;
  faces::ClusterModel model({}, *index, [&] { return next_cluster++; });
  for (size_t i = 0; i < n; ++i) {  // the state a clustered library has: every planted face a core of its person
    faces::ClusterNode node;
    node.id = ids[i];
    node.item_id = ids[i];
    node.size_px = 100;
    node.detection_score = 0.95;
    node.cluster = p.label[i] + 1;
    node.neighbours = 10;
    node.core = true;
    model.Put(node);
  }
  const size_t rss_state = ResidentBytes();
  std::vector<double> times, cpu_times;
  std::uniform_int_distribution<size_t> pick(0, p.centres.size() - 1);
  size_t joined = 0;
  for (size_t k = 0; k < probes; ++k) {
    const size_t c = pick(gen.rng());
    std::vector<float> v = gen.FaceNear(p.centres[c]);
    const int64_t id = static_cast<int64_t>(n + k + 1);
    faces::ClusterNode node;
    node.id = id;
    node.item_id = id;
    node.size_px = 100;
    node.detection_score = 0.95;
    auto start = Clock::now();
    const double cpu_start = ThreadCpu();
    (void)index->Add(id, v);
    model.Add(node);
    cpu_times.push_back((ThreadCpu() - cpu_start) * 1000);
    times.push_back(Seconds(start) * 1000);
    joined += model.Find(id)->cluster == static_cast<int64_t>(c) + 1;
  }
  // Floor: the neighbours of one face by a linear scan over every stored embedding.
  std::vector<double> scan;
  for (size_t k = 0; k < 20; ++k) {
    std::vector<float> v = gen.FaceNear(p.centres[pick(gen.rng())]);
    const double start = ThreadCpu();
    size_t within = 0;
    for (const auto& f : p.faces) {
      double d = 0;
      for (size_t i = 0; i < 128; ++i) d += (f[i] - v[i]) * double(f[i] - v[i]);
      within += d <= 0.25;
    }
    scan.push_back((ThreadCpu() - start) * 1000);
    sink = sink + within;  // the scan's result is used: it cannot be optimised away
  }
  const double mean = std::accumulate(times.begin(), times.end(), 0.0) / times.size();
  const double cpu_mean = std::accumulate(cpu_times.begin(), cpu_times.end(), 0.0) / cpu_times.size();
  const double scan_mean = std::accumulate(scan.begin(), scan.end(), 0.0) / scan.size();
  std::printf("n=%zu: generate %.1f s, index build %.1f s wall / %.1f s CPU\n", n, generate_s, build_s, build_cpu);
  std::printf(
      "  assign one face: CPU mean %.3f ms, p50 %.3f ms, p99 %.3f ms; wall mean %.3f ms, p99 %.3f ms; over %zu faces "
      "(%.1f%% joined their planted cluster)\n",
      cpu_mean, Percentile(cpu_times, 0.5), Percentile(cpu_times, 0.99), mean, Percentile(times, 0.99), probes,
      100.0 * joined / probes);
  std::printf("  floor (linear scan for the neighbours): %.2f ms CPU per face; ratio %.0fx\n", scan_mean,
              scan_mean / cpu_mean);
  const double index_bytes = static_cast<double>(index->MemoryBytes()) / n;
  std::printf(
      "  memory per face: index %.0f B (vector 512 B + graph), clustering state %.0f B (resident); "
      "embeddings as generated %.0f B\n",
      index_bytes, static_cast<double>(rss_state - rss_data) / n - index_bytes,
      static_cast<double>(rss_data - rss0) / n);
  std::fflush(stdout);
}

void Recluster(size_t n, faces::testing::PlantedFaces& gen) {
  Planted p = Plant(n, gen);
  auto index = faces::FaceIndex::Create(128);
  std::vector<int64_t> ids(n);
  std::vector<faces::ClusterNode> nodes(n);
  for (size_t i = 0; i < n; ++i) {
    ids[i] = static_cast<int64_t>(i + 1);
    nodes[i].id = ids[i];
    nodes[i].item_id = ids[i];
    nodes[i].size_px = 100;
    nodes[i].detection_score = 0.95;
  }
  auto t = Clock::now();
  double cpu = ProcessCpu();
  if (!index->AddBatch(ids, p.faces, std::max(1u, std::thread::hardware_concurrency())).ok()) return;
  const double build_s = Seconds(t), build_cpu = ProcessCpu() - cpu;
  t = Clock::now();
  cpu = ProcessCpu();
  auto labels = faces::FullCluster({}, *index, nodes);
  const double cluster_s = Seconds(t), cluster_cpu = ProcessCpu() - cpu;
  std::map<int64_t, std::map<int64_t, size_t>> by_planted;  // planted -> found label -> faces
  for (size_t i = 0; i < n; ++i) ++by_planted[p.label[i]][labels.at(ids[i]).label];
  size_t whole = 0;
  for (const auto& [planted, found] : by_planted) whole += found.size() == 1 && !found.count(0);
  std::printf(
      "full re-cluster of %zu faces: %.1f s wall, %.1f s CPU (index rebuild %.1f s wall / %.1f s CPU + clustering "
      "%.1f s wall / %.1f s CPU); %zu of %zu planted persons recovered whole\n",
      n, build_s + cluster_s, build_cpu + cluster_cpu, build_s, build_cpu, cluster_s, cluster_cpu, whole,
      by_planted.size());
  std::fflush(stdout);
}

std::vector<size_t> Sizes(const std::string& text) {
  std::vector<size_t> out;
  std::stringstream s(text);
  std::string part;
  while (std::getline(s, part, ',')) out.push_back(std::stoul(part));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> sizes = {100000, 1000000};
  size_t probes = 2000, recluster = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--sizes")
      sizes = Sizes(argv[i + 1]);
    else if (a == "--probes")
      probes = std::stoul(argv[i + 1]);
    else if (a == "--recluster")
      recluster = std::stoul(argv[i + 1]);
    else
      return std::fprintf(stderr, "usage: cluster_speed [--sizes N,N] [--probes N] [--recluster N]\n"), 2;
  }
  faces::testing::PlantedFaces gen(2026);
  if (recluster > 0) Recluster(recluster, gen);
  for (size_t n : sizes) AssignAt(n, probes, gen);
  return 0;
}
