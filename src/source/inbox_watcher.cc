// inotify-based drop-folder watcher with a quiet-period debounce and an eventfd for wake-ups.
#include "source/inbox_watcher.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "source/whole_file.h"

namespace triage::source {
namespace {

namespace fs = std::filesystem;
using base::Result;
using base::Status;

constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF |
                                IN_MOVE_SELF | IN_CREATE | IN_ONLYDIR | IN_EXCL_UNLINK;
constexpr int kMaxDepth = 32;  // folders deeper than this within the inbox are not watched
constexpr const char* kAnotherLibrary = "another triage library, whose files belong to its own catalog";

// `name` within the folder `folder` (relative to the inbox; "" for the inbox itself).
std::string Within(const std::string& folder, const std::string& name) {
  return folder.empty() ? name : folder + "/" + name;
}

bool IsWithin(const std::string& path, const std::string& folder) {
  return path == folder ||
         (path.size() > folder.size() && path.compare(0, folder.size(), folder) == 0 && path[folder.size()] == '/');
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool IsHiddenOrPartialName(std::string_view name) {
  if (name.empty() || name.front() == '.') return true;
  for (std::string_view suffix : {".part", ".partial", ".tmp", ".crdownload"}) {
    if (EndsWith(name, suffix)) return true;
  }
  return false;
}

Result<std::unique_ptr<InboxWatcher>> InboxWatcher::Open(const fs::path& dir, int debounce_ms,
                                                         std::chrono::seconds hold_cut_short) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (!fs::exists(status)) return Status::NotFound(fmt::format("inbox folder {} does not exist", dir.string()));
  if (!fs::is_directory(status)) return Status::InvalidArgument(fmt::format("inbox {} is not a folder", dir.string()));
  const int inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd < 0) return Status::Io(fmt::format("inotify_init1: {}", std::strerror(errno)));
  // The watch is in place before the first scan, so a file arriving in between is seen at least once.
  const int top_wd = inotify_add_watch(inotify_fd, dir.c_str(), kWatchMask);
  if (top_wd < 0) {
    Status st = Status::Io(fmt::format("watching {}: {}", dir.string(), std::strerror(errno)));
    ::close(inotify_fd);
    return st;
  }
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) {
    ::close(inotify_fd);
    return Status::Io(fmt::format("eventfd: {}", std::strerror(errno)));
  }
  std::unique_ptr<InboxWatcher> watcher(new InboxWatcher(dir, debounce_ms, hold_cut_short, inotify_fd, wake_fd));
  watcher->top_wd_ = top_wd;
  watcher->folders_[top_wd] = "";
  watcher->ScanFolder();
  return watcher;
}

InboxWatcher::InboxWatcher(fs::path dir, int debounce_ms, std::chrono::seconds hold_cut_short, int inotify_fd,
                           int wake_fd)
    : dir_(std::move(dir)),
      debounce_(std::max(0, debounce_ms)),
      hold_cut_short_(std::max(std::chrono::seconds(0), hold_cut_short)),
      inotify_fd_(inotify_fd),
      wake_fd_(wake_fd) {}

InboxWatcher::~InboxWatcher() {
  ::close(inotify_fd_);  // also removes the watch
  ::close(wake_fd_);
}

void InboxWatcher::Stop() {
  stopped_.store(true);
  const uint64_t one = 1;
  ssize_t ignored = ::write(wake_fd_, &one, sizeof one);  // fails only when the counter is saturated
  (void)ignored;
}

bool InboxWatcher::stopped() const { return stopped_.load(); }

void InboxWatcher::ScanFolder() { WatchTree(""); }

void InboxWatcher::WatchTree(const std::string& relative) {
  const fs::path folder = relative.empty() ? dir_ : dir_ / relative;
  if (!relative.empty() && base::IsLibraryRoot(folder)) {
    pending_.try_emplace(relative, Clock::now());  // its files are its own catalog's: reported, never watched or taken
    return;
  }
  if (!relative.empty()) {
    // The watch is in place before the folder is read, so a file arriving in between is seen at least once.
    const int wd = inotify_add_watch(inotify_fd_, folder.c_str(), kWatchMask | IN_DONT_FOLLOW);
    if (wd < 0) return;  // gone already, or not a folder (a symlink)
    folders_[wd] = relative;
  }
  const auto now = Clock::now();
  const auto depth = std::count(relative.begin(), relative.end(), '/') + (relative.empty() ? 0 : 1);
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (IsHiddenOrPartialName(name)) continue;
    const fs::file_status status = it->symlink_status(ec);
    const std::string path = Within(relative, name);
    if (fs::is_directory(status)) {
      if (depth < kMaxDepth)
        WatchTree(path);
      else
        pending_.try_emplace(path, now);  // too deep to watch: reported, so that its files are not left unsaid
      continue;
    }
    if (!fs::is_regular_file(status)) {
      if (fs::exists(status)) pending_.try_emplace(path, now);  // a link or special file: reported, never handed out
      continue;
    }
    auto handed = handed_out_.find(path);
    if (handed != handed_out_.end() && handed->second == Stamp{it->file_size(ec), it->last_write_time(ec)}) continue;
    pending_.try_emplace(path, now);
  }
}

void InboxWatcher::ForgetTree(const std::string& relative) {
  for (auto it = folders_.begin(); it != folders_.end();) {
    if (it->first != top_wd_ && IsWithin(it->second, relative)) {
      inotify_rm_watch(inotify_fd_, it->first);  // a folder moved elsewhere would otherwise still be watched
      it = folders_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(pending_, [&](const auto& entry) { return IsWithin(entry.first, relative); });
  std::erase_if(handed_out_, [&](const auto& entry) { return IsWithin(entry.first, relative); });
  std::erase_if(left_alone_, [&](const std::string& path) { return IsWithin(path, relative); });
  std::erase_if(held_off_, [&](const auto& entry) { return IsWithin(entry.first, relative); });
}

namespace {

// A regular file with more than one name: made by linking a file that exists, not by writing a new one.
bool IsHardLink(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1;
}

// What an entry that is no regular file nor folder is, in words; empty for a regular file, a folder or one gone.
std::string NotARegularFile(const fs::file_status& status) {
  switch (status.type()) {
    case fs::file_type::symlink:
      return "a symbolic link (links are never followed)";
    case fs::file_type::fifo:
      return "a FIFO (named pipe)";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    case fs::file_type::regular:
    case fs::file_type::directory:
    case fs::file_type::not_found:
    case fs::file_type::none:
      return "";
    default:
      return "not a regular file";
  }
}

}  // namespace

void InboxWatcher::OnEvent(int wd, uint32_t mask, const std::string& name) {
  if (mask & IN_Q_OVERFLOW) ScanFolder();
  if (wd == top_wd_ && (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))) folder_gone_ = true;
  const auto folder_it = folders_.find(wd);
  if (folder_it == folders_.end()) return;  // a folder forgotten already (its last events)
  if (mask & IN_IGNORED) {                  // the folder was deleted: its watch is gone
    folders_.erase(folder_it);
    return;
  }
  if (name.empty() || IsHiddenOrPartialName(name)) return;
  const std::string path = Within(folder_it->second, name);
  if (mask & IN_ISDIR) {
    if (mask & (IN_CREATE | IN_MOVED_TO)) {
      if (std::count(path.begin(), path.end(), '/') + 1 > kMaxDepth)
        pending_[path] = Clock::now();  // too deep to watch: reported
      else
        WatchTree(path);
    }
    if (mask & (IN_DELETE | IN_MOVED_FROM)) ForgetTree(path);
    return;
  }
  if (mask & IN_CLOSE_WRITE) held_off_.erase(path);  // written again: a new file to try at once
  if (mask & (IN_DELETE | IN_MOVED_FROM)) {
    pending_.erase(path);
    handed_out_.erase(path);
    left_alone_.erase(path);
  } else if (mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
    pending_[path] = Clock::now();  // (re)start the quiet period
  } else if (mask & IN_MODIFY) {
    pending_.erase(path);  // being written again: wait for the next close
  } else if ((mask & IN_CREATE) && IsHardLink(dir_ / path)) {
    pending_[path] = Clock::now();  // a hard link (ln): whole when it appears, and no close or move will follow
  } else if (mask & IN_CREATE) {
    std::error_code ec;
    if (!NotARegularFile(fs::symlink_status(dir_ / path, ec)).empty()) pending_[path] = Clock::now();  // to report
  }
}

Status InboxWatcher::ReadEvents() {
  alignas(struct inotify_event) char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(inotify_fd_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return Status::Ok();
    if (n <= 0)
      return Status::Io(fmt::format("reading inotify events for {}: {}", dir_.string(), std::strerror(errno)));
    for (ssize_t offset = 0; offset < n;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + offset);
      OnEvent(event->wd, event->mask, event->len > 0 ? std::string(event->name) : std::string());
      offset += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
    }
  }
}

std::optional<std::pair<std::string, std::string>> InboxWatcher::LeftAlone(const std::string& relative,
                                                                           const fs::file_status& status) const {
  if (std::string what = NotARegularFile(status); !what.empty()) return std::pair(relative, what);
  // Another library: the folder itself, or one that became a library after it was watched (`triage init inbox/x`).
  if (fs::is_directory(status) && base::IsLibraryRoot(dir_ / relative)) return std::pair(relative, kAnotherLibrary);
  if (fs::is_directory(status) && std::count(relative.begin(), relative.end(), '/') + 1 > kMaxDepth) {
    return std::pair(relative,
                     fmt::format("a folder more than {} folders deep within the inbox, not watched (move what "
                                 "it holds higher up, or give it to triage ingest)",
                                 kMaxDepth));
  }
  for (size_t slash = relative.find('/'); slash != std::string::npos; slash = relative.find('/', slash + 1)) {
    if (base::IsLibraryRoot(dir_ / relative.substr(0, slash)))
      return std::pair(relative.substr(0, slash), kAnotherLibrary);
  }
  return std::nullopt;
}

std::vector<fs::path> InboxWatcher::TakeReady() {
  const auto now = Clock::now();
  std::vector<fs::path> ready;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (auto held = held_off_.find(it->first); held != held_off_.end()) {
      if (now < held->second) {
        it->second = std::max(it->second, held->second - debounce_);  // ready when the hold ends
      } else {
        held_off_.erase(held);
      }
    }
    if (now - it->second < debounce_) {
      ++it;
      continue;
    }
    const fs::path path = dir_ / it->first;
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(path, ec);
    if (auto alone = LeftAlone(it->first, status)) {
      if (left_alone_.insert(alone->first).second && on_left_alone_) on_left_alone_(dir_ / alone->first, alone->second);
    } else if (fs::is_regular_file(status)) {
      if (const Clock::duration hold = HoldBack(path); hold > Clock::duration::zero()) {
        it->second = now + hold - debounce_;  // handed out then, or after the next write
        ++it;
        continue;
      }
      handed_out_[it->first] = Stamp{fs::file_size(path, ec), fs::last_write_time(path, ec)};
      ready.push_back(path);
    }
    it = pending_.erase(it);
  }
  return ready;  // sorted: pending_ is ordered by name
}

InboxWatcher::Clock::duration InboxWatcher::HoldBack(const fs::path& path) {
  if (hold_cut_short_ == std::chrono::seconds(0)) return Clock::duration::zero();
  std::error_code ec;
  const fs::file_time_type written = fs::last_write_time(path, ec);
  if (ec) return Clock::duration::zero();
  const auto age = fs::file_time_type::clock::now() - written;
  if (age >= hold_cut_short_) return Clock::duration::zero();
  const std::optional<std::string> why = WhyCutShort(path);
  if (!why) return Clock::duration::zero();
  // A clock set back makes the age negative: the hold never exceeds hold_cut_short from now.
  const auto left = std::chrono::duration_cast<Clock::duration>(
      std::min<fs::file_time_type::duration>(hold_cut_short_, hold_cut_short_ - age + std::chrono::milliseconds(100)));
  if (on_held_back_) on_held_back_(path, *why, std::chrono::ceil<std::chrono::seconds>(left));
  return left;
}

void InboxWatcher::HoldOff(const fs::path& path, std::chrono::seconds delay) {
  const fs::path relative = path.lexically_relative(dir_);
  if (relative.empty() || *relative.begin() == "..") return;
  held_off_[relative.string()] = Clock::now() + delay;
}

int InboxWatcher::MillisecondsUntilNextReady() const {
  if (pending_.empty()) return -1;
  Clock::time_point earliest = Clock::time_point::max();
  for (const auto& [name, written] : pending_) earliest = std::min(earliest, written);
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(earliest + debounce_ - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, wait.count()));
}

Result<std::vector<fs::path>> InboxWatcher::WaitForReady(int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(0, timeout_ms));
  for (;;) {
    if (stopped()) return std::vector<fs::path>{};
    if (folder_gone_) return Status::NotFound(fmt::format("inbox folder {} was removed or moved", dir_.string()));
    std::vector<fs::path> ready = TakeReady();
    if (!ready.empty()) return ready;
    int wait_ms = MillisecondsUntilNextReady();
    if (timeout_ms >= 0) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return ready;
      wait_ms = wait_ms < 0 ? static_cast<int>(left) : std::min<int>(wait_ms, static_cast<int>(left));
    }
    struct pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, wait_ms) < 0 && errno != EINTR) {
      return Status::Io(fmt::format("waiting for {}: {}", dir_.string(), std::strerror(errno)));
    }
    if (fds[0].revents & POLLIN) TRIAGE_RETURN_IF_ERROR(ReadEvents());
  }
}

}  // namespace triage::source
