// Specification of the safe file primitives.
#include "base/files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

namespace triage::base {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("files_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  fs::path dir_;
};

TEST_F(FilesTest, RenameNoReplaceRefusesToOverwrite) {
  fs::path a = Write("a.jpg", "A"), b = Write("b.jpg", "B");
  Status st = RenameNoReplace(a, b);
  EXPECT_EQ(st.code(), Code::kAlreadyExists);
  EXPECT_EQ(*ReadFile(b), "B");
  EXPECT_EQ(*ReadFile(a), "A");
}

TEST_F(FilesTest, MoveFileDurablyMovesAndRemovesSource) {
  fs::path a = Write("a.jpg", "A");
  ASSERT_TRUE(MoveFileDurably(a, dir_ / "c.jpg").ok());
  EXPECT_FALSE(fs::exists(a));
  EXPECT_EQ(*ReadFile(dir_ / "c.jpg"), "A");
}

// Both copies, synced now or later, feed every byte to the sink and copy it; a later sync is SyncFile's, which names
// a file it cannot find.
TEST_F(FilesTest, CopiesFeedEveryByteToSinkAndSyncFileNamesWhatIsMissing) {
  std::string text(3 << 20, 'q');
  fs::path a = Write("big.bin", text);
  for (auto copy : {&CopyFileDurably, &CopyFileSyncLater}) {
    const fs::path to = dir_ / (copy == &CopyFileDurably ? "copy.bin" : "later-copy.bin");
    size_t seen = 0;
    ASSERT_TRUE(copy(a, to, [&](const unsigned char*, size_t n) { seen += n; }).ok());
    EXPECT_EQ(seen, text.size());
    EXPECT_EQ(*ReadFile(to), text);
    EXPECT_EQ(copy(a, to, nullptr).code(), Code::kAlreadyExists);  // never overwrites
  }
  EXPECT_TRUE(SyncFile(dir_ / "later-copy.bin").ok());
  Status missing = SyncFile(dir_ / "gone.bin");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("gone.bin"), std::string::npos) << missing.message();
}

// A copy that keeps its bytes reads the file once: the sink, the copy and the kept bytes are the file's. A file over
// the limit is copied in chunks and nothing is kept; a failed copy keeps nothing either.
TEST_F(FilesTest, CopyKeepingBytesKeepsWhatItCopied) {
  std::string text(3 << 20, 'k');
  text += "end";
  fs::path a = Write("big.bin", text);
  std::string kept, seen;
  auto sink = [&](const unsigned char* d, size_t n) { seen.append(reinterpret_cast<const char*>(d), n); };
  ASSERT_TRUE(CopyFileSyncLaterKeeping(a, dir_ / "kept.bin", sink, kept, int64_t{8} << 20).ok());
  EXPECT_TRUE(kept == text);
  EXPECT_TRUE(seen == text);
  EXPECT_TRUE(*ReadFile(dir_ / "kept.bin") == text);
  seen.clear();
  ASSERT_TRUE(CopyFileSyncLaterKeeping(a, dir_ / "chunked.bin", sink, kept, 1 << 20).ok());
  EXPECT_TRUE(kept.empty());
  EXPECT_TRUE(seen == text);
  EXPECT_TRUE(*ReadFile(dir_ / "chunked.bin") == text);
  kept = "stale";
  EXPECT_EQ(CopyFileSyncLaterKeeping(a, dir_ / "kept.bin", nullptr, kept, int64_t{8} << 20).code(),
            Code::kAlreadyExists);
  EXPECT_TRUE(kept.empty());
  // A file that changed while it was read is not copied, and nothing is kept.
  auto writer = [&](const unsigned char*, size_t) { std::ofstream(a, std::ios::app) << "more"; };
  EXPECT_EQ(CopyFileSyncLaterKeeping(a, dir_ / "changed.bin", writer, kept, int64_t{8} << 20).code(),
            Code::kUnavailable);
  EXPECT_TRUE(kept.empty());
  EXPECT_FALSE(fs::exists(dir_ / "changed.bin"));
  ASSERT_TRUE(CopyFileSyncLaterKeeping(Write("empty.bin", ""), dir_ / "empty-copy.bin", nullptr, kept, 100).ok());
  EXPECT_TRUE(kept.empty());
  EXPECT_EQ(fs::file_size(dir_ / "empty-copy.bin"), 0u);
}

TEST_F(FilesTest, CopyRefusesExistingTarget) {
  fs::path a = Write("a", "A"), b = Write("b", "B");
  EXPECT_EQ(CopyFileDurably(a, b).code(), Code::kAlreadyExists);
  EXPECT_EQ(*ReadFile(b), "B");
}

TEST_F(FilesTest, FirstFreeNameAddsSuffixOnCollision) {
  Write("x.jpg", "1");
  Write("x_1.jpg", "2");
  EXPECT_EQ(FirstFreeName(dir_, "x.jpg"), dir_ / "x_2.jpg");
  EXPECT_EQ(FirstFreeName(dir_, "y.jpg"), dir_ / "y.jpg");
}

TEST_F(FilesTest, FirstFreeNameSkipsReservedNames) {
  Write("x.jpg", "1");
  EXPECT_EQ(FirstFreeName(dir_, "x.jpg", {dir_ / "x_1.jpg"}), dir_ / "x_2.jpg");
  EXPECT_EQ(FirstFreeName(dir_, "y.jpg", {dir_ / "y.jpg"}), dir_ / "y_1.jpg");
}

TEST_F(FilesTest, ReadMissingFileIsNotFound) { EXPECT_EQ(ReadFile(dir_ / "none").status().code(), Code::kNotFound); }

// A named pipe with no writer, a device that never ends and a folder are refused at once, by every reader: `explain`
// and `person add` of a named pipe used to wait for a writer forever, of /dev/zero to read forever.
TEST_F(FilesTest, EveryReaderRefusesWhatIsNotARegularFileAtOnce) {
  const fs::path fifo = dir_ / "pipe.jpg";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::vector<std::pair<fs::path, std::string>> cases = {
      {fifo, fifo.string() + " is a named pipe; a file was expected"},
      {"/dev/zero", "/dev/zero is a character device; a file was expected"},
      {dir_, dir_.string() + " is a folder; a file was expected"}};
  for (const auto& [path, message] : cases) {
    auto whole = ReadFile(path);
    ASSERT_FALSE(whole.ok()) << path;
    EXPECT_EQ(whole.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(whole.status().message(), message);
    auto head = ReadFileHead(path, 16);
    ASSERT_FALSE(head.ok()) << path;
    EXPECT_EQ(head.status().message(), message);
    Status chunks = ReadFileChunks(path, nullptr);
    EXPECT_EQ(chunks.message(), message);
    Status copy = CopyFileDurably(path, dir_ / "copy.jpg");
    EXPECT_EQ(copy.message(), message);
    EXPECT_FALSE(fs::exists(dir_ / "copy.jpg"));
  }
}

TEST_F(FilesTest, ReadFileHeadReadsAtMostWhatIsAsked) {
  ASSERT_TRUE(WriteFileDurably(dir_ / "a.txt", "0123456789").ok());
  EXPECT_EQ(*ReadFileHead(dir_ / "a.txt", 4), "0123");
  EXPECT_EQ(*ReadFileHead(dir_ / "a.txt", 100), "0123456789");
  EXPECT_EQ(ReadFileHead(dir_ / "none", 4).status().code(), Code::kNotFound);
}

TEST_F(FilesTest, WriteFileDurablyReplacesContent) {
  ASSERT_TRUE(WriteFileDurably(dir_ / "c.json", "one").ok());
  ASSERT_TRUE(WriteFileDurably(dir_ / "c.json", "two").ok());
  EXPECT_EQ(*ReadFile(dir_ / "c.json"), "two");
}

// A write that fails half way (here the process's file size limit, as a full disk would) keeps the file it was to
// replace and leaves no temporary file beside it.
TEST_F(FilesTest, WriteFileDurablyThatFailsLeavesNoTemporaryFile) {
  ASSERT_TRUE(WriteFileDurably(dir_ / "c.json", "old").ok());
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = before;
  small.rlim_cur = 4;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status st = WriteFileDurably(dir_ / "c.json", "a longer text than four bytes");
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
  EXPECT_EQ(*ReadFile(dir_ / "c.json"), "old");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1) << "a temporary file was left behind";
}

TEST(FileNameTest, SafeNamesAreRecognised) {
  EXPECT_TRUE(IsSafeFileName("photo 1.jpg"));
  EXPECT_FALSE(IsSafeFileName(""));
  EXPECT_FALSE(IsSafeFileName(".."));
  EXPECT_FALSE(IsSafeFileName("a/b.jpg"));
  EXPECT_FALSE(IsSafeFileName(std::string("a\0b", 3)));
  EXPECT_FALSE(IsSafeFileName("a\nb"));
}

TEST_F(FilesTest, SameFileContentsComparesEveryByte) {
  std::string big(200000, 'x');
  ASSERT_TRUE(WriteFileDurably(dir_ / "a", big).ok());
  ASSERT_TRUE(WriteFileDurably(dir_ / "b", big).ok());
  EXPECT_TRUE(SameFileContents(dir_ / "a", dir_ / "b"));
  big[150000] = 'y';  // past the first chunk read
  ASSERT_TRUE(WriteFileDurably(dir_ / "b", big).ok());
  EXPECT_FALSE(SameFileContents(dir_ / "a", dir_ / "b"));
  ASSERT_TRUE(WriteFileDurably(dir_ / "c", "x").ok());
  EXPECT_FALSE(SameFileContents(dir_ / "a", dir_ / "c"));
  EXPECT_FALSE(SameFileContents(dir_ / "a", dir_ / "missing"));
  fs::create_directories(dir_ / "d");
  EXPECT_FALSE(SameFileContents(dir_ / "a", dir_ / "d"));
}

TEST(FileNameTest, SanitizeRemovesHostileParts) {
  EXPECT_EQ(SanitizeFileName("../../etc/passwd"), "_.._etc_passwd");
  EXPECT_EQ(SanitizeFileName("a\x01"
                             "b.jpg"),
            "a_b.jpg");
  EXPECT_EQ(SanitizeFileName(".."), "image");
  EXPECT_EQ(SanitizeFileName("..jpg"), "image.jpg");  // only dots and an extension: the extension stays one
  EXPECT_EQ(SanitizeFileName(" .png"), "image.png");
  EXPECT_EQ(SanitizeFileName("..."), "image");
  EXPECT_EQ(SanitizeFileName(".holiday.jpg"), "holiday.jpg");
  EXPECT_EQ(SanitizeFileName(" -rf.jpg"), "rf.jpg");  // not an option to the next shell command that lists it
  EXPECT_EQ(SanitizeFileName("--.jpg"), "image.jpg");
  EXPECT_EQ(SanitizeFileName("a-b.jpg"), "a-b.jpg");
  EXPECT_EQ(SanitizeFileName("\xFF\xFE.jpg"), "__.jpg");
  EXPECT_EQ(SanitizeFileName("caf\xC3\xA9.jpg"), "caf\xC3\xA9.jpg");
  // A right-to-left override would show "photo<U+202E>gpj.exe" as "photoexe.jpg"; C1 controls act on terminals.
  EXPECT_EQ(SanitizeFileName("photo\xE2\x80\xAEgpj.exe"), "photo_gpj.exe");
  EXPECT_EQ(SanitizeFileName("a\xE2\x81\xA6"
                             "b\xE2\x81\xA9\xE2\x80\x8F.jpg"),
            "a_b__.jpg");
  EXPECT_EQ(SanitizeFileName("x\xC2\x9B"
                             "31m.jpg"),
            "x_31m.jpg");
  EXPECT_EQ(SanitizeFileName("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9.jpg"),
            "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9.jpg");  // Hebrew, an emoji
                                                                                                   // joined by ZWJ
  std::string longname(400, 'a');
  longname += ".jpeg";
  std::string s = SanitizeFileName(longname);
  EXPECT_LE(s.size(), 180u);
  EXPECT_EQ(fs::path(s).extension(), ".jpeg");
  // A long name keeps its end, where a camera's counter or an edit's mark usually is.
  const std::string camera = SanitizeFileName(std::string(200, 'f') + "_IMG_20240712_183455_final (copy) \xC3\xBC.jpg");
  EXPECT_LE(camera.size(), 180u);
  EXPECT_NE(camera.find("IMG_20240712_183455_final (copy) \xC3\xBC.jpg"), std::string::npos) << camera;
  EXPECT_EQ(camera.substr(0, 3), "fff");
}

TEST(IsWithinTest, AFolderHoldsItselfAndWhatIsBelowItNotItsNeighboursOrParents) {
  EXPECT_TRUE(IsWithin("/lib/review", "/lib/review"));
  EXPECT_TRUE(IsWithin("/lib/review/unidentified/a.jpg", "/lib/review"));
  EXPECT_TRUE(IsWithin("/lib/review/", "/lib/review"));
  EXPECT_FALSE(IsWithin("/lib/review2/a.jpg", "/lib/review")) << "a name that only begins alike";
  EXPECT_FALSE(IsWithin("/lib", "/lib/review"));
  EXPECT_FALSE(IsWithin("/other/review", "/lib/review"));
  EXPECT_FALSE(IsWithin("review/a.jpg", "/lib/review")) << "relative against absolute";
}

}  // namespace
}  // namespace triage::base
