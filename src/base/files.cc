// File-system primitives: durable writes, no-overwrite renames, copies that fsync.
#include "base/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "base/file_stamp.h"
#include "base/utf8.h"

namespace triage::base {
namespace {

Status Errno(const std::string& what, const fs::path& path, int err) {
  std::string msg = fmt::format("{} {}: {}", what, path.string(), std::strerror(err));
  if (err == ENOENT) return Status::NotFound(msg);
  if (err == EEXIST) return Status::AlreadyExists(msg);
  // EACCES/EPERM from the file system are no refusal of the user's rights (kPermissionDenied, a 403 in the API): the
  // server could not do it, which is an I/O error naming the file.
  if (err == EXDEV) return Status::Unavailable(msg);
  return Status::Io(msg);
}

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status WriteAll(int fd, const char* data, size_t size, const fs::path& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing", path, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Reads what is left of `fd` onto the end of `bytes`. Room for `expected` bytes and one more is made first, so that a
// file of the expected size is read, and its end seen, without growing the buffer.
Status ReadRest(int fd, const fs::path& path, size_t expected, std::string& bytes) {
  size_t filled = bytes.size();
  bytes.resize(filled + expected + 1);
  for (;;) {
    if (filled == bytes.size()) bytes.resize(bytes.size() * 2);  // it grew while being read
    ssize_t n = ::read(fd, bytes.data() + filled, bytes.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("reading", path, errno);
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  bytes.resize(filled);
  return Status::Ok();
}

// What a file that is not a regular one is, in words.
const char* KindOfSpecialFile(mode_t mode) {
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

enum class Links { kFollow, kRefuse };

// Why a path that is a symbolic link is not taken.
Status SymlinkRefused(const fs::path& path) {
  return Status::InvalidArgument(
      fmt::format("{} is a symbolic link; only regular files are taken, a link is never followed", path.string()));
}

// Opens a regular file for reading, into `in`. A named pipe, device or socket is refused without waiting for a writer
// (O_NONBLOCK) or reading forever (/dev/zero); a folder is named as one. With Links::kRefuse a symbolic link is refused
// by the open itself (O_NOFOLLOW), so that no check made before can be outrun by a link put in the file's place.
Status OpenRegularFile(const fs::path& path, Fd& in, Links links = Links::kFollow) {
  in.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (links == Links::kRefuse ? O_NOFOLLOW : 0));
  if (in.fd < 0 && errno == ELOOP && links == Links::kRefuse) return SymlinkRefused(path);
  if (in.fd < 0) return Errno("opening", path, errno);
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) return Errno("reading the status of", path, errno);
  if (S_ISDIR(st.st_mode))
    return Status::InvalidArgument(fmt::format("{} is a folder; a file was expected", path.string()));
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(
        fmt::format("{} is {}; a file was expected", path.string(), KindOfSpecialFile(st.st_mode)));
  }
  const int flags = ::fcntl(in.fd, F_GETFL);
  if (flags >= 0) ::fcntl(in.fd, F_SETFL, flags & ~O_NONBLOCK);
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadFile(const fs::path& path) {
  Fd in;
  TRIAGE_RETURN_IF_ERROR(OpenRegularFile(path, in));
  auto stamp = StampOfFd(in.fd, path);
  if (!stamp.ok()) return stamp.status();
  std::string out;
  TRIAGE_RETURN_IF_ERROR(ReadRest(in.fd, path, static_cast<size_t>(std::max<int64_t>(stamp->size_bytes, 0)), out));
  return out;
}

Status SyncDirectory(const fs::path& dir) {
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) return Errno("opening folder", dir, errno);
  if (::fsync(d.fd) != 0) return Errno("syncing folder", dir, errno);
  return Status::Ok();
}

Status WriteFileDurably(const fs::path& path, std::string_view data) {
  fs::path tmp = path;
  tmp += fmt::format(".tmp{}", ::getpid());
  {
    Fd out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (out.fd < 0) return Errno("creating", tmp, errno);
    Status written = WriteAll(out.fd, data.data(), data.size(), tmp);
    if (written.ok() && ::fsync(out.fd) != 0) written = Errno("syncing", tmp, errno);
    if (!written.ok()) {  // a full disk: the half-written file is not left beside the one it was to replace
      ::unlink(tmp.c_str());
      return written;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Errno("renaming to", path, err);
  }
  return SyncDirectory(path.has_parent_path() ? path.parent_path() : fs::path("."));
}

Status RenameNoReplace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EEXIST) return Status::AlreadyExists(fmt::format("{} exists already", to.string()));
    if (err == EINVAL || err == ENOSYS) {
      // File systems without RENAME_NOREPLACE: link() also refuses to replace.
      if (::link(from.c_str(), to.c_str()) != 0) return Errno("linking to", to, errno);
      if (::unlink(from.c_str()) != 0) return Errno("unlinking", from, errno);
      return Status::Ok();
    }
    return Errno(fmt::format("moving {} to", from.string()), to, err);
  }
  return Status::Ok();
}

Result<std::string> ReadFileHead(const fs::path& path, size_t max_bytes) {
  Fd in;
  TRIAGE_RETURN_IF_ERROR(OpenRegularFile(path, in));
  std::string out(max_bytes, '\0');
  size_t filled = 0;
  while (filled < max_bytes) {
    ssize_t n = ::read(in.fd, out.data() + filled, max_bytes - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("reading", path, errno);
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  out.resize(filled);
  return out;
}

Status ReadFileChunks(const fs::path& path, const ChunkSink& sink) {
  Fd in;
  TRIAGE_RETURN_IF_ERROR(OpenRegularFile(path, in));
  std::vector<unsigned char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("reading", path, errno);
    if (n == 0) return Status::Ok();
    if (sink) sink(buf.data(), static_cast<size_t>(n));
  }
}

Status RequireRegularFile(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Errno("reading the status of", path, errno);
  if (S_ISLNK(st.st_mode)) return SymlinkRefused(path);
  if (S_ISDIR(st.st_mode))
    return Status::InvalidArgument(fmt::format("{} is a folder; a file was expected", path.string()));
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(
        fmt::format("{} is {}; a file was expected", path.string(), KindOfSpecialFile(st.st_mode)));
  }
  return Status::Ok();
}

namespace {

enum class CopySync { kNow, kLater };

// Copies the open `in` to `out` in chunks, each through `sink` first.
Status CopyChunks(int in, const fs::path& from, int out, const fs::path& to, const ChunkSink& sink) {
  std::vector<unsigned char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("reading", from, errno);
    }
    if (n == 0) return Status::Ok();
    if (sink) sink(buf.data(), static_cast<size_t>(n));
    TRIAGE_RETURN_IF_ERROR(WriteAll(out, reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n), to));
  }
}

// `keep`, when not null, receives the bytes copied (read whole, then written) if the file has at most
// `max_kept_bytes`; a larger file is copied in chunks and `keep` left empty.
Status CopyFile(const fs::path& from, const fs::path& to, const ChunkSink& sink, CopySync sync,
                std::string* keep = nullptr, int64_t max_kept_bytes = 0) {
  if (keep) keep->clear();
  Fd in;
  // Copies are of files triage takes or keeps, never of what a link points to: the link may have been put in the
  // file's place after it was listed.
  TRIAGE_RETURN_IF_ERROR(OpenRegularFile(from, in, Links::kRefuse));
  auto before = StampOfFd(in.fd, from);
  if (!before.ok()) return before.status();
  Fd out{::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
  if (out.fd < 0) return Errno("creating", to, errno);
  ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Status st;
  if (keep && before->size_bytes <= max_kept_bytes) {
    st = ReadRest(in.fd, from, static_cast<size_t>(before->size_bytes), *keep);
    if (st.ok() && sink && !keep->empty()) sink(reinterpret_cast<const unsigned char*>(keep->data()), keep->size());
    if (st.ok()) st = WriteAll(out.fd, keep->data(), keep->size(), to);
  } else {
    st = CopyChunks(in.fd, from, out.fd, to, sink);
  }
  if (st.ok()) {
    auto after = StampOfFd(in.fd, from);
    if (!after.ok())
      st = after.status();
    else if (!(*after == *before))
      st = Status::Unavailable(fmt::format("{} changed while being copied", from.string()));
  }
  if (st.ok() && sync == CopySync::kNow && ::fsync(out.fd) != 0) st = Errno("syncing", to, errno);
  // Starts the write-back now, so that the later SyncFile mostly finds it done.
  if (st.ok() && sync == CopySync::kLater) ::sync_file_range(out.fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  if (!st.ok()) {
    ::unlink(to.c_str());
    if (keep) keep->clear();
  }
  return st;
}

}  // namespace

Status CopyFileDurably(const fs::path& from, const fs::path& to, const ChunkSink& sink) {
  return CopyFile(from, to, sink, CopySync::kNow);
}

Status CopyFileSyncLater(const fs::path& from, const fs::path& to, const ChunkSink& sink) {
  return CopyFile(from, to, sink, CopySync::kLater);
}

Status CopyFileSyncLaterKeeping(const fs::path& from, const fs::path& to, const ChunkSink& sink, std::string& bytes,
                                int64_t max_kept_bytes) {
  return CopyFile(from, to, sink, CopySync::kLater, &bytes, max_kept_bytes);
}

Status SyncFile(const fs::path& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return Errno("opening", path, errno);
  if (::fsync(f.fd) != 0) return Errno("syncing", path, errno);
  return Status::Ok();
}

Status MoveFileDurably(const fs::path& from, const fs::path& to) {
  Status st = RenameNoReplace(from, to);
  if (st.ok()) return SyncDirectory(to.parent_path());
  if (st.code() != Code::kUnavailable) return st;
  // Across file systems: a temp copy beside `to`, then a no-replace rename, then unlink the source.
  fs::path tmp = to;
  tmp += fmt::format(".part{}", ::getpid());
  TRIAGE_RETURN_IF_ERROR(CopyFileDurably(from, tmp));
  // A move keeps the modification time, as rename does: callers compare it to see that the file is unchanged.
  auto stamp = StampOf(from);
  if (stamp.ok()) {
    const struct timespec times[2] = {
        {0, UTIME_OMIT},
        {static_cast<time_t>(stamp->mtime_ns / 1'000'000'000), static_cast<long>(stamp->mtime_ns % 1'000'000'000)}};
    ::utimensat(AT_FDCWD, tmp.c_str(), times, 0);
  }
  st = RenameNoReplace(tmp, to);
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  TRIAGE_RETURN_IF_ERROR(SyncDirectory(to.parent_path()));
  if (::unlink(from.c_str()) != 0) {
    // The source stays (immutable, a read-only folder): the copy goes, so that the file is in one place only, as it
    // was before the move. Nothing is left at `to` for a retry to step around.
    const int err = errno;
    if (::unlink(to.c_str()) == 0) (void)SyncDirectory(to.parent_path());
    return Errno("removing", from, err);
  }
  return SyncDirectory(from.parent_path());
}

fs::path FirstFreeName(const fs::path& dir, const std::string& name, const std::set<fs::path>& reserved) {
  auto free = [&](const fs::path& candidate) {
    std::error_code ec;
    return !reserved.count(candidate) && !fs::exists(fs::symlink_status(candidate, ec));
  };
  fs::path candidate = dir / name;
  if (free(candidate)) return candidate;
  fs::path p(name);
  std::string stem = p.stem().string(), ext = p.extension().string();
  for (int i = 1;; ++i) {
    candidate = dir / fmt::format("{}_{}{}", stem, i, ext);
    if (free(candidate)) return candidate;
  }
}

bool SameFileContents(const fs::path& a, const fs::path& b) {
  std::error_code ec_a, ec_b;
  if (fs::file_size(a, ec_a) != fs::file_size(b, ec_b) || ec_a || ec_b) return false;
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1 << 16), bb(1 << 16);
  while (fa && fb) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount() || !std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) return false;
  }
  return fa.eof() && fb.eof();
}

bool IsSafeFileName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '/' || u < 0x20 || u == 0x7f;
  });
}

std::string SanitizeFileName(std::string_view raw) {
  // Names arrive as bytes; the library's own names are valid UTF-8 so that every tool (and JSON) can show them.
  // Nor any character that acts instead of showing (controls, or a right-to-left override that would show
  // "photo\u202egpj.exe" as "photoexe.jpg" in the web UI and in a file manager).
  std::string out = WithoutHiddenControls(ToValidUtf8(raw, "_"), "_");
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '/' || c == '\\'; }, '_');
  // No hidden files, and no name a shell command would take for an option ("-rf.jpg"): leading dots, spaces and
  // dashes go. A name that was only those and an extension ("..jpg") keeps the extension behind a plain stem, so that
  // the file still says what it is.
  const size_t kept = out.find_first_not_of(". -");
  const bool only_extension =
      kept != std::string::npos && kept > 0 && out[kept - 1] == '.' && out.find('.', kept) == std::string::npos;
  out.erase(0, std::min(kept, out.size()));
  if (only_extension) out = "image." + out;
  constexpr size_t kMaxBytes = 180;  // leaves room for a collision suffix under NAME_MAX (255)
  if (out.size() > kMaxBytes) {
    // The extension stays (up to 16 bytes, as a valid UTF-8 name), and so do the stem's beginning and end.
    std::string ext = fs::path(out).extension().string();
    const std::string stem = out.substr(0, out.size() - ext.size());
    if (ext.size() > 16) ext = ShortenedInMiddle(ext, 16);
    out = ShortenedInMiddle(stem, kMaxBytes - ext.size()) + ext;
  }
  if (out.empty() || out == "." || out == "..") out = "image";
  return out;
}

std::string LowerExtension(const fs::path& path) {
  std::string ext = path.extension().string();
  if (!ext.empty()) ext.erase(0, 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

Result<FileLock> FileLock::Acquire(const fs::path& path) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("opening lock file", path, errno);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return Errno("locking", path, err);
  }
  return FileLock(fd);
}

Result<FileLock> FileLock::TryAcquire(const fs::path& path, const std::string& holder) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("opening lock file", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err != EWOULDBLOCK) return Errno("locking", path, err);
    auto who = ReadFile(path);
    return Status::Conflict(fmt::format("held by \"{}\"", who.ok() && !who->empty() ? *who : "another process"));
  }
  // The holder's note for whoever is refused; written after the lock is ours, so it is never another holder's.
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, holder.data(), holder.size(), 0) != static_cast<ssize_t>(holder.size())) {
    int err = errno;
    ::close(fd);
    return Errno("writing the holder of", path, err);
  }
  return FileLock(fd);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the lock
}

bool IsLibraryRoot(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "triage.json", ec) && fs::is_directory(dir / ".triage", ec);
}

bool IsWithin(const fs::path& path, const fs::path& folder) {
  const fs::path relative = path.lexically_relative(folder);
  return !relative.empty() && *relative.begin() != "..";
}

fs::path EnclosingLibrary(const fs::path& path) {
  std::error_code ec;
  const fs::path absolute = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return {};
  for (fs::path up = absolute;; up = up.parent_path()) {
    if (IsLibraryRoot(up)) return up;
    if (up == up.parent_path() || up.empty()) return {};
  }
}

}  // namespace triage::base
