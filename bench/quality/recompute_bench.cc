// `triage recompute` speed: categories, normalisation and aggregates again for N stored analyses (default 100,000)
// after a change of weights, first over analyses stored without scores and then again over the scored library;
// through the SQLite catalog (read, parse, score, write back), against the scoring alone in memory (the floor).
// Target: >= 10,000 images/s.
//
// Usage: recompute_bench [--items N]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "catalog/sqlite/sqlite_catalog.h"
#include "config/config.h"
#include "quality/recompute.h"
#include "quality/reference.h"
#include "quality/score.h"

namespace {

namespace fs = std::filesystem;
using namespace triage;

// Measures spread like a photo library's: sharp and soft, bright and dark, some faces.
model::StoredAnalysis SyntheticAnalysis(std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  model::StoredAnalysis s;
  model::Analysis& a = s.analysis;
  a.readable = true;
  a.info.width = 4000;
  a.info.height = 3000;
  a.info.format = "jpeg";
  a.info.taken_at = "2024-05-01T10:00:00";
  a.info.camera = "Camera";
  model::QualityMetrics& m = a.metrics;
  m.measured = true;
  m.sharpness = std::exp(2 + 6 * u(rng));
  m.tenengrad = m.sharpness * 8;
  m.isolation = std::exp(4 * u(rng));
  m.mean_luminance = u(rng);
  m.highlight_level = 0.5 + 0.5 * u(rng);
  m.noise_sigma = m.luma_noise_sigma = 6 * u(rng);
  m.dynamic_range_stops = 2 + 10 * u(rng);
  m.contrast = 0.3 * u(rng);
  m.colourfulness = 100 * u(rng);
  m.mean_saturation = u(rng) * 0.7;
  m.brisque = 60 * u(rng);
  m.thirds = u(rng);
  m.face_count = u(rng) < 0.3 ? 1 + int(4 * u(rng)) : 0;
  m.face_ratio = m.face_count ? 0.1 * u(rng) : 0;
  m.face_sharpness = m.face_count ? m.sharpness : 0;
  return s;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  int items = 100'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--items") items = std::stoi(argv[i + 1]);
  }
  fs::path dir = fs::temp_directory_path() / ("triage_recompute_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir / ".triage");
  auto catalog = catalog::sqlite::SqliteCatalog::Open(dir / ".triage/catalog.db");
  if (!catalog.ok()) return std::fprintf(stderr, "%s\n", catalog.status().ToString().c_str()), 1;
  std::mt19937 rng(7);
  std::vector<model::StoredAnalysis> analyses;
  std::vector<catalog::CatalogChange> batch;
  for (int i = 0; i < items; ++i) {
    catalog::CatalogChange c;
    c.journal_id = "bench-" + std::to_string(i);
    c.item.path = "review/unidentified/" + std::to_string(i) + ".jpg";
    c.item.original_name = std::to_string(i) + ".jpg";
    c.item.fingerprint.sha256 = std::to_string(i);
    c.item.location = "review";
    c.item.category = "unidentified";
    c.at = 1;
    c.analysis = SyntheticAnalysis(rng);
    analyses.push_back(c.analysis->analysis.metrics.measured ? *c.analysis : model::StoredAnalysis());
    batch.push_back(std::move(c));
  }
  if (auto st = (*catalog)->ApplyAll(batch).status(); !st.ok())
    return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  batch.clear();
  // A change of weights: every score moves.
  nlohmann::json doc = config::DefaultConfigJson();
  doc["quality"]["weights"]["others"] = {{"sharpness", 40},     {"exposure", 20}, {"noise", 10},
                                         {"dynamic_range", 10}, {"contrast", 10}, {"colour", 10}};
  auto config = config::ConfigFromJson(dir, doc);
  if (!config.ok()) return std::fprintf(stderr, "%s\n", config.status().ToString().c_str()), 1;

  auto start = std::chrono::steady_clock::now();
  auto report = quality::Recompute(**catalog, *config);
  double full_s = Seconds(start);
  if (!report.ok()) return std::fprintf(stderr, "%s\n", report.status().ToString().c_str()), 1;
  // Then another change of weights over the scored library: aggregates move, dimension scores stay.
  doc["quality"]["weights"]["others"]["sharpness"] = 30;
  doc["quality"]["weights"]["others"]["exposure"] = 30;
  auto reweighted = config::ConfigFromJson(dir, doc);
  if (!reweighted.ok()) return std::fprintf(stderr, "%s\n", reweighted.status().ToString().c_str()), 1;
  start = std::chrono::steady_clock::now();
  auto again = quality::Recompute(**catalog, *reweighted);
  double again_s = Seconds(start);
  if (!again.ok()) return std::fprintf(stderr, "%s\n", again.status().ToString().c_str()), 1;

  model::QualityReference reference;
  start = std::chrono::steady_clock::now();
  int64_t changed = quality::RescoreAll(analyses, config->quality, reference);
  double pure_s = Seconds(start);

  std::printf(
      "scoring alone (reference + categories + aggregates, in memory, the floor): %d in %.3f s = %.0f images/s (%lld "
      "changed)\n",
      items, pure_s, items / pure_s, static_cast<long long>(changed));
  std::printf(
      "recompute through the catalog, first scores: %lld analyses in %.2f s = %.0f images/s (%lld scores changed) "
      "(target >= 10,000/s; %.1fx the floor's time)\n",
      static_cast<long long>(report->items), full_s, report->items / full_s, static_cast<long long>(report->changed),
      full_s / pure_s);
  std::printf(
      "recompute through the catalog, weights changed again: %lld analyses in %.2f s = %.0f images/s (%lld scores "
      "changed) (%.1fx the floor's time)\n",
      static_cast<long long>(again->items), again_s, again->items / again_s, static_cast<long long>(again->changed),
      again_s / pure_s);
  fs::remove_all(dir);
  return 0;
}
