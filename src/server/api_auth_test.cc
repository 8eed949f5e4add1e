// Specification of authentication, CSRF, roles and errors across every API route.
#include <atomic>
#include <map>
#include <regex>
#include <thread>
#include <vector>

#include "server/api_test_support.h"
#include "server/auth.h"
#include "server/password.h"

namespace triage::server {
namespace {

// A concrete URL for a route's template: {id} -> `id`, {category} -> unidentified.
std::string Concrete(const std::string& path, int64_t id) {
  std::string out = std::regex_replace(path, std::regex(R"(\{id\})"), std::to_string(id));
  return std::regex_replace(out, std::regex(R"(\{category\})"), "unidentified");
}

httplib::Result Send(httplib::Client& client, const RouteInfo& route, const std::string& url,
                     const httplib::Headers& headers) {
  if (route.method == "get") return client.Get(url.c_str(), headers);
  if (route.method == "put") return client.Put(url.c_str(), headers, "{}", "application/json");
  if (route.method == "delete") return client.Delete(url.c_str(), headers);
  return client.Post(url.c_str(), headers, "{}", "application/json");
}

using AuthTest = ApiTest;

TEST_F(AuthTest, LoginSetsHttpOnlyStrictCookieAndReturnsCsrfTokenUserAndRole) {
  json body = {{"username", "bob"}, {"password", "bob-secret-pw"}};
  auto r = client_->Post("/api/auth/login", body.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  std::string cookie = r->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("triage_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  json me = Body(r);
  EXPECT_EQ(me["user"], "bob");
  EXPECT_EQ(me["role"], "admin");
  EXPECT_EQ(me["csrf_token"].get<std::string>().size(), 64u);
}

TEST_F(AuthTest, WrongPasswordIs401AndUnknownUserLooksTheSame) {
  auto wrong =
      client_->Post("/api/auth/login", json{{"username", "bob"}, {"password", "nope"}}.dump(), "application/json");
  auto unknown =
      client_->Post("/api/auth/login", json{{"username", "zed"}, {"password", "nope"}}.dump(), "application/json");
  ASSERT_TRUE(wrong && unknown);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(Body(wrong)["message"], Body(unknown)["message"]);
  EXPECT_TRUE(wrong->get_header_value("Set-Cookie").empty());
}

TEST_F(AuthTest, LoginWithoutJsonOrFieldsIs400) {
  auto form = client_->Post("/api/auth/login", "username=bob&password=x", "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 400);
  auto missing = client_->Post("/api/auth/login", json{{"username", "bob"}}.dump(), "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(Body(missing)["error"], "invalid_argument");
}

TEST_F(AuthTest, RepeatedFailedLoginsAreRateLimited) {
  json bad = {{"username", "alice"}, {"password", "guess"}};
  for (int i = 0; i < options_.login_max_failures; ++i) {
    auto r = client_->Post("/api/auth/login", bad.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  json good = {{"username", "alice"}, {"password", "alice-secret-pw"}};
  auto limited = client_->Post("/api/auth/login", good.dump(), "application/json");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_FALSE(limited->get_header_value("Retry-After").empty());
  EXPECT_EQ(Body(limited)["error"], "rate_limited");
}

TEST_F(AuthTest, ConcurrentGuessesGetNoMoreThanTheLimit) {
  // Each attempt takes its slot before the slow password check, so a burst cannot outrun the count.
  std::atomic<int> checked{0}, limited{0};
  std::vector<std::thread> guessers;
  for (int i = 0; i < 40; ++i) {
    guessers.emplace_back([&, i] {
      httplib::Client client("127.0.0.1", server_->port());
      // Generous timeouts: on a loaded 2-core machine 40 connections wait for the server's worker threads.
      client.set_connection_timeout(60, 0);
      client.set_read_timeout(60, 0);
      client.set_write_timeout(60, 0);
      json bad = {{"username", "alice"}, {"password", "guess" + std::to_string(i)}};
      auto r = client.Post("/api/auth/login", bad.dump(), "application/json");
      if (r && r->status == 401) ++checked;
      if (r && r->status == 429) ++limited;
    });
  }
  for (auto& t : guessers) t.join();
  EXPECT_LE(checked, options_.login_max_failures);
  EXPECT_EQ(checked + limited, 40);
}

TEST_F(AuthTest, ANameLockedFromOneAddressStillAcceptsItsPasswordFromAnother) {
  json bad = {{"username", "alice"}, {"password", "guess"}};
  for (int i = 0; i < options_.login_max_failures; ++i) {
    ASSERT_EQ(client_->Post("/api/auth/login", bad.dump(), "application/json")->status, 401);
  }
  json good = {{"username", "alice"}, {"password", "alice-secret-pw"}};
  EXPECT_EQ(client_->Post("/api/auth/login", good.dump(), "application/json")->status, 429);
  httplib::Client owner("127.0.0.1", server_->port());
  owner.set_interface("127.0.0.2");  // another client address (all of 127/8 is loopback)
  auto r = owner.Post("/api/auth/login", good.dump(), "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;
  // Another name from the locked-out address is not locked out either (only the address's looser bound applies).
  json bob = {{"username", "bob"}, {"password", "bob-secret-pw"}};
  EXPECT_EQ(client_->Post("/api/auth/login", bob.dump(), "application/json")->status, 200);
}

TEST_F(AuthTest, MeAndLogout) {
  TestSession s = Login("alice");
  auto me = Get("/api/auth/me", &s);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(Body(me)["role"], "user");
  EXPECT_EQ(Body(me)["permissions"]["change_config"], false);
  auto no_csrf = Post("/api/auth/logout", json::object(), &s, false);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  auto out = Post("/api/auth/logout", json::object(), &s);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  auto after = Get("/api/auth/me", &s);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
}

TEST_F(AuthTest, SessionSaysWhetherSomebodyIsLoggedInWithout401) {
  auto anonymous = client_->Get("/api/auth/session");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 200);
  EXPECT_EQ(Body(anonymous)["logged_in"], false);
  EXPECT_EQ(Body(anonymous), json({{"logged_in", false}})) << "nothing more to somebody not logged in";
  TestSession s = Login("alice");
  auto known = Get("/api/auth/session", &s);
  ASSERT_TRUE(known);
  EXPECT_EQ(known->status, 200);
  EXPECT_EQ(Body(known)["logged_in"], true);
  EXPECT_EQ(Body(known)["user"], "alice");
  EXPECT_EQ(Body(known)["csrf_token"], Body(Get("/api/auth/me", &s))["csrf_token"]);
  ASSERT_EQ(Post("/api/auth/logout", json::object(), &s)->status, 200);
  auto after = Get("/api/auth/session", &s);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(Body(after)["logged_in"], false) << "a session that ended is nobody";
}

TEST_F(AuthTest, EveryNonPublicRouteIs401WithoutASession) {
  for (const RouteInfo& route : server_->routes()) {
    if (route.permission == "public") continue;
    SCOPED_TRACE(route.method + " " + route.path);
    auto r = Send(*client_, route, Concrete(route.path, 1), {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(Body(r)["error"], "unauthenticated");
  }
}

// A value of the type an OpenAPI property says: its enum's first, 1, false, "x", [1] or ["x"], {}.
json ValidValue(const json& property) {
  if (property.contains("enum") && !property["enum"].empty()) return property["enum"][0];
  const std::string type = property.contains("type") ? property["type"].get<std::string>() : "";
  if (type == "integer" || type == "number") return 1;
  if (type == "boolean") return false;
  if (type == "array") {
    const bool numbers = property.contains("items") && property["items"].is_object() &&
                         property["items"].contains("type") && property["items"]["type"] != "string";
    return numbers ? json::array({1}) : json::array({"x"});
  }
  if (type == "object") return json::object();
  return "x";
}

// Every field of every JSON body the API documents, sent with a value of another type (a number for a string, a
// string for a flag, an array, an object; null, which may stand for a field left out) is answered 4xx with a message,
// never 500: the JSON library's type errors are the request's fault, and the vote on the public page is reachable by
// anyone.
TEST_F(AuthTest, EveryBodyFieldOfTheWrongTypeIsAClientErrorNeverAServerError) {
  Ingest({"obama.jpg", "biden.jpg", "obama.jpg"});
  TestSession s = Login("carol");
  const json doc = Body(client_->Get("/api/openapi.json"));
  const std::map<std::string, std::vector<json>> wrong = {
      {"string", {json(7), json::array({"a"}), json::object(), json(nullptr), json(true)}},
      {"boolean", {json("yes"), json(1), json(nullptr), json::array()}},
      {"integer", {json("1"), json(1.5), json::array({1}), json(nullptr), json(true)}},
      {"number", {json("1"), json::array({1}), json(nullptr), json(false)}},
      {"array", {json("x"), json(1), json::object(), json(nullptr), json::array({json::object()})}},
      {"object", {json("x"), json::array(), json(1), json(nullptr)}}};
  int sent = 0;
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if ((method != "post" && method != "put") || !operation.is_object()) continue;
      const json::json_pointer at("/requestBody/content/application~1json/schema");
      if (!operation.contains(at)) continue;
      const json schema = operation[at];
      const json resolved =
          schema.contains("$ref") ? doc["components"]["schemas"][schema["$ref"].get<std::string>().substr(21)] : schema;
      std::string url = std::regex_replace(path, std::regex(R"(\{(id|face)\})"), "1");
      url = std::regex_replace(url, std::regex(R"(\{category\})"), "unidentified");
      url = std::regex_replace(url, std::regex(R"(\{name\})"), "obama");
      url = std::regex_replace(url, std::regex(R"(\{token\})"), std::string(32, 'a'));
      if (!resolved.is_object()) continue;
      if (!resolved.contains("properties")) continue;
      // Every other field is sent with a value of its type (an enum's first), so that the request gets as far as
      // reading the field under test.
      json valid = json::object();
      for (const auto& [field, property] : resolved["properties"].items()) valid[field] = ValidValue(property);
      for (const auto& [field, property] : resolved["properties"].items()) {
        const auto values = wrong.find(property.contains("type") ? property["type"].get<std::string>() : "");
        if (values == wrong.end()) continue;
        for (const json& value : values->second) {
          SCOPED_TRACE(method + " " + url + " " + field + ": " + value.dump());
          json body = valid;
          body[field] = value;
          const httplib::Headers headers = {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
          auto r = method == "put" ? client_->Put(url, headers, body.dump(), "application/json")
                                   : client_->Post(url, headers, body.dump(), "application/json");
          ASSERT_TRUE(r);
          ++sent;
          EXPECT_LT(r->status, 500) << r->body;
          if (value.is_null()) continue;  // null may stand for a field left out (`"from": null` is no `from`)
          EXPECT_GE(r->status, 400) << r->body;
          const json answer = Body(r);
          EXPECT_TRUE(answer.is_object() && answer.contains("message")) << r->body;
        }
      }
    }
  }
  EXPECT_GT(sent, 200) << "the OpenAPI document's bodies were read";
}

TEST_F(AuthTest, EveryStateChangingRouteIs403WithoutTheCsrfToken) {
  TestSession s = Login("carol");
  httplib::Headers headers = {{"Cookie", s.cookie}};
  httplib::Headers wrong = {{"Cookie", s.cookie}, {"X-CSRF-Token", std::string(64, 'a')}};
  for (const RouteInfo& route : server_->routes()) {
    if (route.permission == "public" || route.method == "get") continue;
    SCOPED_TRACE(route.method + " " + route.path);
    for (const auto& h : {headers, wrong}) {
      auto r = Send(*client_, route, Concrete(route.path, 1), h);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 403);
      EXPECT_EQ(Body(r)["error"], "csrf_failed");
    }
  }
}

TEST_F(AuthTest, RoutesBeyondARolesPermissionsAre403) {
  TestSession user = Login("alice");
  TestSession admin = Login("bob");
  int checked = 0;
  for (const RouteInfo& route : server_->routes()) {
    bool beyond_user = route.permission == "manage_persons" || route.permission == "change_config" ||
                       route.permission == "manage_users" || route.permission == "decide_proposals";
    if (!beyond_user) continue;
    SCOPED_TRACE(route.method + " " + route.path);
    auto as_user = route.method == "get"      ? Get(route.path, &user)
                   : route.method == "put"    ? Put(route.path, json::object(), &user)
                   : route.method == "delete" ? Delete(route.path, &user)
                                              : Post(route.path, json::object(), &user);
    ASSERT_TRUE(as_user);
    EXPECT_EQ(as_user->status, 403);
    EXPECT_EQ(Body(as_user)["error"], "forbidden");
    if (route.permission == "manage_users") {
      auto as_admin = Get(route.path, &admin);
      ASSERT_TRUE(as_admin);
      EXPECT_EQ(as_admin->status, 403);
    }
    ++checked;
  }
  // persons, a person's shown name, a person's removal, enable, disable, whitelist, blacklist, reference removal,
  // thresholds, simulate, apply policy, users; proposals: approve, deny, archive, revert, batch, create, run, mark
  // public; people: faces bulk, cluster name, merge, split, hide, people undo
  EXPECT_EQ(checked, 26);
}

TEST_F(AuthTest, SuperadminListsUsers) {
  TestSession s = Login("carol");
  auto r = Get("/api/users", &s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Body(r)["users"].size(), 3u);
  EXPECT_EQ(Body(r)["users"][0].count("password_hash"), 0u);
}

TEST_F(AuthTest, UnknownEndpointIsJson404) {
  TestSession s = Login("alice");
  auto r = Get("/api/nothing/here", &s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Body(r)["error"], "not_found");
}

TEST_F(AuthTest, AServedPathAskedWithAnotherMethodIs405NamingTheMethods) {
  TestSession s = Login("alice");
  auto get = Get("/api/review/1/approve", &s);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405) << get->body;
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  EXPECT_EQ(Body(get)["error"], "method_not_allowed");
  auto post = Post("/api/config/thresholds", json::object(), &s);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405) << post->body;
  EXPECT_NE(post->get_header_value("Allow").find("PUT"), std::string::npos) << post->get_header_value("Allow");
  EXPECT_NE(Body(post)["message"].get<std::string>().find("not POST"), std::string::npos) << post->body;
  EXPECT_EQ(Post("/api/nothing/here", json::object(), &s)->status, 404);  // no route at all: still 404
}

TEST_F(AuthTest, OversizedJsonBodyIs413) {
  TestSession s = Login("bob");
  json big = {{"names", json::array()}};
  for (int i = 0; i < 120'000; ++i) big["names"].push_back("someone_" + std::to_string(i));
  auto r = Put("/api/config/whitelist", big, &s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Body(r)["error"], "payload_too_large");
}

// A catalog that has never had users (the last admin cannot be removed, so no library gets back to none).
class SingleUserTest : public ApiTest {
 protected:
  bool WithUsers() const override { return false; }
  void SetUp() override {
    options_.single_user_password = "only-one-password";
    ApiTest::SetUp();
  }
};

TEST_F(SingleUserTest, SingleUserModeWhenNoUsersExist) {
  EXPECT_TRUE(users_->ListUsers()->empty());
  EXPECT_NE(server_->LoginHint().find("only-one-password"), std::string::npos);
  auto r =
      client_->Post("/api/auth/login", json{{"username", kSingleUserName}, {"password", "only-one-password"}}.dump(),
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Body(r)["role"], "superadmin");
  EXPECT_EQ(Body(r)["mode"], "single_user");
}

// The demo's known password is said to whoever opens the page before logging in; a generated single-user password
// (printed in the terminal only) never is, and neither is the demo's once somebody is logged in or a user exists.
TEST_F(SingleUserTest, TheDemosLoginIsShownOnTheLoginPageAGeneratedOneNever) {
  EXPECT_EQ(Body(client_->Get("/api/auth/session")), json({{"logged_in", false}}));
  StopServer();
  options_.show_single_user_login = true;
  StartServer();
  json session = Body(client_->Get("/api/auth/session"));
  EXPECT_EQ(session["logged_in"], false);
  EXPECT_EQ(session["demo_login"], json({{"user", kSingleUserName}, {"password", "only-one-password"}}));
  auto r = client_->Post("/api/auth/login", session["demo_login"].dump(), "application/json");  // user, not username
  EXPECT_EQ(r->status, 400);
  r = client_->Post(
      "/api/auth/login",
      json{{"username", session["demo_login"]["user"]}, {"password", session["demo_login"]["password"]}}.dump(),
      "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  std::string set_cookie = r->get_header_value("Set-Cookie");
  TestSession in{set_cookie.substr(0, set_cookie.find(';')), Body(r)["csrf_token"]};
  EXPECT_FALSE(Body(Get("/api/auth/session", &in)).contains("demo_login"));
  ASSERT_TRUE(users_->AddUser({0, "carol", "admin", *HashPassword("carol-secret-pw"), 10}).ok());
  EXPECT_EQ(Body(client_->Get("/api/auth/session")), json({{"logged_in", false}})) << "single-user mode has ended";
}

// A user added while the server runs (`triage user add` in another process) ends single-user mode at once: the
// user logs in without a restart, and the single-user password and its sessions no longer open anything.
TEST_F(SingleUserTest, AUserAddedWhileServingEndsSingleUserMode) {
  auto login = [&](const std::string& name, const std::string& password) {
    return client_->Post("/api/auth/login", json{{"username", name}, {"password", password}}.dump(),
                         "application/json");
  };
  auto r = login(kSingleUserName, "only-one-password");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  std::string set_cookie = r->get_header_value("Set-Cookie");
  TestSession single{set_cookie.substr(0, set_cookie.find(';')), Body(r)["csrf_token"]};
  ASSERT_EQ(Get("/api/auth/me", &single)->status, 200);

  ASSERT_TRUE(users_->AddUser({0, "carol", "admin", *HashPassword("carol-secret-pw"), 10}).ok());
  EXPECT_EQ(Get("/api/auth/me", &single)->status, 401);  // the single-user session ended with the mode
  auto old_password = login(kSingleUserName, "only-one-password");
  ASSERT_TRUE(old_password);
  EXPECT_EQ(old_password->status, 401);
  auto carol = login("carol", "carol-secret-pw");
  ASSERT_TRUE(carol);
  ASSERT_EQ(carol->status, 200) << carol->body;
  EXPECT_EQ(Body(carol)["mode"], "users");
  EXPECT_EQ(server_->LoginHint().find("only-one-password"), std::string::npos);
  // A user named like the single user's name gets none of that mode's sessions either.
  ASSERT_TRUE(users_->AddUser({0, kSingleUserName, "user", *HashPassword("admin-secret-pw"), 10}).ok());
  EXPECT_EQ(Get("/api/auth/me", &single)->status, 401);
}

TEST_F(AuthTest, NoAuthIsRefusedOffLoopbackAndActsAsLocalOnLoopback) {
  ServerOptions open = options_;
  open.no_auth = true;
  open.host = "0.0.0.0";
  auto refused = Server::Create(open, {*config_, *catalog_, *users_, *gallery_, *review_, *persons_, *ingestor_,
                                       journal_->staging_dir(), *proposal_store_, *proposals_, *undo_});
  EXPECT_EQ(refused.status().code(), base::Code::kInvalidArgument);
  StopServer();
  options_.no_auth = true;
  StartServer();
  auto me = client_->Get("/api/auth/me");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(Body(me)["user"], kNoAuthUserName);
  auto no_csrf = client_->Post("/api/disable", "{}", "application/json");
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);  // CSRF still applies: a foreign page cannot read the token
}

// A name that only starts like a loopback address is not one: a no-auth server is never put on it.
TEST_F(AuthTest, NoAuthIsRefusedOnANameThatOnlyLooksLikeLoopback) {
  for (const char* host :
       {"127.attacker.example", "127.0.0.1.nip.io", "localhost.attacker.example", "::ffff:1.2.3.4"}) {
    SCOPED_TRACE(host);
    ServerOptions open = options_;
    open.no_auth = true;
    open.host = host;
    auto refused = Server::Create(open, {*config_, *catalog_, *users_, *gallery_, *review_, *persons_, *ingestor_,
                                         journal_->staging_dir(), *proposal_store_, *proposals_, *undo_});
    EXPECT_EQ(refused.status().code(), base::Code::kInvalidArgument);
  }
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackAddress(host)) << host;
  }
}

// Without a login, a request addressed to any other name (a page of another site whose name resolves to 127.0.0.1:
// DNS rebinding) is refused, whatever it asks for; requests addressed to a loopback name are served.
TEST_F(AuthTest, NoAuthAnswersOnlyRequestsAddressedToALoopbackName) {
  StopServer();
  options_.no_auth = true;
  StartServer();
  const std::string port = std::to_string(server_->port());
  for (const std::string& host :
       std::vector<std::string>{"attacker.example:" + port, "attacker.example", "127.0.0.1.attacker.example:" + port,
                                "localhost:" + port + "@attacker.example", "[::1]x", ""}) {
    SCOPED_TRACE(host);
    httplib::Headers headers{{"Host", host}};
    auto me = client_->Get("/api/auth/me", headers);
    ASSERT_TRUE(me);
    EXPECT_EQ(me->status, 403) << me->body;
    EXPECT_EQ(Body(me)["error"], "host_refused") << me->body;
    EXPECT_NE(me->body.find("--no-auth"), std::string::npos) << me->body;
    auto page = client_->Get("/", headers);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 403);
  }
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LocalHost", "[::1]:" + port, "127.0.0.1"}) {
    SCOPED_TRACE(host);
    auto me = client_->Get("/api/auth/me", {{"Host", host}});
    ASSERT_TRUE(me);
    EXPECT_EQ(me->status, 200) << me->body;
  }
  // With logins, the server answers whatever name a reverse proxy put in front of it sends.
  StopServer();
  options_.no_auth = false;
  StartServer();
  auto proxied = client_->Get("/api/auth/session", {{"Host", "photos.example.org"}});
  ASSERT_TRUE(proxied);
  EXPECT_EQ(proxied->status, 200) << proxied->body;
}

}  // namespace
}  // namespace triage::server
