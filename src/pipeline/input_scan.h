// How ingest lists the files and folders it is given, shared by ingesting at once and enqueueing jobs.
#pragma once

#include <filesystem>
#include <vector>

#include "config/config.h"
#include "source/folder_scanner.h"

namespace triage::pipeline {

// Walks `roots` (folders recursively) and passes over the library's own folders (faces/, review/, photos/,
// .triage/): a library file ingested again would leave its item dangling.
inline source::ScanResult ScanInputs(const std::vector<std::filesystem::path>& roots, const config::Config& config) {
  source::ScanOptions options;
  options.exclude = {config.FacesDir(), config.ReviewDir(), config.StateDir(), config.PhotosDir()};
  return source::ScanFolders(roots, options);
}

}  // namespace triage::pipeline
