// Recursive listing of input files with per-path errors, exclusions and no symlink following.
#include "source/folder_scanner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/files.h"

namespace triage::source {
namespace {

namespace fs = std::filesystem;
using base::Status;

Status ErrorFor(const std::string& what, const fs::path& path, const std::error_code& ec) {
  const std::string msg = fmt::format("{} {}: {}", what, path.string(), ec.message());
  if (ec == std::errc::no_such_file_or_directory) return Status::NotFound(msg);
  if (ec == std::errc::permission_denied) return Status::PermissionDenied(msg);
  return Status::Io(msg);
}

// What a camera, a phone or a photo program writes beside the photos: metadata, never an image. Google Takeout puts
// a .json beside every photo, Lightroom and darktable an .xmp, iPhones an .aae, GoPro and DJI .thm and .lrv, Windows
// Thumbs.db and desktop.ini, Picasa picasa.ini. Also what else such folders hold that is no image (videos, documents).
// The reason it is skipped, or "" for any other name.
std::string SkippedKindReason(const fs::path& name) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  static const std::set<std::string> kExtensions = {".xmp", ".json", ".aae", ".thm", ".lrv", ".pp3", ".dop"};
  static const std::set<std::string> kNames = {"thumbs.db", "desktop.ini", "picasa.ini"};
  const std::string extension = lower(name.extension().string()), whole = lower(name.filename().string());
  if (kNames.count(whole) > 0) return fmt::format("a file the system or a photo program keeps ({})", name.string());
  if (kExtensions.count(extension) > 0) return fmt::format("a metadata sidecar ({}), not an image", extension);
  // The rest of a phone dump or a downloads folder: videos (a Live Photo's .mov beside each .heic), sound, documents
  // and archives. Each would wait in review/unreadable as a photo that cannot be shown.
  static const std::vector<std::pair<std::set<std::string>, const char*>> kKinds = {
      {{".mp4", ".mov", ".m4v", ".avi", ".mkv", ".3gp", ".mts", ".m2ts", ".wmv", ".webm", ".mpg", ".mpeg"},
       "a video ({}): triage sorts still images"},
      {{".mp3", ".m4a", ".wav", ".aac", ".amr", ".flac", ".ogg", ".opus"}, "a sound recording ({}), not an image"},
      {{".txt",  ".md",  ".tsv", ".csv", ".pdf", ".doc",  ".docx", ".xls", ".xlsx", ".ppt",
        ".pptx", ".odt", ".ods", ".odp", ".rtf", ".html", ".htm",  ".xml", ".log",  ".nfo"},
       "a document ({}), not an image"},
      {{".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"}, "an archive ({}): unpack it to take its photos"},
  };
  for (const auto& [extensions, reason] : kKinds) {
    if (extensions.count(extension) > 0) return fmt::format(fmt::runtime(reason), extension);
  }
  return "";
}

// One scan's state: what was found so far and which real folders and files were already seen.
class Walk {
 public:
  explicit Walk(const ScanOptions& options) : moving_(options.moving) {
    for (const fs::path& p : options.exclude) {
      std::error_code ec;
      const fs::path canonical = fs::weakly_canonical(p, ec);
      excluded_.insert(ec ? p.lexically_normal() : canonical);
    }
    std::error_code ec;
    if (!options.library.empty()) library_ = fs::weakly_canonical(fs::absolute(options.library, ec), ec);
    if (!options.inbox.empty() && !moving_) {
      const fs::path canonical = fs::weakly_canonical(fs::absolute(options.inbox, ec), ec);
      inbox_ = ec ? options.inbox.lexically_normal() : canonical;
    }
  }

  void AddRoot(const fs::path& root) {
    std::error_code ec;
    const fs::file_status link = fs::symlink_status(root, ec);
    if (ec) return Fail(ErrorFor("cannot read", root, ec), root);
    const fs::file_status status = fs::status(root, ec);  // follows a symlinked folder: the user named it
    if (ec) return Fail(ErrorFor("cannot read", root, ec), root);
    const fs::path canonical = fs::weakly_canonical(root, ec);
    if (ec) return Fail(ErrorFor("cannot resolve", root, ec), root);
    // A root gets the checks the walk applies inside: nothing the library manages, no symlinked file.
    if (excluded_.count(canonical) > 0 && !fs::is_directory(status)) {
      return Fail(Status::InvalidArgument(fmt::format(
                      "{} is the library's own file, which triage manages; it is not taken", root.string())),
                  root);
    }
    if (const fs::path* folder = ExcludedFolderHolding(canonical)) {
      // The folder itself named ("ingest review/") is not "inside" itself.
      const std::string where = *folder == canonical ? fmt::format("{} is {}", root.string(), folder->string())
                                                     : fmt::format("{} is inside {}", root.string(), folder->string());
      return Fail(Status::InvalidArgument(fmt::format("{}, a folder triage manages; it is not taken again", where)),
                  root);
    }
    if (!inbox_.empty()) {
      if (base::IsWithin(canonical, inbox_)) {
        return Fail(Status::InvalidArgument(fmt::format(
                        "{} is {}the library's inbox, whose files `triage watch` moves in: a copy would leave each "
                        "there, to be taken again; `triage ingest --move` takes them now",
                        root.string(), canonical == inbox_ ? "" : "inside ")),
                    root);
      }
    }
    const fs::path other = moving_ ? base::EnclosingLibrary(canonical) : fs::path();  // only a move takes files away
    if (!other.empty() && other != library_) {
      return Fail(Status::InvalidArgument(fmt::format(
                      "{} is {}the triage library {}, whose catalog holds its files: moving them would take them from "
                      "under it (ingest without --move copies them)",
                      root.string(), other == canonical ? "" : "inside ", other.string())),
                  root);
    }
    if (fs::is_directory(status)) return WalkFolder(root, canonical);
    if (fs::is_symlink(link)) {
      return Fail(
          Status::InvalidArgument(fmt::format(
              "{} is a symbolic link; only regular files are taken (give the file it points to)", root.string())),
          root);
    }
    if (fs::is_regular_file(status)) return AddFile(root, canonical);
    Fail(Status::InvalidArgument(fmt::format("{} is neither a file nor a folder", root.string())), root);
  }

  ScanResult Finish() && {
    std::sort(result_.files.begin(), result_.files.end());
    std::sort(result_.skipped.begin(), result_.skipped.end(),
              [](const ScanSkip& a, const ScanSkip& b) { return a.path < b.path; });
    return std::move(result_);
  }

 private:
  void Fail(Status status, const fs::path& path) { result_.errors.push_back(ScanError{path, std::move(status)}); }
  void Skip(const fs::path& path, std::string reason) { result_.skipped.push_back({path, std::move(reason)}); }

  // The excluded folder that is or contains `canonical`, or null.
  const fs::path* ExcludedFolderHolding(const fs::path& canonical) const {
    for (const fs::path& folder : excluded_) {
      if (base::IsWithin(canonical, folder)) return &folder;
    }
    return nullptr;
  }

  void AddFile(const fs::path& path, const fs::path& canonical) {
    if (seen_files_.insert(canonical).second) result_.files.push_back(path);
  }

  // One entry of a folder being walked: a file is listed, a folder pushed on `stack`, anything else skipped.
  void AddEntry(const fs::directory_entry& entry, const fs::path& folder_canonical,
                std::vector<std::pair<fs::path, fs::path>>& stack) {
    const fs::path name = entry.path().filename();
    // Hidden names include "..jpg" and "...jpg": they are not "." or "..", but start with '.' all the same.
    if (name.string().front() == '.') return Skip(entry.path(), "hidden (its name starts with '.')");
    std::error_code ec;
    const fs::file_status status = entry.symlink_status(ec);
    if (ec) return Fail(ErrorFor("cannot read", entry.path(), ec), entry.path());
    if (fs::is_directory(status)) {
      stack.emplace_back(entry.path(), folder_canonical / name);
    } else if (fs::is_regular_file(status)) {
      if (excluded_.count(folder_canonical / name) > 0) return Skip(entry.path(), "excluded file (the library's own)");
      if (name == "triage.json" && base::IsLibraryRoot(folder_canonical)) {
        return Skip(entry.path(), "the settings of another triage library, not an image");
      }
      // Within a folder only: a file of these kinds named on its own is taken, as anything named is.
      if (std::string why = SkippedKindReason(name); !why.empty()) return Skip(entry.path(), why);
      AddFile(entry.path(), folder_canonical / name);
    } else if (fs::is_symlink(status)) {
      Skip(entry.path(), "symbolic link (not followed)");
    } else {
      Skip(entry.path(), "not a regular file (a device, FIFO or socket)");
    }
  }

  // Iterative depth-first walk; `canonical` is the folder's real path, used for exclusion and de-duplication.
  void WalkFolder(const fs::path& root, const fs::path& root_canonical) {
    std::vector<std::pair<fs::path, fs::path>> stack{{root, root_canonical}};
    while (!stack.empty()) {
      auto [folder, canonical] = std::move(stack.back());
      stack.pop_back();
      if (excluded_.count(canonical) > 0) {
        Skip(folder, "excluded folder (the library's own)");
        continue;
      }
      if (!inbox_.empty() && canonical == inbox_) {
        Skip(folder,
             "the library's inbox: `triage watch` or `triage ingest --move` takes its files (a copy would "
             "leave them there, to be taken again)");
        continue;
      }
      if (!walked_folders_.insert(canonical).second) continue;  // met again through another root: listed once
      if (moving_ && canonical != library_ && base::IsLibraryRoot(canonical)) {
        Skip(folder, "another triage library: its files belong to its own catalog (ingest without --move copies them)");
        continue;
      }
      std::error_code ec;
      fs::directory_iterator it(folder, ec);
      for (fs::directory_iterator end; !ec && it != end; it.increment(ec)) AddEntry(*it, canonical, stack);
      if (ec) Fail(ErrorFor("cannot list", folder, ec), folder);
    }
  }

  ScanResult result_;
  std::set<fs::path> excluded_;
  fs::path library_;  // canonical; empty when none
  fs::path inbox_;    // canonical; empty when none or when moving
  bool moving_ = false;
  std::set<fs::path> walked_folders_;
  std::set<fs::path> seen_files_;
};

}  // namespace

ScanResult ScanFolders(const std::vector<fs::path>& roots, const ScanOptions& options) {
  Walk walk(options);
  for (const fs::path& root : roots) walk.AddRoot(root);
  return std::move(walk).Finish();
}

}  // namespace triage::source
