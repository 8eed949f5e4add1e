// A thin layer over libpq: one connection, statements with typed parameters, result rows read by column.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::catalog::postgres {

// Parameters of one statement, $1, $2, ... in the order added. Text format except bytes (binary).
class Params {
 public:
  Params& Add(int64_t value) { return AddText(std::to_string(value)); }
  Params& Add(int value) { return Add(static_cast<int64_t>(value)); }
  Params& Add(bool value) { return Add(static_cast<int64_t>(value ? 1 : 0)); }
  Params& Add(double value);
  Params& Add(const std::string& value) { return AddText(value); }
  Params& Add(const char* value) { return AddText(value); }
  Params& AddBytes(const void* data, size_t size);
  Params& AddNull();
  template <typename T>
  Params& AddOptional(const std::optional<T>& value) {
    return value ? Add(*value) : AddNull();
  }
  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class Connection;
  Params& AddText(std::string value);
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
};

// The rows of one result (text format). Move-only; owns the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  // Rows a command changed (UPDATE, DELETE, INSERT).
  int64_t affected() const;
  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;
  double Real(int row, int col) const;
  std::string Text(int row, int col) const { return PQgetvalue(result_.get(), row, col); }
  std::vector<uint8_t> Bytes(int row, int col) const;  // a bytea column; empty when NULL
  std::vector<float> Floats(int row, int col) const;   // a bytea column of packed floats

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// One connection. Not thread-safe; the catalog serialises calls. A broken connection is re-established before the
// next statement (outside a transaction).
class Connection {
 public:
  // Connects to a "postgresql://..." URL. kUnavailable with the server's message when it cannot.
  static base::Result<std::unique_ptr<Connection>> Open(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement. kAlreadyExists on a unique violation, kUnavailable when the server is gone, kIo otherwise.
  base::Result<Rows> Query(const char* sql, const Params& params = {});
  base::Result<Rows> Query(const std::string& sql, const Params& params = {}) { return Query(sql.c_str(), params); }
  base::Status Run(const char* sql, const Params& params = {}) { return Query(sql, params).status(); }
  base::Status Run(const std::string& sql, const Params& params = {}) { return Query(sql, params).status(); }
  // Runs several statements without parameters (migrations).
  base::Status Script(const char* sql);
  PGconn* raw() { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  base::Status Check(PGresult* result, const char* sql);
  void ReconnectIfBroken();
  PGconn* conn_;
};

// Runs `body` between BEGIN and COMMIT; ROLLBACK when it or the commit fails.
template <typename T, typename Body>
base::Result<T> InTransaction(Connection& conn, Body body) {
  TRIAGE_RETURN_IF_ERROR(conn.Run("BEGIN"));
  base::Result<T> r = body();
  if (r.ok()) {
    base::Status st = conn.Run("COMMIT");
    if (st.ok()) return r;
    r = st;
  }
  (void)conn.Run("ROLLBACK");
  return r;
}

// A URL without its password, for messages.
std::string RedactUrl(const std::string& url);

}  // namespace triage::catalog::postgres
