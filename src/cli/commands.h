// Registration of the CLI's subcommands. Each Add*Commands function adds its subcommands to `app`;
// the callbacks set `ctx.exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "base/text.h"
#include "cli/library.h"

namespace triage::cli {

using base::Counted;

// An ingest input that names a URL rather than a file or folder.
inline bool IsUrl(const std::string& arg) { return arg.find("://") != std::string::npos; }

// A filter option given with an empty value (`--category ''`, an unset shell variable) is refused: it would be
// read as no filter and list everything.
inline const CLI::Validator kNotEmpty(
    [](std::string& value) {
      return value.empty() ? std::string("an empty value filters nothing; give a value, or leave the option out")
                           : std::string();
    },
    "NOT EMPTY", "not empty");

struct CommandContext {
  LibraryOpener open;
  CatalogOpener open_catalog;
  std::string library;                         // --library or TRIAGE_LIBRARY
  std::string catalog_url;                     // --catalog or TRIAGE_CATALOG; empty: triage.json's catalog.url
  std::string catalog_named_by = "--catalog";  // where catalog_url came from, as errors name it
  // Whether OpenOrReport may create a SQLite catalog file that --catalog names and that is not there (init does); a
  // mistyped name must not start an empty catalog beside the library's.
  bool may_create_catalog = false;
  // Set by the commands that report recovery's unsettled journal entries themselves (recover, check); the others warn.
  bool reports_recovery = false;
  // kNotFound when the library has been used and its own SQLite catalog file is gone (see cli.cc).
  base::Status CatalogIsThere() const;
  bool json = false;  // --json on the subcommand
  int exit_code = kExitOk;

  // Opens the library or prints why not and sets exit_code; null on failure.
  std::unique_ptr<Library> OpenOrReport();
  // Prints `status` as an error (JSON on stdout with --json) and sets the exit code; returns it.
  int Fail(const base::Status& status);
  // The actor recorded for CLI actions: "cli:<login name>".
  static std::string Actor();
  // Prints a JSON document (pretty) on stdout.
  static void PrintJson(const nlohmann::json& doc);
  // One document on one line (JSON Lines: a stream of reports, as `watch --json` gives one per batch).
  static void PrintJsonLine(const nlohmann::json& doc);
};

void AddIntakeCommands(CLI::App& app, CommandContext& ctx);    // init, ingest, watch, recover
void AddQueryCommands(CLI::App& app, CommandContext& ctx);     // items, explain, stats
void AddReviewCommands(CLI::App& app, CommandContext& ctx);    // review list|approve|reject|skip|purge
void AddPersonCommands(CLI::App& app, CommandContext& ctx);    // person ..., models verify
void AddServeCommands(CLI::App& app, CommandContext& ctx);     // serve
void AddUserCommands(CLI::App& app, CommandContext& ctx);      // user add|list|remove|passwd|role
void AddPolicyCommands(CLI::App& app, CommandContext& ctx);    // simulate, apply-policy, recompute
void AddGroupCommands(CLI::App& app, CommandContext& ctx);     // bursts, duplicates
void AddProposalCommands(CLI::App& app, CommandContext& ctx);  // proposals ..., propose, public
void AddDbCommands(CLI::App& app, CommandContext& ctx);        // db migrate, db copy
void AddWorkerCommands(CLI::App& app, CommandContext& ctx);    // worker, jobs [wait], workers
// `ingest --queue`: one job per file in the catalog's queue (worker_commands.cc).
int EnqueueIngest(CommandContext& ctx, const std::vector<std::string>& inputs, const pipeline::IngestOptions& options);
void AddFacesCommands(CLI::App& app, CommandContext& ctx);  // faces clusters|name|merge|split|recluster|undo|...

}  // namespace triage::cli
