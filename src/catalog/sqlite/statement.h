// A thin RAII layer over sqlite3 statements: bind by position, step, read columns.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace triage::catalog::sqlite {

class StatementCache;

// A prepared statement: its own (prepared here, finalized at the end), or leased from a StatementCache (reset and
// its bindings cleared at the end, for the next lease). Not thread-safe; used under the catalog's lock.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, const std::string& value);
  Statement& BindBlob(int index, const void* data, size_t size);
  Statement& BindNull(int index);

  // kRow: a row is ready; kDone: finished. Errors become Status.
  base::Result<bool> Step();
  // Steps to the end; for statements without result rows.
  base::Status Run();
  // Makes the statement ready to bind and run again (batch writes).
  void Reset() { sqlite3_reset(stmt_); }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;
  std::vector<float> FloatBlob(int col) const;
  bool IsBlob(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_BLOB; }
  std::vector<uint8_t> Bytes(int col) const;

 private:
  friend class StatementCache;
  // A statement a StatementCache keeps, and whether a lease on it is held.
  struct Slot {
    sqlite3_stmt* stmt = nullptr;
    bool leased = false;
  };
  Statement(sqlite3* db, Slot* slot);

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Slot* slot_ = nullptr;  // set when leased from a cache
};

// The statements a connection runs again and again (an ingest's inserts and lookups), prepared once and kept: SQLite
// parses and plans a statement anew at each sqlite3_prepare, which cost a fifth of the catalog's share of an ingest.
// Statements are kept by their SQL text; use it for fixed SQL (the named constants), never for SQL built around
// values. A kept statement stays valid when the schema changes (sqlite3_prepare_v2 prepares it again by itself).
// Not thread-safe: used under the connection's lock, as the connection is.
class StatementCache {
 public:
  // At most this many statements are kept; further SQL texts get statements of their own.
  static constexpr size_t kMaxStatements = 64;

  explicit StatementCache(sqlite3* db) : db_(db) {}
  // Finalizes the kept statements. REQUIRES: no lease outstanding; before the connection is closed.
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // A lease on the statement for `sql`, ready to bind: prepared at the first lease, reset with its bindings cleared
  // when each lease ends. While a lease on the same SQL is held (nested use), the next gets a statement of its own.
  // A statement that does not prepare is not kept: the lease's Step reports why, as an unkept statement's would.
  Statement Get(const char* sql);

  // How many statements are kept (for tests).
  size_t size() const { return slots_.size(); }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement::Slot>> slots_;
};

// Executes SQL without results (may hold several statements).
base::Status Exec(sqlite3* db, const char* sql);

// Whether the file the connection opened as its main database was deleted, renamed or replaced since: writes would
// go on into a file nobody will open again.
bool FileMoved(sqlite3* db);

// A commit hook (sqlite3_commit_hook, `db` the connection) that takes back every commit once FileMoved: the statement
// fails, and its error says what happened (Statement::Step, Exec).
int RefuseCommitToAMovedFile(void* db);

// Ends a failed transaction. Its own failure is not reported: the error that caused it is the one the caller
// returns, and SQLite rolls back by itself when a statement inside failed hard (then ROLLBACK says "no transaction").
void Rollback(sqlite3* db);

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back on error.
template <typename T, typename Body>
base::Result<T> InTransaction(sqlite3* db, Body body) {
  TRIAGE_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
  base::Result<T> r = body();
  if (!r.ok()) {
    Rollback(db);
    return r;
  }
  base::Status st = Exec(db, "COMMIT");
  if (!st.ok()) {
    Rollback(db);
    return st;
  }
  return r;
}

}  // namespace triage::catalog::sqlite
