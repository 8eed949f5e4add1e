// Watches a drop folder (inotify) and hands out files once they are completely written and quiet.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace triage::source {

// True for names a watcher or scanner must leave alone: dotfiles and the partial names browsers and copy
// tools use while writing (".part", ".partial", ".tmp", ".crdownload").
bool IsHiddenOrPartialName(std::string_view name);

// Watches one folder and every folder within it (a phone's DCIM/ dropped in, or a folder made and then filled; hidden
// folders are left alone). A file is "ready" when it was closed after writing (IN_CLOSE_WRITE) or moved in
// (IN_MOVED_TO, also inside a folder moved in) and has then seen no further write for debounce_ms. Files present
// when the watcher opens, or in a folder when it appears, count as just written. Each completed write is handed out
// once; a file written again afterwards is handed out again. Hidden and partial names (see IsHiddenOrPartialName:
// what copy tools write while copying), symlinks and special files are never handed out (OnLeftAlone says so). If the
// kernel's event queue overflows, the folders are rescanned; files already handed out and unchanged since (same size
// and mtime) are not handed out again.
//
// A file that is quiet but cut short (source::WhyCutShort: an empty placeholder, a JPEG without its end marker: what
// a writer leaves between closing the file and opening it again to append the rest) is held back while it was last
// written less than `hold_cut_short` ago: the next write hands it out as usual, and once it is that old it is handed
// out as it is (intake then files what it can read of it, or files it as unreadable). Nothing is held back when
// hold_cut_short is zero.
//
// Thread-safety: WaitForReady must not be called from two threads at once; Stop may be called from any
// thread at any time (it wakes a waiting WaitForReady through an eventfd).
class InboxWatcher {
 public:
  // Starts watching `dir` (which must be an existing folder) and scans what is already there.
  // Errors: kNotFound when dir is missing, kInvalidArgument when it is not a folder, kIo for inotify failures.
  static base::Result<std::unique_ptr<InboxWatcher>> Open(const std::filesystem::path& dir, int debounce_ms,
                                                          std::chrono::seconds hold_cut_short = {});

  // Called (from WaitForReady's thread) for each file held back: its path, why it looks cut short, and how long
  // until it is handed out as it is unless written again.
  using HeldBackFn = std::function<void(const std::filesystem::path&, const std::string&, std::chrono::seconds)>;
  void OnHeldBack(HeldBackFn fn) { on_held_back_ = std::move(fn); }

  // Called (from WaitForReady's thread) once for each entry that appears in the watched folders and is never handed
  // out because it is no regular file, or a folder holding another triage library (triage.json beside .triage/):
  // its path and what it is ("a symbolic link", "a FIFO", ...). A user who drops a link into the inbox learns why
  // nothing happens to it.
  using LeftAloneFn = std::function<void(const std::filesystem::path&, const std::string&)>;
  void OnLeftAlone(LeftAloneFn fn) { on_left_alone_ = std::move(fn); }

  ~InboxWatcher();
  InboxWatcher(const InboxWatcher&) = delete;
  InboxWatcher& operator=(const InboxWatcher&) = delete;

  // Waits until at least one file is ready, `timeout_ms` passes (< 0: no limit) or Stop is called, then
  // returns every file ready now (sorted; possibly none). After Stop it returns an empty list at once.
  // Errors: kNotFound when the watched folder was deleted or moved away, kIo when reading events fails.
  base::Result<std::vector<std::filesystem::path>> WaitForReady(int timeout_ms);

  // Hands `path` (a file under the watched folder) out again no sooner than `delay` from now, whatever events it sees
  // meanwhile, unless it is written again (closed after writing): for a file whose intake failed and that went back
  // where it was, so that a failure that lasts (a full disk) is not retried in a loop.
  void HoldOff(const std::filesystem::path& path, std::chrono::seconds delay);

  // Makes the current and every later WaitForReady return at once. Thread-safe, idempotent.
  void Stop();

  bool stopped() const;

 private:
  using Clock = std::chrono::steady_clock;
  // Size and modification time of a handed-out file, to recognise it after a rescan.
  struct Stamp {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime;
    bool operator==(const Stamp&) const = default;
  };

  InboxWatcher(std::filesystem::path dir, int debounce_ms, std::chrono::seconds hold_cut_short, int inotify_fd,
               int wake_fd);
  // How long to hold `path` back while it looks cut short (see the class comment); zero: hand it out now.
  Clock::duration HoldBack(const std::filesystem::path& path);
  // Watches the folder `relative` (to dir_; "" for dir_ itself, already watched) and the folders within it, and
  // takes the files in them as just written.
  void WatchTree(const std::string& relative);
  void ScanFolder();
  base::Status ReadEvents();
  void OnEvent(int wd, uint32_t mask, const std::string& name);
  void ForgetTree(const std::string& relative);
  std::vector<std::filesystem::path> TakeReady();
  // What is reported instead of handed out for the entry `relative` (status: its lstat): {the path to name (the entry,
  // or the library folder holding it), what it is}; nullopt for a file to hand out.
  std::optional<std::pair<std::string, std::string>> LeftAlone(const std::string& relative,
                                                               const std::filesystem::file_status& status) const;
  int MillisecondsUntilNextReady() const;

  const std::filesystem::path dir_;
  const std::chrono::milliseconds debounce_;
  const std::chrono::seconds hold_cut_short_;
  HeldBackFn on_held_back_;
  LeftAloneFn on_left_alone_;
  const int inotify_fd_;
  const int wake_fd_;
  int top_wd_ = -1;                                    // the watch of dir_ itself
  std::map<int, std::string> folders_;                 // watch descriptor -> folder relative to dir_ ("" for dir_)
  std::map<std::string, Clock::time_point> pending_;   // path relative to dir_ -> last completed write
  std::map<std::string, Stamp> handed_out_;            // path relative to dir_ -> stamp when handed out
  std::set<std::string> left_alone_;                   // paths relative to dir_ reported as left alone
  std::map<std::string, Clock::time_point> held_off_;  // path relative to dir_ -> not handed out before
  bool folder_gone_ = false;
  std::atomic<bool> stopped_{false};
};

}  // namespace triage::source
