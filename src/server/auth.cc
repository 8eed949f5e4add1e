// Sessions and modes of authentication.
#include "server/auth.h"

#include <fmt/format.h>

#include "server/password.h"

namespace triage::server {

base::Result<std::unique_ptr<Authenticator>> Authenticator::Create(catalog::UserStore& users,
                                                                   const AuthOptions& options) {
  if (options.session_ttl_s < 60 || options.session_ttl_s > 31'536'000) {
    return base::Status::InvalidArgument("session lifetime must be from 60 s to one year");
  }
  std::unique_ptr<Authenticator> auth(new Authenticator(users, options));
  if (options.no_auth) {
    auth->no_auth_principal_ = {kNoAuthUserName, "superadmin", RandomHex(16), ""};
    return auth;
  }
  auto count = users.CountUsers();
  if (!count.ok()) return count.status();
  if (*count == 0) {
    auth->single_user_ = true;
    auth->single_user_password_ = options.single_user_password.empty() ? RandomHex(9) : options.single_user_password;
    auto hash = HashPassword(auth->single_user_password_);
    if (!hash.ok()) return hash.status();
    auth->single_user_hash_ = *hash;
  }
  return auth;
}

bool Authenticator::single_user() {
  if (!single_user_.load()) return false;
  auto count = users_.CountUsers();
  // A store that cannot be read keeps the mode it had: it says nothing about whether users were added.
  if (!count.ok() || *count == 0) return true;
  single_user_.store(false);
  std::lock_guard lock(single_mu_);
  single_sessions_.clear();
  return false;
}

base::Result<std::string> Authenticator::RoleOf(const std::string& user) {
  auto record = users_.GetUser(user);
  if (!record.ok()) return record.status();
  return record->role;
}

base::Result<LoginResult> Authenticator::Login(const std::string& name, const std::string& password, int64_t now) {
  if (options_.no_auth) return LoginResult{"", no_auth_principal_};
  const base::Status refused = base::Status::PermissionDenied("wrong user name or password");
  LoginResult result;
  if (single_user()) {
    if (name != kSingleUserName || !VerifyPassword(password, single_user_hash_)) return refused;
    result.session_token = RandomHex(32);
    result.principal = {name, "superadmin", RandomHex(32), Sha256Hex(result.session_token)};
    std::lock_guard lock(single_mu_);
    std::erase_if(single_sessions_, [&](const auto& s) { return s.second.expires_at <= now; });
    single_sessions_[result.principal.token_hash] = {result.principal.csrf_token, now + options_.session_ttl_s};
    return result;
  }
  auto user = users_.GetUser(name);
  if (!user.ok()) {
    if (user.status().code() != base::Code::kNotFound) return user.status();
    VerifyPassword(password, "00000000000000000000000000000000:" + std::string(64, '0'));  // same time as a miss
    return refused;
  }
  if (!VerifyPassword(password, user->password_hash)) return refused;
  result.session_token = RandomHex(32);
  result.principal = {name, user->role, RandomHex(32), Sha256Hex(result.session_token)};
  TRIAGE_RETURN_IF_ERROR(users_.AddSession(
      {result.principal.token_hash, name, result.principal.csrf_token, now, now + options_.session_ttl_s}));
  // Housekeeping: a failure to clean up other sessions does not concern this login (they are refused when expired).
  static_cast<void>(users_.RemoveExpiredSessions(now));
  return result;
}

base::Result<Principal> Authenticator::Authenticate(const std::string& session_token, int64_t now) {
  if (options_.no_auth) return no_auth_principal_;
  if (session_token.empty()) return base::Status::NotFound("not logged in");
  std::string token_hash = Sha256Hex(session_token);
  if (single_user()) {
    std::lock_guard lock(single_mu_);
    auto it = single_sessions_.find(token_hash);
    if (it == single_sessions_.end() || it->second.expires_at <= now) {
      return base::Status::NotFound("no such session");
    }
    return Principal{kSingleUserName, "superadmin", it->second.csrf_token, token_hash};
  }
  auto session = users_.FindSession(token_hash, now);
  if (!session.ok()) return session.status();
  auto role = RoleOf(session->user);
  if (!role.ok()) return base::Status::NotFound("the session's user no longer exists");
  return Principal{session->user, *role, session->csrf_token, token_hash};
}

base::Status Authenticator::Logout(const Principal& principal) {
  if (options_.no_auth || principal.token_hash.empty()) return base::Status::Ok();
  {
    std::lock_guard lock(single_mu_);
    if (single_sessions_.erase(principal.token_hash) > 0) return base::Status::Ok();
  }
  return users_.RemoveSession(principal.token_hash);
}

}  // namespace triage::server
