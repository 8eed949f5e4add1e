// How ingest lists the files and folders it is given, shared by ingesting at once and enqueueing jobs.
#pragma once

#include <filesystem>
#include <vector>

#include "config/config.h"
#include "source/folder_scanner.h"

namespace triage::pipeline {

// Walks `roots` (folders recursively) and passes over the library's own folders (faces/, review/, photos/,
// .triage/), its triage.json and a SQLite catalog kept elsewhere in it: a library file ingested again would leave its
// item dangling, and a library whose configuration or catalog was moved away is no longer a library. Another library
// met on the way is left to its own catalog when `moving`, and the inbox to the watcher unless `moving` (see
// source::ScanOptions).
inline source::ScanResult ScanInputs(const std::vector<std::filesystem::path>& roots, const config::Config& config,
                                     bool moving) {
  source::ScanOptions options;
  options.exclude = {config.FacesDir(), config.ReviewDir(), config.StateDir(), config.PhotosDir(), config.ConfigPath()};
  if (std::filesystem::path db = config::SqliteCatalogFile(config.catalog.url, config.library); !db.empty()) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) options.exclude.push_back(db.string() + suffix);
  }
  options.library = config.library;
  options.moving = moving;
  options.inbox = config.InboxDir();
  return source::ScanFolders(roots, options);
}

}  // namespace triage::pipeline
