// Who is calling: sessions from the login cookie, single-user mode and --no-auth, CSRF tokens.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "catalog/user_store.h"

namespace triage::server {

// The caller of a request, once authenticated.
struct Principal {
  std::string user;        // user name ("" when not logged in)
  std::string role;        // "user" | "admin" | "superadmin"
  std::string csrf_token;  // expected in X-CSRF-Token on state-changing requests
  std::string token_hash;  // the session's stored hash ("" with --no-auth)
  bool authenticated() const { return !user.empty(); }
};

struct AuthOptions {
  bool no_auth = false;               // everyone is "local" (superadmin); only on loopback addresses
  std::string single_user_password;   // used when no users exist; "" = generate one
  int64_t session_ttl_s = 7 * 86400;  // session lifetime in seconds; 60 .. 31536000
};

struct LoginResult {
  std::string session_token;  // goes into the cookie; only its hash is stored
  Principal principal;
};

// The user name of single-user mode (no users in the store).
inline constexpr const char* kSingleUserName = "admin";
// The user name every request has with --no-auth.
inline constexpr const char* kNoAuthUserName = "local";

// Thread-safe.
class Authenticator {
 public:
  // Decides the mode: no-auth, single-user (the store has no users), or users. Single-user mode ends by itself as soon
  // as the store has a user (`triage user add` while the server runs): from then on only users log in, and the
  // single-user sessions (kept in memory, never in the store) end.
  static base::Result<std::unique_ptr<Authenticator>> Create(catalog::UserStore& users, const AuthOptions& options);

  // Checks name and password; on success stores a new session. kPermissionDenied for a wrong name or password
  // (the message does not say which).
  base::Result<LoginResult> Login(const std::string& name, const std::string& password, int64_t now);
  // The principal of a session token; kNotFound when the token is unknown or expired (or its user is gone).
  base::Result<Principal> Authenticate(const std::string& session_token, int64_t now);
  // Ends the session of `principal` (no-op with --no-auth).
  base::Status Logout(const Principal& principal);

  bool no_auth() const { return options_.no_auth; }
  // Whether single-user mode is still on (the store has no user yet); false once it has ended.
  bool single_user();
  // The single-user password (to print at start) when in single-user mode, else "".
  const std::string& single_user_password() const { return single_user_password_; }
  // The principal of every request with --no-auth.
  const Principal& no_auth_principal() const { return no_auth_principal_; }
  int64_t session_ttl_s() const { return options_.session_ttl_s; }

 private:
  Authenticator(catalog::UserStore& users, AuthOptions options) : users_(users), options_(std::move(options)) {}
  base::Result<std::string> RoleOf(const std::string& user);

  catalog::UserStore& users_;
  AuthOptions options_;
  struct SingleUserSession {
    std::string csrf_token;
    int64_t expires_at = 0;
  };

  std::atomic<bool> single_user_{false};
  std::mutex single_mu_;
  std::map<std::string, SingleUserSession> single_sessions_;  // by token hash; guarded by single_mu_
  std::string single_user_password_;
  std::string single_user_hash_;
  Principal no_auth_principal_;
};

}  // namespace triage::server
