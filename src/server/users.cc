// Managing web users (for the CLI's `triage user add|list|remove|passwd|role`).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/clock.h"
#include "server/password.h"
#include "server/server.h"

namespace triage::server {
namespace {

base::Status CheckRole(const std::string& role) {
  if (catalog::IsUserRole(role)) return base::Status::Ok();
  return base::Status::InvalidArgument(fmt::format("role \"{}\" is unknown; use user, admin or superadmin", role));
}

// The strength rule every new password meets, whether for a new user or a changed password.
base::Result<std::string> HashNewPassword(const std::string& password) {
  if (password.size() < 8) return base::Status::InvalidArgument("the password must have at least 8 characters");
  return HashPassword(password);
}

base::Status Audit(catalog::Catalog& catalog, const std::string& actor, const std::string& from, const std::string& to,
                   const std::string& reason) {
  return catalog.AddAudit({0, base::UnixNow(), actor, 0, "user", from, to, reason});
}

// The user named `name`; an unknown name is said with where to see the names there are.
base::Result<catalog::UserRecord> FindUser(catalog::UserStore& users, const std::string& name) {
  auto user = users.GetUser(name);
  if (user.status().code() == base::Code::kNotFound) {
    return base::Status::NotFound(fmt::format("no user named {} (triage user list shows the users)", name));
  }
  return user;
}

}  // namespace

base::Status AddUser(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                     const std::string& role, const std::string& password, const std::string& actor) {
  bool name_ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-';
  });
  if (!name_ok) {
    return base::Status::InvalidArgument(
        fmt::format("user name \"{}\" is refused: use 1 to 64 letters, digits, '.', '_' or '-'", name));
  }
  TRIAGE_RETURN_IF_ERROR(CheckRole(role));
  auto existing = users.ListUsers();
  if (!existing.ok()) return existing.status();
  // "Alice" beside "alice" would be two accounts that read as one in the audit log and on every decision.
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  for (const catalog::UserRecord& u : *existing) {
    if (u.name != name && lower(u.name) == lower(name)) {
      return base::Status::AlreadyExists(fmt::format(
          "user name \"{}\" is refused: there is a user {} already, and names that differ only in capitals would "
          "read as one person in the audit log",
          name, u.name));
    }
  }
  if (!catalog::IsAdminRole(role)) {
    // The first user ends single-user mode (and a demo login): without an admin among the users, nobody could then
    // change the settings or manage persons, and only the command line could add one.
    if (std::none_of(existing->begin(), existing->end(),
                     [](const catalog::UserRecord& u) { return catalog::IsAdminRole(u.role); })) {
      return base::Status::InvalidArgument(fmt::format(
          "user {} would be a {} with no admin beside: the first user ends single-user mode, and then nobody could "
          "change the settings or manage persons; add an admin first (triage user add NAME --role admin)",
          name, role));
    }
  }
  auto hash = HashNewPassword(password);
  if (!hash.ok()) return hash.status();
  auto id = users.AddUser({0, name, role, *hash, base::UnixNow()});
  if (!id.ok()) return id.status();
  return Audit(catalog, actor, "", fmt::format("{} ({})", name, role),
               fmt::format("user {} added with role {}", name, role));
}

base::Status RemoveUser(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                        const std::string& actor) {
  auto user = FindUser(users, name);
  if (!user.ok()) return user.status();
  TRIAGE_RETURN_IF_ERROR(users.RemoveUser(name));
  return Audit(catalog, actor, fmt::format("{} ({})", name, user->role), "",
               fmt::format("user {} removed; their sessions ended", name));
}

base::Status SetUserPassword(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                             const std::string& password, const std::string& actor) {
  TRIAGE_RETURN_IF_ERROR(FindUser(users, name).status());  // an unknown user is named before the password is judged
  auto hash = HashNewPassword(password);
  if (!hash.ok()) return hash.status();
  TRIAGE_RETURN_IF_ERROR(users.SetPassword(name, *hash));
  return Audit(catalog, actor, name, name, fmt::format("password of user {} changed; their sessions ended", name));
}

base::Status SetUserRole(catalog::UserStore& users, catalog::Catalog& catalog, const std::string& name,
                         const std::string& role, const std::string& actor) {
  TRIAGE_RETURN_IF_ERROR(CheckRole(role));
  auto user = FindUser(users, name);
  if (!user.ok()) return user.status();
  if (user->role == role) return base::Status::Ok();
  TRIAGE_RETURN_IF_ERROR(users.SetRole(name, role));
  return Audit(catalog, actor, fmt::format("{} ({})", name, user->role), fmt::format("{} ({})", name, role),
               fmt::format("user {} now has role {} (was {})", name, role, user->role));
}

}  // namespace triage::server
