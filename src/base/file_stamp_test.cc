// Specification of file stamps and of the open-writer check.
#include "base/file_stamp.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

namespace triage::base {
namespace {

namespace fs = std::filesystem;

class FileStampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("file_stamp_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(file()) << "bytes";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path file() const { return dir_ / "f.jpg"; }
  // Leases exist only on some file systems and for the file's owner; without them the check cannot tell.
  bool LeasesWorkHere() const {
    const int fd = ::open(file().c_str(), O_RDONLY);
    const bool ok = ::fcntl(fd, F_SETLEASE, F_RDLCK) == 0;
    if (ok) ::fcntl(fd, F_SETLEASE, F_UNLCK);
    ::close(fd);
    return ok;
  }
  fs::path dir_;
};

TEST_F(FileStampTest, StampChangesWithTheSizeAndIsKeptByARename) {
  auto before = StampOf(file());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->size_bytes, 5);
  fs::rename(file(), dir_ / "g.jpg");
  EXPECT_EQ(*StampOf(dir_ / "g.jpg"), *before);
  std::ofstream(dir_ / "g.jpg", std::ios::app) << "more";
  EXPECT_NE(*StampOf(dir_ / "g.jpg"), *before);
  EXPECT_EQ(StampOf(file()).status().code(), Code::kNotFound);
}

TEST_F(FileStampTest, AWriterHoldingTheFileOpenIsSeenAndItsCloseClearsIt) {
  if (!LeasesWorkHere()) GTEST_SKIP() << "no read leases on this file system";
  EXPECT_TRUE(CheckNoWriter(file()).ok());
  const int writer = ::open(file().c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(writer, 0);
  Status held = CheckNoWriter(file());
  EXPECT_EQ(held.code(), Code::kUnavailable);
  EXPECT_NE(held.message().find("open for writing"), std::string::npos) << held.message();
  ::close(writer);
  EXPECT_TRUE(CheckNoWriter(file()).ok());
  // The lease was released: a writer can open the file at once (it would block up to lease-break-time if not).
  const int again = ::open(file().c_str(), O_WRONLY | O_NONBLOCK);
  EXPECT_GE(again, 0) << std::strerror(errno);
  ::close(again);
}

TEST_F(FileStampTest, MissingFileIsNoWriterForTheCheck) { EXPECT_TRUE(CheckNoWriter(dir_ / "absent").ok()); }

}  // namespace
}  // namespace triage::base
