// Moving a catalog from one backend to another (`triage db copy`), verified by row counts and checksums.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/table_transfer.h"

namespace triage::catalog {

// One table's row count and SHA-256 over its rows in key order (each value tagged with its kind, so that 1 and 1.0,
// NULL and "" differ).
struct TableChecksum {
  std::string table;
  int64_t rows = 0;
  std::string sha256;  // hex
};

// Counts and checksums of every copied table.
base::Result<std::vector<TableChecksum>> ChecksumTables(TableTransfer& tables);

struct CopyOptions {
  int batch_rows = 1000;  // rows per read and per write transaction; 1 .. 10000
  std::function<void(const std::string& table, int64_t rows)> progress;  // after each batch; may be empty
};

// Copies every table of `from` into `to`, keys included, then checks that both hold the same rows.
// kConflict when `to` holds items, persons or users already (nothing is written); kCorrupt naming the table when
// the copy's counts or checksums differ from the original's. Returns the verified checksums.
base::Result<std::vector<TableChecksum>> CopyCatalog(TableTransfer& from, TableTransfer& to,
                                                     const CopyOptions& options = {});

}  // namespace triage::catalog
