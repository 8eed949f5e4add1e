// A catalog copy and its verification: every table moved in one transaction, checked by counts and checksums.
#include "catalog/catalog_copy.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

namespace triage::catalog {
namespace {

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

// A table's checksum: the sum, lane by lane (four 64-bit lanes, modulo 2^64), of each row's SHA-256 over its
// canonical encoding. A sum does not depend on the order rows are read in, and unlike XOR a row held twice counts.
class RowSum {
 public:
  RowSum() : md_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {}
  void Add(const Row& row) {
    EVP_DigestInit_ex(md_.get(), EVP_sha256(), nullptr);
    for (const Value& v : row) Digest(md_.get(), v);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    EVP_DigestFinal_ex(md_.get(), digest, &size);
    for (int lane = 0; lane < 4; ++lane) {
      uint64_t part = 0;
      for (int b = 0; b < 8; ++b) part |= uint64_t{digest[lane * 8 + b]} << (8 * b);
      lanes_[lane] += part;
    }
  }
  std::string Hex() const {
    return fmt::format("{:016x}{:016x}{:016x}{:016x}", lanes_[0], lanes_[1], lanes_[2], lanes_[3]);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md_;
  uint64_t lanes_[4] = {0, 0, 0, 0};
};

// The key values of a row: its first `key_columns` cells.
Row KeyOf(const TableSpec& table, const Row& row) { return Row(row.begin(), row.begin() + table.key_columns); }

// Reads a whole table in batches by its full key (keyset paging), handing each to `take`.
template <typename Take>
base::Status ForEachBatch(TableTransfer& tables, const TableSpec& table, int batch_rows, Take take) {
  std::optional<Row> after;
  for (;;) {
    auto rows = tables.ReadRows(table, after, batch_rows);
    if (!rows.ok()) return rows.status().WithContext(table.name);
    if (rows->empty()) return base::Status::Ok();
    after = KeyOf(table, rows->back());
    TRIAGE_RETURN_IF_ERROR(take(*rows));
    if (static_cast<int>(rows->size()) < batch_rows) return base::Status::Ok();
  }
}

base::Result<TableChecksum> ChecksumTable(TableTransfer& tables, const TableSpec& table) {
  RowSum sum;
  TableChecksum out{table.name, 0, ""};
  TRIAGE_RETURN_IF_ERROR(ForEachBatch(tables, table, 1000, [&](const std::vector<Row>& rows) {
    for (const Row& row : rows) sum.Add(row);
    out.rows += static_cast<int64_t>(rows.size());
    return base::Status::Ok();
  }));
  out.sha256 = sum.Hex();
  return out;
}

// Every copied table must exist with every copied column on both sides (a catalog of another version fails here,
// before anything is written).
base::Status CheckColumns(TableTransfer& tables, const char* side) {
  for (const TableSpec& table : CopiedTables()) {
    auto probe = tables.ReadRows(table, std::nullopt, 0);
    if (!probe.ok()) {
      return base::Status::Corrupt(
          fmt::format("{}: table {} does not hold the columns a copy moves ({}); run `triage "
                      "db migrate` on it, or use a catalog of this triage version",
                      side, table.name, probe.status().message()));
    }
  }
  return base::Status::Ok();
}

base::Status CheckEmpty(TableTransfer& to) {
  for (const TableSpec& table : CopiedTables()) {
    auto n = to.CountRows(table);
    if (!n.ok()) return n.status().WithContext(table.name);
    if (*n > 0) {
      return base::Status::Conflict(fmt::format(
          "the target catalog is not empty: table {} holds {} rows; copy into a new, empty database", table.name, *n));
    }
  }
  return base::Status::Ok();
}

base::Status CopyRows(TableTransfer& from, TableTransfer& to, const CopyOptions& options) {
  for (const TableSpec& table : CopiedTables()) {
    int64_t copied = 0;
    TRIAGE_RETURN_IF_ERROR(ForEachBatch(from, table, options.batch_rows, [&](const std::vector<Row>& rows) {
      TRIAGE_RETURN_IF_ERROR(to.WriteRows(table, rows).WithContext(table.name));
      copied += static_cast<int64_t>(rows.size());
      if (options.progress) options.progress(table.name, copied);
      return base::Status::Ok();
    }));
  }
  return base::Status::Ok();
}

// Both sides' counts and checksums, table by table; kCorrupt naming the first table that differs.
base::Result<std::vector<TableChecksum>> Verify(TableTransfer& from, TableTransfer& to) {
  auto source = ChecksumTables(from);
  if (!source.ok()) return source.status();
  auto target = ChecksumTables(to);
  if (!target.ok()) return target.status();
  for (size_t i = 0; i < source->size(); ++i) {
    const TableChecksum& a = (*source)[i];
    const TableChecksum& b = (*target)[i];
    if (a.rows != b.rows || a.sha256 != b.sha256) {
      return base::Status::Corrupt(fmt::format("the copy of {} differs: {} rows (sum {}) became {} rows (sum {})",
                                               a.table, a.rows, a.sha256, b.rows, b.sha256));
    }
  }
  return source;
}

}  // namespace

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
  TRIAGE_RETURN_IF_ERROR(CheckColumns(from, "--from"));
  TRIAGE_RETURN_IF_ERROR(CheckColumns(to, "--to"));
  TRIAGE_RETURN_IF_ERROR(CheckEmpty(to));
  TRIAGE_RETURN_IF_ERROR(to.BeginWrites());
  base::Status copied = CopyRows(from, to, options);
  auto verified = copied.ok() ? Verify(from, to) : base::Result<std::vector<TableChecksum>>(copied);
  if (!verified.ok()) {
    to.RollbackWrites();
    return verified.status().WithContext("nothing was written to the target");
  }
  TRIAGE_RETURN_IF_ERROR(to.CommitWrites());
  return verified;
}

}  // namespace triage::catalog
