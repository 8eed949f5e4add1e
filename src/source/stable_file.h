// Waits for an input file to be completely written before intake takes it.
#pragma once

#include <filesystem>

#include "base/file_stamp.h"
#include "base/status.h"

namespace triage::source {

struct SettleOptions {
  int settle_ms = 1000;    // quiet time: size and mtime unchanged this long; 0 .. 600000 (0: no wait)
  int max_wait_ms = 5000;  // give up after this long; the file is then left for the next run
};

// Returns the file's stamp once it is stable: its size and mtime have not changed for settle_ms (an mtime at
// least settle_ms in the past counts, so old files are taken at once) and no process holds it open for writing
// (where that can be checked, base::CheckNoWriter). A file still changing after max_wait_ms is kUnavailable:
// "<path> is still being written; left for the next run". Errors reading the file are returned as they are.
// Thread-safe; sleeps on the calling thread.
base::Result<base::FileStamp> WaitUntilStable(const std::filesystem::path& path, const SettleOptions& options);

}  // namespace triage::source
