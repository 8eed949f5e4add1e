// The catalog's tables as plain rows, for moving a catalog between backends (`triage db copy`) and checking that the
// copy holds what the original does. Every backend implements TableTransfer; CopyCatalog (catalog_copy.h) drives it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"

namespace triage::catalog {

enum class ColumnKind { kInt, kReal, kText, kBytes };

// One cell: NULL, or a value of its column's kind.
using Value = std::variant<std::monostate, int64_t, double, std::string, std::vector<uint8_t>>;
using Row = std::vector<Value>;

struct ColumnSpec {
  const char* name;
  ColumnKind kind;
};

// A table a copy moves: its columns (the first `key_columns` form its primary key, which rows are ordered and paged
// by) and whether its key is an id the database hands out (whose counter must move past the copied ids).
struct TableSpec {
  const char* name;
  std::vector<ColumnSpec> columns;
  bool serial_key = true;
  int key_columns = 1;
};

// "a, b, c": the table's columns for a SELECT or INSERT.
inline std::string ColumnList(const TableSpec& table) {
  std::string out;
  for (const ColumnSpec& c : table.columns) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

// One page of a table by its full key: "SELECT <columns> FROM <table> [WHERE (k1, k2) > (m0, m1)] ORDER BY k1, k2
// LIMIT m<keys>", where `mark(i)` is the i-th parameter's placeholder and `text_order` follows each text key column
// (PostgreSQL orders text as SQLite does, byte by byte, with COLLATE "C").
std::string PageSql(const TableSpec& table, bool after, const std::function<std::string(int)>& mark,
                    const std::string& text_order);

// Every table a copy moves, in an order that satisfies references (items before faces, faces before rejections,
// persons before references). What is not copied, and why, is in NotCopiedTables().
const std::vector<TableSpec>& CopiedTables();

// The tables a copy leaves behind on purpose, each with the reason (for `db copy --help` and the README).
struct SkippedTable {
  const char* name;
  const char* why;
};
const std::vector<SkippedTable>& NotCopiedTables();

// Thread-safety: as the catalog that implements it.
class TableTransfer {
 public:
  virtual ~TableTransfer() = default;
  // The number of the last migration applied to this database (each backend numbers its own).
  virtual base::Result<int64_t> SchemaVersion() = 0;
  // Rows in the table.
  virtual base::Result<int64_t> CountRows(const TableSpec& table) = 0;
  // Up to `limit` rows by ascending key, after the key values `after` (from the start when nullopt); each value of its
  // column's kind. An error naming the column when the table lacks one of the spec's columns (limit 0 checks that).
  virtual base::Result<std::vector<Row>> ReadRows(const TableSpec& table, const std::optional<Row>& after,
                                                  int limit) = 0;
  // Opens the one transaction that every WriteRows until CommitWrites or RollbackWrites runs in: a copy is whole or
  // not there at all.
  virtual base::Status BeginWrites() = 0;
  // Inserts rows as they are (keys included). REQUIRES: BeginWrites. kAlreadyExists when a key is taken.
  virtual base::Status WriteRows(const TableSpec& table, const std::vector<Row>& rows) = 0;
  // After the last WriteRows: id counters move past the largest copied id, then the transaction commits.
  virtual base::Status CommitWrites() = 0;
  // Drops everything written since BeginWrites.
  virtual void RollbackWrites() = 0;
};

}  // namespace triage::catalog
