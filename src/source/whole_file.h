// Whether an image file holds all of its data, judged from its structure without decoding it. What a writer leaves
// in the inbox between closing a file and opening it again to append the rest (or an empty placeholder created
// before the download starts) is not whole; the inbox watcher holds such a file back for a while.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace triage::source {

// Why the file at `path` is cut short, in words ("it is empty", "its JPEG data stops before the end-of-image
// marker"), or nullopt when it looks whole, or when its format has no end to check (TIFF, HEIF, camera RAW, what is
// not an image) or it cannot be read (the intake then reports that). Checked: empty files; JPEG (segments walked
// to the end-of-image marker; data after it, as in motion photos, is fine); PNG (chunks walked to IEND); GIF (the
// trailer byte); WebP (the RIFF size). A whole JPEG or PNG costs a read of its headers and its last bytes; only
// one that does not end as it should is read through. Thread-safe.
std::optional<std::string> WhyCutShort(const std::filesystem::path& path);

}  // namespace triage::source
