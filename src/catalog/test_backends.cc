// SQLite and PostgreSQL stores for the contract tests (see test_backends.h).
#include "catalog/test_backends.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "catalog/postgres/pg_catalog.h"
#include "catalog/postgres/pg_change_feed.h"
#include "catalog/postgres/pg_face_store.h"
#include "catalog/postgres/pg_gallery.h"
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
#include "tests/postgres/test_cluster.h"

namespace triage::catalog {
namespace {

namespace fs = std::filesystem;

// A store of type Store built over the backend's catalog type C.
template <typename Store, typename C>
std::unique_ptr<Store> Over(Catalog& catalog) {
  return std::make_unique<Store>(dynamic_cast<C&>(catalog));
}

template <typename T>
base::Result<std::unique_ptr<Catalog>> AsCatalog(base::Result<std::unique_ptr<T>> opened) {
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<Catalog>(std::move(*opened));
}

template <typename T>
base::Result<std::unique_ptr<ChangeFeed>> AsFeed(base::Result<std::unique_ptr<T>> opened) {
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<ChangeFeed>(std::move(*opened));
}

class SqliteBackend final : public TestBackend {
 public:
  SqliteBackend() {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("catalog_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  ~SqliteBackend() override { fs::remove_all(dir_); }
  base::Result<std::unique_ptr<Catalog>> Open() override {
    return AsCatalog(sqlite::SqliteCatalog::Open(dir_ / "catalog.db"));
  }
  std::unique_ptr<UserStore> Users(Catalog& catalog) override {
    return Over<sqlite::SqliteUserStore, sqlite::SqliteCatalog>(catalog);
  }
  std::unique_ptr<GalleryStore> Gallery(Catalog& catalog) override {
    return Over<sqlite::SqliteGalleryStore, sqlite::SqliteCatalog>(catalog);
  }
  std::unique_ptr<UndoStore> Undo(Catalog& catalog) override {
    return Over<sqlite::SqliteUndoStore, sqlite::SqliteCatalog>(catalog);
  }
  std::unique_ptr<FaceStore> Faces(Catalog& catalog) override {
    return Over<sqlite::SqliteFaceStore, sqlite::SqliteCatalog>(catalog);
  }
  std::unique_ptr<ProposalStore> Proposals(Catalog& catalog) override {
    return Over<sqlite::SqliteProposalStore, sqlite::SqliteCatalog>(catalog);
  }
  base::Result<std::unique_ptr<ChangeFeed>> Changes() override {
    return AsFeed(sqlite::SqliteChangeFeed::Open(dir_ / "catalog.db", std::chrono::milliseconds(20)));
  }
  base::Result<std::unique_ptr<Catalog>> OpenBroken(std::string& names) override {
    fs::path bad = dir_ / "bad.db";
    { std::ofstream(bad) << std::string(4096, 'x'); }
    names = "bad.db";
    return AsCatalog(sqlite::SqliteCatalog::Open(bad));
  }

 private:
  fs::path dir_;
};

class PostgresBackend final : public TestBackend {
 public:
  PostgresBackend() {
    auto url = testing::CreateTestDatabase();
    if (url.ok())
      url_ = *url;
    else
      error_ = url.status();
  }
  ~PostgresBackend() override {
    if (!url_.empty()) (void)testing::DropTestDatabase(url_);
  }
  base::Result<std::unique_ptr<Catalog>> Open() override {
    if (!error_.ok()) return error_;
    return AsCatalog(postgres::PgCatalog::Open(url_));
  }
  std::unique_ptr<UserStore> Users(Catalog& catalog) override {
    return Over<postgres::PgUserStore, postgres::PgCatalog>(catalog);
  }
  std::unique_ptr<GalleryStore> Gallery(Catalog& catalog) override {
    return Over<postgres::PgGalleryStore, postgres::PgCatalog>(catalog);
  }
  std::unique_ptr<UndoStore> Undo(Catalog& catalog) override {
    return Over<postgres::PgUndoStore, postgres::PgCatalog>(catalog);
  }
  std::unique_ptr<FaceStore> Faces(Catalog& catalog) override {
    return Over<postgres::PgFaceStore, postgres::PgCatalog>(catalog);
  }
  std::unique_ptr<ProposalStore> Proposals(Catalog& catalog) override {
    return Over<postgres::PgProposalStore, postgres::PgCatalog>(catalog);
  }
  base::Result<std::unique_ptr<ChangeFeed>> Changes() override {
    if (!error_.ok()) return error_;
    return AsFeed(postgres::PgChangeFeed::Open(url_));
  }
  base::Result<std::unique_ptr<Catalog>> OpenBroken(std::string& names) override {
    std::string missing =
        url_.substr(0, url_.rfind('/', url_.find('?')) + 1) + "no_such_catalog" + url_.substr(url_.find('?'));
    names = "no_such_catalog";
    return AsCatalog(postgres::PgCatalog::Open(missing));
  }

 private:
  std::string url_;
  base::Status error_;
};

}  // namespace

std::unique_ptr<TestBackend> TestBackend::Make(const std::string& name) {
  if (name == "postgres") return std::make_unique<PostgresBackend>();
  return std::make_unique<SqliteBackend>();
}

}  // namespace triage::catalog
