// PostgreSQL catalog: its tables as plain rows (TableTransfer), for `triage db copy` and its checksums.
#include <fmt/format.h>

#include "catalog/postgres/pg_catalog.h"

namespace triage::catalog::postgres {
namespace {

constexpr const char* kSchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version";

// Moves a table's id counter past its largest id (or back to 1 when it is empty).
constexpr const char* kResetSequence =
    "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), COALESCE(MAX({1}), 1), MAX({1}) IS NOT NULL) FROM {0}";

void AddValue(Params& p, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v))
    p.Add(*i);
  else if (const auto* d = std::get_if<double>(&v))
    p.Add(*d);
  else if (const auto* t = std::get_if<std::string>(&v))
    p.Add(*t);
  else if (const auto* b = std::get_if<std::vector<uint8_t>>(&v))
    p.AddBytes(b->data(), b->size());
  else
    p.AddNull();
}

Value ReadValue(const Rows& r, int row, int col, ColumnKind kind) {
  if (r.IsNull(row, col)) return std::monostate{};
  switch (kind) {
    case ColumnKind::kInt:
      return r.Int(row, col);
    case ColumnKind::kReal:
      return r.Real(row, col);
    case ColumnKind::kText:
      return r.Text(row, col);
    case ColumnKind::kBytes:
      return r.Bytes(row, col);
  }
  return std::monostate{};
}

}  // namespace

base::Result<int64_t> PgCatalog::SchemaVersion() {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query(kSchemaVersion);
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

base::Result<int64_t> PgCatalog::CountRows(const TableSpec& table) {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query(fmt::format("SELECT COUNT(*) FROM {}", table.name));
  if (!rows.ok()) return rows.status();
  return rows->Int(0, 0);
}

base::Result<std::vector<Row>> PgCatalog::ReadRows(const TableSpec& table, const std::optional<Row>& after, int limit) {
  std::lock_guard lock(mu_);
  Params p;
  if (after) {
    for (const Value& key : *after) AddValue(p, key);
  }
  p.Add(limit);
  // Text keys compare byte by byte (COLLATE "C"), as SQLite compares them, so both page in the same order.
  std::string sql = PageSql(
      table, after.has_value(), [](int i) { return fmt::format("${}", i + 1); }, " COLLATE \"C\"");
  auto rows = conn_->Query(sql, p);
  if (!rows.ok()) return rows.status();
  std::vector<Row> out;
  for (int i = 0; i < rows->size(); ++i) {
    Row r;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      r.push_back(ReadValue(*rows, i, static_cast<int>(c), table.columns[c].kind));
    }
    out.push_back(std::move(r));
  }
  return out;
}

// The copy's transaction spans many calls on this connection; nothing else may use this catalog meanwhile (the copy
// owns it).
base::Status PgCatalog::BeginWrites() {
  std::lock_guard lock(mu_);
  return conn_->Run("BEGIN");
}

base::Status PgCatalog::WriteRows(const TableSpec& table, const std::vector<Row>& rows) {
  std::lock_guard lock(mu_);
  std::string marks;
  for (size_t i = 0; i < table.columns.size(); ++i) marks += fmt::format("{}${}", i ? "," : "", i + 1);
  std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name, ColumnList(table), marks);
  for (const Row& row : rows) {
    Params p;
    for (const Value& v : row) AddValue(p, v);
    TRIAGE_RETURN_IF_ERROR(conn_->Run(sql, p));
  }
  return base::Status::Ok();
}

base::Status PgCatalog::CommitWrites() {
  std::lock_guard lock(mu_);
  for (const TableSpec& table : CopiedTables()) {
    if (!table.serial_key) continue;
    base::Status reset = conn_->Run(fmt::format(fmt::runtime(kResetSequence), table.name, table.columns.front().name));
    if (!reset.ok()) {
      (void)conn_->Run("ROLLBACK");
      return reset;
    }
  }
  return conn_->Run("COMMIT");
}

void PgCatalog::RollbackWrites() {
  std::lock_guard lock(mu_);
  (void)conn_->Run("ROLLBACK");
}

}  // namespace triage::catalog::postgres
