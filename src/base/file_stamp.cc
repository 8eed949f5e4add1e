// File stamps (size + mtime) and the read-lease test for a writer that still holds a file open.
#include "base/file_stamp.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace triage::base {
namespace {

FileStamp FromStat(const struct stat& st) {
  return {static_cast<int64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + static_cast<int64_t>(st.st_mtim.tv_nsec)};
}

Status StatError(const std::filesystem::path& path, int err) {
  std::string msg = fmt::format("cannot read {}: {}", path.string(), std::strerror(err));
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::Io(msg);
}

}  // namespace

Result<FileStamp> StampOf(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return StatError(path, errno);
  return FromStat(st);
}

Result<FileStamp> StampOfFd(int fd, const std::filesystem::path& path_for_errors) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return StatError(path_for_errors, errno);
  return FromStat(st);
}

Status CheckNoWriter(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO or a file under another's lease must not block the intake.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) return Status::Ok();  // the move or copy reports why the file cannot be read
  Status result = Status::Ok();
  if (::fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
    ::fcntl(fd, F_SETLEASE, F_UNLCK);
  } else if (errno == EAGAIN) {
    result = Status::Unavailable(fmt::format("{} is open for writing by another process", path.string()));
  }
  // Other errors (EACCES: not the owner; EINVAL: no leases on this file system) mean we cannot tell.
  ::close(fd);
  return result;
}

}  // namespace triage::base
