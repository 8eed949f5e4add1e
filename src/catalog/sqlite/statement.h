// A thin RAII layer over sqlite3 statements: bind by position, step, read columns.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::catalog::sqlite {

// A prepared statement. Not thread-safe; used under the catalog's lock.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

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
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

// Executes SQL without results (may hold several statements).
base::Status Exec(sqlite3* db, const char* sql);

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
