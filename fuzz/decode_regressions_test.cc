// Replays the decoder's fuzzing corpus and the inputs that once failed: each must decode or give a
// kCorrupt error with a message — never crash, hang or report success with a wrong-sized raster.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/files.h"
#include "vision/decode.h"

namespace triage::vision {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Inputs() {
  std::vector<fs::path> out;
  for (const char* dir : {"corpus/decode", "regressions"}) {
    fs::path root = fs::path(TRIAGE_SOURCE_DIR) / "fuzz" / dir;
    for (const auto& e : fs::directory_iterator(root)) {
      if (e.is_regular_file() && e.path().filename() != "README.md") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DecodeFuzzRegressionsTest, EveryInputDecodesOrFailsCleanly) {
  auto inputs = Inputs();
  ASSERT_GE(inputs.size(), 10u) << "the corpus is missing";
  int decoded = 0, refused = 0;
  for (const auto& path : inputs) {
    auto bytes = base::ReadFile(path);
    ASSERT_TRUE(bytes.ok());
    auto d = DecodeImageBuffer(*bytes, {.max_side_px = 256, .max_pixels = 16'000'000});
    if (d.ok()) {
      ++decoded;
      EXPECT_EQ(d->image.pixels.size(), size_t(d->image.width) * d->image.height * 3) << path;
    } else {
      ++refused;
      EXPECT_EQ(d.status().code(), base::Code::kCorrupt) << path;
      EXPECT_FALSE(d.status().message().empty()) << path;
    }
  }
  EXPECT_GT(decoded, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace triage::vision
