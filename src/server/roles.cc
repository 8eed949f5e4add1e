// The role matrix.
#include "server/roles.h"

namespace triage::server {

bool RoleAllows(const std::string& role, Permission permission) {
  switch (permission) {
    case Permission::kPublic:
      return true;
    case Permission::kView:
    case Permission::kReview:
      return role == "user" || role == "admin" || role == "superadmin";
    case Permission::kManagePersons:
    case Permission::kDecideProposals:
    case Permission::kChangeConfig:
    case Permission::kUndoOthers:
      return role == "admin" || role == "superadmin";
    case Permission::kManageUsers:
      return role == "superadmin";
  }
  return false;
}

const char* PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kPublic:
      return "public";
    case Permission::kView:
      return "view";
    case Permission::kReview:
      return "review";
    case Permission::kManagePersons:
      return "manage_persons";
    case Permission::kChangeConfig:
      return "change_config";
    case Permission::kManageUsers:
      return "manage_users";
    case Permission::kUndoOthers:
      return "undo_others";
    case Permission::kDecideProposals:
      return "decide_proposals";
  }
  return "";
}

}  // namespace triage::server
