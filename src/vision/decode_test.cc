// Specification of decoding: formats, orientation, shrink-on-load, and clear errors on bad input.
#include "vision/decode.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vips/vips8>

#include "base/files.h"

namespace triage::vision {
namespace {

namespace fs = std::filesystem;
using vips::VImage;

class DecodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("decode_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    EXPECT_FALSE(DecodeImageBuffer("", {}).ok());  // an empty buffer is refused; the call also initialises libvips
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A 400x300 image with a bright left half, saved in the given format.
  fs::path Make(const std::string& name, int orientation = 1) {
    VImage img = VImage::black(400, 300, VImage::option()->set("bands", 3)) + 40;
    VImage left = VImage::black(200, 300, VImage::option()->set("bands", 3)) + 220;
    img = img.insert(left, 0, 0).cast(VIPS_FORMAT_UCHAR);
    if (orientation != 1) {
      img = img.copy();
      img.set(VIPS_META_ORIENTATION, orientation);
    }
    fs::path p = dir_ / name;
    img.write_to_file(p.c_str());
    return p;
  }

  fs::path WriteBytes(const std::string& name, const std::string& bytes) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }

  fs::path dir_;
};

TEST_F(DecodeTest, DecodesCommonFormatsToRgb) {
  for (std::string name : {"a.jpg", "a.png", "a.webp", "a.tif", "a.gif"}) {
    auto d = DecodeImage(Make(name), {});
    ASSERT_TRUE(d.ok()) << name << ": " << d.status().ToString();
    EXPECT_EQ(d->info.width, 400) << name;
    EXPECT_EQ(d->info.height, 300) << name;
    EXPECT_EQ(d->image.pixels.size(), size_t{400} * 300 * 3) << name;
  }
}

TEST_F(DecodeTest, ShrinksToMaxSide) {
  auto d = DecodeImage(Make("big.jpg"), {.max_side_px = 100});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->image.width, 100);
  EXPECT_EQ(d->image.height, 75);
  EXPECT_EQ(d->info.width, 400);  // info keeps the full size
}

TEST_F(DecodeTest, AppliesExifOrientation) {
  auto d = DecodeImage(Make("rot.jpg", 6), {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->info.orientation, 6);
  EXPECT_EQ(d->info.width, 300);
  EXPECT_EQ(d->info.height, 400);
  EXPECT_EQ(d->image.width, 300);
  EXPECT_EQ(d->image.height, 400);
  // Rotated 90° clockwise: the bright left half is now on top.
  EXPECT_GT(d->image.pixels[(10 * 300 + 150) * 3], 150);
  EXPECT_LT(d->image.pixels[(390 * 300 + 150) * 3], 100);
}

TEST_F(DecodeTest, EmptyFileIsUnreadable) {
  auto d = DecodeImage(WriteBytes("empty.jpg", ""), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::Code::kCorrupt);
  EXPECT_EQ(d.status().message(), "empty file");
}

TEST_F(DecodeTest, TextFileIsNotAnImage) {
  auto d = DecodeImage(WriteBytes("notes.jpg", "hello, this is text\nand more of it"), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "not a supported image format: it is text, starting \"hello, this is text and \"");
}

// What a file that is no image seems to be is said in words: a download answered with a web page, a PDF, an archive;
// bytes of nothing known stay in hex.
TEST_F(DecodeTest, AFileOfAnotherKindIsNamedInWords) {
  auto said = [&](const std::string& name, const std::string& bytes) {
    auto d = DecodeImage(WriteBytes(name, bytes), {});
    EXPECT_EQ(d.status().code(), base::Code::kCorrupt);
    return std::string(d.status().message());
  };
  EXPECT_EQ(said("page.jpg", "\n  <!DOCTYPE html><html><head><title>Photo</title>"),
            "not a supported image format: it is a web page (HTML), not the image itself");
  EXPECT_EQ(said("doc.jpg", "%PDF-1.7\n%binary"), "not a supported image format: it is a PDF document");
  EXPECT_EQ(said("zip.jpg", std::string("PK\x03\x04\x14\x00", 6)),
            "not a supported image format: it is a ZIP archive or an office document");
  EXPECT_EQ(said("bin.jpg", std::string("\x01\x02\xfe\xff\x00\x10\x20\x30\x40", 9)),
            "not a supported image format: it starts with the bytes 0102feff00102030");
}

TEST_F(DecodeTest, TruncatedJpegIsUnreadableWithReason) {
  auto bytes = base::ReadFile(Make("full.jpg"));
  ASSERT_TRUE(bytes.ok());
  auto d = DecodeImage(WriteBytes("cut.jpg", bytes->substr(0, bytes->size() / 2)), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::Code::kCorrupt);
  EXPECT_NE(d.status().message().find("jpeg decoder"), std::string::npos) << d.status().message();
}

TEST_F(DecodeTest, RefusesDecompressionBombBeforeDecoding) {
  auto d = DecodeImage(Make("bomb.png"), {.max_side_px = 100, .max_pixels = 1000});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("exceeds the limit"), std::string::npos);
}

TEST_F(DecodeTest, MissingFileIsNotFound) {
  auto d = DecodeImage(dir_ / "nope.jpg", {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::Code::kNotFound);
}

// A smooth two-frequency pattern, like the low frequencies of a photo.
VImage Pattern(double hfreq, double vfreq) {
  VImage s = VImage::sines(400, 300, VImage::option()->set("hfreq", hfreq)->set("vfreq", vfreq));
  VImage grey = (s + 1) * 120;
  return grey.bandjoin({grey, grey}).cast(VIPS_FORMAT_UCHAR);
}

TEST_F(DecodeTest, PerceptualHashSurvivesReencodeAndResizeButSeparatesDifferentImages) {
  Pattern(1.5, 0.5).write_to_file((dir_ / "p.jpg").c_str());
  auto a = DecodeImage(dir_ / "p.jpg", {});
  ASSERT_TRUE(a.ok());
  VImage::new_from_file((dir_ / "p.jpg").c_str()).resize(0.5).write_to_file((dir_ / "half.png").c_str());
  auto b = DecodeImage(dir_ / "half.png", {});
  ASSERT_TRUE(b.ok());
  Pattern(0.5, 2.5).write_to_file((dir_ / "other.png").c_str());
  auto c = DecodeImage(dir_ / "other.png", {});
  ASSERT_TRUE(c.ok());
  uint64_t ha = PerceptualHash(a->image), hb = PerceptualHash(b->image), hc = PerceptualHash(c->image);
  EXPECT_LE(__builtin_popcountll(ha ^ hb), 4);
  EXPECT_GE(__builtin_popcountll(ha ^ hc), 12);
}

TEST_F(DecodeTest, WritesThumbnail) {
  fs::path thumb = dir_ / "t.jpg";
  ASSERT_TRUE(WriteJpegThumbnail(Make("src.png"), thumb, 64, DecodeOptions{}.max_pixels).ok());
  auto d = DecodeImage(thumb, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->image.width, 64);
}

}  // namespace
}  // namespace triage::vision
