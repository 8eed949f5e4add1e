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

const char* PermissionWords(Permission permission) {
  switch (permission) {
    case Permission::kPublic:
      return "use this without logging in";
    case Permission::kView:
      return "view the library";
    case Permission::kReview:
      return "review photos";
    case Permission::kManagePersons:
      return "add or change persons";
    case Permission::kChangeConfig:
      return "change the settings";
    case Permission::kManageUsers:
      return "list users";
    case Permission::kUndoOthers:
      return "undo or purge other users' changes";
    case Permission::kDecideProposals:
      return "decide proposals";
  }
  return "";
}

std::string RefusalMessage(const std::string& role, Permission permission) {
  std::string allowed;
  for (const char* r : {"user", "admin", "superadmin"}) {
    if (!RoleAllows(r, permission)) continue;
    allowed += std::string(allowed.empty() ? "" : " and ") + r;
  }
  return "the role " + role + " may not " + PermissionWords(permission) + " (permission " + PermissionName(permission) +
         (allowed.empty() ? "" : "; the roles " + allowed + " may") + ")";
}

}  // namespace triage::server
