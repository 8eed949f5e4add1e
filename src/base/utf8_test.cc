// Specification of the UTF-8 checks used for names that arrive as bytes.
#include "base/utf8.h"

#include <gtest/gtest.h>

namespace triage::base {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  for (const char* ok : {"", "photo.jpg", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD"}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
  }
}

TEST(Utf8Test, RejectsStrayBytesOverlongsSurrogatesAndTruncation) {
  for (const char* bad :
       {"\xFF\xFE.jpg", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xC3", "\xE2\x82", "\x80"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

TEST(Utf8Test, ReplacesEachInvalidByteAndKeepsTheRest) {
  EXPECT_EQ(ToValidUtf8("\xFF\xFE.jpg", "_"), "__.jpg");
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9\xFF"), "caf\xC3\xA9\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("plain"), "plain");
}

}  // namespace
}  // namespace triage::base
