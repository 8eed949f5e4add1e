// Specification of InboxWatcher: complete files once, after a quiet period; partial and hidden names never.
#include "source/inbox_watcher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "base/files.h"
#include "base/ids.h"

namespace triage::source {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr int kDebounceMs = 150;

class InboxWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("triage-inbox-test-" + base::RandomId());
    inbox_ = root_ / "inbox";
    fs::create_directories(inbox_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<InboxWatcher> OpenWatcher() {
    auto watcher = InboxWatcher::Open(inbox_, kDebounceMs);
    EXPECT_TRUE(watcher.ok()) << watcher.status().ToString();
    return watcher.ok() ? std::move(watcher).value() : nullptr;
  }

  // Everything handed out from now until a file written last (a sentinel) is handed out, without the sentinel.
  // Events arrive in order and the sentinel's quiet period ends last, so whatever the earlier writes would make
  // ready comes before or with it: no fixed waiting time. Fails the test if the sentinel does not come in 10 s.
  std::vector<fs::path> CollectUntilSentinel(InboxWatcher& watcher) {
    const fs::path sentinel = inbox_ / ("zz-sentinel-" + base::RandomId() + ".jpg");
    EXPECT_TRUE(base::WriteFileDurably(sentinel, "sentinel").ok());
    std::vector<fs::path> all;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto ready = watcher.WaitForReady(100);
      EXPECT_TRUE(ready.ok()) << ready.status().ToString();
      if (!ready.ok()) break;
      bool seen = false;
      for (const auto& path : *ready) {
        if (path == sentinel)
          seen = true;
        else
          all.push_back(path);
      }
      if (seen) return all;
    }
    ADD_FAILURE() << "the sentinel file was not handed out within 10 s";
    return all;
  }

  fs::path root_;
  fs::path inbox_;
};

TEST(IsHiddenOrPartialNameTest, RecognisesDotfilesAndPartialDownloads) {
  for (const char* name : {".hidden.jpg", ".", "photo.jpg.part", "a.partial", "x.tmp", "y.jpg.crdownload", ""}) {
    EXPECT_TRUE(IsHiddenOrPartialName(name)) << name;
  }
  for (const char* name : {"photo.jpg", "part", "tmp.png", "a.parts"})
    EXPECT_FALSE(IsHiddenOrPartialName(name)) << name;
}

TEST_F(InboxWatcherTest, OpenFailsForMissingFolder) {
  auto watcher = InboxWatcher::Open(root_ / "absent", kDebounceMs);
  ASSERT_FALSE(watcher.ok());
  EXPECT_EQ(watcher.status().code(), base::Code::kNotFound);
}

TEST_F(InboxWatcherTest, HandsOutFilesPresentAtStartAfterDebounce) {
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "b.jpg", "b").ok());
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "a.jpg", "a").ok());
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  auto now = watcher->WaitForReady(0);
  ASSERT_TRUE(now.ok());
  EXPECT_TRUE(now->empty()) << "handed out before the quiet period";
  auto later = watcher->WaitForReady(5000);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, (std::vector<fs::path>{inbox_ / "a.jpg", inbox_ / "b.jpg"}));
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty()) << "handed out twice";
}

TEST_F(InboxWatcherTest, SlowlyWrittenFileIsHandedOutOnceAndOnlyAfterClose) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  const fs::path path = inbox_ / "slow.jpg";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  // Pauses between chunks are longer than the debounce: only the close may make the file ready.
  for (int chunk = 0; chunk < 4; ++chunk) {
    ASSERT_EQ(::write(fd, "0123456789", 10), 10);
    auto ready = watcher->WaitForReady(2 * kDebounceMs);
    ASSERT_TRUE(ready.ok());
    EXPECT_TRUE(ready->empty()) << "handed out while still open, after chunk " << chunk;
  }
  ::close(fd);
  const auto closed_at = std::chrono::steady_clock::now();
  auto ready = watcher->WaitForReady(5000);
  ASSERT_TRUE(ready.ok());
  EXPECT_GE(std::chrono::steady_clock::now() - closed_at, milliseconds(kDebounceMs - 10));
  EXPECT_EQ(*ready, std::vector<fs::path>{path});
  EXPECT_EQ(fs::file_size(path), 40u);
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty()) << "handed out twice";
}

TEST_F(InboxWatcherTest, FileMovedInIsHandedOut) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(base::WriteFileDurably(root_ / "outside.jpg", "jpeg bytes").ok());
  fs::rename(root_ / "outside.jpg", inbox_ / "moved.jpg");
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "moved.jpg"});
}

// `ln outside.jpg inbox/` makes the file whole at once: no write, no close, no move follows to say it is ready.
TEST_F(InboxWatcherTest, FileHardLinkedInIsHandedOut) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(base::WriteFileDurably(root_ / "outside.jpg", "jpeg bytes").ok());
  fs::create_hard_link(root_ / "outside.jpg", inbox_ / "linked.jpg");
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "linked.jpg"});
}

// A symbolic link or a FIFO is never handed out (a link could point anywhere; a FIFO would block the reader), and the
// watcher says so once for each, whether it was there at the start or appeared later.
TEST_F(InboxWatcherTest, LinksAndSpecialFilesAreReportedOnceAndNeverHandedOut) {
  ASSERT_TRUE(base::WriteFileDurably(root_ / "outside.jpg", "jpeg bytes").ok());
  fs::create_symlink(root_ / "outside.jpg", inbox_ / "before-link.jpg");
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  std::vector<std::string> reported;
  watcher->OnLeftAlone([&](const fs::path& path, const std::string& what) {
    reported.push_back(path.lexically_relative(inbox_).string() + ": " + what);
  });
  fs::create_symlink(root_ / "outside.jpg", inbox_ / "link.jpg");
  fs::create_directory_symlink(root_, inbox_ / "folder-link");
  ASSERT_EQ(::mkfifo((inbox_ / "pipe.jpg").c_str(), 0644), 0);
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
  std::sort(reported.begin(), reported.end());
  EXPECT_EQ(reported, (std::vector<std::string>{"before-link.jpg: a symbolic link (links are never followed)",
                                                "folder-link: a symbolic link (links are never followed)",
                                                "link.jpg: a symbolic link (links are never followed)",
                                                "pipe.jpg: a FIFO (named pipe)"}));
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
  EXPECT_EQ(reported.size(), 4u) << "each is reported once";
}

// A folder deeper than the watcher goes (32 folders) was left in the inbox without a word, at the start and when
// moved in: it is reported once, and what is within the limit is still taken.
TEST_F(InboxWatcherTest, AFolderTooDeepToWatchIsReportedOnce) {
  fs::path deep = inbox_ / "start";
  for (int i = 0; i < 40; ++i) deep /= "d";
  fs::create_directories(deep);
  ASSERT_TRUE(base::WriteFileDurably(deep / "deep.jpg", "x").ok());
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  std::vector<std::string> reported;
  watcher->OnLeftAlone([&](const fs::path& path, const std::string& what) {
    reported.push_back(path.lexically_relative(inbox_).string() + ": " + what);
  });
  fs::path moved = root_ / "moved";
  for (int i = 0; i < 40; ++i) moved /= "m";
  fs::create_directories(moved);
  ASSERT_TRUE(base::WriteFileDurably(moved / "deep.jpg", "x").ok());
  ASSERT_TRUE(base::WriteFileDurably(root_ / "moved" / "m" / "shallow.jpg", "x").ok());
  fs::rename(root_ / "moved", inbox_ / "moved");
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "moved" / "m" / "shallow.jpg"});
  ASSERT_EQ(reported.size(), 2u);
  std::sort(reported.begin(), reported.end());
  const std::string why =
      ": a folder more than 32 folders deep within the inbox, not watched (move what it holds "
      "higher up, or give it to triage ingest)";
  std::string start = "start", in_moved = "moved";
  for (int i = 0; i < 32; ++i) start += "/d";
  for (int i = 0; i < 32; ++i) in_moved += "/m";
  EXPECT_EQ(reported, (std::vector<std::string>{in_moved + why, start + why}));
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
  EXPECT_EQ(reported.size(), 2u) << "each is reported once";
}

// A library inside the inbox (there when the watch starts, or made in a folder already watched) keeps its files: they
// are its catalog's. The watcher says so once.
TEST_F(InboxWatcherTest, AnotherLibraryInsideTheInboxKeepsItsFiles) {
  fs::create_directories(inbox_ / "before/.triage");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "before/triage.json", "{}").ok());
  fs::create_directories(inbox_ / "before/review");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "before/review/a.jpg", "x").ok());
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  std::vector<std::string> reported;
  watcher->OnLeftAlone([&](const fs::path& path, const std::string& what) {
    reported.push_back(path.lexically_relative(inbox_).string() + ": " + what);
  });
  fs::create_directories(inbox_ / "later/review");  // watched as a folder, then made a library
  fs::create_directories(inbox_ / "later/.triage");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "later/triage.json", "{}").ok());
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "later/review/b.jpg", "x").ok());
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
  std::sort(reported.begin(), reported.end());
  EXPECT_EQ(reported,
            (std::vector<std::string>{"before: another triage library, whose files belong to its own catalog",
                                      "later: another triage library, whose files belong to its own catalog"}));
}

// A file held off (its intake failed and it went back) is not handed out again before the hold ends, however often it
// is moved back in; written again, it is handed out at once.
TEST_F(InboxWatcherTest, AFileHeldOffWaitsForTheHoldOrANewWrite) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "a.jpg", "x").ok());
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "a.jpg"});
  watcher->HoldOff(inbox_ / "a.jpg", std::chrono::seconds(60));
  fs::rename(inbox_ / "a.jpg", root_ / "a.jpg");  // the failed intake's way back: out to staging, then in again
  fs::rename(root_ / "a.jpg", inbox_ / "a.jpg");
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
  std::ofstream(inbox_ / "a.jpg") << "new bytes";  // written in place: closed after writing
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "a.jpg"});
}

TEST_F(InboxWatcherTest, PartialDownloadRenamedToFinalNameIsHandedOutUnderFinalName) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "photo.jpg.crdownload", "bytes").ok());
  fs::rename(inbox_ / "photo.jpg.crdownload", inbox_ / "photo.jpg");
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "photo.jpg"});
}

TEST_F(InboxWatcherTest, IgnoresDotfilesPartialNamesAndHiddenFolders) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / ".hidden.jpg", "x").ok());
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "big.jpg.part", "x").ok());
  fs::create_directory(inbox_ / ".sync");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / ".sync" / "state.jpg", "x").ok());
  fs::create_directory(inbox_ / "folder");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "folder" / ".inside.jpg", "x").ok());
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
}

// A phone's DCIM/ dropped into the inbox, a folder made and then filled, and folders already there at the start: their
// files are handed out like the inbox's own.
TEST_F(InboxWatcherTest, FilesInFoldersAreHandedOutWhetherTheFolderWasThereMadeOrMovedIn) {
  fs::create_directories(inbox_ / "before" / "deep");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "before" / "deep" / "a.jpg", "x").ok());
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  fs::create_directories(root_ / "phone" / "DCIM" / "100APPLE");
  ASSERT_TRUE(base::WriteFileDurably(root_ / "phone" / "DCIM" / "100APPLE" / "IMG_1.jpg", "x").ok());
  ASSERT_TRUE(base::WriteFileDurably(root_ / "phone" / "DCIM" / "top.jpg", "x").ok());
  fs::rename(root_ / "phone" / "DCIM", inbox_ / "DCIM");
  fs::create_directory(inbox_ / "made");
  fs::create_directory(inbox_ / "made" / "later");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "made" / "later" / "b.jpg", "x").ok());
  std::vector<fs::path> got = CollectUntilSentinel(*watcher);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<fs::path>{inbox_ / "DCIM" / "100APPLE" / "IMG_1.jpg", inbox_ / "DCIM" / "top.jpg",
                                        inbox_ / "before" / "deep" / "a.jpg", inbox_ / "made" / "later" / "b.jpg"}));
  // Written again into a folder it watches: handed out again, once.
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "made" / "later" / "b.jpg", "y").ok());
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "made" / "later" / "b.jpg"});
}

TEST_F(InboxWatcherTest, AFolderMovedOutIsNoLongerWatchedAndOneRenamedInsideIsTakenUnderItsNewName) {
  fs::create_directories(inbox_ / "a");
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  fs::rename(inbox_ / "a", root_ / "away");
  ASSERT_TRUE(base::WriteFileDurably(root_ / "away" / "outside.jpg", "x").ok());
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
  fs::create_directories(inbox_ / "b");
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "b" / "c.jpg", "x").ok());
  fs::rename(inbox_ / "b", inbox_ / "renamed");
  // Whether c.jpg's quiet period ended before the rename or not, it is handed out under the name it has now.
  std::vector<fs::path> got = CollectUntilSentinel(*watcher);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), inbox_ / "renamed" / "c.jpg");
}

TEST_F(InboxWatcherTest, FileDeletedBeforeQuietPeriodEndsIsNotHandedOut) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "gone.jpg", "x").ok());
  ASSERT_TRUE(watcher->WaitForReady(10).ok());
  fs::remove(inbox_ / "gone.jpg");
  EXPECT_TRUE(CollectUntilSentinel(*watcher).empty());
}

TEST_F(InboxWatcherTest, StopWakesWaitingCallFromAnotherThread) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  const auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(100));
    watcher->Stop();
  });
  auto ready = watcher->WaitForReady(-1);
  stopper.join();
  ASSERT_TRUE(ready.ok());
  EXPECT_TRUE(ready->empty());
  EXPECT_TRUE(watcher->stopped());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(base::WriteFileDurably(inbox_ / "after.jpg", "x").ok());
  auto after = watcher->WaitForReady(-1);  // returns at once once stopped
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
}

TEST_F(InboxWatcherTest, ReportsRemovalOfWatchedFolder) {
  auto watcher = OpenWatcher();
  ASSERT_NE(watcher, nullptr);
  fs::remove_all(inbox_);
  auto ready = watcher->WaitForReady(2000);
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.status().code(), base::Code::kNotFound);
}

// A writer that closes a file and opens it again to append the rest: in between, the file is quiet and cut short.
class HeldBackTest : public InboxWatcherTest {
 protected:
  void SetUp() override {
    InboxWatcherTest::SetUp();
    auto jpeg = base::ReadFile(fs::path(TRIAGE_SOURCE_DIR) / "tests/fixtures/faces/obama3.jpg");
    ASSERT_TRUE(jpeg.ok()) << jpeg.status().ToString();
    jpeg_ = *jpeg;
  }
  std::unique_ptr<InboxWatcher> OpenHolding(std::chrono::seconds hold) {
    auto watcher = InboxWatcher::Open(inbox_, kDebounceMs, hold);
    EXPECT_TRUE(watcher.ok()) << watcher.status().ToString();
    if (!watcher.ok()) return nullptr;
    (*watcher)->OnHeldBack([this](const fs::path& path, const std::string& why, std::chrono::seconds left) {
      held_.push_back(path.filename().string() + ": " + why);
      last_left_ = left;
    });
    return std::move(watcher).value();
  }
  static void Append(const fs::path& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  std::string jpeg_;
  std::vector<std::string> held_;
  std::chrono::seconds last_left_{0};
};

TEST_F(HeldBackTest, AJpegWrittenInTwoPiecesIsHandedOutWholeOnce) {
  auto watcher = OpenHolding(std::chrono::seconds(60));
  ASSERT_NE(watcher, nullptr);
  const fs::path path = inbox_ / "two_pieces.jpg";
  Append(path, jpeg_.substr(0, jpeg_.size() / 2));
  auto first = watcher->WaitForReady(6 * kDebounceMs);  // well past the quiet period
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->empty()) << "the first piece was handed out on its own";
  EXPECT_EQ(held_, std::vector<std::string>{"two_pieces.jpg: its JPEG data stops before the end-of-image marker"});
  EXPECT_GT(last_left_.count(), 55);
  EXPECT_LE(last_left_.count(), 60);
  Append(path, jpeg_.substr(jpeg_.size() / 2));
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{path});
  EXPECT_EQ(fs::file_size(path), jpeg_.size());
  EXPECT_EQ(held_.size(), 1u);
}

TEST_F(HeldBackTest, AnEmptyPlaceholderWaitsForItsContent) {
  auto watcher = OpenHolding(std::chrono::seconds(60));
  ASSERT_NE(watcher, nullptr);
  const fs::path path = inbox_ / "placeholder.jpg";
  Append(path, "");
  auto first = watcher->WaitForReady(6 * kDebounceMs);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->empty()) << "an empty placeholder was handed out";
  EXPECT_EQ(held_, std::vector<std::string>{"placeholder.jpg: it is empty"});
  Append(path, jpeg_);
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{path});
}

TEST_F(HeldBackTest, ACutShortFileIsHandedOutAsItIsOnceTheHoldHasPassed) {
  auto watcher = OpenHolding(std::chrono::seconds(1));
  ASSERT_NE(watcher, nullptr);
  const fs::path path = inbox_ / "abandoned.jpg";
  Append(path, jpeg_.substr(0, 3000));
  const auto written = std::chrono::steady_clock::now();
  std::vector<fs::path> got;
  while (got.empty() && std::chrono::steady_clock::now() - written < std::chrono::seconds(10)) {
    auto ready = watcher->WaitForReady(200);
    ASSERT_TRUE(ready.ok());
    got = *ready;
  }
  EXPECT_EQ(got, std::vector<fs::path>{path});
  EXPECT_GE(std::chrono::steady_clock::now() - written, milliseconds(900)) << "handed out before the hold passed";
  EXPECT_EQ(held_.size(), 1u);
}

TEST_F(HeldBackTest, ACutShortFileWrittenLongAgoIsNotHeldBack) {
  const fs::path path = inbox_ / "old_and_cut.jpg";
  Append(path, jpeg_.substr(0, 3000));
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(1));
  auto watcher = OpenHolding(std::chrono::seconds(60));
  ASSERT_NE(watcher, nullptr);
  auto ready = watcher->WaitForReady(5000);
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(*ready, std::vector<fs::path>{path});
  EXPECT_TRUE(held_.empty());
}

TEST_F(HeldBackTest, NothingIsHeldBackWithoutAHold) {
  auto watcher = OpenHolding(std::chrono::seconds(0));
  ASSERT_NE(watcher, nullptr);
  Append(inbox_ / "cut.jpg", jpeg_.substr(0, 3000));
  EXPECT_EQ(CollectUntilSentinel(*watcher), std::vector<fs::path>{inbox_ / "cut.jpg"});
  EXPECT_TRUE(held_.empty());
}

}  // namespace
}  // namespace triage::source
