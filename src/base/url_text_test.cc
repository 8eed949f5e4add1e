#include "base/url_text.h"

#include <gtest/gtest.h>

#include <string>

namespace triage::base {
namespace {

TEST(UrlTextTest, DropsUserAndPasswordOfEveryUrlInAText) {
  EXPECT_EQ(WithoutUrlCredentials("http://user:pw@host/a.jpg"), "http://host/a.jpg");
  EXPECT_EQ(WithoutUrlCredentials("fetching https://u@h.example/x failed; redirected to http://a:b@c/d"),
            "fetching https://h.example/x failed; redirected to http://c/d");
  EXPECT_EQ(WithoutUrlCredentials("http://a@b@host/"), "http://host/");  // the host follows the last "@"
  EXPECT_EQ(WithoutUrlCredentials("HTTP://u:p@h"), "HTTP://h");
}

TEST(UrlTextTest, LeavesTextWithoutCredentialsAsItIs) {
  for (std::string text : {"", "http://host/a@b.jpg", "http://host?mail=a@b", "mail me at a@b.org", "://x@y", "1://x@y",
                           "no url here", "http://"}) {
    EXPECT_EQ(WithoutUrlCredentials(text), text) << text;
  }
}

TEST(UrlTextTest, MasksOnlyThePasswordWhenAskedTo) {
  EXPECT_EQ(
      WithoutUrlCredentials("cannot connect to postgresql://triage:s3cr:et@db.lan/lib", Credentials::kMaskPassword),
      "cannot connect to postgresql://triage:***@db.lan/lib");
  EXPECT_EQ(WithoutUrlCredentials("postgres://triage@db.lan/lib", Credentials::kMaskPassword),
            "postgres://triage@db.lan/lib");
}

// A URL of a hostile length (a redirect's Location, a pasted URL): read in one pass, where a backtracking regex
// recursed once per character and overflowed the stack.
TEST(UrlTextTest, AHugeUrlIsReadInOnePass) {
  const std::string letters(4'000'000, 'a');
  EXPECT_EQ(WithoutUrlCredentials("http://example.com/" + letters), "http://example.com/" + letters);
  EXPECT_EQ(WithoutUrlCredentials("http://" + letters + ":pw@host/"), "http://host/");
  std::string separators;
  for (int i = 0; i < 200'000; ++i) separators += "a://";
  EXPECT_EQ(WithoutUrlCredentials(separators), separators);
  EXPECT_EQ(WithoutUrlCredentials(std::string(1'000'000, '@')), std::string(1'000'000, '@'));
}

}  // namespace
}  // namespace triage::base
