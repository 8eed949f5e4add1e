// The API's plumbing: a table of routes (method, OpenAPI path, permission, handler) and the one place where
// every request is authenticated, CSRF-checked, authorised, size-limited and its errors turned into JSON.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "server/auth.h"
#include "server/roles.h"

namespace triage::server {

enum class Method { kGet, kPost, kPut, kDelete };
const char* MethodName(Method method);  // "get", "post", "put", "delete" (OpenAPI's spelling)

inline constexpr const char* kSessionCookie = "triage_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

// Two secret tokens equal, compared in constant time; an empty one equals nothing.
bool SameToken(const std::string& a, const std::string& b);
inline constexpr size_t kMaxJsonBodyBytes = 1 << 20;  // a route's body limit unless it says otherwise

// How a route takes its body. Limits apply before a byte of it is read: a declared Content-Length above the
// limit is refused at once, and a body without one (chunked, or up to the connection's end) is cut off there.
//  kBuffered: read into memory before the handler runs (Call::body(), Call::JsonBody()).
//  kStreamed: the handler reads it in pieces (Call::ReadMultipart), e.g. uploads written straight to disk.
enum class BodyMode { kBuffered, kStreamed };

struct RouteLimits {
  size_t max_body_bytes = kMaxJsonBodyBytes;  // bytes; a larger body is answered 413 naming the limit
  BodyMode body = BodyMode::kBuffered;
  int max_concurrent = 0;  // requests of this route served at once (others: 503 and
                           // Retry-After); 0 = no bound
};

// A streamed route's unread body: httplib's reader and the route's limit. Internal to the router and Call.
struct BodyStream {
  const httplib::ContentReader* reader = nullptr;
  size_t max_bytes = 0;
  bool too_large = false;  // set when the body went past max_bytes
  bool read = false;       // set once the handler has read it (to the end or until refused)
};

// How much of a request's body has been read off the connection.
enum class BodyState { kUnread, kPartlyRead, kRead };

// Called for each part of a multipart body as its headers arrive (name, filename, content_type), then with its
// bytes in pieces. Returning false stops reading (the request then fails).
using PartStartFn = std::function<bool(const httplib::MultipartFormData& part)>;
using PartDataFn = std::function<bool(const char* data, size_t size)>;
// One request as a handler sees it. Not thread-safe (one per request).
class Call {
 public:
  Call(const httplib::Request& req, httplib::Response& res, Principal principal, std::string body = {},
       BodyStream* stream = nullptr)
      : req_(req), res_(res), principal_(std::move(principal)), body_(std::move(body)), stream_(stream) {}

  const httplib::Request& request() const { return req_; }
  httplib::Response& response() { return res_; }
  const Principal& principal() const { return principal_; }
  // The actor recorded in the audit log.
  const std::string& actor() const { return principal_.user; }

  // The i-th {parameter} of the route's path, as text.
  std::string PathParam(size_t i) const;
  // The i-th path parameter as a catalog id; kInvalidArgument unless a positive whole number.
  base::Result<int64_t> IdParam(size_t i = 0) const;
  // A buffered route's body (empty for a streamed route).
  const std::string& body() const { return body_; }
  // The body as a JSON object; kInvalidArgument with the parser's message otherwise.
  base::Result<nlohmann::json> JsonBody() const;
  // The body as the router parsed it already (every buffered body is checked before its handler runs): JsonBody
  // hands it out instead of parsing the text again.
  void KeepParsedBody(nlohmann::json parsed) { parsed_ = std::move(parsed); }
  // Streams a streamed route's multipart/form-data body through `start` and `data`. kInvalidArgument when the
  // body is not multipart, is malformed, was cut off, or is larger than the route's limit (answered 413);
  // kIo when a callback refused it.
  base::Status ReadMultipart(const PartStartFn& start, const PartDataFn& data);
  // Query parameter `name`, or "" when absent.
  std::string Query(const std::string& name) const;
  // kInvalidArgument naming the first query parameter that is none of `known` (a misspelt "limit" for "per_page"
  // would otherwise give the default page as if it were the one asked for), with the parameters there are.
  base::Status OnlyQueries(std::initializer_list<std::string_view> known) const;
  // Query parameter as a whole number within [min, max]; `fallback` when absent; kInvalidArgument otherwise.
  base::Result<int64_t> IntQuery(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;

  // Sends `body` as JSON with `status`.
  void Reply(const nlohmann::json& body, int status = 200);

 private:
  const httplib::Request& req_;
  httplib::Response& res_;
  Principal principal_;
  std::string body_;
  std::optional<nlohmann::json> parsed_;
  BodyStream* stream_;
};

using Handler = std::function<base::Status(Call&)>;

struct Route {
  Method method = Method::kGet;
  std::string path;  // OpenAPI template, e.g. "/api/review/{id}/approve"
  Permission permission = Permission::kView;
  Handler handler;
  RouteLimits limits;
  std::shared_ptr<std::atomic<int>> in_flight = std::make_shared<std::atomic<int>>(0);  // for max_concurrent
};

// HTTP status for a Status code (kNotFound -> 404, kInvalidArgument -> 400, ...).
int HttpStatusFor(base::Code code);
// Writes the error body {error, message} with `status`.
void SendError(httplib::Response& res, int status, const std::string& error, const std::string& message);
// `hidden_root`, when given, is taken out of the message (WithoutFolder).
void SendError(httplib::Response& res, const base::Status& status, const std::string& hidden_root = "");
// `message` without `root` + "/" wherever it occurs: "/srv/lib/faces/x.jpg" reads "faces/x.jpg".
std::string WithoutFolder(std::string message, const std::string& root);

// The routes and the middleware around them. Thread-safe once installed (read-only).
class ApiRouter {
 public:
  explicit ApiRouter(Authenticator& auth) : auth_(auth) {}

  void Add(Method method, std::string path, Permission permission, Handler handler,
           size_t max_body_bytes = kMaxJsonBodyBytes);
  void Add(Method method, std::string path, Permission permission, Handler handler, RouteLimits limits);
  const std::vector<Route>& routes() const { return routes_; }
  // Error messages the handlers return name files by their place in the library: `root` (the library's folder, as
  // the decoders, the file system and the mover spell it) is taken out of them, so that no answer shows where the
  // server keeps its files.
  void HideFolderInErrors(std::string root) { hidden_root_ = std::move(root); }
  // The largest body any route accepts (httplib's own limit, a backstop).
  size_t MaxBodyBytes() const;
  // Registers every route with `server` (path parameters become regex groups) and a pre-routing check that
  // answers requests with a body for no route (404, or 405 when the path is served with another method) before
  // httplib would read that body. `gate`, when given, sees every request first (API and static files alike); false
  // means it answered the request itself, which goes no further.
  using Gate = std::function<bool(const httplib::Request&, httplib::Response&)>;
  void Install(httplib::Server& server, Gate gate = nullptr);

 private:
  // REQUIRES: `reader` is null exactly for GET routes.
  void Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* reader) const;
  // Authentication, CSRF and the role check; false (and the response filled in) when the request may not go on.
  bool Admit(const Route& route, const httplib::Request& req, httplib::Response& res, Principal& principal) const;
  // Reads a buffered body (or hands a streamed one to the handler) and runs the handler; `body_state` tells
  // how much of the body has been read when it returns.
  void Serve(const Route& route, const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader* reader, Principal principal, BodyState& body_state) const;
  bool MatchesAnyRoute(const std::string& method, const std::string& path) const;

 public:
  // The methods some route serves `path` with ("GET, POST"), for a 405's Allow header; "" when no route has the
  // path. REQUIRES: Install ran.
  std::string AllowedMethods(const std::string& path) const;
  // Answers 405 with an Allow header when another method serves the request's path; false (nothing sent) when none
  // does.
  bool SendMethodNotAllowed(const httplib::Request& req, httplib::Response& res) const;

 private:
  Authenticator& auth_;
  std::vector<Route> routes_;
  std::vector<std::pair<Method, std::regex>> patterns_;  // parallel to routes_, filled by Install
  std::string hidden_root_;
};

// Body plumbing (api_body.cc).
// The declared Content-Length, or -1 when there is none (or it is not a number).
int64_t DeclaredLength(const httplib::Request& req);
// True when the request carries a body (a Content-Length above 0, or chunked transfer encoding).
bool HasBody(const httplib::Request& req);
// True when the request's Transfer-Encoding is chunked, its name in any case, as cpp-httplib reads it.
bool IsChunked(const httplib::Request& req);
// Turns the response into one that closes the connection once sent, so that an unread body is never parsed as
// the next request. For every answer given without reading the whole body.
void CloseAfterResponse(httplib::Response& res);
// Reads a buffered route's body into `body`, stopping at `max_bytes`: Ok; kInvalidArgument ("too large" when
// `too_large` is set, malformed otherwise).
base::Status ReadBody(const httplib::ContentReader& reader, size_t max_bytes, std::string& body, bool& too_large);
// Reads and drops an unread body whose declared length is at most kMaxDiscardBytes; false when it is larger,
// has no declared length, or could not be read (the connection must then close).
inline constexpr int64_t kMaxDiscardBytes = 8 << 20;
bool DiscardSmallBody(const httplib::Request& req, const httplib::ContentReader& reader);
// The 413 answer naming the limit.
void SendTooLarge(httplib::Response& res, const Route& route);

// The value of cookie `name` in the request's Cookie header, or "".
std::string CookieValue(const httplib::Request& req, const std::string& name);

}  // namespace triage::server
