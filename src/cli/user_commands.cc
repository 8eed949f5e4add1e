// `triage user add|list|remove|passwd|role`: the web users (there is no registration in the web UI). Passwords come
// from stdin; a hash is never shown.
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "base/clock.h"
#include "cli/commands.h"
#include "server/server.h"

namespace triage::cli {
namespace {

using nlohmann::json;

// One line from stdin, without echo when it is a terminal.
std::string ReadPassword() {
  bool tty = ::isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    fmt::print(stderr, "Password: ");
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fmt::print(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int UserAdd(CommandContext& ctx, const std::string& name, const std::string& role) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  std::string password = ReadPassword();
  base::Status st = server::AddUser(*lib->users, *lib->catalog, name, role, password, CommandContext::Actor());
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json)
    ctx.PrintJson({{"user", name}, {"role", role}});
  else
    fmt::print("added user {} ({})\n", name, role);
  return kExitOk;
}

int UserList(CommandContext& ctx) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto users = lib->users->ListUsers();
  if (!users.ok()) return ctx.Fail(users.status());
  if (ctx.json) {
    json out = json::array();
    for (const auto& u : *users) out.push_back({{"name", u.name}, {"role", u.role}, {"created_at", u.created_at}});
    ctx.PrintJson(out);
    return kExitOk;
  }
  for (const auto& u : *users) {
    fmt::print("{:<24} {:<11} added {}\n", u.name, u.role, base::IsoDay(u.created_at));
  }
  if (users->empty()) {
    fmt::print(
        "no users yet (the server asks for one password: single-user mode): "
        "triage user add NAME --role admin, with the password on stdin\n");
  }
  return kExitOk;
}

int UserRemove(CommandContext& ctx, const std::string& name) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  base::Status st = server::RemoveUser(*lib->users, *lib->catalog, name, CommandContext::Actor());
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json)
    ctx.PrintJson({{"user", name}, {"removed", true}});
  else
    fmt::print("removed user {}; their sessions ended\n", name);
  return kExitOk;
}

int UserPasswd(CommandContext& ctx, const std::string& name) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  std::string password = ReadPassword();
  base::Status st = server::SetUserPassword(*lib->users, *lib->catalog, name, password, CommandContext::Actor());
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json)
    ctx.PrintJson({{"user", name}, {"password_changed", true}});
  else
    fmt::print("changed the password of {}; their sessions ended (they log in again)\n", name);
  return kExitOk;
}

int UserRole(CommandContext& ctx, const std::string& name, const std::string& role) {
  auto lib = ctx.OpenOrReport();
  if (!lib) return ctx.exit_code;
  auto before = lib->users->GetUser(name);
  base::Status st = server::SetUserRole(*lib->users, *lib->catalog, name, role, CommandContext::Actor());
  if (!st.ok()) return ctx.Fail(st);
  const std::string was = before.ok() ? before->role : "";
  if (ctx.json)
    ctx.PrintJson({{"user", name}, {"role", role}, {"was", was}});
  else if (was == role)
    fmt::print("{} has the role {} already\n", name, role);
  else
    fmt::print("{} now has the role {} (was {})\n", name, role, was);
  return kExitOk;
}

}  // namespace

void AddUserCommands(CLI::App& app, CommandContext& ctx) {
  struct UserArgs {
    std::string name;
    std::string role = "user";
  };
  auto u = std::make_shared<UserArgs>();
  auto* user = app.add_subcommand("user", "web users (there is no registration in the web UI)");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "add a user; the password is read from stdin");
  add->add_option("name", u->name, "user name")->required();
  add->add_option("--role", u->role, "user, admin or superadmin")->capture_default_str();
  add->add_flag("--json", ctx.json, "machine-readable output");
  add->callback([&ctx, u] { UserAdd(ctx, u->name, u->role); });

  auto* list = user->add_subcommand("list", "the users with their roles (never a password or its hash)");
  list->add_flag("--json", ctx.json, "machine-readable output");
  list->callback([&ctx] { UserList(ctx); });

  auto* remove = user->add_subcommand("remove", "remove a user and end their sessions (never the last admin)");
  remove->add_option("name", u->name, "user name")->required();
  remove->add_flag("--json", ctx.json, "machine-readable output");
  remove->callback([&ctx, u] { UserRemove(ctx, u->name); });

  auto* passwd = user->add_subcommand("passwd", "give a user a new password, read from stdin; ends their sessions");
  passwd->add_option("name", u->name, "user name")->required();
  passwd->add_flag("--json", ctx.json, "machine-readable output");
  passwd->callback([&ctx, u] { UserPasswd(ctx, u->name); });

  auto* role = user->add_subcommand("role", "give a user another role (never demoting the last admin)");
  role->add_option("name", u->name, "user name")->required();
  role->add_option("role", u->role, "user, admin or superadmin")->required();
  role->add_flag("--json", ctx.json, "machine-readable output");
  role->callback([&ctx, u] { UserRole(ctx, u->name, u->role); });
}

}  // namespace triage::cli
