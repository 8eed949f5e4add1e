// Specification of the wait for a completely written input file.
#include "source/stable_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

namespace triage::source {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

class StableFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stable_file_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
    return dir_ / name;
  }
  static int64_t MillisSince(Steady::time_point start) {
    return std::chrono::duration_cast<milliseconds>(Steady::now() - start).count();
  }
  fs::path dir_;
};

TEST_F(StableFileTest, FileUntouchedForLongerThanTheSettleTimeIsTakenAtOnce) {
  fs::path f = Write("old.jpg", "old");
  fs::last_write_time(f, fs::file_time_type::clock::now() - std::chrono::hours(1));
  const auto start = Steady::now();
  auto stamp = WaitUntilStable(f, {.settle_ms = 2000, .max_wait_ms = 5000});
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();
  EXPECT_EQ(stamp->size_bytes, 3);
  EXPECT_LT(MillisSince(start), 1000);
}

TEST_F(StableFileTest, FreshFileIsTakenOnceItWasQuietForTheSettleTime) {
  fs::path f = Write("fresh.jpg", "fresh");
  const auto start = Steady::now();
  auto stamp = WaitUntilStable(f, {.settle_ms = 300, .max_wait_ms = 5000});
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();
  EXPECT_GE(MillisSince(start), 200);
  EXPECT_EQ(stamp->size_bytes, 5);
}

TEST_F(StableFileTest, FileThatKeepsGrowingIsLeftForTheNextRun) {
  fs::path f = Write("growing.jpg", "x");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop) {
      std::ofstream(f, std::ios::app) << "more bytes";
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  auto stamp = WaitUntilStable(f, {.settle_ms = 200, .max_wait_ms = 600});
  stop = true;
  writer.join();
  ASSERT_FALSE(stamp.ok());
  EXPECT_EQ(stamp.status().code(), base::Code::kUnavailable);
  EXPECT_NE(stamp.status().message().find("still being written; left for the next run"), std::string::npos)
      << stamp.status().message();
}

TEST_F(StableFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(WaitUntilStable(dir_ / "absent.jpg", {}).status().code(), base::Code::kNotFound);
}

}  // namespace
}  // namespace triage::source
