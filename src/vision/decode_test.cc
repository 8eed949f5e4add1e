// Specification of decoding: formats, orientation, shrink-on-load, and clear errors on bad input.
#include "vision/decode.h"

#include <gtest/gtest.h>

#include <exiv2/exiv2.hpp>
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

TEST(OrientedTest, TurnsAPictureAsItsExifOrientationWouldTurnItUpright) {
  // 3 x 2 pixels, each a grey level of its own: 0 1 2 / 3 4 5.
  model::RgbImage image{3, 2, {}};
  for (uint8_t v = 0; v < 6; ++v) image.pixels.insert(image.pixels.end(), {v, v, v});
  const model::RgbImage half_turn = Oriented(image, 3);
  ASSERT_EQ(half_turn.width, 3);
  ASSERT_EQ(half_turn.height, 2);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(half_turn.pixels[i * 3], 5 - i) << i;
  const model::RgbImage quarter = Oriented(image, 6);  // clockwise: 3 0 / 4 1 / 5 2
  ASSERT_EQ(quarter.width, 2);
  ASSERT_EQ(quarter.height, 3);
  EXPECT_EQ(quarter.pixels[0], 3);
  EXPECT_EQ(quarter.pixels[3], 0);
  EXPECT_EQ(Oriented(image, 1).pixels, image.pixels);
  EXPECT_TRUE(Oriented(model::RgbImage{}, 3).empty());
}

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

// A consumer that needs fewer pixels than it accepts lets a JPEG's DCT scaling go further; other formats, and a
// minimum above the maximum, keep the maximum side.
TEST_F(DecodeTest, AJpegDecodesSmallerDownToTheMinimumSide) {
  const fs::path jpeg = Make("min.jpg"), png = Make("min.png");
  auto plain = DecodeImage(jpeg, {.max_side_px = 256});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->image.width, 256);
  auto scaled = DecodeImage(jpeg, {.max_side_px = 256, .min_side_px = 64});
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(scaled->image.width, 100) << "1/4: 1/8 would leave 50 px";
  EXPECT_EQ(scaled->image.height, 75);
  EXPECT_EQ(scaled->info.width, 400);
  auto from_png = DecodeImage(png, {.max_side_px = 256, .min_side_px = 64});
  ASSERT_TRUE(from_png.ok());
  EXPECT_EQ(from_png->image.width, 256);
  auto above = DecodeImage(jpeg, {.max_side_px = 100, .min_side_px = 500});
  ASSERT_TRUE(above.ok());
  EXPECT_EQ(above->image.width, 100);
}

// A JPEG one or a few pixels thick: shrinking on load must leave it a row (libvips aborted the process on a 3000 x 1
// line loaded at 1/2, the size rounded down to zero rows), whichever path and raster size asks for it.
TEST_F(DecodeTest, AJpegLineDecodesAtEverySize) {
  for (auto [w, h] : {std::pair{3000, 1}, {1, 10000}, {9000, 4}, {2, 9000}}) {
    VImage line = (VImage::black(w, h, VImage::option()->set("bands", 3)) + 90).cast(VIPS_FORMAT_UCHAR);
    const fs::path p = dir_ / ("line_" + std::to_string(w) + "x" + std::to_string(h) + ".jpg");
    line.write_to_file(p.c_str());
    auto read = base::ReadFile(p);
    ASSERT_TRUE(read.ok());
    const std::string bytes = *read;
    for (DecodeOptions options :
         {DecodeOptions{}, DecodeOptions{.max_side_px = 1024}, DecodeOptions{.max_side_px = 256, .min_side_px = 64}}) {
      for (bool from_bytes : {false, true}) {
        auto d = from_bytes ? DecodeImage(p, bytes, options) : DecodeImage(p, options);
        ASSERT_TRUE(d.ok()) << p << ": " << d.status().ToString();
        EXPECT_EQ(d->info.width, w);
        EXPECT_EQ(d->info.height, h);
        EXPECT_GE(std::min(d->image.width, d->image.height), 1) << p;
        EXPECT_LE(std::max(d->image.width, d->image.height), options.max_side_px) << p;
      }
    }
  }
}

// A JPEG's aperture, lens and GPS position, as libvips hands them over ("14/5 (f/2.8, Rational, ...)"): the aperture
// and the position read 0 when only the text in parentheses was parsed, so no macro shot at f/2.8 was ever one.
TEST_F(DecodeTest, AJpegsApertureLensAndPositionAreRead) {
  const fs::path jpg = Make("macro.jpg");
  {
    auto image = Exiv2::ImageFactory::open(jpg.string());
    image->readMetadata();
    Exiv2::ExifData& exif = image->exifData();
    exif["Exif.Photo.FNumber"] = Exiv2::URational(14, 5);
    exif["Exif.Photo.FocalLength"] = Exiv2::URational(100, 1);
    exif["Exif.Photo.LensModel"] = "RF100mm F2.8 L MACRO IS USM";
    exif["Exif.GPSInfo.GPSLatitudeRef"] = "S";
    exif["Exif.GPSInfo.GPSLatitude"] = "33/1 52/1 3/25";
    exif["Exif.GPSInfo.GPSLongitudeRef"] = "E";
    exif["Exif.GPSInfo.GPSLongitude"] = "151/1 12/1 36/1";
    image->writeMetadata();
  }
  auto d = DecodeImage(jpg, {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_DOUBLE_EQ(d->info.f_number, 2.8);
  EXPECT_DOUBLE_EQ(d->info.focal_length_mm, 100);
  EXPECT_EQ(d->info.lens, "RF100mm F2.8 L MACRO IS USM");
  ASSERT_TRUE(d->info.has_gps);
  EXPECT_NEAR(d->info.latitude, -(33 + 52 / 60.0 + 0.12 / 3600), 1e-9);
  EXPECT_NEAR(d->info.longitude, 151.21, 1e-9);
}

// libvips parses no EXIF out of a TIFF: its date taken, camera and settings were lost (a TIFF went to photos/undated
// while the same tags in a JPEG filed it by month). They are read from the file's own directories.
TEST_F(DecodeTest, ATiffsExifIsRead) {
  const fs::path tif = Make("scan.tif");
  {
    auto image = Exiv2::ImageFactory::open(tif.string());
    image->readMetadata();
    Exiv2::ExifData& exif = image->exifData();
    exif["Exif.Image.Make"] = "PENTAX";
    exif["Exif.Image.Model"] = "PENTAX K-7";
    exif["Exif.Photo.DateTimeOriginal"] = "2015:10:29 15:44:44";
    exif["Exif.Photo.ExposureTime"] = Exiv2::URational(1, 125);
    exif["Exif.Photo.ISOSpeedRatings"] = uint16_t{400};
    image->writeMetadata();
  }
  auto d = DecodeImage(tif, {});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->info.format, "tiff");
  EXPECT_EQ(d->info.taken_at, "2015-10-29T15:44:44");
  EXPECT_EQ(d->info.camera, "PENTAX K-7");
  EXPECT_NEAR(d->info.exposure_s, 1.0 / 125, 1e-9);
  EXPECT_EQ(d->info.iso, 400);
  // A TIFF without EXIF decodes as before, without those facts.
  auto plain = DecodeImage(Make("plain.tif"), {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->info.taken_at, "");
  EXPECT_EQ(plain->info.camera, "");
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

// Mean of each band of `image` over the rectangle, from the decoded bytes or from a vips image written to memory.
double MeanAt(const std::vector<uint8_t>& pixels, int width, int x0, int y0, int w, int h, int band) {
  double sum = 0;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) sum += pixels[(size_t(y) * width + x) * 3 + band];
  return sum / (w * h);
}

// JPEGs and PNGs are decoded by libjpeg / libpng directly: every EXIF orientation turns the raster upright exactly as
// libvips' autorot does, at the full size and shrunk.
TEST_F(DecodeTest, EveryOrientationIsTurnedUprightAsLibvipsDoes) {
  // Four quadrants of different colours tell each of the eight orientations apart.
  VImage q = VImage::black(200, 150, VImage::option()->set("bands", 3));
  VImage img = VImage::black(400, 300, VImage::option()->set("bands", 3))
                   .insert(q + std::vector<double>{230, 20, 20}, 0, 0)
                   .insert(q + std::vector<double>{20, 230, 20}, 200, 0)
                   .insert(q + std::vector<double>{20, 20, 230}, 0, 150)
                   .insert(q + std::vector<double>{230, 230, 20}, 200, 150)
                   .cast(VIPS_FORMAT_UCHAR);
  for (const char* ext : {".jpg", ".png"}) {
    for (int orientation = 1; orientation <= 8; ++orientation) {
      SCOPED_TRACE(std::string(ext) + " orientation " + std::to_string(orientation));
      VImage tagged = img.copy();
      tagged.set(VIPS_META_ORIENTATION, orientation);
      const fs::path file = dir_ / ("o" + std::to_string(orientation) + ext);
      tagged.write_to_file(file.c_str());
      VImage expected = VImage::new_from_file(file.c_str()).autorot();
      size_t size = 0;
      void* mem = expected.write_to_memory(&size);
      std::vector<uint8_t> want(static_cast<uint8_t*>(mem), static_cast<uint8_t*>(mem) + size);
      g_free(mem);
      for (int side : {1600, 100}) {
        auto d = DecodeImage(file, {.max_side_px = side});
        ASSERT_TRUE(d.ok()) << d.status().ToString();
        const double k = side < 400 ? 100.0 / 400 : 1.0;
        ASSERT_EQ(d->image.width, static_cast<int>(expected.width() * k));
        ASSERT_EQ(d->image.height, static_cast<int>(expected.height() * k));
        // The centre of each quadrant has the colour libvips puts there.
        for (int qy : {0, 1}) {
          for (int qx : {0, 1}) {
            const int w = expected.width() / 2, h = expected.height() / 2;
            for (int band = 0; band < 3; ++band) {
              const double v = MeanAt(want, expected.width(), qx * w + w / 4, qy * h + h / 4, w / 2, h / 2, band);
              const int dw = d->image.width / 2, dh = d->image.height / 2;
              EXPECT_NEAR(
                  MeanAt(d->image.pixels, d->image.width, qx * dw + dw / 4, qy * dh + dh / 4, dw / 2, dh / 2, band), v,
                  12)
                  << "quadrant " << qx << "," << qy << " band " << band << " at side " << side;
            }
          }
        }
      }
    }
  }
}

// A camera JPEG held upside down (orientation 3, or 4 mirrored) larger than the size asked for: libvips shrinks it on
// load, reading it top to bottom, and the flip that turns it upright reads bottom-up. It decodes, upright.
TEST_F(DecodeTest, ALargeUpsideDownJpegDecodesUpright) {
  VImage top = VImage::black(2400, 900, VImage::option()->set("bands", 3)) + std::vector<double>{230, 20, 20};
  VImage bottom = VImage::black(2400, 900, VImage::option()->set("bands", 3)) + std::vector<double>{20, 20, 230};
  VImage img = top.join(bottom, VIPS_DIRECTION_VERTICAL).cast(VIPS_FORMAT_UCHAR);
  for (int orientation : {3, 4}) {
    SCOPED_TRACE("orientation " + std::to_string(orientation));
    VImage tagged = img.copy();
    tagged.set(VIPS_META_ORIENTATION, orientation);
    const fs::path file = dir_ / ("upside" + std::to_string(orientation) + ".jpg");
    tagged.write_to_file(file.c_str());
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (int side : {1600, 1024, 500}) {
      SCOPED_TRACE("side " + std::to_string(side));
      for (auto d : {DecodeImage(file, {.max_side_px = side}), DecodeImage(file, bytes, {.max_side_px = side})}) {
        ASSERT_TRUE(d.ok()) << d.status().ToString();
        ASSERT_LE(std::max(d->image.width, d->image.height), side);
        // Upside down on disk (blue on top once turned): red was stored on top.
        const int w = d->image.width, h = d->image.height;
        EXPECT_GT(MeanAt(d->image.pixels, w, w / 4, h / 8, w / 2, h / 4, 2), 150) << "blue on top";
        EXPECT_GT(MeanAt(d->image.pixels, w, w / 4, 5 * h / 8, w / 2, h / 4, 0), 150) << "red below";
      }
    }
  }
}

// A PNG's transparent pixels are flattened onto white, and 16-bit and palette PNGs decode to 8-bit RGB.
TEST_F(DecodeTest, PngAlphaSixteenBitAndPaletteDecodeAsRgb) {
  VImage rgb = VImage::black(64, 48, VImage::option()->set("bands", 3)) + std::vector<double>{200, 40, 40};
  VImage alpha = VImage::black(64, 48).insert(VImage::black(32, 48) + 255, 0, 0);  // left half opaque
  rgb.bandjoin(alpha).cast(VIPS_FORMAT_UCHAR).write_to_file((dir_ / "alpha.png").c_str());
  auto a = DecodeImage(dir_ / "alpha.png", {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_NEAR(MeanAt(a->image.pixels, 64, 4, 4, 20, 40, 0), 200, 2);
  EXPECT_NEAR(MeanAt(a->image.pixels, 64, 4, 4, 20, 40, 1), 40, 2);
  EXPECT_NEAR(MeanAt(a->image.pixels, 64, 40, 4, 20, 40, 1), 255, 2);  // transparent: white
  VImage deep = (VImage::black(64, 48, VImage::option()->set("bands", 3)) + std::vector<double>{51400, 10280, 0})
                    .cast(VIPS_FORMAT_USHORT)
                    .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_RGB16));
  deep.write_to_file((dir_ / "deep.png").c_str());
  auto b = DecodeImage(dir_ / "deep.png", {});
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NEAR(MeanAt(b->image.pixels, 64, 0, 0, 64, 48, 0), 200, 3);
  EXPECT_NEAR(MeanAt(b->image.pixels, 64, 0, 0, 64, 48, 1), 40, 3);
  rgb.cast(VIPS_FORMAT_UCHAR).write_to_file((dir_ / "palette.png").c_str(), VImage::option()->set("palette", true));
  auto c = DecodeImage(dir_ / "palette.png", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_NEAR(MeanAt(c->image.pixels, 64, 0, 0, 64, 48, 0), 200, 3);
}

// A PNG whose data is damaged after its header is refused with the decoder's reason, as before the direct path.
TEST_F(DecodeTest, DamagedPngIsUnreadableWithReason) {
  auto bytes = base::ReadFile(Make("full.png"));
  ASSERT_TRUE(bytes.ok());
  std::string cut = bytes->substr(0, bytes->size() / 2);
  auto d = DecodeImage(WriteBytes("cut.png", cut), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::Code::kCorrupt);
  EXPECT_NE(d.status().message().find("png decoder"), std::string::npos) << d.status().message();
}

// libvips fails some PNGs with an empty error and says what is wrong only in a warning: the reason is never blank.
TEST_F(DecodeTest, APngWithAHeaderAndNothingElseIsUnreadableWithAReasonThatSaysSo) {
  // The signature, a header for 60000 x 60000 RGB, and the end chunk: no image data at all.
  const std::string png =
      std::string("\x89PNG\r\n\x1a\n", 8) +
      std::string("\x00\x00\x00\x0dIHDR\x00\x00\xea\x60\x00\x00\xea\x60\x08\x02\x00\x00\x00\x0f\xb0\xe2\x15", 25) +
      std::string("\x00\x00\x00\x00IEND\xae\x42\x60\x82", 12);
  for (const char* name : {"header_only.png", "header_only_again.png"}) {
    auto d = DecodeImage(WriteBytes(name, png), {});
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), base::Code::kCorrupt);
    const std::string& message = d.status().message();
    EXPECT_NE(message.find("png decoder: the file is damaged ("), std::string::npos) << message;
    EXPECT_EQ(message.find("png decoder: ."), std::string::npos) << message;
    EXPECT_NE(message.back(), ' ') << message;
  }
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
  // Text in UTF-8 is text, shown to the end of the character at the 24th byte; bytes that are not UTF-8 are not.
  EXPECT_EQ(said("readme.md", "# photos/ \xE2\x80\x94 base photos for duplicates"),
            "not a supported image format: it is text, starting \"# photos/ \xE2\x80\x94 base photo\"");
  EXPECT_EQ(said("notes.txt", "Fotos aus K\xC3\xB6ln und M\xC3\xBCnchen, Sommer"),
            "not a supported image format: it is text, starting \"Fotos aus K\xC3\xB6ln und M\xC3\xBCn\"");
  EXPECT_EQ(said("list.txt", "Ferienfotos Sommer 2026\xE2\x80\x93 Rom"),
            "not a supported image format: it is text, starting \"Ferienfotos Sommer 2026\xE2\x80\x93\"");
  EXPECT_EQ(said("latin1.txt", "Fotos aus K\xF6ln und M\xFCnchen, Sommer"),
            "not a supported image format: it starts with the bytes 466f746f73206175");
}

TEST_F(DecodeTest, TruncatedJpegIsUnreadableWithReason) {
  auto bytes = base::ReadFile(Make("full.jpg"));
  ASSERT_TRUE(bytes.ok());
  auto d = DecodeImage(WriteBytes("cut.jpg", bytes->substr(0, bytes->size() / 2)), {});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), base::Code::kCorrupt);
  EXPECT_NE(d.status().message().find("jpeg decoder"), std::string::npos) << d.status().message();
  // In words a user can act on first, the decoder's own after them.
  EXPECT_NE(d.status().message().find("the file ends early, as if cut off while being downloaded or copied"),
            std::string::npos)
      << d.status().message();
}

// libpng says only "read error" for a PNG cut short; without its closing IEND chunk it was cut off, and is said so.
TEST_F(DecodeTest, TruncatedPngIsSaidToEndEarly) {
  // Noise, so that the rows left out are in the missing bytes (a flat picture's rows all fit in its first bytes).
  const fs::path full = dir_ / "noise.png";
  (VImage::gaussnoise(400, 300, VImage::option()->set("sigma", 60)) + 128)
      .cast(VIPS_FORMAT_UCHAR)
      .write_to_file(full.c_str());
  auto bytes = base::ReadFile(full);
  ASSERT_TRUE(bytes.ok());
  const std::string cut = bytes->substr(0, bytes->size() * 2 / 3);
  for (const auto& d :
       {DecodeImage(WriteBytes("cut.png", cut), {}), DecodeImage(WriteBytes("cut2.png", cut), cut, {})}) {
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), base::Code::kCorrupt);
    EXPECT_NE(d.status().message().find("png decoder: the file ends early, as if cut off"), std::string::npos)
        << d.status().message();
  }
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

// Intake decodes from the bytes it read for the hash and the staged copy: the same facts, pixels and errors as
// decoding the file, for every format, orientation and size, and for files the direct path leaves to libvips.
TEST_F(DecodeTest, DecodingGivenTheBytesGivesWhatDecodingTheFileGives) {
  std::vector<fs::path> files;
  for (std::string name : {"b.jpg", "b.png", "b.webp", "b.tif", "b.gif"}) files.push_back(Make(name));
  for (int orientation : {3, 6, 8}) {
    files.push_back(Make("r" + std::to_string(orientation) + ".jpg", orientation));
    files.push_back(Make("r" + std::to_string(orientation) + ".png", orientation));
  }
  VImage cmyk = (VImage::black(120, 90, VImage::option()->set("bands", 4)) + std::vector<double>{10, 200, 40, 5})
                    .cast(VIPS_FORMAT_UCHAR)
                    .copy(VImage::option()->set("interpretation", VIPS_INTERPRETATION_CMYK));
  cmyk.write_to_file((dir_ / "cmyk.jpg").c_str());  // left to libvips by the direct path
  files.push_back(dir_ / "cmyk.jpg");
  auto full_jpeg = base::ReadFile(files[0]), full_png = base::ReadFile(files[1]);
  ASSERT_TRUE(full_jpeg.ok() && full_png.ok());
  files.push_back(WriteBytes("cut.jpg", full_jpeg->substr(0, full_jpeg->size() / 2)));
  files.push_back(WriteBytes("cut.png", full_png->substr(0, full_png->size() / 2)));
  files.push_back(WriteBytes("head-only.jpg", full_jpeg->substr(0, 40)));
  files.push_back(WriteBytes("text.jpg", "hello, this is text"));
  // Camera photos, with their EXIF facts.
  for (const auto& e : fs::directory_iterator(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces")) {
    if (e.path().extension() == ".jpg") files.push_back(e.path());
  }
  for (const fs::path& file : files) {
    for (DecodeOptions options : {DecodeOptions{}, DecodeOptions{.max_side_px = 100}, DecodeOptions{.max_pixels = 1000},
                                  DecodeOptions{.max_side_px = 256, .min_side_px = 64}}) {
      SCOPED_TRACE(file.filename().string() + " at " + std::to_string(options.max_side_px));
      auto bytes = base::ReadFile(file);
      ASSERT_TRUE(bytes.ok());
      auto from_file = DecodeImage(file, options);
      auto from_bytes = DecodeImage(file, *bytes, options);
      ASSERT_EQ(from_bytes.ok(), from_file.ok())
          << from_file.status().ToString() << " / " << from_bytes.status().ToString();
      if (!from_file.ok()) {
        EXPECT_EQ(from_bytes.status().code(), from_file.status().code());
        EXPECT_EQ(from_bytes.status().message(), from_file.status().message());
        continue;
      }
      EXPECT_EQ(from_bytes->info.width, from_file->info.width);
      EXPECT_EQ(from_bytes->info.height, from_file->info.height);
      EXPECT_EQ(from_bytes->info.orientation, from_file->info.orientation);
      EXPECT_EQ(from_bytes->info.format, from_file->info.format);
      EXPECT_EQ(from_bytes->info.taken_at, from_file->info.taken_at);
      EXPECT_EQ(from_bytes->info.camera, from_file->info.camera);
      EXPECT_EQ(from_bytes->info.lens, from_file->info.lens);
      EXPECT_EQ(from_bytes->info.iso, from_file->info.iso);
      EXPECT_EQ(from_bytes->info.exposure_s, from_file->info.exposure_s);
      EXPECT_EQ(from_bytes->info.has_gps, from_file->info.has_gps);
      EXPECT_EQ(from_bytes->info.latitude, from_file->info.latitude);
      EXPECT_EQ(from_bytes->image.width, from_file->image.width);
      EXPECT_EQ(from_bytes->image.height, from_file->image.height);
      EXPECT_TRUE(from_bytes->image.pixels == from_file->image.pixels);
    }
  }
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

// A thumbnail that cannot be written (a full disk, a folder gone) is this machine's I/O error, not a damaged photo:
// the server answered 422 "corrupt" with libvips's text for a healthy photo on a full disk.
TEST_F(DecodeTest, AThumbnailThatCannotBeWrittenIsAnIoErrorNotADamagedPhoto) {
  const fs::path thumb = dir_ / "gone" / "t.jpg";
  base::Status st = WriteJpegThumbnail(Make("src.png"), thumb, 64, DecodeOptions{}.max_pixels);
  EXPECT_EQ(st.code(), base::Code::kIo) << st.ToString();
  EXPECT_NE(st.message().find("could not write the thumbnail"), std::string::npos) << st.ToString();
  EXPECT_FALSE(fs::exists(dir_ / "gone"));
  // A damaged source is still one.
  std::ofstream(dir_ / "broken.jpg") << "\xff\xd8\xff\xe0 not a jpeg";
  EXPECT_EQ(WriteJpegThumbnail(dir_ / "broken.jpg", dir_ / "b.jpg", 64, DecodeOptions{}.max_pixels).code(),
            base::Code::kCorrupt);
  EXPECT_FALSE(fs::exists(dir_ / "b.jpg.tmp"));
}

}  // namespace
}  // namespace triage::vision
