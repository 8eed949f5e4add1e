// What shows that a file is still being written: its size and modification time, and whether a process holds
// it open for writing. Intake takes a file only when these are still, and checks them again after moving it.
#pragma once

#include <cstdint>
#include <filesystem>

#include "base/status.h"

namespace triage::base {

// The parts of a file's state that change while it is written. A move within a file system keeps them; a copy
// keeps them when MoveFileDurably makes it (it carries the modification time over).
struct FileStamp {
  int64_t size_bytes = 0;
  int64_t mtime_ns = 0;  // since the epoch, by the file system's clock
  bool operator==(const FileStamp&) const = default;
};

// The stamp of `path` (following a symlink). kNotFound, kPermissionDenied or kIo naming the path.
Result<FileStamp> StampOf(const std::filesystem::path& path);
// The stamp of an open descriptor; kIo when fstat fails.
Result<FileStamp> StampOfFd(int fd, const std::filesystem::path& path_for_errors);

// kUnavailable ("... is open for writing by another process") when some process holds `path` open for writing.
// Ok when no one does, and also when this cannot be checked here: Linux refuses a read lease (F_SETLEASE) while
// a writer has the file open, but grants leases only to the file's owner and not on every file system.
// The lease is released at once, so a writer opening the file afterwards is never held up.
Status CheckNoWriter(const std::filesystem::path& path);

}  // namespace triage::base
