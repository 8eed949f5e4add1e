// Seeds a library's catalog with N review-queue items through the Catalog interface, for the server benchmark.
// The rows describe images that are not on disk: GET /api/review/queue reads only the catalog.
// Usage: bench_server_seed LIBRARY_DIR N
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "catalog/sqlite/sqlite_catalog.h"
#include "config/config.h"
#include "model/decision.h"

namespace {

namespace fs = std::filesystem;
using triage::catalog::CatalogChange;

CatalogChange ReviewItem(int64_t i, int64_t now) {
  const auto& categories = triage::model::ReviewCategories();
  const std::string& category = categories[static_cast<size_t>(i) % categories.size()];
  CatalogChange c;
  c.journal_id = fmt::format("bench-{}", i);
  c.item.path = fmt::format("review/{}/photo_{:06}.jpg", category, i);
  c.item.original_name = fmt::format("photo_{:06}.jpg", i);
  c.item.original_path = c.item.original_name;
  c.item.source = i % 3 == 0 ? "inbox" : "phone";
  c.item.fingerprint = {fmt::format("{:064x}", i + 1), 1'500'000 + (i % 977) * 1000,
                        static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull, true};
  c.item.info.width = 4032;
  c.item.info.height = 3024;
  c.item.info.format = "jpeg";
  c.item.location = "review";
  c.item.category = category;
  c.item.reasons = {{"no_faces_detected", "No face was detected."}};
  c.action = "ingest";
  c.reason = "seeded for the server benchmark";
  c.at = now - (100'000 - i);
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s LIBRARY_DIR N\n", argv[0]);
    return 2;
  }
  fs::path root = argv[1];
  int64_t n = std::atoll(argv[2]);
  fs::create_directories(root / ".triage");
  nlohmann::json doc = triage::config::DefaultConfigJson();
  doc["analysis"]["faces"] = false;
  if (auto st = triage::config::SaveConfigJson(root, doc); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  auto catalog = triage::catalog::sqlite::SqliteCatalog::Open(root / ".triage" / "catalog.db");
  if (!catalog.ok()) {
    std::fprintf(stderr, "%s\n", catalog.status().ToString().c_str());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  int64_t now = 1'800'000'000;
  for (int64_t i = 0; i < n; ++i) {
    auto id = (*catalog)->Apply(ReviewItem(i, now));
    if (!id.ok()) {
      std::fprintf(stderr, "item %lld: %s\n", static_cast<long long>(i), id.status().ToString().c_str());
      return 1;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("seeded {} review items in {:.1f} s\n", n, seconds);
  return 0;
}
