// Lists the regular files under a set of files and folders given on the command line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"

namespace triage::source {

struct ScanOptions {
  // Folders never entered, e.g. the library's own inbox/, faces/, review/ and .triage/. Compared after
  // resolving symlinks and "..", so any spelling of the same folder matches. Default: none.
  std::vector<std::filesystem::path> exclude;
  // The library the files are for (its root). Another triage library met in the walk (a folder holding triage.json
  // and .triage/) is its own catalog's: with `moving`, it is skipped, and a root inside one is an error (moving its
  // files would take them from under its catalog); copied from, its triage.json is skipped. Empty: no library.
  std::filesystem::path library;
  bool moving = false;
  // The library's inbox, whose files `triage watch` moves in. Copied from, each file would stay there and be taken a
  // second time by the watcher: without `moving` it is not walked (skipped when met, an error when named, saying how
  // to take its files). Empty: none.
  std::filesystem::path inbox;
};

// A path that could not be listed and why; the scan goes on without it.
struct ScanError {
  std::filesystem::path path;
  base::Status status;
};

// A path the walk passed over on purpose and why ("hidden (its name starts with '.')", "symbolic link (not
// followed)", "not a regular file", "the library's own folder"), so that nothing is left out silently.
struct ScanSkip {
  std::filesystem::path path;
  std::string reason;
};

struct ScanResult {
  std::vector<std::filesystem::path> files;  // sorted, each once
  std::vector<ScanError> errors;             // in the order met
  std::vector<ScanSkip> skipped;             // sorted by path; a skipped folder is listed, not its contents
};

// Walks `roots` recursively. A root that is a file is listed as given; a root that is a folder (or a symlink
// to one) is walked. A root that is a symlink to a file, is a file of options.exclude or lies inside a folder of
// it, is an error (kInvalidArgument naming the reason), as the walk would skip it. Inside the walk: symlinks (to
// files or folders) are not followed, names starting with '.' are skipped (files and folders), and so is every
// folder and file in options.exclude, and metadata files written beside photos (sidecars such as .xmp, .json, .aae,
// .thm, .lrv; Thumbs.db, desktop.ini); each is reported in `skipped` with its reason, as are entries that are neither
// files nor folders (a sidecar given as a root is taken, as anything named is). Paths in the result start with the root
// as it was spelled. A missing root, an unreadable folder or a root that is neither file nor folder becomes a
// ScanError; the rest of the scan continues. Thread-safe (no shared state).
ScanResult ScanFolders(const std::vector<std::filesystem::path>& roots, const ScanOptions& options);

}  // namespace triage::source
