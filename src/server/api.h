// The API's plumbing: a table of routes (method, OpenAPI path, permission, handler) and the one place where
// every request is authenticated, CSRF-checked, authorised, size-limited and its errors turned into JSON.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "server/auth.h"
#include "server/roles.h"

namespace triage::server {

enum class Method { kGet, kPost, kPut };
const char* MethodName(Method method);  // "get", "post", "put" (OpenAPI's spelling)

inline constexpr const char* kSessionCookie = "triage_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";
inline constexpr size_t kMaxJsonBodyBytes = 1 << 20;

// One request as a handler sees it. Not thread-safe (one per request).
class Call {
 public:
  Call(const httplib::Request& req, httplib::Response& res, Principal principal)
      : req_(req), res_(res), principal_(std::move(principal)) {}

  const httplib::Request& request() const { return req_; }
  httplib::Response& response() { return res_; }
  const Principal& principal() const { return principal_; }
  // The actor recorded in the audit log.
  const std::string& actor() const { return principal_.user; }

  // The i-th {parameter} of the route's path, as text.
  std::string PathParam(size_t i) const;
  // The i-th path parameter as a catalog id; kInvalidArgument unless a positive whole number.
  base::Result<int64_t> IdParam(size_t i = 0) const;
  // The body as a JSON object; kInvalidArgument with the parser's message otherwise.
  base::Result<nlohmann::json> JsonBody() const;
  // Query parameter `name`, or "" when absent.
  std::string Query(const std::string& name) const;
  // Query parameter as a whole number within [min, max]; `fallback` when absent; kInvalidArgument otherwise.
  base::Result<int64_t> IntQuery(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;

  // Sends `body` as JSON with `status`.
  void Reply(const nlohmann::json& body, int status = 200);

 private:
  const httplib::Request& req_;
  httplib::Response& res_;
  Principal principal_;
};

using Handler = std::function<base::Status(Call&)>;

struct Route {
  Method method = Method::kGet;
  std::string path;                  // OpenAPI template, e.g. "/api/review/{id}/approve"
  Permission permission = Permission::kView;
  Handler handler;
  size_t max_body_bytes = kMaxJsonBodyBytes;
};

// HTTP status for a Status code (kNotFound -> 404, kInvalidArgument -> 400, ...).
int HttpStatusFor(base::Code code);
// Writes the error body {error, message} with `status`.
void SendError(httplib::Response& res, int status, const std::string& error, const std::string& message);
void SendError(httplib::Response& res, const base::Status& status);

// The routes and the middleware around them. Thread-safe once installed (read-only).
class ApiRouter {
 public:
  explicit ApiRouter(Authenticator& auth) : auth_(auth) {}

  void Add(Method method, std::string path, Permission permission, Handler handler,
           size_t max_body_bytes = kMaxJsonBodyBytes);
  const std::vector<Route>& routes() const { return routes_; }
  // Registers every route with `server` (path parameters become regex groups).
  void Install(httplib::Server& server) const;

 private:
  void Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) const;
  Authenticator& auth_;
  std::vector<Route> routes_;
};

// The value of cookie `name` in the request's Cookie header, or "".
std::string CookieValue(const httplib::Request& req, const std::string& name);

}  // namespace triage::server
