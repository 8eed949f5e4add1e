// JPEG thumbnails of catalog items, made once (libvips through vision/) and kept under .triage/thumbs,
// named by content hash and size so that identical files share one thumbnail.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "model/item.h"

namespace triage::server {

// Thread-safe: a missing thumbnail is made under its own key's lock, so two requests never write the same file
// while thumbnails of other items are made (and served) in parallel.
class ThumbnailCache {
 public:
  explicit ThumbnailCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // True for the sizes offered (160, 320, 640, 1280 px on the long side).
  static bool IsOfferedSize(int size_px);
  // The strong ETag of an item's thumbnail at a size (changes only when the file's content does).
  static std::string ETag(const model::ItemRecord& item, int size_px);

  // The cached thumbnail file of `item` (whose file is `source`), made now if missing.
  // REQUIRES: IsOfferedSize(size_px). kCorrupt when the image cannot be decoded or has more than `max_pixels`
  // pixels (analysis.max_pixels: the same bound as ingest).
  base::Result<std::filesystem::path> Get(const model::ItemRecord& item, const std::filesystem::path& source,
                                          int size_px, int64_t max_pixels);

 private:
  std::filesystem::path PathFor(const model::ItemRecord& item, int size_px) const;
  // The lock of one thumbnail file, shared by the requests making it at the moment.
  std::shared_ptr<std::mutex> LockFor(const std::filesystem::path& path);
  void Release(const std::filesystem::path& path, std::shared_ptr<std::mutex> lock);
  static base::Status Make(const std::filesystem::path& source, const std::filesystem::path& path, int size_px,
                           int64_t max_pixels);

  std::filesystem::path dir_;
  std::mutex mu_;                                                        // guards making_
  std::map<std::filesystem::path, std::shared_ptr<std::mutex>> making_;  // thumbnails being made now
};

}  // namespace triage::server
