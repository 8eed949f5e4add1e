// Users and sessions in the catalog's SQLite database (tables from migration 2).
#pragma once

#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/user_store.h"

namespace triage::catalog::sqlite {

// Shares the catalog's connection and lock: thread-safe, each call atomic. REQUIRES: `catalog` outlives this.
class SqliteUserStore final : public UserStore {
 public:
  explicit SqliteUserStore(SqliteCatalog& catalog) : catalog_(catalog) {}

  base::Result<int64_t> AddUser(const UserRecord& user) override;
  base::Result<UserRecord> GetUser(const std::string& name) override;
  base::Result<std::vector<UserRecord>> ListUsers() override;
  base::Result<int64_t> CountUsers() override;
  base::Status SetPassword(const std::string& name, const std::string& password_hash) override;
  base::Status RemoveUser(const std::string& name) override;
  base::Status SetRole(const std::string& name, const std::string& role) override;
  base::Status AddSession(const SessionRecord& session) override;
  base::Result<SessionRecord> FindSession(const std::string& token_hash, int64_t now) override;
  base::Status RemoveSession(const std::string& token_hash) override;
  base::Result<int64_t> RemoveExpiredSessions(int64_t now) override;

 private:
  SqliteCatalog& catalog_;
};

}  // namespace triage::catalog::sqlite
