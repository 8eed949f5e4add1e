// Specification of the direct JPEG and PNG header reading: the same facts as libvips's header load, field by field,
// on EXIF blocks of every kind the photos' fields come in (and some they should not).
#include "vision/header_direct.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <exiv2/exiv2.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vips/vips8>

#include "base/files.h"
#include "vision/decode.h"

namespace triage::vision::internal {
namespace {

namespace fs = std::filesystem;
using vips::VImage;

std::string Describe(const model::ImageInfo& i) {
  return i.format + " " + std::to_string(i.width) + "x" + std::to_string(i.height) + " o" +
         std::to_string(i.orientation) + " [" + i.taken_at + "] [" + i.camera + "] [" + i.lens + "] iso " +
         std::to_string(i.iso) + " t " + std::to_string(i.exposure_s) + " f " + std::to_string(i.f_number) + " mm " +
         std::to_string(i.focal_length_mm) + " gps " + std::to_string(i.has_gps) + " " + std::to_string(i.latitude) +
         "," + std::to_string(i.longitude);
}

void ExpectSameInfo(const model::ImageInfo& direct, const model::ImageInfo& reference, const std::string& what) {
  EXPECT_EQ(direct.format, reference.format) << what;
  EXPECT_EQ(direct.width, reference.width) << what;
  EXPECT_EQ(direct.height, reference.height) << what;
  EXPECT_EQ(direct.orientation, reference.orientation) << what;
  EXPECT_EQ(direct.taken_at, reference.taken_at) << what;
  EXPECT_EQ(direct.camera, reference.camera) << what;
  EXPECT_EQ(direct.lens, reference.lens) << what;
  EXPECT_EQ(direct.iso, reference.iso) << what;
  EXPECT_EQ(direct.exposure_s, reference.exposure_s) << what;
  EXPECT_EQ(direct.f_number, reference.f_number) << what;
  EXPECT_EQ(direct.focal_length_mm, reference.focal_length_mm) << what;
  EXPECT_EQ(direct.has_gps, reference.has_gps) << what;
  EXPECT_EQ(direct.latitude, reference.latitude) << what;
  EXPECT_EQ(direct.longitude, reference.longitude) << what;
}

class HeaderDirectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("header_direct_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    StartDecoders();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A 40x30 picture saved as `name` (its format by the extension), EXIF written by `edit` when given.
  fs::path Make(const std::string& name, const std::function<void(Exiv2::ExifData&)>& edit = {},
                Exiv2::ByteOrder order = Exiv2::littleEndian) {
    VImage img = (VImage::black(40, 30, VImage::option()->set("bands", 3)) + 90).cast(VIPS_FORMAT_UCHAR);
    const fs::path p = dir_ / name;
    img.write_to_file(p.c_str(), VImage::option()->set("strip", true));
    if (edit) {
      auto image = Exiv2::ImageFactory::open(p.string());
      image->readMetadata();
      Exiv2::ExifData& exif = image->exifData();
      edit(exif);
      image->setByteOrder(order);
      image->writeMetadata();
    }
    return p;
  }

  // The direct reading of `path` agrees with libvips's, and returns it.
  model::ImageInfo Check(const fs::path& path) {
    auto bytes = base::ReadFile(path);
    EXPECT_TRUE(bytes.ok());
    const std::string format = path.extension() == ".png" ? "png" : "jpeg";
    auto reference = LibvipsHeaderInfo(path);
    EXPECT_TRUE(reference.ok()) << path << ": " << reference.status().ToString();
    auto direct = HeaderInfoDirect(format, *bytes);
    EXPECT_TRUE(direct.has_value()) << path;
    if (!direct || !reference.ok()) return {};
    ExpectSameInfo(*direct, *reference,
                   path.filename().string() + ": " + Describe(*direct) + " | " + Describe(*reference));
    return *direct;
  }

  fs::path dir_;
};

TEST_F(HeaderDirectTest, ReadsThePhotosFieldsAsLibvips) {
  const model::ImageInfo info = Check(Make("full.jpg", [](Exiv2::ExifData& e) {
    e["Exif.Image.Make"] = "Canon";
    e["Exif.Image.Model"] = "Canon EOS R5";
    e["Exif.Image.Orientation"] = uint16_t{6};
    e["Exif.Photo.DateTimeOriginal"] = "2024:05:01 10:00:00";
    e["Exif.Photo.SubSecTimeOriginal"] = "25";
    e["Exif.Photo.LensModel"] = "RF100mm F2.8 L MACRO IS USM";
    e["Exif.Photo.ISOSpeedRatings"] = uint16_t{3200};
    e["Exif.Photo.ExposureTime"] = Exiv2::URational(1, 250);
    e["Exif.Photo.FNumber"] = Exiv2::URational(14, 5);
    e["Exif.Photo.FocalLength"] = Exiv2::URational(100, 1);
    e["Exif.GPSInfo.GPSLatitudeRef"] = "S";
    e["Exif.GPSInfo.GPSLatitude"] = "33/1 52/1 3/25";
    e["Exif.GPSInfo.GPSLongitudeRef"] = "E";
    e["Exif.GPSInfo.GPSLongitude"] = "151/1 12/1 36/1";
  }));
  // Not only equal: read at all (a reading that found nothing would agree with one that did not either).
  EXPECT_EQ(info.width, 30) << "turned by its orientation";
  EXPECT_EQ(info.orientation, 6);
  EXPECT_EQ(info.taken_at, "2024-05-01T10:00:00.25");
  EXPECT_EQ(info.camera, "Canon EOS R5");
  EXPECT_EQ(info.lens, "RF100mm F2.8 L MACRO IS USM");
  EXPECT_EQ(info.iso, 3200);
  EXPECT_DOUBLE_EQ(info.exposure_s, 0.004);
  EXPECT_DOUBLE_EQ(info.f_number, 2.8);
  EXPECT_TRUE(info.has_gps);
}

TEST_F(HeaderDirectTest, EveryOrientationAndOnesOutOfRange) {
  for (int o : {1, 2, 3, 4, 5, 6, 7, 8, 0, 9, 65535}) {
    const model::ImageInfo info = Check(Make("o" + std::to_string(o) + ".jpg", [o](Exiv2::ExifData& e) {
      e["Exif.Image.Orientation"] = static_cast<uint16_t>(o);
    }));
    EXPECT_EQ(info.orientation, o >= 1 && o <= 8 ? o : 1) << o;
  }
  // A long instead of a short; a rational.
  Check(Make("olong.jpg", [](Exiv2::ExifData& e) { e["Exif.Image.Orientation"] = uint32_t{8}; }));
  Check(Make("orational.jpg", [](Exiv2::ExifData& e) { e["Exif.Image.Orientation"] = Exiv2::URational(6, 1); }));
}

TEST_F(HeaderDirectTest, BothByteOrdersAndNoExifAtAll) {
  auto fields = [](Exiv2::ExifData& e) {
    e["Exif.Image.Make"] = "NIKON CORPORATION";
    e["Exif.Image.Model"] = "NIKON D850";
    e["Exif.Photo.DateTimeOriginal"] = "2019:12:31 23:59:59";
    e["Exif.Photo.ExposureTime"] = Exiv2::URational(15, 1);
  };
  EXPECT_EQ(Check(Make("big.jpg", fields, Exiv2::bigEndian)).camera, "NIKON CORPORATION NIKON D850");
  EXPECT_EQ(Check(Make("little.jpg", fields, Exiv2::littleEndian)).exposure_s, 15);
  EXPECT_EQ(Check(Make("none.jpg")).camera, "");
}

// Values the fields should not hold, and fields where they should not be: read exactly as libvips reads them.
TEST_F(HeaderDirectTest, OddValuesAreReadAsLibvipsReadsThem) {
  const std::vector<std::function<void(Exiv2::ExifData&)>> edits = {
      [](Exiv2::ExifData& e) { e["Exif.Photo.DateTimeOriginal"] = "0000:00:00 00:00:00"; },
      [](Exiv2::ExifData& e) { e["Exif.Photo.DateTimeOriginal"] = "2019:02:30 10:00:00"; },
      [](Exiv2::ExifData& e) { e["Exif.Photo.DateTimeOriginal"] = "    :  :     :  :  "; },
      [](Exiv2::ExifData& e) {
        e["Exif.Photo.DateTimeOriginal"] = "2019:05:01 12:00:00";
        e["Exif.Photo.SubSecTimeOriginal"] = "45 ";
      },
      // In IFD0 instead of the EXIF directory: not read by libvips, nor here.
      [](Exiv2::ExifData& e) { e["Exif.Image.DateTimeOriginal"] = "2019:05:01 12:00:00"; },
      [](Exiv2::ExifData& e) {
        e["Exif.Image.Make"] = "Canon   ";
        e["Exif.Image.Model"] = "  ";
      },
      [](Exiv2::ExifData& e) { e["Exif.Image.Make"] = "Fuji (Japan)"; },
      [](Exiv2::ExifData& e) { e["Exif.Image.Make"] = std::string("Caf\xE9\xFF", 6); },  // not UTF-8
      [](Exiv2::ExifData& e) { e["Exif.Photo.ISOSpeedRatings"] = uint32_t{102400}; },
      [](Exiv2::ExifData& e) { e["Exif.Photo.ISOSpeedRatings"] = "100 200 400 800 1600 3200 6400 100 200 400 800"; },
      [](Exiv2::ExifData& e) { e["Exif.Photo.FNumber"] = Exiv2::URational(28, 0); },
      [](Exiv2::ExifData& e) { e["Exif.Photo.ExposureTime"] = Exiv2::Rational(-1, 4); },
      [](Exiv2::ExifData& e) { e["Exif.Photo.FocalLength"] = uint16_t{50}; },
      [](Exiv2::ExifData& e) {
        e["Exif.GPSInfo.GPSLatitude"] = "33/1 52/1";  // two components
        e["Exif.GPSInfo.GPSLongitude"] = "151/1 12/1 36/1";
        e["Exif.GPSInfo.GPSLongitudeRef"] = "W";
      },
      [](Exiv2::ExifData& e) { e["Exif.Photo.LensModel"] = std::string(300, 'L'); },
  };
  for (size_t i = 0; i < edits.size(); ++i) Check(Make("odd" + std::to_string(i) + ".jpg", edits[i]));
}

// libvips reads the first APP1 block that is EXIF; an XMP block (also APP1) before it is no EXIF.
TEST_F(HeaderDirectTest, TheFirstExifBlockCounts) {
  auto with_make = [&](const std::string& name, const std::string& make) {
    auto bytes = base::ReadFile(Make(name, [&](Exiv2::ExifData& e) { e["Exif.Image.Make"] = make; }));
    return *bytes;
  };
  const std::string first = with_make("first.jpg", "First"), second = with_make("second.jpg", "Second");
  // The APP1 segment of `jpeg`: FFE1, its length, its data (right after SOI here: the files carry nothing else).
  auto app1 = [](const std::string& jpeg) {
    EXPECT_EQ(static_cast<unsigned char>(jpeg[2]), 0xFF);
    EXPECT_EQ(static_cast<unsigned char>(jpeg[3]), 0xE1);
    const size_t length = static_cast<unsigned char>(jpeg[4]) * 256u + static_cast<unsigned char>(jpeg[5]);
    return jpeg.substr(2, 2 + length);
  };
  const std::string xmp_data = "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>";
  const std::string xmp =
      std::string("\xFF\xE1") + static_cast<char>(0) + static_cast<char>(xmp_data.size() + 2) + xmp_data;
  const std::string both = first.substr(0, 2) + xmp + app1(first) + app1(second) + first.substr(2 + app1(first).size());
  std::ofstream(dir_ / "both.jpg", std::ios::binary) << both;
  EXPECT_EQ(Check(dir_ / "both.jpg").camera, "First");
}

TEST_F(HeaderDirectTest, APngsSizeAndWhatIsLeftToLibvips) {
  const model::ImageInfo info = Check(Make("plain.png"));
  EXPECT_EQ(info.width, 40);
  EXPECT_EQ(info.format, "png");
  auto bytes = base::ReadFile(dir_ / "plain.png");
  ASSERT_TRUE(bytes.ok());
  // A header with a wrong CRC, one cut short, one without image data: libvips says what is wrong with them.
  std::string bad_crc = *bytes;
  bad_crc[29] ^= 1;
  EXPECT_FALSE(HeaderInfoDirect("png", bad_crc));
  EXPECT_FALSE(HeaderInfoDirect("png", bytes->substr(0, 40)));
  EXPECT_FALSE(HeaderInfoDirect("png", bytes->substr(0, 33) + std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12)));
  // EXIF in a PNG (an eXIf chunk before the image data) is left to libvips.
  EXPECT_FALSE(HeaderInfoDirect(
      "png", bytes->substr(0, 33) + std::string("\0\0\0\x08eXIfMM\0*\0\0\0\x08\0\0\0\0", 20) + bytes->substr(33)));
  // A damaged JPEG header, and bytes that are no JPEG.
  EXPECT_FALSE(HeaderInfoDirect("jpeg", std::string("\xFF\xD8\xFF\xC0\x00\x02", 6)));
  EXPECT_FALSE(HeaderInfoDirect("jpeg", "not a jpeg at all"));
}

// With TRIAGE_HEADER_PARITY_DIR naming a folder of photos, every JPEG and PNG in it is read both ways too (a check
// to run over a photo collection; the cases above stand for it in every run).
TEST_F(HeaderDirectTest, PhotosInAFolderReadBothWays) {
  const char* folder = std::getenv("TRIAGE_HEADER_PARITY_DIR");
  if (folder == nullptr) GTEST_SKIP() << "TRIAGE_HEADER_PARITY_DIR not set";
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    std::string ext = entry.path().extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!entry.is_regular_file() || (ext != ".jpg" && ext != ".jpeg" && ext != ".png")) continue;
    auto bytes = base::ReadFile(entry.path());
    auto reference = LibvipsHeaderInfo(entry.path());
    if (!bytes.ok() || !reference.ok()) continue;
    auto direct = HeaderInfoDirect(reference->format, *bytes);
    if (!direct) continue;  // left to libvips
    ExpectSameInfo(*direct, *reference, entry.path().string());
    ++checked;
  }
  std::printf("%d photos read both ways\n", checked);
}

}  // namespace
}  // namespace triage::vision::internal
