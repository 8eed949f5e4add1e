// The catalog backends as the contract tests see them: SQLite in a temporary directory, or a fresh database in the
// tests' PostgreSQL cluster (tests/postgres). Test code only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/change_feed.h"
#include "catalog/face_store.h"
#include "catalog/gallery_store.h"
#include "catalog/proposal_store.h"
#include "catalog/table_transfer.h"
#include "catalog/undo_store.h"
#include "catalog/user_store.h"

namespace triage::catalog {

// One empty store; destroying it removes the store. Open() may be called again to reopen the same data.
class TestBackend {
 public:
  // "sqlite" or "postgres".
  static std::unique_ptr<TestBackend> Make(const std::string& name);
  static std::vector<std::string> Names() { return {"sqlite", "postgres"}; }
  virtual ~TestBackend() = default;

  virtual base::Result<std::unique_ptr<Catalog>> Open() = 0;
  // The user store sharing `catalog`'s database. REQUIRES: `catalog` came from Open() and outlives the store.
  virtual std::unique_ptr<UserStore> Users(Catalog& catalog) = 0;
  // The other stores sharing `catalog`'s database, with the same REQUIRES.
  virtual std::unique_ptr<GalleryStore> Gallery(Catalog& catalog) = 0;
  virtual std::unique_ptr<UndoStore> Undo(Catalog& catalog) = 0;
  virtual std::unique_ptr<FaceStore> Faces(Catalog& catalog) = 0;
  virtual std::unique_ptr<ProposalStore> Proposals(Catalog& catalog) = 0;
  // The change feed of the store's database (a connection of its own). REQUIRES: Open() was called.
  virtual base::Result<std::unique_ptr<ChangeFeed>> Changes() = 0;
  // The tables of `catalog`'s database. REQUIRES: `catalog` came from Open().
  static TableTransfer& Tables(Catalog& catalog) { return dynamic_cast<TableTransfer&>(catalog); }
  // Opens a store that is not a catalog (a damaged file, a database that does not exist); `names` is what the
  // error message must mention.
  virtual base::Result<std::unique_ptr<Catalog>> OpenBroken(std::string& names) = 0;
};

}  // namespace triage::catalog
