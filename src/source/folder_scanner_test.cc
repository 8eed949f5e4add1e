// Specification of ScanFolders: sorted regular files, no symlink following, hidden and excluded folders
// skipped, per-path errors.
#include "source/folder_scanner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/files.h"
#include "base/ids.h"

namespace triage::source {
namespace {

namespace fs = std::filesystem;

class FolderScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("triage-scan-test-" + base::RandomId());
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(root_ / "photos" / "locked", fs::perms::owner_all, ec);
    fs::remove_all(root_);
  }

  void Touch(const fs::path& relative) {
    fs::create_directories((root_ / relative).parent_path());
    ASSERT_TRUE(base::WriteFileDurably(root_ / relative, "x").ok());
  }

  fs::path root_;
};

TEST_F(FolderScannerTest, ListsRegularFilesRecursivelyInSortedOrder) {
  Touch("photos/b.jpg");
  Touch("photos/a.jpg");
  Touch("photos/2024/summer/c.png");
  Touch("photos/2023/d.jpg");
  ScanResult result = ScanFolders({root_ / "photos"}, ScanOptions{});
  EXPECT_TRUE(result.errors.empty());
  const fs::path p = root_ / "photos";
  EXPECT_EQ(result.files, (std::vector<fs::path>{p / "2023/d.jpg", p / "2024/summer/c.png", p / "a.jpg", p / "b.jpg"}));
}

TEST_F(FolderScannerTest, SkipsDotfilesAndDotFolders) {
  Touch("photos/.DS_Store");
  Touch("photos/.thumbs/t.jpg");
  Touch("photos/ok.jpg");
  ScanResult result = ScanFolders({root_ / "photos"}, ScanOptions{});
  EXPECT_EQ(result.files, std::vector<fs::path>{root_ / "photos/ok.jpg"});
}

TEST_F(FolderScannerTest, ReportsEverySkippedEntryWithItsReason) {
  Touch("photos/..jpg");
  Touch("photos/...jpg");
  Touch("photos/.thumbs/t.jpg");
  Touch("photos/ok.jpg");
  Touch("photos/library/inbox/new.jpg");
  Touch("elsewhere/secret.jpg");
  fs::create_symlink(root_ / "elsewhere/secret.jpg", root_ / "photos/linked.jpg");
  ASSERT_EQ(::mkfifo((root_ / "photos/pipe.jpg").c_str(), 0600), 0);
  ScanOptions options;
  options.exclude = {root_ / "photos/library/inbox"};
  ScanResult result = ScanFolders({root_ / "photos"}, options);
  EXPECT_EQ(result.files, std::vector<fs::path>{root_ / "photos/ok.jpg"});
  EXPECT_TRUE(result.errors.empty());
  std::vector<std::pair<std::string, std::string>> skipped;
  for (const ScanSkip& s : result.skipped) {
    skipped.emplace_back(s.path.lexically_relative(root_ / "photos").string(), s.reason);
  }
  const std::string hidden = "hidden (its name starts with '.')";
  EXPECT_EQ(skipped, (std::vector<std::pair<std::string, std::string>>{
                         {"...jpg", hidden},
                         {"..jpg", hidden},
                         {".thumbs", hidden},
                         {"library/inbox", "excluded folder (the library's own)"},
                         {"linked.jpg", "symbolic link (not followed)"},
                         {"pipe.jpg", "not a regular file (a device, FIFO or socket)"},
                     }));
}

// A phone dump or a Takeout export holds metadata beside each photo: it is reported as skipped, not taken for an
// image that would fill review/unreadable; so are videos, sound, documents and archives. Named on its own, any file
// is taken.
TEST_F(FolderScannerTest, SidecarsInAFolderAreSkippedNamingWhatTheyAre) {
  Touch("takeout/IMG_1.jpg");
  Touch("takeout/IMG_1.jpg.json");
  Touch("takeout/IMG_2.HEIC");
  Touch("takeout/IMG_2.AAE");
  Touch("takeout/raw/DSC_3.NEF");
  Touch("takeout/raw/DSC_3.NEF.xmp");
  Touch("takeout/gopro/GX010.THM");
  Touch("takeout/Thumbs.db");
  Touch("takeout/notes.txt");  // what else a phone dump or a downloads folder holds is no image either
  Touch("takeout/IMG_2.MOV");  // a Live Photo's video
  Touch("takeout/archive.zip");
  Touch("takeout/voice.m4a");
  Touch("takeout/odd.jpg.mp4x");  // an extension of no known kind: taken, and review says what it is
  ScanResult result =
      ScanFolders({root_ / "takeout", root_ / "takeout/IMG_1.jpg.json", root_ / "takeout/notes.txt"}, {});
  EXPECT_EQ(result.files, (std::vector<fs::path>{root_ / "takeout/IMG_1.jpg", root_ / "takeout/IMG_1.jpg.json",
                                                 root_ / "takeout/IMG_2.HEIC", root_ / "takeout/notes.txt",
                                                 root_ / "takeout/odd.jpg.mp4x", root_ / "takeout/raw/DSC_3.NEF"}));
  EXPECT_TRUE(result.errors.empty());
  std::vector<std::pair<std::string, std::string>> skipped;
  for (const ScanSkip& s : result.skipped) {
    skipped.emplace_back(s.path.lexically_relative(root_ / "takeout").string(), s.reason);
  }
  EXPECT_EQ(skipped, (std::vector<std::pair<std::string, std::string>>{
                         {"IMG_1.jpg.json", "a metadata sidecar (.json), not an image"},
                         {"IMG_2.AAE", "a metadata sidecar (.aae), not an image"},
                         {"IMG_2.MOV", "a video (.mov): triage sorts still images"},
                         {"Thumbs.db", "a file the system or a photo program keeps (Thumbs.db)"},
                         {"archive.zip", "an archive (.zip): unpack it to take its photos"},
                         {"gopro/GX010.THM", "a metadata sidecar (.thm), not an image"},
                         {"notes.txt", "a document (.txt), not an image"},
                         {"raw/DSC_3.NEF.xmp", "a metadata sidecar (.xmp), not an image"},
                         {"voice.m4a", "a sound recording (.m4a), not an image"},
                     }));
}

TEST_F(FolderScannerTest, DoesNotFollowSymlinksInsideTheWalk) {
  Touch("elsewhere/secret.jpg");
  Touch("photos/real.jpg");
  fs::create_directory_symlink(root_ / "elsewhere", root_ / "photos/linked-folder");
  fs::create_symlink(root_ / "elsewhere/secret.jpg", root_ / "photos/linked.jpg");
  fs::create_directory_symlink(root_ / "photos", root_ / "photos/loop");
  ScanResult result = ScanFolders({root_ / "photos"}, ScanOptions{});
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.files, std::vector<fs::path>{root_ / "photos/real.jpg"});
}

TEST_F(FolderScannerTest, SkipsExcludedFoldersWhateverTheirSpelling) {
  Touch("library/inbox/new.jpg");
  Touch("library/.triage/staging/s.jpg");
  Touch("library/review/duplicates/d.jpg");
  Touch("library/import/keep.jpg");
  ScanOptions options;
  options.exclude = {root_ / "library/inbox", root_ / "library/import/../review"};
  ScanResult result = ScanFolders({root_ / "library"}, options);
  EXPECT_EQ(result.files, std::vector<fs::path>{root_ / "library/import/keep.jpg"});
}

TEST_F(FolderScannerTest, AnExcludedFileIsSkippedInTheWalkAndRefusedAsARoot) {
  Touch("library/triage.json");
  Touch("library/incoming/new.jpg");
  ScanOptions options;
  options.exclude = {root_ / "library/triage.json"};
  ScanResult walked = ScanFolders({root_ / "library"}, options);
  EXPECT_EQ(walked.files, std::vector<fs::path>{root_ / "library/incoming/new.jpg"});
  ASSERT_EQ(walked.skipped.size(), 1u);
  EXPECT_EQ(walked.skipped[0].path, root_ / "library/triage.json");
  EXPECT_EQ(walked.skipped[0].reason, "excluded file (the library's own)");

  ScanResult named = ScanFolders({root_ / "library/incoming/../triage.json"}, options);
  EXPECT_TRUE(named.files.empty());
  ASSERT_EQ(named.errors.size(), 1u);
  EXPECT_EQ(named.errors[0].status.code(), base::Code::kInvalidArgument);
  EXPECT_NE(named.errors[0].status.message().find("is the library's own file"), std::string::npos)
      << named.errors[0].status.message();
}

// The inbox is the watcher's: files copied from it would stay there and be taken a second time. Copied from, it is
// skipped when met and refused when named (a file in it too), saying that --move takes its files; moved from, it is
// taken as the watcher takes it.
TEST_F(FolderScannerTest, TheInboxIsTakenOnlyByAMove) {
  Touch("library/inbox/new.jpg");
  Touch("library/inbox/later/more.jpg");
  Touch("library/import/keep.jpg");
  ScanOptions copying;
  copying.inbox = root_ / "library/import/../inbox";
  ScanResult walked = ScanFolders({root_ / "library"}, copying);
  EXPECT_EQ(walked.files, std::vector<fs::path>{root_ / "library/import/keep.jpg"});
  ASSERT_EQ(walked.skipped.size(), 1u);
  EXPECT_EQ(walked.skipped[0].path, root_ / "library/inbox");
  EXPECT_NE(walked.skipped[0].reason.find("the library's inbox: `triage watch` or `triage ingest --move` takes its"),
            std::string::npos)
      << walked.skipped[0].reason;

  ScanResult named = ScanFolders({root_ / "library/inbox", root_ / "library/inbox/later/more.jpg"}, copying);
  EXPECT_TRUE(named.files.empty());
  ASSERT_EQ(named.errors.size(), 2u);
  EXPECT_EQ(named.errors[0].status.code(), base::Code::kInvalidArgument);
  EXPECT_NE(named.errors[0].status.message().find("library/inbox is the library's inbox, whose files `triage watch` "
                                                  "moves in: a copy would leave each there, to be taken again; "
                                                  "`triage ingest --move` takes them now"),
            std::string::npos)
      << named.errors[0].status.message();
  EXPECT_NE(named.errors[1].status.message().find("more.jpg is inside the library's inbox"), std::string::npos)
      << named.errors[1].status.message();

  ScanOptions moving = copying;
  moving.moving = true;
  ScanResult moved = ScanFolders({root_ / "library/inbox"}, moving);
  EXPECT_TRUE(moved.errors.empty());
  EXPECT_EQ(moved.files,
            (std::vector<fs::path>{root_ / "library/inbox/later/more.jpg", root_ / "library/inbox/new.jpg"}));
}

// Another triage library met in a folder being moved from (a library made inside the inbox): its files belong to its
// own catalog, so a move leaves them; a copy takes its photos, but not its settings.
TEST_F(FolderScannerTest, AnotherLibraryIsLeftToItsCatalogWhenMovingAndItsSettingsAreNeverTaken) {
  Touch("drop/a.jpg");
  Touch("drop/inner/triage.json");
  fs::create_directories(root_ / "drop/inner/.triage");
  Touch("drop/inner/review/unidentified/b.jpg");
  ScanOptions moving;
  moving.library = root_ / "mine";
  moving.moving = true;
  ScanResult moved = ScanFolders({root_ / "drop"}, moving);
  EXPECT_EQ(moved.files, std::vector<fs::path>{root_ / "drop/a.jpg"});
  ASSERT_EQ(moved.skipped.size(), 1u);
  EXPECT_EQ(moved.skipped[0].path, root_ / "drop/inner");
  EXPECT_EQ(moved.skipped[0].reason,
            "another triage library: its files belong to its own catalog (ingest without --move copies them)");
  // A root inside it, or it as a root, is refused naming it.
  for (const fs::path& root : {root_ / "drop/inner", root_ / "drop/inner/review/unidentified/b.jpg"}) {
    ScanResult refused = ScanFolders({root}, moving);
    EXPECT_TRUE(refused.files.empty()) << root;
    ASSERT_EQ(refused.errors.size(), 1u) << root;
    EXPECT_NE(refused.errors[0].status.message().find("the triage library " + (root_ / "drop/inner").string() +
                                                      ", whose catalog holds its files"),
              std::string::npos)
        << refused.errors[0].status.message();
  }
  ScanOptions copying = moving;
  copying.moving = false;
  ScanResult copied = ScanFolders({root_ / "drop"}, copying);
  EXPECT_EQ(copied.files,
            (std::vector<fs::path>{root_ / "drop/a.jpg", root_ / "drop/inner/review/unidentified/b.jpg"}));
  ASSERT_EQ(copied.skipped.size(), 2u);  // and its .triage/, hidden
  EXPECT_EQ(copied.skipped[1].path, root_ / "drop/inner/triage.json");
  EXPECT_EQ(copied.skipped[1].reason, "the settings of another triage library, not an image");
}

TEST_F(FolderScannerTest, FileRootsAreListedAsGivenAndOverlapsCountOnce) {
  Touch("photos/a.jpg");
  Touch("photos/sub/b.jpg");
  Touch("photos/.explicit.jpg");
  ScanResult result = ScanFolders(
      {root_ / "photos/sub", root_ / "photos", root_ / "photos/a.jpg", root_ / "photos/.explicit.jpg"}, ScanOptions{});
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.files, (std::vector<fs::path>{root_ / "photos/.explicit.jpg", root_ / "photos/a.jpg",
                                                 root_ / "photos/sub/b.jpg"}));
}

TEST_F(FolderScannerTest, FileRootThatIsASymlinkIsRefusedWithAReason) {
  Touch("elsewhere/secret.jpg");
  fs::create_directories(root_ / "photos");
  fs::create_symlink(root_ / "elsewhere/secret.jpg", root_ / "photos/linked.jpg");
  ScanResult result = ScanFolders({root_ / "photos/linked.jpg"}, ScanOptions{});
  EXPECT_TRUE(result.files.empty());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].status.code(), base::Code::kInvalidArgument);
  EXPECT_NE(result.errors[0].status.message().find("symbolic link"), std::string::npos);
}

TEST_F(FolderScannerTest, RootsInsideExcludedFoldersAreRefusedNamingTheFolder) {
  Touch("library/review/duplicates/d.jpg");
  Touch("library/import/keep.jpg");
  ScanOptions options;
  options.exclude = {root_ / "library/review"};
  ScanResult result = ScanFolders({root_ / "library/review/duplicates/d.jpg", root_ / "library/import/../review",
                                   root_ / "library/import/keep.jpg"},
                                  options);
  EXPECT_EQ(result.files, std::vector<fs::path>{root_ / "library/import/keep.jpg"});
  ASSERT_EQ(result.errors.size(), 2u);
  for (const auto& e : result.errors) {
    EXPECT_EQ(e.status.code(), base::Code::kInvalidArgument);
    EXPECT_NE(e.status.message().find((root_ / "library/review").string()), std::string::npos) << e.status.message();
  }
}

TEST_F(FolderScannerTest, MissingRootIsAnErrorButOtherRootsAreScanned) {
  Touch("photos/a.jpg");
  ScanResult result = ScanFolders({root_ / "absent", root_ / "photos"}, ScanOptions{});
  EXPECT_EQ(result.files, std::vector<fs::path>{root_ / "photos/a.jpg"});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].path, root_ / "absent");
  EXPECT_EQ(result.errors[0].status.code(), base::Code::kNotFound);
}

TEST_F(FolderScannerTest, RootThatIsNeitherFileNorFolderIsAnError) {
  ASSERT_EQ(::mkfifo((root_ / "pipe").c_str(), 0600), 0);
  ScanResult result = ScanFolders({root_ / "pipe"}, ScanOptions{});
  EXPECT_TRUE(result.files.empty());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].status.code(), base::Code::kInvalidArgument);
}

TEST_F(FolderScannerTest, UnreadableFolderIsReportedAndTheRestIsListed) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every folder";
  Touch("photos/a.jpg");
  Touch("photos/locked/hidden.jpg");
  fs::permissions(root_ / "photos/locked", fs::perms::none);
  ScanResult result = ScanFolders({root_ / "photos"}, ScanOptions{});
  EXPECT_EQ(result.files, std::vector<fs::path>{root_ / "photos/a.jpg"});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].path, root_ / "photos/locked");
  EXPECT_EQ(result.errors[0].status.code(), base::Code::kPermissionDenied);
}

}  // namespace
}  // namespace triage::source
