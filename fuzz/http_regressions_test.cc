// Replays the HTTP fuzzing corpus and the inputs that once failed: each connection is served without a crash,
// and no request is answered 500 (every malformed or oversized request gets a 4xx that says why).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "base/files.h"
#include "fuzz/http_harness.h"

namespace triage::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Inputs() {
  std::vector<fs::path> out;
  for (const char* dir : {"corpus/http", "regressions/http"}) {
    fs::path root = fs::path(TRIAGE_SOURCE_DIR) / "fuzz" / dir;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::directory_iterator(root)) {
      if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(HttpFuzzRegressionsTest, EveryConnectionIsServedWithoutAnInternalError) {
  auto inputs = Inputs();
  ASSERT_GE(inputs.size(), 8u) << "the corpus is missing";
  int answered_ok = 0, refused = 0;
  for (const auto& path : inputs) {
    auto bytes = base::ReadFile(path);
    ASSERT_TRUE(bytes.ok());
    for (int status : ServeConnection(*bytes)) {
      EXPECT_NE(status, 500) << path;
      (status == 200 ? answered_ok : refused)++;
    }
  }
  EXPECT_GT(answered_ok, 0);  // the seeds reach the handlers
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace triage::fuzz
