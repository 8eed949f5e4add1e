// Specification of the role matrix.
#include "server/roles.h"

#include <gtest/gtest.h>

namespace triage::server {
namespace {

struct Row {
  const char* role;
  bool view, review, persons, config, users, undo_others;
};

TEST(RolesTest, MatrixGrantsWhatEachRoleMayDo) {
  const Row rows[] = {
      {"user", true, true, false, false, false, false},   {"admin", true, true, true, true, false, true},
      {"superadmin", true, true, true, true, true, true}, {"root", false, false, false, false, false, false},
      {"", false, false, false, false, false, false},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.role);
    EXPECT_EQ(RoleAllows(r.role, Permission::kView), r.view);
    EXPECT_EQ(RoleAllows(r.role, Permission::kReview), r.review);
    EXPECT_EQ(RoleAllows(r.role, Permission::kManagePersons), r.persons);
    EXPECT_EQ(RoleAllows(r.role, Permission::kDecideProposals), r.persons);  // admins decide proposals
    EXPECT_EQ(RoleAllows(r.role, Permission::kChangeConfig), r.config);
    EXPECT_EQ(RoleAllows(r.role, Permission::kManageUsers), r.users);
    EXPECT_EQ(RoleAllows(r.role, Permission::kUndoOthers), r.undo_others);
    EXPECT_TRUE(RoleAllows(r.role, Permission::kPublic));
  }
}

}  // namespace
}  // namespace triage::server
