// Composition root: picks the SQLite catalog, runs recovery, and hands the library to the CLI.
#include <cstdlib>

#include <fmt/format.h>

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_face_store.h"
#include "catalog/sqlite/sqlite_users.h"
#include "cli/library.h"

namespace {

namespace fs = std::filesystem;
using triage::base::Result;

// Face models: $TRIAGE_MODEL_DIR, else where `make` installs them for this build.
std::string ModelDir() {
  if (const char* env = std::getenv("TRIAGE_MODEL_DIR"); env && *env) return env;
  return TRIAGE_DEFAULT_MODEL_DIR;
}

Result<std::unique_ptr<triage::cli::Library>> OpenLibrary(const fs::path& root) {
  auto store = triage::config::ConfigStore::Open(root);
  if (!store.ok()) return store.status();
  auto lib = std::make_unique<triage::cli::Library>();
  lib->config_store = std::move(*store);
  lib->model_dir = ModelDir();
  auto config = lib->config();
  fs::path state = config->StateDir();
  std::error_code ec;
  for (const char* d : {"staging", "journal", "trash", "thumbs"}) fs::create_directories(state / d, ec);
  auto catalog = triage::catalog::sqlite::SqliteCatalog::Open(state / "catalog.db");
  if (!catalog.ok()) return catalog.status();
  lib->users = std::make_unique<triage::catalog::sqlite::SqliteUserStore>(**catalog);
  lib->face_store = std::make_unique<triage::catalog::sqlite::SqliteFaceStore>(**catalog);
  lib->catalog = std::move(*catalog);
  auto recovered = triage::commit::Recover(state, *lib->catalog);
  if (!recovered.ok()) return recovered.status();
  lib->recovered = *recovered;
  auto journal = triage::commit::Journal::Open(state);
  if (!journal.ok()) return journal.status();
  lib->journal = std::move(*journal);
  lib->committer = std::make_unique<triage::commit::Committer>(*lib->journal, *lib->catalog, config->library);
  lib->review = std::make_unique<triage::review::ReviewService>(*lib->config_store, *lib->catalog, *lib->committer);
  lib->persons = std::make_unique<triage::review::PersonService>(*lib->config_store, *lib->catalog);
  return lib;
}

}  // namespace

int main(int argc, char** argv) { return triage::cli::RunCli(argc, argv, OpenLibrary); }
