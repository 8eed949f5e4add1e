// Specification of reading capture settings from libexif's formatted values.
#include "vision/exif_fields.h"

#include <gtest/gtest.h>

#include <map>

namespace triage::vision {
namespace {

TEST(ExifFieldsTest, ReadsRationalsAndNumbersInsideTheParentheses) {
  EXPECT_EQ(ExifRawNumbers("1/125 sec. (1/125, Rational, 1 components, 8 bytes)"), std::vector<double>{0.008});
  EXPECT_EQ(ExifRawNumbers("3200 (3200, Short, 1 components, 2 bytes)"), std::vector<double>{3200});
  EXPECT_EQ(ExifRawNumbers("52, 22, 30 (52/1 22/1 300/10, Rational, 3 components, 24 bytes)"),
            (std::vector<double>{52, 22, 30}));
}

TEST(ExifFieldsTest, OnlyDecimalNumbersAreRead) {
  for (const char* raw : {"nan 0 0 (x, Rational)", "inf (x, Rational)", "0x10 (x, Short)", "Infinity (x, Short)"}) {
    EXPECT_TRUE(ExifRawNumbers(raw).empty()) << raw;
  }
  EXPECT_EQ(ExifRawNumbers("-1/4 (-0.25, SRational, 1 components, 8 bytes)"), std::vector<double>{-0.25});
  EXPECT_EQ(ExifRawNumbers("  0/0 (0, Rational)"), std::vector<double>{0});
}

TEST(ExifFieldsTest, MalformedTextGivesNothing) {
  EXPECT_TRUE(ExifRawNumbers("").empty());
  EXPECT_TRUE(ExifRawNumbers("f/2.8").empty());
  EXPECT_TRUE(ExifRawNumbers("x (abc, Rational)").empty());
  EXPECT_EQ(ExifRawNumbers("x (1/0, Rational)"), std::vector<double>{0});
}

// As libvips 8.14 gives them (read from a JPEG that exiftool wrote): the raw components first. The f-number and the GPS
// position read nothing when only the parenthesis was read ("f/2.8", "33, 52, 0.12").
TEST(ExifFieldsTest, ReadsTheRawComponentsLibvipsWritesFirst) {
  std::map<std::string, std::string> fields = {
      {"exif-ifd2-LensModel",
       "RF100mm F2.8 L MACRO IS USM (RF100mm F2.8 L MACRO IS USM, ASCII, 28 components, 28 bytes)"},
      {"exif-ifd2-ISOSpeedRatings", "100 (100, Short, 1 components, 2 bytes)"},
      {"exif-ifd2-ExposureTime", "1/250 (1/250 sec., Rational, 1 components, 8 bytes)"},
      {"exif-ifd2-FNumber", "14/5 (f/2.8, Rational, 1 components, 8 bytes)"},
      {"exif-ifd2-FocalLength", "100/1 (100.0 mm, Rational, 1 components, 8 bytes)"},
      {"exif-ifd3-GPSLatitude", "33/1 52/1 3/25 (33, 52, 0.12, Rational, 3 components, 24 bytes)"},
      {"exif-ifd3-GPSLatitudeRef", "S (S, ASCII, 2 components, 2 bytes)"},
      {"exif-ifd3-GPSLongitude", "151/1 12/1 36/1 (151, 12, 36, Rational, 3 components, 24 bytes)"},
      {"exif-ifd3-GPSLongitudeRef", "E (E, ASCII, 2 components, 2 bytes)"}};
  model::ImageInfo info;
  FillCaptureSettings([&](const char* f) { return fields.count(f) ? fields[f] : std::string(); }, info);
  EXPECT_EQ(info.lens, "RF100mm F2.8 L MACRO IS USM");
  EXPECT_EQ(info.iso, 100);
  EXPECT_DOUBLE_EQ(info.exposure_s, 0.004);
  EXPECT_DOUBLE_EQ(info.f_number, 2.8);
  EXPECT_DOUBLE_EQ(info.focal_length_mm, 100);
  ASSERT_TRUE(info.has_gps);
  EXPECT_NEAR(info.latitude, -(33 + 52 / 60.0 + 0.12 / 3600), 1e-9);
  EXPECT_NEAR(info.longitude, 151.21, 1e-9);
}

TEST(ExifFieldsTest, FillsCaptureSettingsAndSignsTheGpsPosition) {
  std::map<std::string, std::string> fields = {
      {"exif-ifd2-LensModel", "EF50mm f/1.8 (EF50mm f/1.8, ASCII, 13 components, 13 bytes)"},
      {"exif-ifd2-ISOSpeedRatings", "800 (800, Short, 1 components, 2 bytes)"},
      {"exif-ifd2-ExposureTime", "15 sec. (15/1, Rational, 1 components, 8 bytes)"},
      {"exif-ifd2-FNumber", "f/2.8 (28/10, Rational, 1 components, 8 bytes)"},
      {"exif-ifd2-FocalLength", "50.0 mm (500/10, Rational, 1 components, 8 bytes)"},
      {"exif-ifd3-GPSLatitude", "33, 52, 0 (33/1 52/1 0/1, Rational, 3 components, 24 bytes)"},
      {"exif-ifd3-GPSLatitudeRef", "S (S, ASCII, 2 components, 2 bytes)"},
      {"exif-ifd3-GPSLongitude", "151, 12, 36 (151/1 12/1 36/1, Rational, 3 components, 24 bytes)"},
      {"exif-ifd3-GPSLongitudeRef", "E (E, ASCII, 2 components, 2 bytes)"}};
  model::ImageInfo info;
  FillCaptureSettings([&](const char* f) { return fields.count(f) ? fields[f] : std::string(); }, info);
  EXPECT_EQ(info.lens, "EF50mm f/1.8");
  EXPECT_EQ(info.iso, 800);
  EXPECT_EQ(info.exposure_s, 15);
  EXPECT_DOUBLE_EQ(info.f_number, 2.8);
  EXPECT_DOUBLE_EQ(info.focal_length_mm, 50);
  ASSERT_TRUE(info.has_gps);
  EXPECT_NEAR(info.latitude, -(33 + 52 / 60.0), 1e-9);
  EXPECT_NEAR(info.longitude, 151.21, 1e-9);
}

TEST(ExifFieldsTest, ACaptureTimeIsARealMomentOrNothing) {
  EXPECT_EQ(ExifCaptureTime("2019:05:01 12:00:00 (2019:05:01 12:00:00, ASCII, 20 components, 20 bytes)", ""),
            "2019-05-01T12:00:00");
  EXPECT_EQ(ExifCaptureTime("2019:05:01 12:00:00", "45 (45, ASCII, 3 components, 3 bytes)"), "2019-05-01T12:00:00.45");
  EXPECT_EQ(ExifCaptureTime("2024:02:29 23:59:59", ""), "2024-02-29T23:59:59");  // a leap day
  for (const char* impossible : {"0000:00:00 00:00:00", "    :  :     :  :  ", "2024:13:45 25:61:61",
                                 "2024:02:30 10:00:00", "2023:02:29 10:00:00", "-001:01:01 00:00:00", "2019:05:01"}) {
    EXPECT_EQ(ExifCaptureTime(impossible, "12"), "") << impossible;
  }
}

// The make once, and no space left over when the file names only one of the two.
TEST(ExifFieldsTest, NamesTheCameraByMakeAndModel) {
  EXPECT_EQ(CameraName("Canon", "Canon EOS R5"), "Canon EOS R5");
  EXPECT_EQ(CameraName("NIKON CORPORATION", "NIKON D850"), "NIKON CORPORATION NIKON D850");
  EXPECT_EQ(CameraName("Canon", ""), "Canon");
  EXPECT_EQ(CameraName("", "iPhone 15"), "iPhone 15");
  EXPECT_EQ(CameraName("", ""), "");
}

}  // namespace
}  // namespace triage::vision
