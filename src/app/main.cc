// Composition root: picks the catalog backend by URL (SQLite or PostgreSQL), runs recovery, and hands the library
// to the CLI.
#include <fmt/format.h>
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/ids.h"
#include "base/memory.h"
#include "base/utf8.h"
#include "catalog/postgres/pg_catalog.h"
#include "catalog/postgres/pg_change_feed.h"
#include "catalog/postgres/pg_face_store.h"
#include "catalog/postgres/pg_gallery.h"
#include "catalog/postgres/pg_job_queue.h"
#include "catalog/postgres/pg_proposals.h"
#include "catalog/postgres/pg_undo.h"
#include "catalog/postgres/pg_users.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_change_feed.h"
#include "catalog/sqlite/sqlite_face_store.h"
#include "catalog/sqlite/sqlite_gallery.h"
#include "catalog/sqlite/sqlite_proposals.h"
#include "catalog/sqlite/sqlite_undo.h"
#include "catalog/sqlite/sqlite_users.h"
#include "cli/library.h"
#include "faces/embedding_net.h"

namespace {

namespace fs = std::filesystem;
using triage::base::Result;
using triage::cli::CatalogStores;

template <typename T>
Result<std::unique_ptr<triage::catalog::ChangeFeed>> AsChangeFeed(Result<std::unique_ptr<T>> opened) {
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<triage::catalog::ChangeFeed>(std::move(*opened));
}

// Face models: $TRIAGE_MODEL_DIR, else where `make` installs them for this build.
std::string ModelDir() {
  if (const char* env = std::getenv("TRIAGE_MODEL_DIR"); env && *env) return env;
  return TRIAGE_DEFAULT_MODEL_DIR;
}

// "sqlite:" is the library's own file; "sqlite:PATH" is relative to the library unless absolute.
Result<CatalogStores> OpenCatalog(const std::string& url, const fs::path& root) {
  TRIAGE_RETURN_IF_ERROR(triage::config::CheckCatalogUrl(url));
  CatalogStores out;
  if (url.rfind("sqlite:", 0) == 0) {
    const fs::path file = triage::config::SqliteCatalogFile(url, root);
    auto c = triage::catalog::sqlite::SqliteCatalog::Open(file);
    if (!c.ok()) return c.status();
    out.users = std::make_unique<triage::catalog::sqlite::SqliteUserStore>(**c);
    out.proposals = std::make_unique<triage::catalog::sqlite::SqliteProposalStore>(**c);
    out.undo = std::make_unique<triage::catalog::sqlite::SqliteUndoStore>(**c);
    out.gallery = std::make_unique<triage::catalog::sqlite::SqliteGalleryStore>(**c);
    out.faces = std::make_unique<triage::catalog::sqlite::SqliteFaceStore>(**c);
    out.open_changes = [file] { return AsChangeFeed(triage::catalog::sqlite::SqliteChangeFeed::Open(file)); };
    out.tables = c->get();
    out.catalog = std::move(*c);
    return out;
  }
  auto c = triage::catalog::postgres::PgCatalog::Open(url);
  if (!c.ok()) return c.status();
  out.users = std::make_unique<triage::catalog::postgres::PgUserStore>(**c);
  out.proposals = std::make_unique<triage::catalog::postgres::PgProposalStore>(**c);
  out.undo = std::make_unique<triage::catalog::postgres::PgUndoStore>(**c);
  out.gallery = std::make_unique<triage::catalog::postgres::PgGalleryStore>(**c);
  out.faces = std::make_unique<triage::catalog::postgres::PgFaceStore>(**c);
  out.open_jobs = [url]() -> Result<std::unique_ptr<triage::catalog::JobQueue>> {
    auto queue = triage::catalog::postgres::PgJobQueue::Open(url);
    if (!queue.ok()) return queue.status();
    return std::unique_ptr<triage::catalog::JobQueue>(std::move(*queue));
  };
  out.open_changes = [url] { return AsChangeFeed(triage::catalog::postgres::PgChangeFeed::Open(url)); };
  out.tables = c->get();
  out.catalog = std::move(*c);
  return out;
}

Result<std::unique_ptr<triage::cli::Library>> OpenLibrary(const fs::path& root, const std::string& catalog_url) {
  auto store = triage::config::ConfigStore::Open(root);
  if (!store.ok()) return store.status();
  auto lib = std::make_unique<triage::cli::Library>();
  lib->config_store = std::move(*store);
  lib->config_store->OnReloadRefused([](const std::string& why) {
    fmt::print(stderr, "triage: triage.json was changed but is not valid, so the settings stay as they were: {}\n",
               triage::base::ForTerminal(why));
  });
  lib->model_dir = ModelDir();
  lib->host = triage::base::HostName();
  auto config = lib->config();
  fs::path state = config->StateDir();
  std::error_code ec;
  for (const char* d : {"staging", "journal", "trash", "thumbs"}) fs::create_directories(state / d, ec);
  auto stores = OpenCatalog(catalog_url.empty() ? config->catalog.url : catalog_url, config->library);
  if (!stores.ok()) return stores.status();
  lib->catalog = std::move(stores->catalog);
  lib->users = std::move(stores->users);
  lib->proposal_store = std::move(stores->proposals);
  lib->undo_store = std::move(stores->undo);
  lib->gallery = std::move(stores->gallery);
  lib->face_store = std::move(stores->faces);
  lib->open_jobs = std::move(stores->open_jobs);
  lib->open_changes = std::move(stores->open_changes);
  auto recovered = triage::commit::Recover(state, *lib->catalog, lib->proposal_store.get(), lib->host);
  if (!recovered.ok()) return recovered.status();
  lib->recovered = *recovered;
  auto journal = triage::commit::Journal::Open(state, lib->host);
  if (!journal.ok()) return journal.status();
  lib->journal = std::move(*journal);
  lib->committer = std::make_unique<triage::commit::Committer>(*lib->journal, *lib->catalog, config->library);
  lib->review = std::make_unique<triage::review::ReviewService>(*lib->config_store, *lib->catalog, *lib->committer);
  lib->persons = std::make_unique<triage::review::PersonService>(*lib->config_store, *lib->catalog);
  lib->undo = std::make_unique<triage::review::UndoService>(*lib->undo_store);
  lib->review->EnableUndo(*lib->undo);
  lib->persons->EnableUndo(*lib->undo);
  lib->proposals = std::make_unique<triage::review::ProposalService>(*lib->config_store, *lib->catalog,
                                                                     *lib->proposal_store, *lib->committer);
  lib->proposals->EnableUndo(*lib->undo);
  return lib;
}

}  // namespace

int main(int argc, char** argv) {
  triage::base::KeepFreedRasterMemory();
  triage::faces::UseOneBlasThread();
  // A file larger than the shell's file-size limit (ulimit -f) would kill the process with SIGXFSZ in the middle of a
  // run, with nothing reported; ignored, the write fails with EFBIG and only that input fails, naming why.
  ::signal(SIGXFSZ, SIG_IGN);
  const int code = triage::cli::RunCli(argc, argv, {OpenLibrary, OpenCatalog});
  // What was printed must have reached stdout: with a full disk behind it, a script reading --json got a cut-off
  // answer and exit code 0. (The work itself is done and reported as such; only its account was lost.)
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    const int why = errno;
    fmt::print(stderr,
               "triage: could not write the output to stdout{}{}: what this command did is done, but its account "
               "is incomplete\n",
               why != 0 ? ": " : "", why != 0 ? std::strerror(why) : "");
    return code == triage::cli::kExitOk ? triage::cli::kExitFailure : code;
  }
  return code;
}
