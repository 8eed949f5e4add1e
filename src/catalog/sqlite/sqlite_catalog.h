// The embedded catalog: SQLite in WAL mode at <library>/.triage/catalog.db.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <mutex>

#include "catalog/catalog.h"
#include "catalog/table_transfer.h"

namespace triage::catalog::sqlite {

class StatementCache;  // catalog/sqlite/statement.h

// One connection guarded by a mutex: every call is atomic and thread-safe. Several processes
// (ingest, watch, serve) may open the same file; SQLite's locking and a busy timeout arbitrate.
class SqliteCatalog final : public Catalog, public TableTransfer {
 public:
  // Opens (creating if needed) the database and applies pending migrations.
  static base::Result<std::unique_ptr<SqliteCatalog>> Open(const std::filesystem::path& db_path);
  ~SqliteCatalog() override;

  base::Result<int64_t> Apply(const CatalogChange& change) override;
  base::Result<std::vector<int64_t>> ApplyAll(const std::vector<CatalogChange>& changes) override;
  base::Result<bool> WasApplied(const std::string& journal_id) override;
  base::Result<model::ItemRecord> GetItem(int64_t id) override;
  base::Result<model::ItemRecord> GetItemWithoutQuality(int64_t id) override;
  base::Result<std::optional<model::ItemRecord>> FindByPath(const std::string& relative_path) override;
  base::Result<std::optional<int64_t>> FindBySha256(const std::string& sha256) override;
  base::Result<std::optional<int64_t>> FindByOriginalPath(const std::string& original_path) override;
  base::Result<std::vector<HashEntry>> AllPerceptualHashes() override;
  base::Result<HashChanges> PerceptualHashSnapshot() override;
  base::Result<HashChanges> PerceptualHashChangesSince(int64_t cursor) override;
  base::Result<std::optional<model::StoredAnalysis>> GetAnalysis(int64_t item_id) override;
  base::Result<std::vector<uint8_t>> NearDuplicateSignature(int64_t item_id) override;
  base::Result<std::vector<AnalysedItem>> ListAnalysedItems(int64_t after_id, int limit) override;
  base::Result<std::vector<StoredAnalysisRow>> ListStoredAnalyses(int64_t after_id, int limit,
                                                                  AnalysisParts parts) override;
  base::Status UpdateAnalyses(const std::vector<StoredAnalysisRow>& rows) override;
  base::Result<std::vector<model::ItemRecord>> ListItems(const ItemFilter& filter) override;
  base::Result<int64_t> CountItems(const ItemFilter& filter) override;
  base::Result<std::vector<model::Face>> FacesOf(int64_t item_id) override;
  base::Result<model::ReviewEntry> PendingReview(int64_t item_id) override;
  base::Status SkipReview(int64_t item_id, const std::string& actor, int64_t at) override;
  base::Result<Stats> GetStats(int64_t since) override;
  base::Result<std::vector<DayStats>> GetDailyStats(int64_t since) override;
  base::Status AddAudit(const model::AuditEntry& entry) override;
  base::Result<std::vector<model::AuditEntry>> ListAuditEntries(const AuditQuery& query) override;
  base::Result<int64_t> AddPerson(const std::string& name, int64_t at) override;
  base::Result<std::vector<model::PersonRecord>> ListPersons() override;
  base::Status RemovePerson(const std::string& name) override;
  base::Status SetPersonDisplayName(const std::string& name, const std::string& display_name) override;
  base::Result<int64_t> AddReference(const model::PersonReference& ref) override;
  base::Result<std::vector<model::PersonReference>> AllReferences() override;
  base::Result<std::vector<model::ItemRecord>> TrashedBefore(int64_t before) override;
  base::Status DeleteItem(const model::AuditEntry& audit, const std::string& only_at = "") override;

  // TableTransfer (sqlite_tables.cc).
  base::Result<int64_t> SchemaVersion() override;
  base::Result<int64_t> CountRows(const TableSpec& table) override;
  base::Result<std::vector<Row>> ReadRows(const TableSpec& table, const std::optional<Row>& after, int limit) override;
  base::Status BeginWrites() override;
  base::Status WriteRows(const TableSpec& table, const std::vector<Row>& rows) override;
  base::Status CommitWrites() override;
  void RollbackWrites() override;

  // The raw handle for sibling stores in catalog/sqlite (users, sessions). REQUIRES: hold Lock().
  sqlite3* handle() { return db_; }
  std::unique_lock<std::recursive_mutex> Lock() { return std::unique_lock(mu_); }

 private:
  explicit SqliteCatalog(sqlite3* db);
  // The item of `id` read by `sql` (ItemByIdSql or a variant of it): kNotFound when there is none.
  base::Result<model::ItemRecord> ItemById(const char* sql, int64_t id);
  base::Status Migrate();
  // One change inside the caller's transaction: skipped when its journal id was applied. REQUIRES: mu_ held.
  base::Result<int64_t> ApplyUnlocked(const CatalogChange& change);
  base::Result<int64_t> InsertItem(const CatalogChange& change);
  // REQUIRES: mu_ held, inside a transaction.
  base::Status InsertFaces(int64_t item_id, const std::vector<model::Face>& faces);
  // An analysis made anew from the item's file: the item's image facts follow it (StoredAnalysisRow::refresh_item).
  // REQUIRES: mu_ held, inside a transaction.
  base::Status RefreshItemFacts(const StoredAnalysisRow& row);
  base::Result<int64_t> RelocateItem(const CatalogChange& change);
  base::Status InsertReferences(const CatalogChange& change);
  base::Status RemoveReferences(const CatalogChange& change);
  base::Status InsertAudit(const model::AuditEntry& entry);
  base::Status InsertAnalysis(int64_t item_id, const model::StoredAnalysis& analysis);
  base::Status BackfillGalleryFacts();

  std::recursive_mutex mu_;
  sqlite3* db_;
  std::unique_ptr<StatementCache> statements_;  // the hot paths' statements (changes, lookups), under mu_
};

}  // namespace triage::catalog::sqlite
