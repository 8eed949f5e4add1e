// Specification of format sniffing and of the names images are stored under.
#include "model/image_format.h"

#include <gtest/gtest.h>

#include <string>

#include "base/utf8.h"

namespace triage::model {
namespace {

TEST(ImageFormatTest, RecognisesFormatsByTheirFirstBytes) {
  const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0};
  const unsigned char text[] = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(DetectImageFormat(jpeg, sizeof(jpeg)), "jpeg");
  EXPECT_EQ(DetectImageFormat(text, sizeof(text)), "");
}

TEST(ImageFormatTest, ExtensionsFitTheirFormatInAnyCase) {
  EXPECT_TRUE(ExtensionFits("jpg", "jpeg"));
  EXPECT_TRUE(ExtensionFits("JPEG", "jpeg"));
  EXPECT_TRUE(ExtensionFits("tif", "tiff"));
  EXPECT_TRUE(ExtensionFits("avif", "heif"));
  EXPECT_TRUE(ExtensionFits("PNG", "png"));
  EXPECT_FALSE(ExtensionFits("png", "jpeg"));
  EXPECT_FALSE(ExtensionFits("txt", "jpeg"));
  EXPECT_FALSE(ExtensionFits("", "jpeg"));
  EXPECT_FALSE(ExtensionFits("bin", ""));
}

struct NameCase {
  std::string sent;
  std::string format;
  std::string stored;
};

TEST(LibraryFileNameTest, EveryNameEndsInItsFormatsExtension) {
  const NameCase cases[] = {
      {"photo.jpg", "jpeg", "photo.jpg"},
      {"IMG_0001.JPG", "jpeg", "IMG_0001.JPG"},  // an extension that fits keeps its case
      {"scan.jpeg", "jpeg", "scan.jpeg"},
      {"...", "jpeg", "image.jpg"},
      {".", "jpeg", "image.jpg"},
      {"..", "png", "image.png"},
      {"", "jpeg", "image.jpg"},
      {" ", "jpeg", "image.jpg"},
      {".jpg", "jpeg", "image.jpg"},
      {".jpg", "png", "image.png"},  // the bytes say what it is, not the name
      {"a.txt", "jpeg", "a.jpg"},
      {"photo.png", "jpeg", "photo.jpg"},
      {"holiday", "webp", "holiday.webp"},
      {"photo.", "jpeg", "photo.jpg"},
      {"photo. . .", "jpeg", "photo.jpg"},
      {"IMG 2019.05.01", "jpeg", "IMG 2019.05.01.jpg"},  // a date is part of the name, not an extension
      {"scan.tif", "tiff", "scan.tif"},
      {"phone.avif", "heif", "phone.avif"},
      {"phone", "heif", "phone.heic"},
      {"../../etc/passwd", "jpeg", "_.._etc_passwd.jpg"},
      {"a/b\\c.jpg", "jpeg", "a_b_c.jpg"},
      {"-rf", "gif", "rf.gif"},
      {"caf\xC3\xA9", "png", "caf\xC3\xA9.png"},
  };
  for (const NameCase& c : cases) {
    EXPECT_EQ(LibraryFileName(c.sent, c.format), c.stored) << "sent \"" << c.sent << "\" as " << c.format;
  }
}

// A name too long for the library keeps its beginning and its end (a camera's counter), and gets its format's
// extension.
TEST(LibraryFileNameTest, ALongNameKeepsItsEnd) {
  const std::string stored = LibraryFileName(std::string(220, 'r') + "_IMG_20240712_183455_v2.txt", "jpeg");
  EXPECT_LE(stored.size(), 180u);
  EXPECT_EQ(stored.substr(stored.size() - 27), "_IMG_20240712_183455_v2.jpg") << stored;
  EXPECT_EQ(stored.substr(0, 3), "rrr");
}

TEST(LibraryFileNameTest, RawAndUnknownFormatsKeepTheirSafeName) {
  // Only the extension tells a DNG from a TIFF; an unreadable file's bytes name no format.
  EXPECT_EQ(LibraryFileName("IMG_1.DNG", "raw"), "IMG_1.DNG");
  EXPECT_EQ(LibraryFileName("notes.txt", ""), "notes.txt");
  EXPECT_EQ(LibraryFileName("...", ""), "image");
}

TEST(LibraryFileNameTest, LongNamesAreCutKeepingTheExtensionAndWholeCharacters) {
  for (const std::string& sent :
       {std::string(400, 'a'), std::string(400, 'a') + ".txt", std::string(1, 'a') + std::string(300, '\xC3') + "x"}) {
    const std::string stored = LibraryFileName(sent, "jpeg");
    EXPECT_LE(stored.size(), 180u) << stored;
    ASSERT_GE(stored.size(), 4u);
    EXPECT_EQ(stored.substr(stored.size() - 4), ".jpg") << stored;
  }
  // A multi-byte character is never cut in half.
  std::string umlauts;
  for (int i = 0; i < 200; ++i) umlauts += "\xC3\xA4";
  const std::string stored = LibraryFileName(umlauts, "jpeg");
  EXPECT_LE(stored.size(), 180u);
  EXPECT_TRUE(base::IsValidUtf8(stored)) << stored;
  const std::string stem = stored.substr(0, stored.size() - 4);
  EXPECT_EQ(stem.substr(0, 2), "\xC3\xA4");
  EXPECT_EQ(stem.substr(stem.size() - 2), "\xC3\xA4");
  EXPECT_NE(stem.find("\xE2\x80\xA6"), std::string::npos) << "cut in the middle: " << stem;
}

}  // namespace
}  // namespace triage::model
