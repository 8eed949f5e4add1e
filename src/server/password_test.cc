// Specification of password hashing.
#include "server/password.h"

#include <gtest/gtest.h>

namespace triage::server {
namespace {

TEST(PasswordTest, HashVerifiesOnlyTheSamePassword) {
  auto hash = HashPassword("correct horse");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword("correct horse", *hash));
  EXPECT_FALSE(VerifyPassword("correct horsf", *hash));
  EXPECT_FALSE(VerifyPassword("", *hash));
}

TEST(PasswordTest, StoresSaltColonHashWithFreshSalt) {
  auto a = HashPassword("pw");
  auto b = HashPassword("pw");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  size_t colon = a->find(':');
  ASSERT_NE(colon, std::string::npos);
  EXPECT_EQ(colon, 32u);                  // 16 salt bytes
  EXPECT_EQ(a->size() - colon - 1, 64u);  // 32 hash bytes
}

TEST(PasswordTest, UsesAtLeast200000Iterations) { EXPECT_GE(kPbkdf2Iterations, 200'000); }

TEST(PasswordTest, MalformedStoredHashNeverMatches) {
  EXPECT_FALSE(VerifyPassword("pw", ""));
  EXPECT_FALSE(VerifyPassword("pw", "nocolon"));
  EXPECT_FALSE(VerifyPassword("pw", "zz:zz"));
  EXPECT_FALSE(VerifyPassword("pw", "00:"));
}

TEST(PasswordTest, Sha256HexMatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(PasswordTest, RandomHexHasRequestedLengthAndVaries) {
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

}  // namespace
}  // namespace triage::server
