// Adding web users (for the CLI's `triage user add`).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/clock.h"
#include "server/password.h"
#include "server/server.h"

namespace triage::server {

base::Status AddUser(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                     const std::string& role, const std::string& password, const std::string& actor) {
  bool name_ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-';
  });
  if (!name_ok) {
    return base::Status::InvalidArgument(
        fmt::format("user name \"{}\" is refused: use 1 to 64 letters, digits, '.', '_' or '-'", name));
  }
  const auto& roles = catalog::UserRoles();
  if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
    return base::Status::InvalidArgument(fmt::format("role \"{}\" is unknown; use user, admin or superadmin", role));
  }
  if (password.size() < 8) return base::Status::InvalidArgument("the password must have at least 8 characters");
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  int64_t now = base::UnixNow();
  auto id = users.AddUser({0, name, role, *hash, now});
  if (!id.ok()) return id.status();
  return catalog.AddAudit({0, now, actor, 0, "user", "", fmt::format("{} ({})", name, role),
                           fmt::format("user {} added with role {}", name, role)});
}

}  // namespace triage::server
