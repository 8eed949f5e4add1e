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

base::Result<std::vector<Row>> SqliteCatalog::ReadRows(const TableSpec& table, const std::optional<Value>& after,
                                                       int limit) {
  std::lock_guard lock(mu_);
  const char* key = table.columns.front().name;
  std::string sql = fmt::format("SELECT {} FROM {} {} ORDER BY {} LIMIT ?", ColumnList(table), table.name,
                                after ? fmt::format("WHERE {} > ?", key) : "", key);
  Statement s(db_, sql.c_str());
  int next = 1;
  if (after) BindValue(s, next++, *after);
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

base::Status SqliteCatalog::WriteRows(const TableSpec& table, const std::vector<Row>& rows) {
  std::lock_guard lock(mu_);
  std::string marks;
  for (size_t i = 0; i < table.columns.size(); ++i) marks += i ? ",?" : "?";
  std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name, ColumnList(table), marks);
  TRIAGE_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
  base::Status written = [&]() -> base::Status {
    Statement s(db_, sql.c_str());
    for (const Row& row : rows) {
      for (size_t c = 0; c < row.size(); ++c) BindValue(s, static_cast<int>(c) + 1, row[c]);
      TRIAGE_RETURN_IF_ERROR(s.Run());
      s.Reset();
    }
    return base::Status::Ok();
  }();
  if (!written.ok()) {
    Rollback(db_);
    return written.WithContext(table.name);
  }
  return Exec(db_, "COMMIT");
}

}  // namespace triage::catalog::sqlite
