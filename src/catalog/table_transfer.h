// The catalog's tables as plain rows, for moving a catalog between backends (`triage db copy`) and checking that the
// copy holds what the original does. Every backend implements TableTransfer; CopyCatalog (catalog_copy.h) drives it.
#pragma once

#include <cstdint>
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

// A table a copy moves: its columns (the first is the key rows are ordered and paged by) and whether its key is an
// id the database hands out (whose counter must move past the copied ids).
struct TableSpec {
  const char* name;
  std::vector<ColumnSpec> columns;
  bool serial_key = true;
};

// "a, b, c": the table's columns for a SELECT or INSERT.
inline std::string ColumnList(const TableSpec& table) {
  std::string out;
  for (const ColumnSpec& c : table.columns) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

// Every table a copy moves, in an order that satisfies references (items before faces, persons before references).
// The hash-change log is not among them: the target's triggers write their own as the items arrive.
const std::vector<TableSpec>& CopiedTables();

// Thread-safety: as the catalog that implements it.
class TableTransfer {
 public:
  virtual ~TableTransfer() = default;
  // The number of the last migration applied to this database (each backend numbers its own).
  virtual base::Result<int64_t> SchemaVersion() = 0;
  // Rows in the table.
  virtual base::Result<int64_t> CountRows(const TableSpec& table) = 0;
  // Up to `limit` rows by ascending key, after `after` (from the start when nullopt); each value of its column's kind.
  virtual base::Result<std::vector<Row>> ReadRows(const TableSpec& table, const std::optional<Value>& after,
                                                  int limit) = 0;
  // Inserts rows as they are (keys included), in one transaction. kAlreadyExists when a key is taken.
  virtual base::Status WriteRows(const TableSpec& table, const std::vector<Row>& rows) = 0;
  // After the last WriteRows: id counters move past the largest copied id.
  virtual base::Status FinishWrites() = 0;
};

}  // namespace triage::catalog
