// db migrate, db copy: the catalog's schema and moving a catalog between backends (SQLite, PostgreSQL).
#include <fmt/format.h>

#include <filesystem>

#include "catalog/catalog_copy.h"
#include "cli/commands.h"

namespace triage::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct DbArgs {
  std::string from;
  std::string to;
  int batch_rows = 1000;
};

// "sqlite:" names the library's own file, so it needs --library; other URLs stand alone.
base::Result<CatalogStores> OpenUrl(CommandContext& ctx, const std::string& url) {
  TRIAGE_RETURN_IF_ERROR(config::CheckCatalogUrl(url));
  if (url.rfind("sqlite:", 0) == 0 && ctx.library.empty() && url.size() == 7) {
    return base::Status::InvalidArgument("sqlite: means the catalog of a library: give --library DIR or sqlite:PATH");
  }
  return ctx.open_catalog(url, ctx.library);
}

// --catalog / $TRIAGE_CATALOG, else the library's catalog.url.
base::Result<std::string> CatalogUrl(CommandContext& ctx) {
  if (!ctx.catalog_url.empty()) return ctx.catalog_url;
  if (ctx.library.empty()) return base::Status::InvalidArgument("no catalog given: use --catalog URL or --library DIR");
  auto config = config::LoadConfig(ctx.library);
  if (!config.ok()) return config.status();
  return config->catalog.url;
}

void Migrate(CommandContext& ctx) {
  auto url = CatalogUrl(ctx);
  if (!url.ok()) return (void)ctx.Fail(url.status());
  auto stores = OpenUrl(ctx, *url);  // opening applies pending migrations
  if (!stores.ok()) return (void)ctx.Fail(stores.status());
  auto version = stores->tables->SchemaVersion();
  if (!version.ok()) return (void)ctx.Fail(version.status());
  if (ctx.json) {
    CommandContext::PrintJson({{"schema_version", *version}});
  } else {
    fmt::print("catalog schema is at version {}\n", *version);
  }
}

json ChecksumsJson(const std::vector<catalog::TableChecksum>& sums) {
  json out = json::array();
  for (const auto& t : sums) out.push_back({{"table", t.table}, {"rows", t.rows}, {"sha256", t.sha256}});
  return out;
}

void Copy(CommandContext& ctx, const DbArgs& a) {
  // Opening a SQLite catalog creates it: a mistyped --from would copy an empty catalog, "verified".
  if (const fs::path file = config::SqliteCatalogFile(a.from, ctx.library); !file.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      return (void)ctx.Fail(base::Status::NotFound(fmt::format("--from: no catalog at {}", file.string())));
    }
  }
  auto from = OpenUrl(ctx, a.from);
  if (!from.ok()) return (void)ctx.Fail(from.status().WithContext("--from"));
  auto to = OpenUrl(ctx, a.to);
  if (!to.ok()) return (void)ctx.Fail(to.status().WithContext("--to"));
  catalog::CopyOptions options;
  options.batch_rows = a.batch_rows;
  if (!ctx.json) {
    options.progress = [](const std::string& table, int64_t rows) {
      fmt::print(stderr, "\rcopying {}: {} rows   ", table, rows);
    };
  }
  auto sums = catalog::CopyCatalog(*from->tables, *to->tables, options);
  if (!ctx.json) fmt::print(stderr, "\n");
  if (!sums.ok()) return (void)ctx.Fail(sums.status());
  if (ctx.json) {
    CommandContext::PrintJson({{"verified", true}, {"tables", ChecksumsJson(*sums)}});
    return;
  }
  for (const auto& t : *sums) fmt::print("{:<18} {:>9} rows  sha256 {}\n", t.table, t.rows, t.sha256.substr(0, 16));
  fmt::print("copied and verified: every table has the same rows and checksum in both catalogs\n");
}

// `db copy --help`'s footer: what a copy moves and what it leaves behind on purpose.
std::string CopyFooter() {
  std::string out =
      "Copies every table that holds the library's data (items, faces, clusters, analyses, gallery facts, groups,\n"
      "persons, references, review queue, audit, users, undo tokens, people actions, proposals, votes, flags, public\n"
      "marks, covers), keys included, in one transaction, then compares per-table row counts and checksums of both\n"
      "catalogs; when they differ, or anything fails, the target is left as empty as it was. Stop the server and the\n"
      "workers first. Not copied:\n";
  for (const catalog::SkippedTable& t : catalog::NotCopiedTables()) out += fmt::format("  {}: {}\n", t.name, t.why);
  return out;
}

}  // namespace

void AddDbCommands(CLI::App& app, CommandContext& ctx) {
  auto* db = app.add_subcommand("db", "the catalog database: migrations and moving it between backends");
  db->require_subcommand(1);
  auto* migrate =
      db->add_subcommand("migrate", "apply pending schema migrations to the catalog (--catalog or the library's)");
  migrate->add_flag("--json", ctx.json, "machine-readable output");
  migrate->callback([&ctx] { Migrate(ctx); });

  auto a = std::make_shared<DbArgs>();
  auto* copy = db->add_subcommand(
      "copy",
      "copy a whole catalog into an empty one (e.g. sqlite: to postgresql://...), verified by counts and checksums");
  copy->footer(CopyFooter());
  copy->add_option("--from", a->from, "source catalog URL (sqlite: is the library's own)")->required();
  copy->add_option("--to", a->to, "target catalog URL; must hold no catalog yet")->required();
  copy->add_option("--batch-rows", a->batch_rows, "rows per read and per insert batch")->check(CLI::Range(1, 10000));
  copy->add_flag("--json", ctx.json, "machine-readable output");
  copy->callback([&ctx, a] { Copy(ctx, *a); });
}

}  // namespace triage::cli
