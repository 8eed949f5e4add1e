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

namespace {

// Each permission's name (in JSON, the OpenAPI document and messages) and what it lets a role do, in words.
struct PermissionText {
  Permission permission;
  const char* name;
  const char* words;
};
constexpr PermissionText kPermissionTexts[] = {
    {Permission::kPublic, "public", "use this without logging in"},
    {Permission::kView, "view", "view the library"},
    {Permission::kReview, "review", "review photos"},
    {Permission::kManagePersons, "manage_persons", "add or change persons"},
    {Permission::kChangeConfig, "change_config", "change the settings"},
    {Permission::kManageUsers, "manage_users", "list users"},
    {Permission::kUndoOthers, "undo_others", "undo or purge other users' changes"},
    {Permission::kDecideProposals, "decide_proposals", "decide proposals"},
};

const PermissionText& TextOf(Permission permission) {
  for (const PermissionText& t : kPermissionTexts) {
    if (t.permission == permission) return t;
  }
  return kPermissionTexts[0];  // unreachable: every permission is listed
}

}  // namespace

const char* PermissionName(Permission permission) { return TextOf(permission).name; }

const char* PermissionWords(Permission permission) { return TextOf(permission).words; }

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
