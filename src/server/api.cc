// Route table and middleware: authentication, CSRF, role check, body limit, JSON errors.
#include "server/api.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <regex>

#include <fmt/format.h>

#include "base/clock.h"

namespace triage::server {
namespace {

using nlohmann::json;

// "/api/review/{id}/approve" -> "/api/review/([^/]+)/approve"
std::string PathRegex(const std::string& path) {
  static const std::regex kParam(R"(\{[a-z_]+\})");
  return std::regex_replace(path, kParam, "([^/]+)");
}

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The request body's size: multipart bodies are parsed into req.files by httplib, so count those too.
size_t BodyBytes(const httplib::Request& req) {
  size_t bytes = req.body.size();
  for (const auto& [name, part] : req.files) bytes += part.content.size();
  std::string declared = req.get_header_value("Content-Length");
  size_t length = 0;
  auto [end, ec] = std::from_chars(declared.data(), declared.data() + declared.size(), length);
  if (ec == std::errc() && end == declared.data() + declared.size()) bytes = std::max(bytes, length);
  return bytes;
}

}  // namespace

const char* MethodName(Method method) {
  switch (method) {
    case Method::kGet: return "get";
    case Method::kPost: return "post";
    case Method::kPut: return "put";
  }
  return "";
}

std::string Call::PathParam(size_t i) const {
  return i + 1 < req_.matches.size() ? std::string(req_.matches[i + 1]) : std::string();
}

base::Result<int64_t> Call::IdParam(size_t i) const {
  std::string text = PathParam(i);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return base::Status::InvalidArgument(fmt::format("\"{}\" is not an item id (a positive whole number)", text));
  }
  return id;
}

base::Result<json> Call::JsonBody() const {
  json doc = json::parse(req_.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return base::Status::InvalidArgument("the request body is not valid JSON");
  if (!doc.is_object()) return base::Status::InvalidArgument("the request body must be a JSON object");
  return doc;
}

std::string Call::Query(const std::string& name) const {
  return req_.has_param(name.c_str()) ? req_.get_param_value(name.c_str()) : std::string();
}

base::Result<int64_t> Call::IntQuery(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  std::string text = Query(name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return base::Status::InvalidArgument(
        fmt::format("query parameter {}: must be a whole number from {} to {} (got \"{}\")", name, min, max, text));
  }
  return value;
}

void Call::Reply(const json& body, int status) {
  res_.status = status;
  res_.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

int HttpStatusFor(base::Code code) {
  switch (code) {
    case base::Code::kOk: return 200;
    case base::Code::kInvalidArgument: return 400;
    case base::Code::kPermissionDenied: return 403;
    case base::Code::kNotFound: return 404;
    case base::Code::kAlreadyExists: return 409;
    case base::Code::kCorrupt: return 422;
    case base::Code::kUnavailable: return 503;
    case base::Code::kIo: return 500;
  }
  return 500;
}

void SendError(httplib::Response& res, int status, const std::string& error, const std::string& message) {
  res.status = status;
  json body = {{"error", error}, {"message", message}};
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, const base::Status& status) {
  SendError(res, HttpStatusFor(status.code()), base::CodeName(status.code()), status.message());
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
  routes_.push_back({method, std::move(path), permission, std::move(handler), max_body_bytes});
}

void ApiRouter::Install(httplib::Server& server) const {
  for (const Route& route : routes_) {
    std::string pattern = PathRegex(route.path);
    auto handler = [this, &route](const httplib::Request& req, httplib::Response& res) { Dispatch(route, req, res); };
    switch (route.method) {
      case Method::kGet: server.Get(pattern, handler); break;
      case Method::kPost: server.Post(pattern, handler); break;
      case Method::kPut: server.Put(pattern, handler); break;
    }
  }
}

void ApiRouter::Dispatch(const Route& route, const httplib::Request& req, httplib::Response& res) const {
  try {
    if (BodyBytes(req) > route.max_body_bytes) {
      return SendError(res, 413, "payload_too_large",
                       fmt::format("the request body is larger than {} bytes", route.max_body_bytes));
    }
    Principal principal;
    if (route.permission != Permission::kPublic) {
      auto who = auth_.Authenticate(CookieValue(req, kSessionCookie), base::UnixNow());
      if (!who.ok()) {
        if (who.status().code() != base::Code::kNotFound) return SendError(res, who.status());
        return SendError(res, 401, "unauthenticated", "log in first (POST /api/auth/login)");
      }
      principal = std::move(*who);
      if (route.method != Method::kGet && !SameToken(req.get_header_value(kCsrfHeader), principal.csrf_token)) {
        return SendError(res, 403, "csrf_failed",
                         "this request changes state and needs the session's CSRF token in the X-CSRF-Token header");
      }
      if (!RoleAllows(principal.role, route.permission)) {
        return SendError(res, 403, "forbidden",
                         fmt::format("the role {} may not {}", principal.role, PermissionName(route.permission)));
      }
    }
    Call call(req, res, std::move(principal));
    base::Status st = route.handler(call);
    if (!st.ok()) SendError(res, st);
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  } catch (const std::exception& e) {
    SendError(res, 500, "internal", fmt::format("internal error: {}", e.what()));
  }
}

}  // namespace triage::server
