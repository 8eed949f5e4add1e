// SQLite catalog: its tables as plain rows (TableTransfer), for `triage db copy` and its checksums.
#include <fmt/format.h>

#include "catalog/row_codec.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/statement.h"

namespace triage::catalog::sqlite {
namespace {

void BindValue(Statement& s, int index, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v))
    s.Bind(index, *i);
  else if (const auto* d = std::get_if<double>(&v))
    s.Bind(index, *d);
  else if (const auto* t = std::get_if<std::string>(&v))
    s.Bind(index, *t);
  else if (const auto* b = std::get_if<std::vector<uint8_t>>(&v))
    s.BindBlob(index, b->data(), b->size());
  else
    s.BindNull(index);
}

// A bytes column may hold text from an earlier version: an analysis stored as JSON text becomes the MessagePack form
// every backend writes now, so that the copy reads back the same analysis.
std::vector<uint8_t> BytesOf(const Statement& s, int col, const TableSpec& table) {
  if (s.IsBlob(col)) return s.Bytes(col);
  std::string text = s.Text(col);
  std::vector<uint8_t> bytes(text.begin(), text.end());
  if (std::string(table.name) == "analyses") return EncodeAnalysis(ParseAnalysis({false, bytes}));
  return bytes;
}

Value ReadValue(const Statement& s, int col, const TableSpec& table) {
  if (s.IsNull(col)) return std::monostate{};
  switch (table.columns[col].kind) {
    case ColumnKind::kInt:
      return s.Int(col);
    case ColumnKind::kReal:
      return s.Real(col);
    case ColumnKind::kText:
      return s.Text(col);
    case ColumnKind::kBytes:
      return BytesOf(s, col, table);
  }
  return std::monostate{};
}

}  // namespace

base::Result<int64_t> SqliteCatalog::SchemaVersion() {
  std::lock_guard lock(mu_);
  Statement s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int(0);
}

base::Result<int64_t> SqliteCatalog::CountRows(const TableSpec& table) {
  std::lock_guard lock(mu_);
  Statement s(db_, fmt::format("SELECT COUNT(*) FROM {}", table.name).c_str());
  auto row = s.Step();
  if (!row.ok()) return row.status();
  return s.Int(0);
}

base::Result<std::vector<Row>> SqliteCatalog::ReadRows(const TableSpec& table, const std::optional<Row>& after,
                                                       int limit) {
  std::lock_guard lock(mu_);
  std::string sql = PageSql(
      table, after.has_value(), [](int) { return std::string("?"); }, "");
  Statement s(db_, sql.c_str());
  int next = 1;
  if (after) {
    for (const Value& key : *after) BindValue(s, next++, key);
  }
  s.Bind(next, limit);
  std::vector<Row> out;
  for (;;) {
    auto row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    Row r;
    for (size_t c = 0; c < table.columns.size(); ++c) r.push_back(ReadValue(s, static_cast<int>(c), table));
    out.push_back(std::move(r));
  }
}

// The copy's transaction spans many calls; mu_ is taken per call, so nothing else may use this catalog meanwhile
// (the copy owns it).
base::Status SqliteCatalog::BeginWrites() {
  std::lock_guard lock(mu_);
  return Exec(db_, "BEGIN IMMEDIATE");
}

base::Status SqliteCatalog::WriteRows(const TableSpec& table, const std::vector<Row>& rows) {
  std::lock_guard lock(mu_);
  std::string marks;
  for (size_t i = 0; i < table.columns.size(); ++i) marks += i ? ",?" : "?";
  std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name, ColumnList(table), marks);
  Statement s(db_, sql.c_str());
  for (const Row& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) BindValue(s, static_cast<int>(c) + 1, row[c]);
    TRIAGE_RETURN_IF_ERROR(s.Run());
    s.Reset();
  }
  return base::Status::Ok();
}

// Ids follow the largest present, so there is no counter to move.
base::Status SqliteCatalog::CommitWrites() {
  std::lock_guard lock(mu_);
  base::Status committed = Exec(db_, "COMMIT");
  if (!committed.ok()) Rollback(db_);
  return committed;
}

void SqliteCatalog::RollbackWrites() {
  std::lock_guard lock(mu_);
  Rollback(db_);
}

}  // namespace triage::catalog::sqlite
