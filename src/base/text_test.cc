// Specification of the words for counts.
#include "base/text.h"

#include <gtest/gtest.h>

namespace triage::base {
namespace {

// Every mention is replaced, also when the replacement holds what is replaced (no endless loop), and nothing else.
TEST(ReplacedAllTest, ReplacesEveryMentionOnce) {
  EXPECT_EQ(ReplacedAll("reading /s/a1.jpg: bad; /s/a1.jpg again", "/s/a1.jpg", "in/a.jpg"),
            "reading in/a.jpg: bad; in/a.jpg again");
  EXPECT_EQ(ReplacedAll("x/a.jpg", "a.jpg", "a.jpg.a.jpg"), "x/a.jpg.a.jpg");
  EXPECT_EQ(ReplacedAll("nothing here", "/s/", "in/"), "nothing here");
  EXPECT_EQ(ReplacedAll("text", "", "in/"), "text");
}

TEST(CountedTest, OneTakesTheSingularAndEveryOtherCountThePlural) {
  EXPECT_EQ(Counted(1, "photo"), "1 photo");
  EXPECT_EQ(Counted(0, "photo"), "0 photos");
  EXPECT_EQ(Counted(2, "reference face"), "2 reference faces");
  EXPECT_EQ(Counted(-1, "point"), "-1 points");
  EXPECT_EQ(Counted(3, "copy", "copies"), "3 copies");
  EXPECT_EQ(Counted(1, "copy", "copies"), "1 copy");
}

TEST(WithArticleTest, AnGoesBeforeAVowelAndABeforeAnythingElse) {
  EXPECT_EQ(WithArticle("approved"), "an approved");
  EXPECT_EQ(WithArticle("archived"), "an archived");
  EXPECT_EQ(WithArticle("pending"), "a pending");
  EXPECT_EQ(WithArticle("denied"), "a denied");
  EXPECT_EQ(WithArticle("stale"), "a stale");
  EXPECT_EQ(WithArticle("Unreadable"), "an Unreadable");
  EXPECT_EQ(WithArticle(""), "a ");
}

}  // namespace
}  // namespace triage::base
