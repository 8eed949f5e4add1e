// Specification of WhyCutShort: whole images pass, every cut through one is seen, data after the end is fine.
#include "source/whole_file.h"

#include <gtest/gtest.h>

#include <string>

#include "base/files.h"
#include "base/ids.h"

namespace triage::source {
namespace {

namespace fs = std::filesystem;

// A PNG's chunk structure (the check reads lengths and types, not pixels or CRCs).
std::string Chunk(const std::string& type, const std::string& data) {
  std::string c;
  const auto n = static_cast<uint32_t>(data.size());
  c += {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
  return c + type + data + std::string("\x12\x34\x56\x78", 4);
}

std::string Png() {
  return std::string("\x89PNG\r\n\x1a\n", 8) + Chunk("IHDR", std::string(13, '\x01')) +
         Chunk("IDAT", std::string(5000, '\x7f')) + Chunk("IDAT", std::string(3000, '\x11')) + Chunk("IEND", "");
}

class WholeFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("triage-whole-file-" + base::RandomId());
    fs::create_directories(dir_);
    auto jpeg = base::ReadFile(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces/obama3.jpg");
    ASSERT_TRUE(jpeg.ok()) << jpeg.status().ToString();
    jpeg_ = *jpeg;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::optional<std::string> Check(const std::string& bytes) {
    const fs::path f = dir_ / "f";
    EXPECT_TRUE(base::WriteFileDurably(f, bytes).ok());
    return WhyCutShort(f);
  }
  fs::path dir_;
  std::string jpeg_;
};

TEST_F(WholeFileTest, AWholeJpegIsWholeAlsoWithDataAfterItsEnd) {
  EXPECT_EQ(Check(jpeg_), std::nullopt);
  EXPECT_EQ(Check(jpeg_ + std::string(700, '\0')), std::nullopt);  // zero padding
  // A motion photo: a video appended after the image's end marker.
  EXPECT_EQ(Check(jpeg_ +
                  std::string("\0\0\0\x18"
                              "ftypmp42",
                              12) +
                  std::string(20000, '\x42')),
            std::nullopt);
}

TEST_F(WholeFileTest, EveryCutThroughAJpegIsSeen) {
  ASSERT_GT(jpeg_.size(), 10000u);
  int checked = 0;
  for (size_t cut = 2; cut < jpeg_.size() - 1; cut += (cut < 2000 ? 7 : 613)) {
    auto why = Check(jpeg_.substr(0, cut));
    ASSERT_TRUE(why.has_value()) << "a JPEG cut after " << cut << " of " << jpeg_.size() << " bytes passed as whole";
    EXPECT_EQ(*why, "its JPEG data stops before the end-of-image marker");
    ++checked;
  }
  EXPECT_GT(checked, 300);
  // Also when what is cut off is replaced by zeros (a writer that set the size first).
  EXPECT_TRUE(Check(jpeg_.substr(0, jpeg_.size() / 2) + std::string(jpeg_.size() / 2, '\0')).has_value());
}

TEST_F(WholeFileTest, AnEmptyFileIsCutShort) { EXPECT_EQ(Check(""), "it is empty"); }

TEST_F(WholeFileTest, APngIsWholeOnlyWithItsEndChunk) {
  const std::string png = Png();
  EXPECT_EQ(Check(png), std::nullopt);
  EXPECT_EQ(Check(png + "trailing"), std::nullopt);  // walked: IEND is found though it is not last
  for (size_t cut : {size_t{8}, size_t{20}, size_t{100}, size_t{5040}, png.size() - 12, png.size() - 1}) {
    auto why = Check(png.substr(0, cut));
    ASSERT_TRUE(why.has_value()) << "a PNG cut after " << cut << " bytes passed as whole";
    EXPECT_EQ(*why, "its PNG data stops before the IEND chunk");
  }
}

TEST_F(WholeFileTest, GifAndWebpAreCheckedByTheirEnds) {
  const std::string gif = std::string("GIF89a") + std::string(300, '\x05') + ";";
  EXPECT_EQ(Check(gif), std::nullopt);
  EXPECT_EQ(Check(gif.substr(0, 200)), "its GIF data stops before the trailer");
  std::string webp = std::string("RIFF\x24\x00\x00\x00WEBP", 12) + std::string(32, 'v');  // 44 bytes: 36 + 8
  EXPECT_EQ(Check(webp), std::nullopt);
  EXPECT_EQ(Check(webp.substr(0, 30)), "its WebP data has 30 of the 44 bytes its header announces");
}

TEST_F(WholeFileTest, FormatsWithoutAnEndAndWhatIsNoImageAreNotJudged) {
  EXPECT_EQ(Check(std::string("II*\0", 4) + std::string(100, 'x')), std::nullopt);  // TIFF: no end to check
  EXPECT_EQ(Check("just some text"), std::nullopt);
  EXPECT_EQ(WhyCutShort(dir_ / "absent.jpg"), std::nullopt);  // unreadable: intake reports that
  // Damage that is no cut: bytes where a JPEG marker belongs.
  std::string damaged = jpeg_;
  damaged[2] = 'x';
  EXPECT_EQ(Check(damaged.substr(0, 5000)), std::nullopt);
}

}  // namespace
}  // namespace triage::source
