// Specification of the syncs of staged copies started ahead: each is finished once with its own result, a file
// forgotten or never started is handled, and nothing is kept or waited for once done.
#include "commit/background_sync.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace triage::commit {
namespace {

class BackgroundSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("triage_background_sync_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path File(const std::string& name) {
    std::ofstream(dir_ / name) << "bytes of " << name;
    return dir_ / name;
  }
  fs::path dir_;
};

TEST_F(BackgroundSyncTest, EachStartedSyncIsFinishedOnceWithItsResult) {
  BackgroundSync syncs(3);
  std::vector<fs::path> files;
  for (int i = 0; i < 40; ++i) files.push_back(File("f" + std::to_string(i)));
  for (const fs::path& f : files) syncs.Start(f);
  for (const fs::path& f : files) EXPECT_TRUE(syncs.Finish(f).ok()) << f;
  EXPECT_EQ(syncs.pending(), 0u) << "nothing is kept once finished";
}

// A file written anew and started again is synced again; it is still finished once.
TEST_F(BackgroundSyncTest, AFileStartedTwiceIsFinishedOnce) {
  BackgroundSync syncs(2);
  const fs::path f = File("twice");
  for (int i = 0; i < 50; ++i) syncs.Start(f);
  EXPECT_TRUE(syncs.Finish(f).ok());
  EXPECT_EQ(syncs.pending(), 0u);
}

TEST_F(BackgroundSyncTest, AFileGoneBeforeItsSyncIsAnErrorNamingIt) {
  BackgroundSync syncs(1);
  const fs::path gone = dir_ / "gone.jpg";
  syncs.Start(gone);
  const base::Status st = syncs.Finish(gone);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("gone.jpg"), std::string::npos) << st.message();
  EXPECT_EQ(syncs.pending(), 0u);
}

TEST_F(BackgroundSyncTest, AFileNeverStartedIsSyncedWhenFinished) {
  BackgroundSync syncs(2);
  EXPECT_TRUE(syncs.Finish(File("alone")).ok());
  EXPECT_FALSE(syncs.Finish(dir_ / "missing").ok());
  EXPECT_EQ(syncs.pending(), 0u);
}

// Discarded copies are forgotten, whether their sync is queued, running or done; the others still finish.
TEST_F(BackgroundSyncTest, ForgottenFilesAreDroppedAndTheOthersStillFinish) {
  BackgroundSync syncs(2);
  std::vector<fs::path> files;
  for (int i = 0; i < 60; ++i) files.push_back(File("g" + std::to_string(i)));
  for (const fs::path& f : files) syncs.Start(f);
  for (size_t i = 0; i < files.size(); i += 2) {
    syncs.Forget(files[i]);
    fs::remove(files[i]);
  }
  for (size_t i = 1; i < files.size(); i += 2) EXPECT_TRUE(syncs.Finish(files[i]).ok()) << files[i];
  syncs.Forget(dir_ / "never-started");
  // A forgotten sync that was running is dropped when it ends: wait for the threads to be idle.
  for (int spin = 0; spin < 1000 && syncs.pending() > 0; ++spin) ::usleep(1000);
  EXPECT_EQ(syncs.pending(), 0u);
}

TEST_F(BackgroundSyncTest, SyncsLeftWhenItIsDestroyedAreDroppedWithoutWaiting) {
  auto syncs = std::make_unique<BackgroundSync>(1);
  for (int i = 0; i < 200; ++i) syncs->Start(File("h" + std::to_string(i)));
  syncs.reset();  // joins its threads; the test would hang if it waited for a finish nobody asks for
  SUCCEED();
}

}  // namespace
}  // namespace triage::commit
