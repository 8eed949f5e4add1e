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

// Long ASCII runs are read eight bytes at a time: a stray byte or a character is found wherever it stands.
TEST(Utf8Test, FindsAStrayByteAnywhereInALongAsciiRun) {
  for (size_t at = 0; at < 25; ++at) {
    std::string text(25, 'a');
    text[at] = '\xFF';
    EXPECT_FALSE(IsValidUtf8(text)) << at;
    std::string cut(25, 'a');
    cut.insert(at, "\xC3");  // the first byte of a two-byte character, alone
    EXPECT_FALSE(IsValidUtf8(cut)) << at;
    std::string whole(25, 'a');
    whole.insert(at, "\xC3\xA9");  // straddling every boundary of eight in turn
    EXPECT_TRUE(IsValidUtf8(whole)) << at;
  }
}

TEST(Utf8Test, ReplacesEachInvalidByteAndKeepsTheRest) {
  EXPECT_EQ(ToValidUtf8("\xFF\xFE.jpg", "_"), "__.jpg");
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9\xFF"), "caf\xC3\xA9\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("plain"), "plain");
}

TEST(Utf8Test, ForTerminalEscapesWhatWouldActOnTheTerminalAndKeepsTheRest) {
  // A name that would recolour the screen and move to a new line.
  EXPECT_EQ(ForTerminal("x\x1b[31mred\x1b[0m\n.jpg"), "x\\x1b[31mred\\x1b[0m\\n.jpg");
  EXPECT_EQ(ForTerminal("a\tb\rc\x7f"), "a\\tb\\rc\\x7f");
  // A C1 control (CSI) and a right-to-left override that would show "gpj.exe" as "exe.jpg".
  EXPECT_EQ(ForTerminal("\xC2\x9B"
                        "2J"),
            "\\u009b2J");
  EXPECT_EQ(ForTerminal("photo\xE2\x80\xAEgpj.exe"), "photo\\u202egpj.exe");
  EXPECT_EQ(ForTerminal("\xFF\xFE.jpg"), "\\xff\\xfe.jpg");
  // Any language's letters, an emoji and a euro sign are printable: unchanged.
  for (const char* ok : {"caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC.jpg", "\xF0\x9F\x98\x80 \xE2\x82\xAC 5.png", "plain"}) {
    EXPECT_EQ(ForTerminal(ok), ok);
  }
  EXPECT_EQ(ForTerminal("line one\nline\x1b two", true), "line one\nline\\x1b two");
}

}  // namespace

TEST(Utf8Test, ShortenedInMiddleKeepsBeginningAndEndWholeCharacters) {
  EXPECT_EQ(ShortenedInMiddle("short", 16), "short");
  const std::string name = std::string(100, 'a') + "_IMG_20240712_183455_v2";
  const std::string s = ShortenedInMiddle(name, 60);
  EXPECT_LE(s.size(), 60u);
  EXPECT_EQ(s.substr(0, 10), "aaaaaaaaaa");
  EXPECT_NE(s.find("\xE2\x80\xA6"), std::string::npos) << s;
  EXPECT_EQ(s.substr(s.size() - 9), "183455_v2") << s;
  // Two-byte characters on both sides of both cuts: never half of one.
  std::string wide;
  for (int i = 0; i < 80; ++i) wide += "\xC3\xA9";  // é
  for (size_t max : {16u, 17u, 31u, 60u, 61u}) {
    const std::string cut = ShortenedInMiddle(wide, max);
    EXPECT_LE(cut.size(), max);
    EXPECT_TRUE(IsValidUtf8(cut)) << max;
  }
}

}  // namespace triage::base
