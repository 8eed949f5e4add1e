// Specification of Status and Result.
#include "base/status.h"

#include <gtest/gtest.h>

namespace triage::base {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeAndContext) {
  Status s = Status::NotFound("no item 42").WithContext("review approve");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: review approve: no item 42");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 7;
  Result<int> bad = Status::Corrupt("truncated");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kCorrupt);
  EXPECT_TRUE(good.status().ok());
}

}  // namespace
}  // namespace triage::base
