// Web users and their login sessions: an interface over the catalog's storage. The server authenticates
// against it; the CLI's `user add` writes to it. Passwords arrive here already hashed (server/password.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::catalog {

struct UserRecord {
  int64_t id = 0;
  std::string name;
  std::string role;           // "user" | "admin" | "superadmin"
  std::string password_hash;  // "salt_hex:hash_hex" (PBKDF2-HMAC-SHA256)
  int64_t created_at = 0;     // unix seconds
};

struct SessionRecord {
  std::string token_hash;  // SHA-256 hex of the cookie's token; the token itself is never stored
  std::string user;        // user name
  std::string csrf_token;  // must accompany every state-changing request of this session
  int64_t created_at = 0;  // unix seconds
  int64_t expires_at = 0;  // unix seconds; the session is gone from then on
};

// Thread-safety: implementations are thread-safe; each call is atomic.
class UserStore {
 public:
  virtual ~UserStore() = default;
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  // Adds a user; returns its id. kAlreadyExists when the name is taken, kInvalidArgument for an unknown role.
  virtual base::Result<int64_t> AddUser(const UserRecord& user) = 0;
  // kNotFound when there is no such user.
  virtual base::Result<UserRecord> GetUser(const std::string& name) = 0;
  virtual base::Result<std::vector<UserRecord>> ListUsers() = 0;
  virtual base::Result<int64_t> CountUsers() = 0;
  // Replaces a user's password hash and ends their sessions. kNotFound.
  virtual base::Status SetPassword(const std::string& name, const std::string& password_hash) = 0;
  // Removes a user and their sessions. kNotFound; kConflict (nothing removed) when the user is the last admin (see
  // IsAdminRole): a library that had someone to manage it keeps someone.
  virtual base::Status RemoveUser(const std::string& name) = 0;
  // Gives a user another role; their sessions stay (a session's role is read from the user at each request).
  // kNotFound; kInvalidArgument for an unknown role; kConflict (nothing changed) when that would leave no admin.
  virtual base::Status SetRole(const std::string& name, const std::string& role) = 0;

  // Stores a new session. kAlreadyExists when the token hash is taken.
  virtual base::Status AddSession(const SessionRecord& session) = 0;
  // The session with this token hash if it has not expired at `now`; kNotFound otherwise.
  virtual base::Result<SessionRecord> FindSession(const std::string& token_hash, int64_t now) = 0;
  // Ends a session (no error when it does not exist).
  virtual base::Status RemoveSession(const std::string& token_hash) = 0;
  // Deletes sessions expired at `now`; returns how many.
  virtual base::Result<int64_t> RemoveExpiredSessions(int64_t now) = 0;

 protected:
  UserStore() = default;
};

// The roles, least to most powerful.
inline const std::vector<std::string>& UserRoles() {
  static const std::vector<std::string> kRoles = {"user", "admin", "superadmin"};
  return kRoles;
}

inline bool IsUserRole(const std::string& role) {
  for (const std::string& r : UserRoles()) {
    if (r == role) return true;
  }
  return false;
}

// The roles that may manage the library (persons, proposals, settings): a store keeps at least one user with such a
// role once it has one.
inline bool IsAdminRole(const std::string& role) { return role == "admin" || role == "superadmin"; }

// The message of RemoveUser's and SetRole's kConflict.
inline std::string LastAdminMessage(const std::string& name) {
  return name + " is the last admin: give another user the role admin first (triage user role NAME admin)";
}

}  // namespace triage::catalog
