// Specification of the words for counts.
#include "base/text.h"

#include <gtest/gtest.h>

namespace triage::base {
namespace {

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
