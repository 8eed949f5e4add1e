// `triage serve`: the review server and web UI.
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/stop_signal.h"
#include "server/server.h"

namespace triage::cli {
namespace {

// The demo library's well-known password (`make run`); refused off loopback like --no-auth.
constexpr const char* kDemoPassword = "triage-demo";

struct ServeArgs {
  server::ServerOptions options;
  bool demo_login = false;
};

// The catalog's change feed for live updates; null (with a warning) when it cannot be opened.
std::unique_ptr<catalog::ChangeFeed> OpenChanges(Library& lib) {
  if (!lib.open_changes) return nullptr;
  auto opened = lib.open_changes();
  if (opened.ok()) return std::move(*opened);
  fmt::print(stderr, "triage: warning: {}; open pages will not update by themselves\n", opened.status().message());
  return nullptr;
}

int Serve(CommandContext& ctx, const ServeArgs& args) {
  StopOnSignal signals;  // before anything slow, so an early Ctrl-C also ends cleanly
  server::ServerOptions options = args.options;
  if (args.demo_login) {
    if (!server::IsLoopbackAddress(options.host)) {
      return ctx.Fail(base::Status::InvalidArgument(
          fmt::format("--demo-login is only allowed on a loopback address (127.0.0.1, ::1), not {}", options.host)));
    }
    options.single_user_password = kDemoPassword;
    options.show_single_user_login = true;  // a known password: the login page says it to whoever opens the demo
    options.loopback_names_only = true;     // its password is known: no page of another site may use it
  }
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  if (base::Status faces = lib->LoadFaces(); !faces.ok()) {
    fmt::print(stderr, "triage: warning: {}; uploads will go to review unidentified\n", faces.message());
  }
  lib->FollowReferences(kFollowReferencesEvery);  // persons enrolled with the CLI meanwhile count without a restart
  auto ingestor = lib->MakeIngestor();
  server::ServerContext context{*lib->config_store,   *lib->catalog,   *lib->users, *lib->gallery,
                                *lib->review,         *lib->persons,   *ingestor,   lib->journal->staging_dir(),
                                *lib->proposal_store, *lib->proposals, *lib->undo};
  if (base::Status clusters = lib->LoadClustering(); !clusters.ok()) {
    fmt::print(stderr, "triage: warning: {}; the People page is off\n", clusters.message());
  } else {
    context.faces = lib->face_store.get();
    context.clustering = lib->clustering.get();
    context.people = lib->people.get();
  }
  std::unique_ptr<catalog::ChangeFeed> changes = OpenChanges(*lib);  // outlives the server (declared before it)
  context.changes = changes.get();
  auto srv = server::Server::Create(options, context);
  if (!srv.ok()) return ctx.Fail(srv.status());
  fmt::print("triage: serving {} on {}\n", lib->config()->library.string(), (*srv)->url());
  fmt::print("triage: login: {}\n", (*srv)->LoginHint());
  fmt::print("triage: press Ctrl-C to stop\n");
  std::fflush(stdout);
  server::Server* running = srv->get();
  signals.OnStop([running] { running->Stop(); });
  if (signals.requested()) return kExitOk;
  base::Status st = running->Run();
  signals.OnStop(nullptr);
  if (!st.ok()) return ctx.Fail(st);
  return kExitOk;
}

}  // namespace

void AddServeCommands(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand("serve", "serve the review web UI and the HTTP API");
  serve->add_option("--host", args->options.host, "address to listen on")->capture_default_str();
  serve->add_option("--port", args->options.port, "port (0 = any free port)")->capture_default_str();
  serve->add_flag("--no-auth", args->options.no_auth, "no login (only on a loopback address)");
  serve->add_flag(
      "--demo-login", args->demo_login,
      fmt::format("single-user mode with the password {} when no users exist (loopback only)", kDemoPassword));
  serve->callback([&ctx, args] { Serve(ctx, *args); });
}

}  // namespace triage::cli
