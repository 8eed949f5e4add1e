// The tables a catalog copy moves, the copy itself and its verification.
#include "catalog/catalog_copy.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

namespace triage::catalog {
namespace {

constexpr ColumnKind I = ColumnKind::kInt;
constexpr ColumnKind R = ColumnKind::kReal;
constexpr ColumnKind T = ColumnKind::kText;
constexpr ColumnKind B = ColumnKind::kBytes;

// Adds one value to a running digest: a tag for its kind, then its bytes (lengths first for variable sizes).
void Digest(EVP_MD_CTX* md, const Value& v) {
  uint8_t tag = static_cast<uint8_t>(v.index());
  EVP_DigestUpdate(md, &tag, 1);
  auto sized = [&](const void* data, uint64_t size) {
    EVP_DigestUpdate(md, &size, sizeof size);
    EVP_DigestUpdate(md, data, size);
  };
  if (const auto* i = std::get_if<int64_t>(&v)) EVP_DigestUpdate(md, i, sizeof *i);
  if (const auto* d = std::get_if<double>(&v)) EVP_DigestUpdate(md, d, sizeof *d);
  if (const auto* s = std::get_if<std::string>(&v)) sized(s->data(), s->size());
  if (const auto* b = std::get_if<std::vector<uint8_t>>(&v)) sized(b->data(), b->size());
}

std::string Hex(const unsigned char* data, unsigned size) {
  std::string out;
  for (unsigned i = 0; i < size; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}

// Reads a whole table in batches, handing each to `take`.
template <typename Take>
base::Status ForEachBatch(TableTransfer& tables, const TableSpec& table, int batch_rows, Take take) {
  std::optional<Value> after;
  for (;;) {
    auto rows = tables.ReadRows(table, after, batch_rows);
    if (!rows.ok()) return rows.status().WithContext(table.name);
    if (rows->empty()) return base::Status::Ok();
    after = rows->back().front();
    TRIAGE_RETURN_IF_ERROR(take(*rows));
    if (static_cast<int>(rows->size()) < batch_rows) return base::Status::Ok();
  }
}

base::Result<TableChecksum> ChecksumTable(TableTransfer& tables, const TableSpec& table) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  TableChecksum out{table.name, 0, ""};
  TRIAGE_RETURN_IF_ERROR(ForEachBatch(tables, table, 1000, [&](const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      for (const Value& v : row) Digest(md.get(), v);
    }
    out.rows += static_cast<int64_t>(rows.size());
    return base::Status::Ok();
  }));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_DigestFinal_ex(md.get(), digest, &size);
  out.sha256 = Hex(digest, size);
  return out;
}

base::Status CheckEmpty(TableTransfer& to) {
  for (const TableSpec& table : CopiedTables()) {
    if (std::strcmp(table.name, "items") != 0 && std::strcmp(table.name, "persons") != 0 &&
        std::strcmp(table.name, "users") != 0) {
      continue;
    }
    auto n = to.CountRows(table);
    if (!n.ok()) return n.status();
    if (*n > 0) {
      return base::Status::Conflict(
          fmt::format("the target catalog is not empty ({} rows in {}); copy into a new database", *n, table.name));
    }
  }
  return base::Status::Ok();
}

}  // namespace

const std::vector<TableSpec>& CopiedTables() {
  static const std::vector<TableSpec> kTables = {
      {"items",
       {{"id", I},
        {"path", T},
        {"original_name", T},
        {"original_path", T},
        {"source", T},
        {"url", T},
        {"sha256", T},
        {"phash", I},
        {"size_bytes", I},
        {"width", I},
        {"height", I},
        {"format", T},
        {"taken_at", T},
        {"camera", T},
        {"location", T},
        {"category", T},
        {"person", T},
        {"duplicate_of", I},
        {"reasons", T},
        {"auto_sorted", I},
        {"faces_detected", I},
        {"sharpness", R},
        {"exposure", R},
        {"created_at", I},
        {"updated_at", I},
        {"phash_center", I},
        {"queue_rank", I},
        {"signature", B}}},
      {"faces",
       {{"id", I},
        {"item_id", I},
        {"x", R},
        {"y", R},
        {"w", R},
        {"h", R},
        {"score", R},
        {"landmarks", T},
        {"embedding", B},
        {"person", T},
        {"match_kind", T},
        {"distance", R},
        {"confidence", R},
        {"eye_aspect_ratio", R},
        {"named_as", T},
        {"untracked", I}}},
      {"analyses", {{"item_id", I}, {"version", I}, {"analysis", B}}, false},
      {"persons", {{"id", I}, {"name", T}, {"created_at", I}}},
      {"person_references", {{"id", I}, {"person_id", I}, {"embedding", B}, {"source", T}}},
      {"review_queue",
       {{"id", I},
        {"item_id", I},
        {"category", T},
        {"reason", T},
        {"reason_code", T},
        {"faces_detected", I},
        {"suggested_person", T},
        {"created_at", I},
        {"queued_at", I},
        {"reviewed_at", I},
        {"reviewed_by", T},
        {"action", T}}},
      {"audit",
       {{"id", I},
        {"at", I},
        {"actor", T},
        {"item_id", I},
        {"action", T},
        {"from_state", T},
        {"to_state", T},
        {"reason", T}}},
      {"applied_journal", {{"id", T}, {"item_id", I}, {"at", I}}, false},
      {"users", {{"id", I}, {"name", T}, {"role", T}, {"password_hash", T}, {"created_at", I}}},
      {"sessions",
       {{"token_hash", T}, {"user_name", T}, {"csrf_token", T}, {"created_at", I}, {"expires_at", I}},
       false},
  };
  return kTables;
}

base::Result<std::vector<TableChecksum>> ChecksumTables(TableTransfer& tables) {
  std::vector<TableChecksum> out;
  for (const TableSpec& table : CopiedTables()) {
    auto sum = ChecksumTable(tables, table);
    if (!sum.ok()) return sum.status();
    out.push_back(std::move(*sum));
  }
  return out;
}

base::Result<std::vector<TableChecksum>> CopyCatalog(TableTransfer& from, TableTransfer& to,
                                                     const CopyOptions& options) {
  if (options.batch_rows < 1 || options.batch_rows > 10000) {
    return base::Status::InvalidArgument("batch_rows must be 1..10000");
  }
  TRIAGE_RETURN_IF_ERROR(CheckEmpty(to));
  for (const TableSpec& table : CopiedTables()) {
    int64_t copied = 0;
    TRIAGE_RETURN_IF_ERROR(ForEachBatch(from, table, options.batch_rows, [&](const std::vector<Row>& rows) {
      TRIAGE_RETURN_IF_ERROR(to.WriteRows(table, rows));
      copied += static_cast<int64_t>(rows.size());
      if (options.progress) options.progress(table.name, copied);
      return base::Status::Ok();
    }));
  }
  TRIAGE_RETURN_IF_ERROR(to.FinishWrites());
  auto source = ChecksumTables(from);
  if (!source.ok()) return source.status();
  auto target = ChecksumTables(to);
  if (!target.ok()) return target.status();
  for (size_t i = 0; i < source->size(); ++i) {
    const TableChecksum& a = (*source)[i];
    const TableChecksum& b = (*target)[i];
    if (a.rows != b.rows || a.sha256 != b.sha256) {
      return base::Status::Corrupt(fmt::format("the copy of {} differs: {} rows (sha256 {}) became {} rows (sha256 {})",
                                               a.table, a.rows, a.sha256, b.rows, b.sha256));
    }
  }
  return source;
}

}  // namespace triage::catalog
