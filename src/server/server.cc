// Server: wires the routes, the static files and the middleware onto cpp-httplib.
#include "server/server.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "server/api.h"
#include "server/server_state.h"
#include "server/static_files.h"
#include "server/task_pool.h"

namespace triage::server {
namespace {

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

base::Status CheckOptions(const ServerOptions& o) {
  if (o.no_auth && !IsLoopback(o.host)) {
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
    std::string message = res.status == 404   ? "no such endpoint"
                          : res.status == 413 ? "the request body is too large"
                                              : fmt::format("HTTP {}", res.status);
    SendError(res, res.status, ErrorNameFor(res.status), message);
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
  router.Install(impl->http);
  InstallStaticFiles(impl->http);
  // cpp-httplib listens with a backlog of 5: a burst of connections (a page of thumbnails from a few browsers) had
  // some reset before they were accepted. The listening socket's backlog is raised once it is bound.
  auto listening = std::make_shared<socket_t>(INVALID_SOCKET);
  impl->http.set_socket_options([listening](socket_t sock) {
    httplib::default_socket_options(sock);
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
