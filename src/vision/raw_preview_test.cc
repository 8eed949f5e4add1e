// Specification of camera RAW decoding: which files are RAW, and a DNG (written here with libtiff, as a camera
// lays one out: an RGB preview in IFD0, the sensor's Bayer data in a SubIFD) analysed from its preview.
#include "vision/raw_preview.h"

#include <gtest/gtest.h>
#include <tiffio.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <vector>

#include "base/files.h"
#include "vision/decode.h"

namespace triage::vision {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

struct DngSpec {
  bool preview = true;        // false: IFD0 is the sensor data itself, with no preview at all
  bool jpeg_preview = false;  // the preview JPEG-compressed, as most cameras store it
  int preview_w = 48, preview_h = 32;
  int raw_w = 96, raw_h = 64;
  int orientation = 1;
};

void SetCameraTags(TIFF* tif, const DngSpec& spec) {
  static const uint8_t kVersion[4] = {1, 4, 0, 0};
  TIFFSetField(tif, TIFFTAG_DNGVERSION, kVersion);
  TIFFSetField(tif, TIFFTAG_DNGBACKWARDVERSION, kVersion);
  TIFFSetField(tif, TIFFTAG_UNIQUECAMERAMODEL, "Triage TestCam 1");
  TIFFSetField(tif, TIFFTAG_MAKE, "Triage");
  TIFFSetField(tif, TIFFTAG_MODEL, "TestCam 1");
  TIFFSetField(tif, TIFFTAG_DATETIME, "2024:06:01 10:20:30");
  TIFFSetField(tif, TIFFTAG_ORIENTATION, spec.orientation);
}

// Left half red, right half blue.
void WritePreview(TIFF* tif, const DngSpec& spec) {
  TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_REDUCEDIMAGE);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, spec.preview_w);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, spec.preview_h);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, spec.jpeg_preview ? COMPRESSION_JPEG : COMPRESSION_NONE);
  if (spec.jpeg_preview) {
    TIFFSetField(tif, TIFFTAG_JPEGTABLESMODE, 0);  // each strip a whole JPEG, as a camera's preview is
    TIFFSetField(tif, TIFFTAG_JPEGQUALITY, 95);
  }
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, spec.preview_h);
  std::vector<uint8_t> row(static_cast<size_t>(spec.preview_w) * 3);
  for (int x = 0; x < spec.preview_w; ++x) {
    const bool left = x < spec.preview_w / 2;
    row[x * 3] = left ? 230 : 20;
    row[x * 3 + 1] = 20;
    row[x * 3 + 2] = left ? 20 : 230;
  }
  for (int y = 0; y < spec.preview_h; ++y) TIFFWriteScanline(tif, row.data(), y, 0);
}

// A flat grey Bayer mosaic (RGGB), 16 bits.
void WriteSensor(TIFF* tif, const DngSpec& spec) {
  static const uint16_t kRepeat[2] = {2, 2};
  static const uint8_t kPattern[4] = {0, 1, 1, 2};
  TIFFSetField(tif, TIFFTAG_SUBFILETYPE, 0);
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, spec.raw_w);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, spec.raw_h);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_CFA);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, spec.raw_h);
  TIFFSetField(tif, TIFFTAG_CFAREPEATPATTERNDIM, kRepeat);
  TIFFSetField(tif, TIFFTAG_CFAPATTERN, 4, kPattern);
  std::vector<uint16_t> row(static_cast<size_t>(spec.raw_w), 20000);
  for (int y = 0; y < spec.raw_h; ++y) TIFFWriteScanline(tif, row.data(), y, 0);
}

void WriteDng(const fs::path& path, const DngSpec& spec) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  ASSERT_NE(tif, nullptr);
  SetCameraTags(tif, spec);
  if (spec.preview) {
    uint64_t sub_ifd = 0;
    TIFFSetField(tif, TIFFTAG_SUBIFD, 1, &sub_ifd);
    WritePreview(tif, spec);
    ASSERT_TRUE(TIFFWriteDirectory(tif));
  }
  WriteSensor(tif, spec);
  ASSERT_TRUE(TIFFWriteDirectory(tif));
  TIFFClose(tif);
}

class RawPreviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("raw_preview_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Dng(const std::string& name, const DngSpec& spec) {
    fs::path p = dir_ / name;
    WriteDng(p, spec);
    return p;
  }

  // The RGB of pixel (x, y).
  static std::array<int, 3> At(const model::RgbImage& img, int x, int y) {
    const size_t i = (static_cast<size_t>(y) * img.width + x) * 3;
    return {img.pixels[i], img.pixels[i + 1], img.pixels[i + 2]};
  }
  static bool Reddish(std::array<int, 3> c) { return c[0] > 150 && c[2] < 90; }
  static bool Bluish(std::array<int, 3> c) { return c[2] > 150 && c[0] < 90; }

  fs::path dir_;
};

TEST(IsRawFileTest, KnowsRawSignaturesAndTiffRawsByTheirExtension) {
  const std::string tiff_le = "II*\0\x08\0\0\0\0\0\0\0\0\0\0\0"s;
  EXPECT_TRUE(IsRawFile("a.dng", tiff_le));
  EXPECT_TRUE(IsRawFile("a.NEF", tiff_le));
  EXPECT_TRUE(IsRawFile("a.arw", "MM\0*\0\0\0\x08\0\0\0\0\0\0\0\0"s));
  EXPECT_FALSE(IsRawFile("a.tif", tiff_le));                                  // a TIFF photo stays a TIFF
  EXPECT_FALSE(IsRawFile("a.dng", "\xFF\xD8\xFF\xE0 JFIF......"s));           // a JPEG named .dng is a JPEG
  EXPECT_TRUE(IsRawFile("renamed.jpg", "II*\0\x10\0\0\0CR\x02\0\0\0\0\0"s));  // Canon CR2 whatever its name
  EXPECT_TRUE(IsRawFile("x",
                        "\0\0\0\x18"
                        "ftypcrx \0\0\0\0"s));                      // Canon CR3
  EXPECT_TRUE(IsRawFile("x", "IIRO\x08\0\0\0\0\0\0\0\0\0\0\0"s));   // Olympus ORF
  EXPECT_TRUE(IsRawFile("x", "IIU\0\x08\0\0\0\0\0\0\0\0\0\0\0"s));  // Panasonic RW2
  EXPECT_TRUE(IsRawFile("x", "FUJIFILMCCD-RAW 0"s));                // Fujifilm RAF
  EXPECT_FALSE(IsRawFile("x.dng", ""));
}

TEST_F(RawPreviewTest, ADngIsAnalysedFromItsPreviewTurnedUprightWithTheSensorFacts) {
  DngSpec spec;
  spec.orientation = 6;  // the camera was turned: the preview is shown rotated 90° clockwise
  fs::path dng = Dng("shot.dng", spec);
  auto preview = ReadRawPreview(dng, 250'000'000);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  EXPECT_TRUE(preview->jpeg.empty());
  EXPECT_EQ(preview->bitmap.width, 48);  // as stored
  EXPECT_EQ(preview->bitmap.height, 32);

  auto decoded = DecodeImage(dng, {});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const model::ImageInfo& info = decoded->info;
  EXPECT_EQ(info.format, "raw");
  EXPECT_EQ(info.orientation, 6);
  EXPECT_EQ(info.width, 64);  // the sensor image, upright
  EXPECT_EQ(info.height, 96);
  EXPECT_EQ(info.camera, "Triage TestCam 1");
  EXPECT_EQ(info.taken_at, "2024-06-01T10:20:30");
  // The preview, upright: its left half (red) is now on top.
  ASSERT_EQ(decoded->image.width, 32);
  ASSERT_EQ(decoded->image.height, 48);
  EXPECT_TRUE(Reddish(At(decoded->image, 16, 4)));
  EXPECT_TRUE(Bluish(At(decoded->image, 16, 43)));
}

TEST_F(RawPreviewTest, AJpegPreviewIsDecodedAsAJpegAndTurnedByTheRawsOrientation) {
  DngSpec spec;
  spec.jpeg_preview = true;
  spec.orientation = 8;  // turned the other way: the preview is shown rotated 90° counter-clockwise
  fs::path dng = Dng("shot.dng", spec);
  auto preview = ReadRawPreview(dng, 250'000'000);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  ASSERT_GT(preview->jpeg.size(), 4u);
  EXPECT_EQ(preview->jpeg.substr(0, 2), "\xFF\xD8"s);
  EXPECT_TRUE(preview->bitmap.empty());

  auto decoded = DecodeImage(dng, {});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->info.format, "raw");
  EXPECT_EQ(decoded->info.orientation, 8);
  ASSERT_EQ(decoded->image.width, 32);
  ASSERT_EQ(decoded->image.height, 48);
  // Rotated counter-clockwise, the preview's left half (red) is at the bottom.
  EXPECT_TRUE(Bluish(At(decoded->image, 16, 4)));
  EXPECT_TRUE(Reddish(At(decoded->image, 16, 43)));
}

TEST_F(RawPreviewTest, ThumbnailsAndFaceCropsOfARawComeFromItsPreview) {
  fs::path dng = Dng("shot.dng", {});
  fs::path thumb = dir_ / "thumb.jpg";
  ASSERT_TRUE(WriteJpegThumbnail(dng, thumb, 24, 250'000'000).ok());
  auto small = DecodeImage(thumb, {});
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->info.format, "jpeg");
  EXPECT_EQ(small->image.width, 24);
  EXPECT_EQ(small->image.height, 16);
  EXPECT_TRUE(Reddish(At(small->image, 3, 8)));
  EXPECT_TRUE(Bluish(At(small->image, 20, 8)));

  // Boxes are in sensor pixels (96x64); the preview is half that size. The right quarter is blue.
  fs::path crop = dir_ / "crop.jpg";
  ASSERT_TRUE(WriteJpegCrop(dng, crop, {72, 16, 24, 32}, 0.0, 160, 250'000'000).ok());
  auto face = DecodeImage(crop, {});
  ASSERT_TRUE(face.ok()) << face.status().ToString();
  EXPECT_EQ(face->image.width, 12);
  EXPECT_EQ(face->image.height, 16);
  EXPECT_TRUE(Bluish(At(face->image, 6, 8)));
}

TEST_F(RawPreviewTest, ARawWithoutAPreviewIsDemosaicedAtHalfSize) {
  DngSpec spec;
  spec.preview = false;
  auto decoded = DecodeImage(Dng("bare.dng", spec), {});
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->info.format, "raw");
  EXPECT_EQ(decoded->info.width, 96);
  EXPECT_EQ(decoded->info.height, 64);
  EXPECT_EQ(decoded->image.width, 48);
  EXPECT_EQ(decoded->image.height, 32);
}

TEST_F(RawPreviewTest, BadRawsAreRefusedWithTheReason) {
  // A TIFF header and nothing behind it, named as a Nikon RAW.
  fs::path broken = dir_ / "broken.nef";
  ASSERT_TRUE(base::WriteFileDurably(broken, "II*\0\x08\0\0\0garbage-garbage-garbage"s).ok());
  auto decoded = DecodeImage(broken, {});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), base::Code::kCorrupt);
  EXPECT_NE(decoded.status().message().find("RAW decoder"), std::string::npos) << decoded.status().ToString();
  EXPECT_FALSE(WriteJpegThumbnail(broken, dir_ / "t.jpg", 64, 250'000'000).ok());

  // A decompression bomb is refused from the sensor size, before any pixel is read.
  DecodeOptions tiny;
  tiny.max_pixels = 1000;
  auto bomb = DecodeImage(Dng("big.dng", {}), tiny);
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.status().message().find("exceeds the limit of 1000 pixels"), std::string::npos)
      << bomb.status().ToString();
}

}  // namespace
}  // namespace triage::vision
