// Folders of the library that empty out: a person's folder whose last photo left with an undo is removed with the
// person, a date folder of photos/ when the photo an undo took back was its last. commit/ is the only code that changes
// the library's files and folders.
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

// Removes `folder` and then each folder above it while they are empty and strictly inside `root` (which stays); a
// folder outside `root`, or paths that cannot be compared, are left alone. Never throws.
inline void RemoveEmptyFoldersWithin(const std::filesystem::path& folder, const std::filesystem::path& root) {
  std::filesystem::path base = root.lexically_normal();
  if (!base.has_filename() && base.has_relative_path()) base = base.parent_path();  // "photos/" is "photos"
  for (std::filesystem::path at = folder.lexically_normal(); at.has_relative_path(); at = at.parent_path()) {
    const std::filesystem::path inside = at.lexically_relative(base);
    if (inside.empty() || inside == "." || *inside.begin() == "..") return;
    std::error_code ec;
    if (!std::filesystem::is_directory(at, ec) || !std::filesystem::is_empty(at, ec) || ec) return;
    if (!std::filesystem::remove(at, ec)) return;
  }
}

}  // namespace triage::commit
