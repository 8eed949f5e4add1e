// Files compiled into the binary at build time (embed_files.cmake): the web UI and the OpenAPI document.
#pragma once

#include <cstddef>
#include <string_view>

namespace triage::server {

struct EmbeddedFile {
  const char* path;           // relative to its folder, '/'-separated ("index.html", "js/review.js")
  const unsigned char* data;  // followed by one NUL byte that is not part of the file
  size_t size;
};

// web/ (the UI) and src/server/openapi.json; each array ends with a {nullptr, nullptr, 0} entry.
extern const EmbeddedFile kWebAssets[];
extern const size_t kWebAssetsCount;
extern const EmbeddedFile kOpenApiFiles[];
extern const size_t kOpenApiFilesCount;

// The embedded file at `path` in `files`, or nullptr.
inline const EmbeddedFile* FindEmbedded(const EmbeddedFile* files, std::string_view path) {
  for (const EmbeddedFile* f = files; f->path != nullptr; ++f) {
    if (path == f->path) return f;
  }
  return nullptr;
}

}  // namespace triage::server
