// Server: wires the routes, the static files and the middleware onto cpp-httplib.
#include "server/server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <memory>
#include <thread>

#include "base/utf8.h"
#include "server/api.h"
#include "server/request_parsing.h"
#include "server/server_state.h"
#include "server/static_files.h"
#include "server/task_pool.h"

namespace triage::server {

bool IsLoopbackAddress(std::string_view host) {
  if (host == "::1" || host == "[::1]") return true;
  std::string name(host);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (name == "localhost") return true;
  in_addr v4{};
  return ::inet_pton(AF_INET, name.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

bool HostHeaderNamesLoopback(std::string_view host_header) {
  std::string_view name = host_header;
  std::string_view port;
  if (name.substr(0, 1) == "[") {  // an IPv6 address, maybe followed by :port
    const size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    port = name.substr(close + 1);
    name = name.substr(0, close + 1);
    if (!port.empty() && port[0] != ':') return false;
    if (!port.empty()) port.remove_prefix(1);
  } else if (const size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    port = name.substr(colon + 1);
    name = name.substr(0, colon);
  }
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return !name.empty() && name != "::1" && IsLoopbackAddress(name);
}

namespace {

// Without a login, anything that can send the server a request acts as its superadmin. A browser sends a request to
// 127.0.0.1 for a page of any site whose name its DNS points there (DNS rebinding), and names that site in the Host
// header: such a request is refused, whatever it asks for.
bool AdmitHost(const ServerOptions& options, const httplib::Request& req, httplib::Response& res) {
  if (!options.no_auth && !options.loopback_names_only) return true;
  const std::string host = req.get_header_value("Host");
  if (HostHeaderNamesLoopback(host)) return true;
  SendError(res, 403, "host_refused",
            fmt::format("this server runs {} and answers only requests addressed to a loopback name (localhost, "
                        "127.0.0.1, [::1]); this one was addressed to {}",
                        options.no_auth ? "without a login (--no-auth)" : "with a known login (--demo-login)",
                        host.empty() ? "no host" : fmt::format("\"{}\"", host)));
  CloseAfterResponse(res);
  return false;
}

base::Status CheckOptions(const ServerOptions& o) {
  if (o.no_auth && !IsLoopbackAddress(o.host)) {
    return base::Status::InvalidArgument(
        fmt::format("--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not {}", o.host));
  }
  if (o.port < 0 || o.port > 65535) return base::Status::InvalidArgument("port must be from 0 to 65535");
  if (o.max_upload_bytes < 1000 || o.max_upload_bytes > 10'000'000'000) {
    return base::Status::InvalidArgument("max upload size must be from 1 KB to 10 GB");
  }
  if (o.login_max_failures < 1 || o.login_window_s < 1) {
    return base::Status::InvalidArgument("login rate limit must allow at least one failure per second");
  }
  return base::Status::Ok();
}

// cpp-httplib answers a Range of N parts with the file N times over, built in memory: a header of a few KB asks for
// gigabytes. One range is what browsers and download tools ask for (resuming, seeking); more are refused (416).
bool AdmitRange(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("Range")) return true;
  const std::string range = req.get_header_value("Range");
  if (range.find(',') == std::string::npos && range.size() <= 64) return true;
  // cpp-httplib would cut the refusal itself into those ranges: it is sent whole. (The request is the server's own
  // object, handed to its handlers as const.)
  const_cast<httplib::Request&>(req).ranges.clear();
  SendError(res, 416, "range_not_satisfiable",
            "only one byte range per request is served (Range: bytes=START-END); ask for the parts one at a time");
  CloseAfterResponse(res);
  return false;
}

// How long a request's body is must be said one way only (RFC 9112, 6.3): cpp-httplib reads the first of two
// Content-Length headers and prefers chunked to a length, so a request that says both, or two different lengths, or a
// length that is no plain number, or a transfer coding it does not decode, would have its body read one way here and
// another way by a proxy in front: what one takes for the body the other takes for the next request. Such a request is
// refused before its body is read, and the connection closed (what follows on it is not read as a request).
bool AdmitFraming(const httplib::Request& req, httplib::Response& res) {
  const auto refuse = [&](int status, const std::string& message) {
    SendError(res, status, status == 501 ? "not_implemented" : "bad_request", message);
    CloseAfterResponse(res);
    return false;
  };
  // Nor is the name it is addressed to (RFC 9112, 3.2): the loopback check reads one of two Host headers, a proxy
  // may route by the other.
  if (const size_t hosts = req.get_header_value_count("Host"); hosts > 1) {
    return refuse(400, fmt::format("the request has {} Host headers: send one", hosts));
  }
  const size_t lengths = req.get_header_value_count("Content-Length");
  const size_t codings = req.get_header_value_count("Transfer-Encoding");
  if (codings > 0 && lengths > 0) {
    return refuse(400, "the request has both Transfer-Encoding and Content-Length: send one of them");
  }
  if (codings > 1 || (codings == 1 && !IsChunked(req))) {
    return refuse(501, fmt::format("Transfer-Encoding \"{}\" is not served: send the body with Content-Length or "
                                   "Transfer-Encoding: chunked",
                                   base::ForTerminal(req.get_header_value("Transfer-Encoding"))));
  }
  std::string first;
  for (size_t i = 0; i < lengths; ++i) {
    const std::string value = req.get_header_value("Content-Length", i);
    if (ParseContentLength(value) < 0) {
      return refuse(
          400, fmt::format("Content-Length \"{}\" is not a number of bytes", base::ForTerminal(value.substr(0, 40))));
    }
    if (i == 0) first = value;
    if (value != first) {
      return refuse(400, fmt::format("the request has two different Content-Length headers ({} and {})", first, value));
    }
  }
  return true;
}

const char* ErrorNameFor(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 416:
      return "range_not_satisfiable";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

void ConfigureHttp(httplib::Server& http, const ApiRouter& router) {
  const size_t max_body_bytes = router.MaxBodyBytes();
  http.set_payload_max_length(max_body_bytes);  // a backstop: each route checks its own limit first
  http.set_read_timeout(30, 0);
  http.set_write_timeout(30, 0);
  http.set_tcp_nodelay(true);
  // A connection holds a thread while it sends its request, however slowly: a fixed pool of 8 was held by 8 clients
  // sending a header line every few seconds, and nobody else was answered. More threads are started while all are
  // busy (up to 256; then connections wait).
  http.new_task_queue = [] { return new ElasticTaskQueue(8, 256); };
  http.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
  });
  // Errors raised by httplib itself (no route, body too large, bad request line) get the same JSON shape.
  httplib::Server::HandlerWithResponse fill_error = [&router](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || res.content_length_ > 0) return httplib::Server::HandlerResponse::Unhandled;
    // A GET of a path served with POST or PUT (a request with a body is answered before routing: api.cc).
    if (res.status == 404 && router.SendMethodNotAllowed(req, res)) return httplib::Server::HandlerResponse::Handled;
    // TRACE and CONNECT are read by cpp-httplib and routed nowhere: it answers them with a bare 400, as if the request
    // were malformed. A method this server does not serve is a 405, with the methods it does serve.
    if (res.status == 400 && (req.method == "TRACE" || req.method == "CONNECT")) {
      if (!router.SendMethodNotAllowed(req, res)) {
        SendError(res, 405, "method_not_allowed",
                  fmt::format("{} is not served here: this server answers GET and HEAD, and POST, PUT and DELETE on "
                              "its API",
                              req.method));
        res.set_header("Allow", "GET, HEAD");
      }
      CloseAfterResponse(res);  // a body it may carry is not read
      return httplib::Server::HandlerResponse::Handled;
    }
    // cpp-httplib answers 416 itself, before routing, to a Range header it cannot parse.
    std::string message =
        res.status == 404   ? "no such endpoint"
        : res.status == 413 ? "the request body is too large"
        : res.status == 416 && req.has_header("Range")
            ? fmt::format(
                  "the Range header \"{}\" is not understood: ask for one byte range (Range: bytes=START-END), "
                  "or leave it out",
                  req.get_header_value("Range").substr(0, 64))
        : res.status == 400
            ? "the request could not be read as HTTP/1.1: its request line (METHOD /path HTTP/1.1) or a header is "
              "malformed or too long"
            : fmt::format("HTTP {}", res.status);
    SendError(res, res.status, ErrorNameFor(res.status), message);
    // A request that could not be read leaves no telling where the next one starts: what follows it on the connection
    // is not taken as a request (it was, its header lines each answered as another bad request).
    if (res.status == 400) CloseAfterResponse(res);
    return httplib::Server::HandlerResponse::Handled;
  };
  http.set_error_handler(fill_error);
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    SendError(res, 500, "internal", "internal error");
  });
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<ServerState> state;
  std::unique_ptr<ApiRouter> router;
  httplib::Server http;
  int port = 0;
  std::unique_ptr<review::ProposalScheduler> scheduler;  // runs while Run() serves
  std::atomic<bool> stop_requested{false};
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

base::Result<std::unique_ptr<Server>> Server::Create(const ServerOptions& options, ServerContext context) {
  TRIAGE_RETURN_IF_ERROR(CheckOptions(options));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->state = std::make_unique<ServerState>(options, std::move(context));
  auto auth = Authenticator::Create(impl->state->ctx.users,
                                    {options.no_auth, options.single_user_password, options.session_ttl_s});
  if (!auth.ok()) return auth.status();
  impl->state->auth = std::move(*auth);
  impl->router = std::make_unique<ApiRouter>(*impl->state->auth);
  ServerState& state = *impl->state;
  ApiRouter& router = *impl->router;
  router.HideFolderInErrors(std::filesystem::absolute(state.ctx.config.Current()->library).lexically_normal().string());
  router.Add(Method::kGet, "/api/openapi.json", Permission::kPublic, [](Call& c) {
    c.response().set_content(std::string(OpenApiJson()), "application/json");
    return base::Status::Ok();
  });
  AddAuthRoutes(router, state);
  AddReviewRoutes(router, state);
  AddItemRoutes(router, state);
  AddGalleryRoutes(router, state);
  AddControlRoutes(router, state);
  AddUndoRoutes(router, state);
  AddStatsRoutes(router, state);
  AddIngestRoutes(router, state);
  AddFaceRoutes(router, state);
  AddProposalRoutes(router, state);
  AddVoteRoutes(router, state);
  AddReviewFaceRoutes(router, state);
  AddChangeRoutes(router, state);
  ConfigureHttp(impl->http, router);
  router.Install(impl->http, [&options = impl->options](const httplib::Request& req, httplib::Response& res) {
    return AdmitFraming(req, res) && AdmitHost(options, req, res) && AdmitRange(req, res);
  });
  InstallStaticFiles(impl->http);
  // cpp-httplib listens with a backlog of 5: a burst of connections (a page of thumbnails from a few browsers) had
  // some reset before they were accepted. The listening socket's backlog is raised once it is bound.
  auto listening = std::make_shared<socket_t>(INVALID_SOCKET);
  // SO_REUSEADDR only (a restart may bind while the previous run's connections linger in TIME_WAIT). cpp-httplib's
  // default sets SO_REUSEPORT instead, with which a second server bound to a port in use and the kernel shared the
  // connections between the two (and their libraries).
  impl->http.set_socket_options([listening](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    *listening = sock;
  });
  impl->port = options.port == 0 ? impl->http.bind_to_any_port(options.host)
                                 : (impl->http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (impl->port > 0 && *listening != INVALID_SOCKET && ::listen(*listening, SOMAXCONN) != 0) impl->port = -1;
  if (impl->port <= 0) {
    return base::Status::Unavailable(
        fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)", options.host, options.port));
  }
  impl->scheduler =
      std::make_unique<review::ProposalScheduler>(state.ctx.config, state.ctx.catalog, state.ctx.proposals);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

base::Status Server::Run() {
  if (impl_->stop_requested) return base::Status::Ok();
  if (impl_->options.proposal_schedule) impl_->scheduler->Start();
  // httplib's stop() does nothing until its listening loop has begun: a Stop() that comes in that moment (a SIGTERM
  // just after start-up) is carried out by this watcher as soon as the loop runs.
  std::jthread late_stop([this](std::stop_token done) {
    while (!impl_->http.is_running() && !done.stop_requested())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (impl_->stop_requested) impl_->http.stop();
  });
  const bool served = impl_->http.listen_after_bind();
  impl_->scheduler->Stop();
  if (!served) return base::Status::Unavailable("the HTTP server stopped with an error");
  return base::Status::Ok();
}

void Server::Stop() {
  impl_->stop_requested = true;           // before http.stop(): Run's watcher reads it once the loop runs
  impl_->state->stopping.request_stop();  // waiting requests answer, so that the HTTP threads can end
  impl_->http.stop();
  impl_->scheduler->Stop();
}

bool Server::SchedulerRunning() const { return impl_->scheduler->running(); }

review::SchedulerCounts Server::scheduler_counts() const { return impl_->scheduler->counts(); }

void Server::WaitUntilReady() {
  for (int i = 0; i < 10'000 && !impl_->http.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

int Server::port() const { return impl_->port; }

std::vector<RouteInfo> Server::routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : impl_->router->routes()) {
    out.push_back({MethodName(r.method), r.path, PermissionName(r.permission), r.limits.max_concurrent});
  }
  return out;
}

std::string Server::url() const {
  std::string host = impl_->options.host;
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return fmt::format("http://{}:{}/", host, impl_->port);
}

std::string Server::LoginHint() const {
  Authenticator& auth = *impl_->state->auth;
  if (auth.no_auth()) return "no login (--no-auth)";
  if (auth.single_user()) {
    return fmt::format("single-user mode: user {}, password {}", kSingleUserName, auth.single_user_password());
  }
  return "log in with a user made by `triage user add NAME --role R`";
}

}  // namespace triage::server
