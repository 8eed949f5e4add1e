// Users and sessions on the catalog's PostgreSQL connection.
#include "catalog/postgres/pg_users.h"

#include <fmt/format.h>

#include <algorithm>

namespace triage::catalog::postgres {
namespace {

constexpr const char* kAddUser =
    "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
constexpr const char* kGetUser = "SELECT id, name, role, password_hash, created_at FROM users WHERE name = $1";
constexpr const char* kListUsers = "SELECT id, name, role, password_hash, created_at FROM users ORDER BY name";
constexpr const char* kCountUsers = "SELECT COUNT(*) FROM users";
constexpr const char* kSetPassword = "UPDATE users SET password_hash = $2 WHERE name = $1";
// The last admin is kept in the statements themselves: a user stops being an admin only while another one is. The
// admins' rows are locked first (FOR UPDATE), so that two such statements at once run one after the other, and the
// second counts the admins the first left (READ COMMITTED re-reads a locked row once it is free: one deleted or
// demoted meanwhile drops out of the count).
constexpr const char* kRemoveUser =
    "WITH admins AS (SELECT name FROM users WHERE role IN ('admin', 'superadmin') FOR UPDATE) "
    "DELETE FROM users WHERE name = $1 AND (role NOT IN ('admin', 'superadmin') OR "
    "(SELECT COUNT(*) FROM admins WHERE name <> $1) > 0)";
constexpr const char* kSetRole =
    "WITH admins AS (SELECT name FROM users WHERE role IN ('admin', 'superadmin') FOR UPDATE) "
    "UPDATE users SET role = $2 WHERE name = $1 AND ($2 IN ('admin', 'superadmin') OR role NOT IN ('admin', "
    "'superadmin') OR (SELECT COUNT(*) FROM admins WHERE name <> $1) > 0)";
constexpr const char* kEndSessionsOf = "DELETE FROM sessions WHERE user_name = $1";
constexpr const char* kAddSession =
    "INSERT INTO sessions (token_hash, user_name, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
constexpr const char* kFindSession =
    "SELECT token_hash, user_name, csrf_token, created_at, expires_at FROM sessions "
    "WHERE token_hash = $1 AND expires_at > $2";
constexpr const char* kRemoveSession = "DELETE FROM sessions WHERE token_hash = $1";
constexpr const char* kRemoveExpired = "DELETE FROM sessions WHERE expires_at <= $1";

UserRecord ReadUser(const Rows& r, int i) {
  return {r.Int(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Int(i, 4)};
}

}  // namespace

base::Result<int64_t> PgUserStore::AddUser(const UserRecord& user) {
  if (!IsUserRole(user.role)) {
    return base::Status::InvalidArgument(
        fmt::format("role \"{}\" is unknown; use user, admin or superadmin", user.role));
  }
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(
      kAddUser, Params().Add(user.name).Add(user.role).Add(user.password_hash).Add(user.created_at));
  if (r.status().code() == base::Code::kAlreadyExists) {
    return base::Status::AlreadyExists(fmt::format("a user named {} exists already", user.name));
  }
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Result<UserRecord> PgUserStore::GetUser(const std::string& name) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kGetUser, Params().Add(name));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound(fmt::format("no user named {}", name));
  return ReadUser(*r, 0);
}

base::Result<std::vector<UserRecord>> PgUserStore::ListUsers() {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kListUsers);
  if (!r.ok()) return r.status();
  std::vector<UserRecord> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(ReadUser(*r, i));
  return out;
}

base::Result<int64_t> PgUserStore::CountUsers() {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kCountUsers);
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

base::Status PgUserStore::ChangeUserAndEndSessions(const char* sql, Params params, const std::string& name) {
  auto lock = catalog_.Lock();
  Connection& conn = catalog_.connection();
  return InTransaction<int64_t>(conn,
                                [&]() -> base::Result<int64_t> {
                                  auto changed = conn.Query(sql, params);
                                  if (!changed.ok()) return changed.status();
                                  if (changed->affected() == 0)
                                    return base::Status::NotFound(fmt::format("no user named {}", name));
                                  TRIAGE_RETURN_IF_ERROR(conn.Run(kEndSessionsOf, Params().Add(name)));
                                  return changed->affected();
                                })
      .status();
}

base::Status PgUserStore::SetPassword(const std::string& name, const std::string& password_hash) {
  return ChangeUserAndEndSessions(kSetPassword, Params().Add(name).Add(password_hash), name);
}

base::Status PgUserStore::RemoveUser(const std::string& name) {
  base::Status st = ChangeUserAndEndSessions(kRemoveUser, Params().Add(name), name);
  if (st.code() == base::Code::kNotFound && GetUser(name).ok()) return base::Status::Conflict(LastAdminMessage(name));
  return st;
}

base::Status PgUserStore::SetRole(const std::string& name, const std::string& role) {
  if (!IsUserRole(role)) {
    return base::Status::InvalidArgument(fmt::format("role \"{}\" is unknown; use user, admin or superadmin", role));
  }
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kSetRole, Params().Add(name).Add(role));
  if (!r.ok()) return r.status();
  if (r->affected() > 0) return base::Status::Ok();
  if (GetUser(name).ok()) return base::Status::Conflict(LastAdminMessage(name));
  return base::Status::NotFound(fmt::format("no user named {}", name));
}

base::Status PgUserStore::AddSession(const SessionRecord& s) {
  auto lock = catalog_.Lock();
  return catalog_.connection().Run(
      kAddSession, Params().Add(s.token_hash).Add(s.user).Add(s.csrf_token).Add(s.created_at).Add(s.expires_at));
}

base::Result<SessionRecord> PgUserStore::FindSession(const std::string& token_hash, int64_t now) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kFindSession, Params().Add(token_hash).Add(now));
  if (!r.ok()) return r.status();
  if (r->empty()) return base::Status::NotFound("no such session (logged out or expired)");
  return SessionRecord{r->Text(0, 0), r->Text(0, 1), r->Text(0, 2), r->Int(0, 3), r->Int(0, 4)};
}

base::Status PgUserStore::RemoveSession(const std::string& token_hash) {
  auto lock = catalog_.Lock();
  return catalog_.connection().Run(kRemoveSession, Params().Add(token_hash));
}

base::Result<int64_t> PgUserStore::RemoveExpiredSessions(int64_t now) {
  auto lock = catalog_.Lock();
  auto r = catalog_.connection().Query(kRemoveExpired, Params().Add(now));
  if (!r.ok()) return r.status();
  return r->affected();
}

}  // namespace triage::catalog::postgres
