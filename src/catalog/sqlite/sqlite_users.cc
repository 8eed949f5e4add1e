// Users and sessions on the catalog's SQLite connection.
#include "catalog/sqlite/sqlite_users.h"

#include <fmt/format.h>

#include <algorithm>

#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

constexpr const char* kUserColumns = "id, name, role, password_hash, created_at";
constexpr const char* kSessionColumns = "token_hash, user_name, csrf_token, created_at, expires_at";

UserRecord ReadUser(const Statement& s) { return {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)}; }

SessionRecord ReadSession(const Statement& s) { return {s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)}; }

// The condition under which user ?1 may stop being an admin: they are none, or another user is one.
constexpr const char* kAnotherAdminKept =
    "(role NOT IN ('admin', 'superadmin') OR "
    "(SELECT COUNT(*) FROM users WHERE role IN ('admin', 'superadmin') AND name <> ?1) > 0)";

// Runs a statement that changes rows; kNotFound with `missing` when it changed none.
base::Status RunChanging(sqlite3* db, Statement& s, const std::string& missing) {
  TRIAGE_RETURN_IF_ERROR(s.Run());
  if (sqlite3_changes(db) == 0) return base::Status::NotFound(missing);
  return base::Status::Ok();
}

}  // namespace

base::Result<int64_t> SqliteUserStore::AddUser(const UserRecord& user) {
  if (!IsUserRole(user.role)) {
    return base::Status::InvalidArgument(
        fmt::format("role \"{}\" is unknown; use user, admin or superadmin", user.role));
  }
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)");
  base::Status st = s.Bind(1, user.name).Bind(2, user.role).Bind(3, user.password_hash).Bind(4, user.created_at).Run();
  if (st.code() == base::Code::kAlreadyExists) {
    return base::Status::AlreadyExists(fmt::format("a user named {} exists already", user.name));
  }
  TRIAGE_RETURN_IF_ERROR(st);
  return static_cast<int64_t>(sqlite3_last_insert_rowid(catalog_.handle()));
}

base::Result<UserRecord> SqliteUserStore::GetUser(const std::string& name) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT {} FROM users WHERE name = ?", kUserColumns).c_str());
  s.Bind(1, name);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound(fmt::format("no user named {}", name));
  return ReadUser(s);
}

base::Result<std::vector<UserRecord>> SqliteUserStore::ListUsers() {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("SELECT {} FROM users ORDER BY name", kUserColumns).c_str());
  std::vector<UserRecord> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(ReadUser(s));
  }
}

base::Result<int64_t> SqliteUserStore::CountUsers() {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "SELECT COUNT(*) FROM users");
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int(0);
}

base::Status SqliteUserStore::SetPassword(const std::string& name, const std::string& password_hash) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), "UPDATE users SET password_hash = ? WHERE name = ?");
  s.Bind(1, password_hash).Bind(2, name);
  TRIAGE_RETURN_IF_ERROR(RunChanging(catalog_.handle(), s, fmt::format("no user named {}", name)));
  return Statement(catalog_.handle(), "DELETE FROM sessions WHERE user_name = ?").Bind(1, name).Run();
}

// The last admin is kept in the statement itself, so two removals at once cannot both pass a check made before.
base::Status SqliteUserStore::RemoveUser(const std::string& name) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(), fmt::format("DELETE FROM users WHERE name = ?1 AND {}", kAnotherAdminKept).c_str());
  s.Bind(1, name);
  base::Status st = RunChanging(catalog_.handle(), s, fmt::format("no user named {}", name));
  if (st.code() == base::Code::kNotFound && GetUser(name).ok()) return base::Status::Conflict(LastAdminMessage(name));
  TRIAGE_RETURN_IF_ERROR(st);
  return Statement(catalog_.handle(), "DELETE FROM sessions WHERE user_name = ?").Bind(1, name).Run();
}

base::Status SqliteUserStore::SetRole(const std::string& name, const std::string& role) {
  if (!IsUserRole(role)) {
    return base::Status::InvalidArgument(fmt::format("role \"{}\" is unknown; use user, admin or superadmin", role));
  }
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              fmt::format("UPDATE users SET role = ?2 WHERE name = ?1 AND (?2 IN ('admin', 'superadmin') OR {})",
                          kAnotherAdminKept)
                  .c_str());
  s.Bind(1, name).Bind(2, role);
  base::Status st = RunChanging(catalog_.handle(), s, fmt::format("no user named {}", name));
  if (st.code() == base::Code::kNotFound && GetUser(name).ok()) return base::Status::Conflict(LastAdminMessage(name));
  return st;
}

base::Status SqliteUserStore::AddSession(const SessionRecord& session) {
  auto lock = catalog_.Lock();
  Statement s(
      catalog_.handle(),
      "INSERT INTO sessions (token_hash, user_name, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
  return s.Bind(1, session.token_hash)
      .Bind(2, session.user)
      .Bind(3, session.csrf_token)
      .Bind(4, session.created_at)
      .Bind(5, session.expires_at)
      .Run();
}

base::Result<SessionRecord> SqliteUserStore::FindSession(const std::string& token_hash, int64_t now) {
  auto lock = catalog_.Lock();
  Statement s(catalog_.handle(),
              fmt::format("SELECT {} FROM sessions WHERE token_hash = ? AND expires_at > ?", kSessionColumns).c_str());
  s.Bind(1, token_hash).Bind(2, now);
  auto row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Status::NotFound("no such session (logged out or expired)");
  return ReadSession(s);
}

base::Status SqliteUserStore::RemoveSession(const std::string& token_hash) {
  auto lock = catalog_.Lock();
  return Statement(catalog_.handle(), "DELETE FROM sessions WHERE token_hash = ?").Bind(1, token_hash).Run();
}

base::Result<int64_t> SqliteUserStore::RemoveExpiredSessions(int64_t now) {
  auto lock = catalog_.Lock();
  TRIAGE_RETURN_IF_ERROR(Statement(catalog_.handle(), "DELETE FROM sessions WHERE expires_at <= ?").Bind(1, now).Run());
  return static_cast<int64_t>(sqlite3_changes(catalog_.handle()));
}

}  // namespace triage::catalog::sqlite
