// Policy simulation speed: replaying decide() over 100,000 stored analyses (catalog read + JSON parse + decide),
// against the only other way to learn what a new policy would do, analysing the images again (decode + hash +
// quality, faces off), timed in the same run on the fixture photos.
//
// Usage: simulate_bench [--items N] [--photos DIR]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "catalog/sqlite/sqlite_catalog.h"
#include "config/config.h"
#include "pipeline/analyse.h"
#include "review/policy_service.h"

namespace {

namespace fs = std::filesystem;
using namespace triage;

// A stored analysis like ingest writes: one face with three candidates, or none, or a duplicate.
catalog::CatalogChange SyntheticItem(int i, std::mt19937& rng) {
  static const char* kPersons[] = {"ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal"};
  std::uniform_real_distribution<double> distance(0.25, 0.9);
  catalog::CatalogChange c;
  c.journal_id = "bench-" + std::to_string(i);
  c.item.path = "review/x/" + std::to_string(i) + ".jpg";
  c.item.original_name = std::to_string(i) + ".jpg";
  c.item.fingerprint.sha256 = std::to_string(i);
  c.at = 1;
  model::StoredAnalysis s;
  s.analysis.readable = true;
  s.analysis.faces_analysed = true;
  s.analysis.info.width = 4000;
  s.analysis.info.height = 3000;
  s.analysis.info.format = "jpeg";
  s.analysis.sharpness = 300;
  if (i % 10 != 0) {
    model::Face f;
    f.box = {100, 100, 200, 200};
    f.detection_score = 0.9f;
    for (int k = 0; k < 3; ++k) {
      double d = distance(rng) + 0.1 * k;
      f.match.candidates.push_back({kPersons[(i + k) % 8], d, 1.0 / (1.0 + std::exp(14 * (d - 0.62)))});
    }
    f.match.person = f.match.candidates[0].person;
    f.match.distance = f.match.candidates[0].distance;
    f.match.confidence = f.match.candidates[0].confidence;
    s.analysis.faces.push_back(f);
  }
  if (i % 50 == 0 && i > 0) s.facts.near_duplicate_of = i - 1;
  model::Policy policy;
  model::MatchKind kind = s.analysis.faces.empty() ? model::MatchKind::kUnknown : model::MatchKind::kKnown;
  if (!s.analysis.faces.empty() && (s.analysis.faces[0].match.distance > policy.match_distance ||
                                    s.analysis.faces[0].match.confidence < policy.min_confidence)) {
    kind = model::MatchKind::kUnknown;
  }
  c.item.location = kind == model::MatchKind::kKnown ? "library" : "review";
  c.item.auto_sorted = kind == model::MatchKind::kKnown;
  c.item.person = kind == model::MatchKind::kKnown ? s.analysis.faces[0].match.person : "";
  c.item.category = kind == model::MatchKind::kKnown ? "" : "unidentified";
  c.analysis = s;
  return c;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  int items = 100'000;
  fs::path photos = fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--items")
      items = std::stoi(argv[i + 1]);
    else if (a == "--photos")
      photos = argv[i + 1];
  }
  fs::path dir = fs::temp_directory_path() / ("triage_simulate_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto catalog = catalog::sqlite::SqliteCatalog::Open(dir / "catalog.db");
  if (!catalog.ok()) return std::fprintf(stderr, "%s\n", catalog.status().ToString().c_str()), 1;
  std::mt19937 rng(7);
  std::vector<catalog::CatalogChange> batch;
  for (int i = 0; i < items; ++i) batch.push_back(SyntheticItem(i, rng));
  if (auto st = (*catalog)->ApplyAll(batch).status(); !st.ok())
    return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;

  auto config = config::ConfigFromJson(dir, nlohmann::json{{"thresholds", {{"min_confidence", 0.8}}}});
  auto start = std::chrono::steady_clock::now();
  auto report = review::SimulatePolicy(**catalog, *config);
  double simulate_s = Seconds(start);
  if (!report.ok()) return std::fprintf(stderr, "%s\n", report.status().ToString().c_str()), 1;

  // The peer: analysing the photos again (faces off: the cheapest analysis there is).
  auto plain = config::ConfigFromJson(dir, nlohmann::json{{"analysis", {{"faces", false}}}});
  int analysed = 0;
  start = std::chrono::steady_clock::now();
  for (int round = 0; round < 3; ++round) {
    for (const auto& e : fs::directory_iterator(photos)) {
      if (e.path().extension() != ".jpg") continue;
      model::Analysis a;
      pipeline::AnalyseStaged(e.path(), *plain, nullptr, a);
      analysed += a.readable ? 1 : 0;
    }
  }
  double analyse_s = Seconds(start);
  double simulate_rate = report->total / simulate_s;
  double analyse_rate = analysed / analyse_s;
  std::printf("stored analyses replayed: %lld in %.3f s = %.0f items/s (target >= 50,000), %lld would move\n",
              static_cast<long long>(report->total), simulate_s, simulate_rate,
              static_cast<long long>(report->changed));
  std::printf("re-analysing photos instead (decode + hash + quality, faces off, one thread): %d in %.3f s = %.1f/s\n",
              analysed, analyse_s, analyse_rate);
  std::printf("ratio: simulation is %.0fx faster than re-analysis\n", simulate_rate / analyse_rate);
  fs::remove_all(dir);
  return 0;
}
