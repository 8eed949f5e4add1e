// POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me, GET /api/auth/session, GET /api/users.
#include <fmt/format.h>

#include "base/clock.h"
#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

std::string Mode(Authenticator& auth) {
  return auth.no_auth() ? "no_auth" : auth.single_user() ? "single_user" : "users";
}

json PrincipalJson(const Principal& p, Authenticator& auth) {
  json permissions = json::object();
  for (Permission perm : {Permission::kView, Permission::kReview, Permission::kManagePersons, Permission::kChangeConfig,
                          Permission::kManageUsers, Permission::kDecideProposals, Permission::kUndoOthers}) {
    permissions[PermissionName(perm)] = RoleAllows(p.role, perm);
  }
  return {{"user", p.user},
          {"role", p.role},
          {"csrf_token", p.csrf_token},
          {"mode", Mode(auth)},
          {"permissions", permissions}};
}

void SetSessionCookie(httplib::Response& res, const std::string& token, int64_t max_age_s) {
  res.set_header("Set-Cookie",
                 fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}", kSessionCookie, token, max_age_s));
}

base::Status Login(ServerState& state, Call& call) {
  const auto& req = call.request();
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
    return base::Status::InvalidArgument("send the credentials as JSON (Content-Type: application/json)");
  }
  auto body = call.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->contains("username") || !(*body)["username"].is_string() || !body->contains("password") ||
      !(*body)["password"].is_string()) {
    return base::Status::InvalidArgument("username and password (strings) are required");
  }
  std::string name = (*body)["username"];
  int64_t now = base::UnixNow();
  // Per (address, name): a name under attack still accepts its password from another address.
  const std::string pair = req.remote_addr + "\n" + name;
  int64_t wait = state.limiter.TryBegin(pair, now);
  if (wait == 0) {
    wait = state.address_limiter.TryBegin(req.remote_addr, now);
    if (wait > 0) state.limiter.Abandon(pair);
  }
  if (wait > 0) {
    call.response().set_header("Retry-After", std::to_string(wait));
    SendError(call.response(), 429, "rate_limited", fmt::format("too many failed logins; try again in {} s", wait));
    return base::Status::Ok();
  }
  // Both slots are held from here until the verdict, so concurrent guesses cannot exceed the limit.
  auto login = state.auth->Login(name, (*body)["password"], now);
  if (!login.ok() && login.status().code() != base::Code::kPermissionDenied) {
    state.limiter.Abandon(pair);
    state.address_limiter.Abandon(req.remote_addr);
    return login.status();
  }
  if (!login.ok()) {
    state.limiter.Fail(pair, now);
    state.address_limiter.Fail(req.remote_addr, now);
    SendError(call.response(), 401, "unauthenticated", login.status().message());
    return base::Status::Ok();
  }
  state.limiter.Succeed(pair);
  // One's own good password must not wipe the address's failures against other names.
  state.address_limiter.Abandon(req.remote_addr);
  // Audited before the cookie is handed out: a login that fails (the catalog gone meanwhile) leaves no session that
  // works later.
  if (base::Status audited =
          state.ctx.catalog.AddAudit({0, now, name, 0, "login", "", "", "logged in from " + req.remote_addr});
      !audited.ok()) {
    (void)state.auth->Logout(login->principal);
    return audited;
  }
  if (!login->session_token.empty()) {
    SetSessionCookie(call.response(), login->session_token, state.auth->session_ttl_s());
  }
  call.Reply(PrincipalJson(login->principal, *state.auth));
  return base::Status::Ok();
}

base::Status Logout(ServerState& state, Call& call) {
  TRIAGE_RETURN_IF_ERROR(state.auth->Logout(call.principal()));
  SetSessionCookie(call.response(), "", 0);
  TRIAGE_RETURN_IF_ERROR(
      state.ctx.catalog.AddAudit({0, base::UnixNow(), call.actor(), 0, "logout", "", "", "logged out"}));
  call.Reply({{"ok", true}});
  return base::Status::Ok();
}

base::Status ListUsers(ServerState& state, Call& call) {
  auto users = state.ctx.users.ListUsers();
  if (!users.ok()) return users.status();
  json out = json::array();
  for (const auto& u : *users) out.push_back({{"name", u.name}, {"role", u.role}, {"created_at", u.created_at}});
  call.Reply({{"users", out}, {"mode", Mode(*state.auth)}});
  return base::Status::Ok();
}

}  // namespace

void AddAuthRoutes(ApiRouter& router, ServerState& state) {
  router.Add(
      Method::kPost, "/api/auth/login", Permission::kPublic, [&state](Call& c) { return Login(state, c); }, 64 * 1024);
  router.Add(Method::kPost, "/api/auth/logout", Permission::kView, [&state](Call& c) { return Logout(state, c); });
  router.Add(Method::kGet, "/api/auth/me", Permission::kView, [&state](Call& c) {
    c.Reply(PrincipalJson(c.principal(), *state.auth));
    return base::Status::Ok();
  });
  // The page's first question, answered 200 either way (a 401 would show as an error in the browser's console on
  // every first visit): the caller as /api/auth/me has it, or {"logged_in": false} and nothing else.
  router.Add(Method::kGet, "/api/auth/session", Permission::kPublic, [&state](Call& c) {
    auto who = state.auth->Authenticate(CookieValue(c.request(), kSessionCookie), base::UnixNow());
    if (!who.ok() && who.status().code() != base::Code::kNotFound) return who.status();
    json out = who.ok() ? PrincipalJson(*who, *state.auth) : json::object();
    out["logged_in"] = who.ok();
    // The demo (`serve --demo-login`, loopback only) has a password anyone can read in its help: its login page says
    // it, so that whoever opens the demo's address gets in without the terminal's line.
    if (!who.ok() && state.options.show_single_user_login && state.auth->single_user()) {
      out["demo_login"] = {{"user", kSingleUserName}, {"password", state.auth->single_user_password()}};
    }
    c.Reply(out);
    return base::Status::Ok();
  });
  router.Add(Method::kGet, "/api/users", Permission::kManageUsers, [&state](Call& c) { return ListUsers(state, c); });
}

}  // namespace triage::server
