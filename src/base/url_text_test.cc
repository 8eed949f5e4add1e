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

// A password holding a character that ends the host part ("/", "?", "#", a space) made a URL curl refuses, and the
// message quoted it whole; a port or an IPv6 address is no password, and an "@" in a query stays.
TEST(UrlTextTest, APasswordThatEndsTheHostPartEarlyIsDroppedToo) {
  for (const char* pw : {"pa/ss", "pa?ss", "pa#ss", "pa ss"}) {
    const std::string url = std::string("http://alice:") + pw + "@127.0.0.2:8080/x.jpg";
    EXPECT_EQ(WithoutUrlCredentials("malformed URL: " + url), "malformed URL: http://127.0.0.2:8080/x.jpg") << pw;
  }
  EXPECT_EQ(WithoutUrlCredentials("http://host:8080/a?mail=a@b"), "http://host:8080/a?mail=a@b");
  EXPECT_EQ(WithoutUrlCredentials("http://[fe80::1]/a?mail=a@b"), "http://[fe80::1]/a?mail=a@b");
  EXPECT_EQ(WithoutUrlCredentials("http://alice:pa/ss@h/x then mail a@b"), "http://h/x then mail a@b");
}

TEST(UrlTextTest, PasswordParametersOfADatabaseAddressAreMasked) {
  EXPECT_EQ(
      WithoutConnectionSecrets(
          "cannot connect to postgresql://triage@127.0.0.1:24281/cat1?password=wrongpw2&sslmode=disable: refused"),
      "cannot connect to postgresql://triage@127.0.0.1:24281/cat1?password=***&sslmode=disable: refused");
  EXPECT_EQ(WithoutConnectionSecrets("host=127.0.0.1 port=5 password=topsecret3 dbname=cat1"),
            "host=127.0.0.1 port=5 password=*** dbname=cat1");
  EXPECT_EQ(WithoutConnectionSecrets("host=h PASSWORD = 'top secret\\' x' dbname=d"), "host=h PASSWORD = *** dbname=d");
  EXPECT_EQ(WithoutConnectionSecrets("postgresql://u:pw@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(WithoutConnectionSecrets("user=triage passwordless=1"), "user=triage passwordless=1");
  // libpq decodes the keys of a URL's query: these are the password too.
  EXPECT_EQ(WithoutConnectionSecrets("postgresql://t@h:1/c?pass%77ord=S3CRETd&x=1"),
            "postgresql://t@h:1/c?pass%77ord=***&x=1");
  EXPECT_EQ(WithoutConnectionSecrets("postgresql://t@h/c?%70assword=S3CRETe"), "postgresql://t@h/c?%70assword=***");
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
