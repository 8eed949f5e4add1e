// File-system primitives that keep data safe: durable writes, no-overwrite renames, fsync'd copies.
// All functions are thread-safe (they share no state) and return errors naming the path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "base/status.h"

namespace triage::base {

namespace fs = std::filesystem;

// Reads a whole file. Fails with kNotFound or kIo; kInvalidArgument for a folder, named pipe, device or socket
// (refused at once: reading one could wait for a writer or never end). The readers below refuse them too.
Result<std::string> ReadFile(const fs::path& path);

// The first `max_bytes` of a file (all of it when shorter).
Result<std::string> ReadFileHead(const fs::path& path, size_t max_bytes);

// Writes `data` to `path` durably: temp file in the same folder, fsync, rename over, fsync the folder.
Status WriteFileDurably(const fs::path& path, std::string_view data);

// fsyncs a directory so that renames and unlinks inside it survive a crash.
Status SyncDirectory(const fs::path& dir);

// Renames `from` to `to` without ever replacing an existing `to` (renameat2 RENAME_NOREPLACE).
// Returns kAlreadyExists when `to` exists; kUnavailable (EXDEV) when they are on different file systems.
Status RenameNoReplace(const fs::path& from, const fs::path& to);

// Receives each chunk of bytes read while copying (e.g. to hash them on the way).
using ChunkSink = std::function<void(const unsigned char* data, size_t size)>;

// Reads a whole file through `sink`. kNotFound or kIo naming the path.
Status ReadFileChunks(const fs::path& path, const ChunkSink& sink);

// Ok when `path` itself is a regular file; kInvalidArgument naming what it is otherwise (a symbolic link is not
// followed: it is named as one).
Status RequireRegularFile(const fs::path& path);

// Copies `from` to a new file `to` (must not exist), fsyncs it; calls `sink` with every chunk read. `from` must be a
// regular file: a symbolic link is refused (kInvalidArgument), never followed.
// kUnavailable ("... changed while being copied") when `from`'s size or mtime changed during the copy: the copy
// would mix old and new bytes. On failure the partial `to` is removed.
Status CopyFileDurably(const fs::path& from, const fs::path& to, const ChunkSink& sink = nullptr);

// As CopyFileDurably, but the copy is not yet durable: its write-back is started, and the caller makes it durable
// with SyncFile before anything depends on it (many files synced together cost one journal commit of the file system
// instead of one each).
Status CopyFileSyncLater(const fs::path& from, const fs::path& to, const ChunkSink& sink = nullptr);

// As CopyFileSyncLater, and the bytes copied are kept in `bytes` (read once: the caller hashes and decodes them
// without reading either file again). `sink` sees them all in one call. A file larger than `max_kept_bytes` is copied
// in chunks as CopyFileSyncLater copies it, and `bytes` is left empty. On failure `bytes` is empty too.
Status CopyFileSyncLaterKeeping(const fs::path& from, const fs::path& to, const ChunkSink& sink, std::string& bytes,
                                int64_t max_kept_bytes);

// Makes the contents of the file at `path` durable (fsync).
Status SyncFile(const fs::path& path);

// Moves a file so that it is, at every moment, in at least one of the two places and never overwrites:
// rename(2) on one file system; copy + fsync + rename + unlink across file systems (the copy keeps the
// modification time; a source that changes during the copy stays where it was, kUnavailable).
// `to` must not exist (kAlreadyExists otherwise).
Status MoveFileDurably(const fs::path& from, const fs::path& to);

// Returns `dir/name`, or `dir/stem_1.ext`, `dir/stem_2.ext`, ... : the first that does not exist and is not in
// `reserved` (names already promised to other files that are not there yet, e.g. the rest of a group commit).
fs::path FirstFreeName(const fs::path& dir, const std::string& name, const std::set<fs::path>& reserved = {});

// True when both files hold the same bytes; false when they differ or either cannot be read.
bool SameFileContents(const fs::path& a, const fs::path& b);

// True when `name` is a plain file name: not empty, not "." or "..", no '/', NUL or control characters.
bool IsSafeFileName(std::string_view name);

// Replaces what makes a file name unsafe or awkward (controls, '/', leading dots, bytes that are not UTF-8) and
// bounds its length; keeps the extension. The result is valid UTF-8 and never empty.
std::string SanitizeFileName(std::string_view name);

// Lower-case file extension without the dot ("jpg"), or "".
std::string LowerExtension(const fs::path& path);

// True when the folder `dir` holds a triage library: a triage.json beside a .triage/ folder.
bool IsLibraryRoot(const fs::path& dir);

// True when `path` is `folder` or lies inside it, compared as written (lexically: resolve links and ".." first).
bool IsWithin(const fs::path& path, const fs::path& folder);

// The nearest folder at or above `path` (absolute, with symbolic links and ".." resolved as far as it exists) that
// holds a triage library, or an empty path when none does.
fs::path EnclosingLibrary(const fs::path& path);

// An exclusive advisory lock (flock) on a lock file, held until the object is destroyed; it also ends when the
// process dies, so a crash never leaves it held. Serialises a critical section across processes and threads
// (each Acquire opens its own descriptor). Not copyable.
class FileLock {
 public:
  // Creates `path` (and its folder) if needed and blocks until the lock is granted. kIo naming the path on failure.
  static Result<FileLock> Acquire(const fs::path& path);
  // Takes the lock without waiting and writes `holder` (who, where) into the file. kConflict "held by \"<holder>\""
  // (the note of the process holding it) when it is taken; kIo naming the path on failure.
  static Result<FileLock> TryAcquire(const fs::path& path, const std::string& holder);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace triage::base
