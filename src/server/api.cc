// Route table and middleware: authentication, CSRF, role check, body limit, JSON errors.
#include "server/api.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <exception>
#include <map>
#include <regex>

#include "base/clock.h"
#include "model/json_text.h"
#include "server/request_parsing.h"

namespace triage::server {
namespace {

using nlohmann::json;

// "/api/review/{id}/approve" -> "/api/review/([^/]+)/approve"
std::string PathRegex(const std::string& path) {
  static const std::regex kParam(R"(\{[a-z_]+\})");
  return std::regex_replace(path, kParam, "([^/]+)");
}

}  // namespace

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

const char* MethodName(Method method) {
  switch (method) {
    case Method::kGet:
      return "get";
    case Method::kPost:
      return "post";
    case Method::kPut:
      return "put";
    case Method::kDelete:
      return "delete";
  }
  return "";
}

std::string Call::PathParam(size_t i) const {
  return i + 1 < req_.matches.size() ? std::string(req_.matches[i + 1]) : std::string();
}

base::Result<int64_t> Call::IdParam(size_t i) const {
  const std::string text = PathParam(i);
  return ParseId(text, IdNoun(req_.path, text));
}

base::Result<json> Call::JsonBody() const {
  if (parsed_) return *parsed_;
  return ParseJsonObject(body_);
}

std::string Call::Query(const std::string& name) const {
  return req_.has_param(name.c_str()) ? req_.get_param_value(name.c_str()) : std::string();
}

base::Status Call::OnlyQueries(std::initializer_list<std::string_view> known) const {
  for (const auto& [name, value] : req_.params) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return base::Status::InvalidArgument(fmt::format("query parameter {}: not one this request takes ({})",
                                                     model::JsonExcerpt(name),
                                                     list.empty() ? "it takes none" : "it takes " + list));
  }
  return base::Status::Ok();
}

namespace {

// kInvalidArgument naming a query parameter given more than once.
base::Status OneValuePerQuery(const httplib::Request& req) {
  // Counted in the request's own query text: cpp-httplib keeps one of two identical "limit=5" pairs.
  std::map<std::string, int> given;
  const size_t mark = req.target.find('?');
  if (mark != std::string::npos) {
    std::string_view query(req.target);
    query.remove_prefix(mark + 1);
    while (!query.empty()) {
      const std::string_view pair = query.substr(0, query.find('&'));
      query.remove_prefix(std::min(query.size(), pair.size() + 1));
      if (!pair.empty()) ++given[httplib::detail::decode_url(std::string(pair.substr(0, pair.find('='))), true)];
    }
  }
  for (const auto& [name, value] : req.params) {
    const int times = std::max(given[name], static_cast<int>(req.params.count(name)));
    if (times > 1) {  // the first would win unsaid: ?person=a&person=b showed a's photos only
      return base::Status::InvalidArgument(
          fmt::format("query parameter {}: given {} times; it takes one value", model::JsonExcerpt(name), times));
    }
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<int64_t> Call::IntQuery(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  return ParseIntQuery(name, Query(name), fallback, min, max);
}

void Call::Reply(const json& body, int status) {
  res_.status = status;
  res_.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

int HttpStatusFor(base::Code code) {
  switch (code) {
    case base::Code::kOk:
      return 200;
    case base::Code::kInvalidArgument:
      return 400;
    case base::Code::kPermissionDenied:
      return 403;
    case base::Code::kNotFound:
      return 404;
    case base::Code::kAlreadyExists:
    case base::Code::kConflict:
      return 409;
    case base::Code::kCorrupt:
      return 422;
    case base::Code::kUnavailable:
      return 503;
    case base::Code::kIo:
      return 500;
  }
  return 500;
}

void SendError(httplib::Response& res, int status, const std::string& error, const std::string& message) {
  res.status = status;
  json body = {{"error", error}, {"message", message}};
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, const base::Status& status, const std::string& hidden_root) {
  // Every 403 has one name, whether the route's permission or the service refused (another user's undo, a purge).
  const std::string name =
      status.code() == base::Code::kPermissionDenied ? "forbidden" : std::string(base::CodeName(status.code()));
  SendError(res, HttpStatusFor(status.code()), name, WithoutFolder(status.message(), hidden_root));
}

std::string WithoutFolder(std::string message, const std::string& root) {
  if (root.size() < 2) return message;  // "" or "/": nothing to hide
  const std::string prefix = root.back() == '/' ? root : root + "/";
  for (size_t at = message.find(prefix); at != std::string::npos; at = message.find(prefix, at)) {
    message.erase(at, prefix.size());
  }
  return message;
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(pos, end - pos);
    size_t start = pair.find_first_not_of(' ');
    if (start != std::string::npos) pair = pair.substr(start);
    if (pair.size() > name.size() && pair.compare(0, name.size(), name) == 0 && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return "";
}

void ApiRouter::Add(Method method, std::string path, Permission permission, Handler handler, size_t max_body_bytes) {
  Add(method, std::move(path), permission, std::move(handler), RouteLimits{max_body_bytes, BodyMode::kBuffered, 0});
}

void ApiRouter::Add(Method method, std::string path, Permission permission, Handler handler, RouteLimits limits) {
  Route route{method, std::move(path), permission, std::move(handler), limits};
  routes_.push_back(std::move(route));
}

size_t ApiRouter::MaxBodyBytes() const {
  size_t max = 0;
  for (const Route& r : routes_) max = std::max(max, r.limits.max_body_bytes);
  return max;
}

namespace {

// A method as a request line spells it.
const char* HttpMethod(Method m) {
  switch (m) {
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kDelete:
      return "DELETE";
    case Method::kGet:
      break;
  }
  return "GET";
}

}  // namespace

bool ApiRouter::MatchesAnyRoute(const std::string& method, const std::string& path) const {
  for (const auto& [m, pattern] : patterns_) {
    if (method == HttpMethod(m) && std::regex_match(path, pattern)) return true;
  }
  return false;
}

std::string ApiRouter::AllowedMethods(const std::string& path) const {
  std::string out;
  for (Method m : {Method::kGet, Method::kPost, Method::kPut, Method::kDelete}) {
    const bool served = std::any_of(patterns_.begin(), patterns_.end(),
                                    [&](const auto& p) { return p.first == m && std::regex_match(path, p.second); });
    if (served) out += (out.empty() ? "" : ", ") + std::string(HttpMethod(m));
  }
  return out;
}

void ApiRouter::Install(httplib::Server& server, Gate gate) {
  patterns_.clear();
  for (const Route& route : routes_) {
    std::string pattern = PathRegex(route.path);
    patterns_.emplace_back(route.method, std::regex(pattern));
    auto with_body = [this, &route](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) { Dispatch(route, req, res, &reader); };
    switch (route.method) {
      case Method::kGet:
        server.Get(pattern, [this, &route](const httplib::Request& req, httplib::Response& res) {
          Dispatch(route, req, res, nullptr);
        });
        break;
      case Method::kPost:
        server.Post(pattern, with_body);
        break;
      case Method::kPut:
        server.Put(pattern, with_body);
        break;
      case Method::kDelete:
        server.Delete(pattern, with_body);
        break;
    }
  }
  // httplib reads the body of a request no route takes before answering 404; answer it unread instead.
  server.set_pre_routing_handler([this, gate = std::move(gate)](const httplib::Request& req, httplib::Response& res) {
    if (gate && !gate(req, res)) return httplib::Server::HandlerResponse::Handled;
    bool takes_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
    if (!takes_body || MatchesAnyRoute(req.method, req.path)) return httplib::Server::HandlerResponse::Unhandled;
    if (!SendMethodNotAllowed(req, res)) SendError(res, 404, "not_found", "no such endpoint");
    CloseAfterResponse(res);
    return httplib::Server::HandlerResponse::Handled;
  });
}

bool ApiRouter::SendMethodNotAllowed(const httplib::Request& req, httplib::Response& res) const {
  const std::string allowed = AllowedMethods(req.path);
  if (allowed.empty()) return false;
  SendError(res, 405, "method_not_allowed", fmt::format("{} is served with {}, not {}", req.path, allowed, req.method));
  res.set_header("Allow", allowed);
  return true;
}

bool ApiRouter::Admit(const Route& route, const httplib::Request& req, httplib::Response& res,
                      Principal& principal) const {
  if (route.permission == Permission::kPublic) return true;
  auto who = auth_.Authenticate(CookieValue(req, kSessionCookie), base::UnixNow());
  if (!who.ok()) {
    if (who.status().code() != base::Code::kNotFound) {
      SendError(res, who.status());
    } else {
      SendError(res, 401, "unauthenticated", "log in first (POST /api/auth/login)");
    }
    return false;
  }
  principal = std::move(*who);
  if (route.method != Method::kGet && !SameToken(req.get_header_value(kCsrfHeader), principal.csrf_token)) {
    SendError(res, 403, "csrf_failed",
              "this request changes state and needs the session's CSRF token in the X-CSRF-Token header");
    return false;
  }
  if (!RoleAllows(principal.role, route.permission)) {
    SendError(res, 403, "forbidden", RefusalMessage(principal.role, route.permission));
    return false;
  }
  return true;
}

namespace {

// Holds one of a route's max_concurrent slots for the life of a request.
class Slot {
 public:
  explicit Slot(const Route& route) : route_(route), bounded_(route.limits.max_concurrent > 0) {
    if (bounded_) taken_ = route.in_flight->fetch_add(1) < route.limits.max_concurrent;
  }
  ~Slot() {
    if (bounded_) route_.in_flight->fetch_sub(1);
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  bool taken() const { return taken_; }

 private:
  const Route& route_;
  const bool bounded_;
  bool taken_ = true;
};

}  // namespace

namespace {

// The one byte range a request may ask for (AdmitRange refuses several), fitted to the answer before cpp-httplib cuts
// it: a range past the end ends at the last byte (cpp-httplib sent the body cut there under a Content-Range naming the
// end asked for); one that starts past the end, or a suffix of no bytes, is 416 with "Content-Range: bytes */SIZE"
// (RFC 9110, 15.5.17) and the usual JSON error. Any answer but a 200 is sent whole.
void FitRange(const httplib::Request& req, httplib::Response& res) {
  auto& ranges = const_cast<httplib::Request&>(req).ranges;  // the server's own object, handed to handlers as const
  if (ranges.empty()) return;
  if (res.status != -1 && res.status != 200) {
    ranges.clear();
    return;
  }
  const auto size = static_cast<ssize_t>(res.content_length_ > 0 ? res.content_length_ : res.body.size());
  auto [first, last] = ranges.front();
  const bool satisfiable = first == -1 ? last > 0 && size > 0 : first < size;
  if (!satisfiable) {
    ranges.clear();
    const std::string asked = first == -1 ? fmt::format("the last {} bytes", last) : fmt::format("from byte {}", first);
    SendError(res, 416, "range_not_satisfiable",
              fmt::format("the range asked for ({}) lies outside the {} bytes there are", asked, size));
    res.set_header("Content-Range", fmt::format("bytes */{}", size));
    return;
  }
  if (first != -1 && (last == -1 || last >= size)) ranges.front().second = size - 1;
}

}  // namespace

void ApiRouter::Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader* reader) const {
  BodyState body = reader != nullptr && HasBody(req) ? BodyState::kUnread : BodyState::kRead;
  try {
    Principal principal;
    int64_t declared = DeclaredLength(req);
    if (reader != nullptr && declared > static_cast<int64_t>(route.limits.max_body_bytes)) {
      SendTooLarge(res, route);
    } else if (Admit(route, req, res, principal)) {
      Slot slot(route);
      if (!slot.taken()) {
        SendError(
            res, 503, "busy",
            fmt::format("at most {} of these requests at a time; try again shortly", route.limits.max_concurrent));
        res.set_header("Retry-After", "5");
      } else {
        Serve(route, req, res, reader, std::move(principal), body);
      }
    }
  } catch (const std::exception& e) {
    SendError(res, 500, "internal", fmt::format("internal error: {}", e.what()));
  }
  FitRange(req, res);
  if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  // A client that sends its whole body before reading the answer loses the answer when the connection closes
  // under it; a small unread body is read and dropped instead (no memory kept), a large one closes.
  if (body == BodyState::kUnread && !DiscardSmallBody(req, *reader)) body = BodyState::kPartlyRead;
  if (body == BodyState::kPartlyRead) CloseAfterResponse(res);
}

void ApiRouter::Serve(const Route& route, const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader* reader, Principal principal, BodyState& body_state) const {
  // No request takes a query parameter twice (a thumbnail's ?size=160&size=1280, a filter's ?person=a&person=b): the
  // one that would win is not said, so neither is taken.
  if (base::Status once = OneValuePerQuery(req); !once.ok()) return SendError(res, once);
  std::string body;
  std::optional<json> parsed;
  BodyStream stream{reader, route.limits.max_body_bytes};
  if (reader != nullptr && route.limits.body == BodyMode::kBuffered && HasBody(req)) {
    if (req.is_multipart_form_data()) return SendError(res, 400, "bad_request", "this route takes a JSON body");
    bool too_large = false;
    body_state = BodyState::kPartlyRead;
    base::Status read = ReadBody(*reader, route.limits.max_body_bytes, body, too_large);
    if (too_large) return SendTooLarge(res, route);
    if (!read.ok()) return SendError(res, read);
    body_state = BodyState::kRead;
    // Every buffered route takes a JSON object or nothing: a malformed body is refused here, also by the routes
    // that read none (a POST /api/enable with "{\"ids\":[1," acted as if it had been empty).
    if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
      auto checked = ParseJsonObject(body);
      if (!checked.ok()) return SendError(res, checked.status());
      parsed = std::move(*checked);
    }
  }
  Call call(req, res, std::move(principal), std::move(body), reader != nullptr ? &stream : nullptr);
  if (parsed) call.KeepParsedBody(std::move(*parsed));
  base::Status st = route.handler(call);
  if (stream.too_large) return SendTooLarge(res, route);
  if (!st.ok()) SendError(res, st, hidden_root_);
  if (stream.read) body_state = st.ok() ? BodyState::kRead : BodyState::kPartlyRead;
}

}  // namespace triage::server
