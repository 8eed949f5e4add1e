// How ingest lists the files and folders it is given, shared by ingesting at once and enqueueing jobs.
#pragma once

#include <filesystem>
#include <vector>

#include "config/config.h"
#include "source/folder_scanner.h"

namespace triage::pipeline {

// Walks `roots` (folders recursively) and passes over the library's own folders (faces/, review/, photos/,
// .triage/) and its triage.json: a library file ingested again would leave its item dangling, and a library whose
// configuration was moved away is no longer a library.
inline source::ScanResult ScanInputs(const std::vector<std::filesystem::path>& roots, const config::Config& config) {
  source::ScanOptions options;
  options.exclude = {config.FacesDir(), config.ReviewDir(), config.StateDir(), config.PhotosDir(), config.ConfigPath()};
  return source::ScanFolders(roots, options);
}

}  // namespace triage::pipeline
