// The role matrix: which role may do what. Roles are "user" < "admin" < "superadmin".
#pragma once

#include <string>

namespace triage::server {

enum class Permission {
  kPublic,           // no login needed (login itself, the OpenAPI document, static assets)
  kView,             // read anything: queue, items, stats, audit, config
  kReview,           // approve / reject / skip, ingest uploads and URLs
  kManagePersons,    // enrol persons
  kChangeConfig,     // whitelist, blacklist, thresholds, enable / disable auto-sorting
  kManageUsers,      // list users (users are created with `triage user add`; there is no registration API)
  kDecideProposals,  // propose by hand, approve / deny / archive / revert proposals, mark images public
  kUndoOthers,       // undo a change another user made (everyone may undo their own)
};

// Whether `role` has `permission`. Unknown roles have none (except kPublic).
//               view review persons config users proposals undo_others
//   user         x     x
//   admin        x     x      x       x             x         x
//   superadmin   x     x      x       x      x      x         x
bool RoleAllows(const std::string& role, Permission permission);

// "review", "manage_persons", ... (for messages and the OpenAPI document).
const char* PermissionName(Permission permission);

// What the permission lets a role do, in words ("decide proposals").
const char* PermissionWords(Permission permission);

// Why a route is refused: "the role user may not decide proposals (permission decide_proposals; the roles admin and
// superadmin may)".
std::string RefusalMessage(const std::string& role, Permission permission);

}  // namespace triage::server
