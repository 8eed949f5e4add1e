// JPEG thumbnails of catalog items, made once (libvips through vision/) and kept under .triage/thumbs,
// named by content hash and size so that identical files share one thumbnail.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "base/status.h"
#include "model/item.h"

namespace triage::server {

// Thread-safe: a missing thumbnail is made under a lock, so two requests never write the same file.
class ThumbnailCache {
 public:
  explicit ThumbnailCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // True for the sizes offered (160, 320, 640, 1280 px on the long side).
  static bool IsOfferedSize(int size_px);
  // The strong ETag of an item's thumbnail at a size (changes only when the file's content does).
  static std::string ETag(const model::ItemRecord& item, int size_px);

  // The cached thumbnail file of `item` (whose file is `source`), made now if missing.
  // REQUIRES: IsOfferedSize(size_px). kCorrupt when the image cannot be decoded.
  base::Result<std::filesystem::path> Get(const model::ItemRecord& item, const std::filesystem::path& source,
                                          int size_px);

 private:
  std::filesystem::path PathFor(const model::ItemRecord& item, int size_px) const;
  std::filesystem::path dir_;
  std::mutex make_mu_;
};

}  // namespace triage::server
