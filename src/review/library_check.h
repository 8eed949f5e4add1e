// The library against its catalog: items whose file is no longer where the catalog has it (deleted or moved outside
// triage), and files in the folders triage manages that the catalog does not know (copied in by hand). Reads only;
// forgetting what is missing is ReviewService::Forget, one item at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "config/config.h"

namespace triage::review {

struct MissingFile {
  int64_t id = 0;
  std::string path;      // library-relative, where the catalog has it
  std::string location;  // "library" | "review" | "trash"
  std::string found;     // what is at the path instead: "nothing", "a folder", "a symbolic link", "a special file"
};

struct LibraryCheck {
  int64_t items = 0;                       // catalog items looked at
  int64_t files = 0;                       // files found in the managed folders
  std::vector<MissingFile> missing;        // by id
  std::vector<std::string> unknown_files;  // library-relative, sorted; hidden files (".name") are left out
  // Items another triage process is moving now (its journal holds the move, the catalog does not yet name the new
  // place): neither missing nor their files unknown.
  int64_t moving = 0;
};

// Walks every catalog item (paged by id) and the managed folders: faces/, review/, the photos folder and the trash. An
// item whose path holds no regular file (nothing, or a folder or link put in its place) is missing. A folder that
// cannot be read is an error naming it. Symbolic links in the folders count as files and are not followed.
base::Result<LibraryCheck> CheckLibrary(catalog::Catalog& catalog, const config::Config& config);

}  // namespace triage::review
