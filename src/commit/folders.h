// Folders of the library that empty out: a person's folder whose last photo left with an undo is removed with the
// person. commit/ is the only code that changes the library's files and folders.
#pragma once

#include <filesystem>
#include <system_error>

namespace triage::commit {

// Removes `folder` when it is an empty directory; a folder with anything in it (photos, a user's file) stays as it
// is, and so does a path that is no folder. Never throws.
inline void RemoveFolderIfEmpty(const std::filesystem::path& folder) {
  std::error_code ec;
  if (std::filesystem::is_directory(folder, ec) && std::filesystem::is_empty(folder, ec) && !ec) {
    std::filesystem::remove(folder, ec);
  }
}

}  // namespace triage::commit
