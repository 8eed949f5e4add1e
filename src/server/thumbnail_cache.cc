// Thumbnail cache over vision::WriteJpegThumbnail.
#include "server/thumbnail_cache.h"

#include <fmt/format.h>

#include <algorithm>

#include "review/shown_images.h"
#include "vision/decode.h"

namespace triage::server {

namespace fs = std::filesystem;
using base::Status;

bool ThumbnailCache::IsOfferedSize(int size_px) {
  return std::find(std::begin(review::kThumbnailSizes), std::end(review::kThumbnailSizes), size_px) !=
         std::end(review::kThumbnailSizes);
}

std::string ThumbnailCache::ETag(const model::ItemRecord& item, int size_px) {
  return fmt::format("\"{}-{}\"", item.fingerprint.sha256.substr(0, 32), size_px);
}

fs::path ThumbnailCache::PathFor(const model::ItemRecord& item, int size_px) const {
  return review::ThumbnailPath(dir_, item, size_px);
}

std::shared_ptr<std::mutex> ThumbnailCache::LockFor(const fs::path& path) {
  std::lock_guard lock(mu_);
  auto& slot = making_[path];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

void ThumbnailCache::Release(const fs::path& path, std::shared_ptr<std::mutex> key_mu) {
  std::lock_guard lock(mu_);
  auto it = making_.find(path);
  // use_count is stable under mu_: only LockFor hands out copies. 2 = the map's and ours.
  if (it != making_.end() && it->second == key_mu && key_mu.use_count() == 2) making_.erase(it);
}

base::Result<fs::path> ThumbnailCache::Get(const model::ItemRecord& item, const fs::path& source, int size_px,
                                           int64_t max_pixels) {
  fs::path path = PathFor(item, size_px);
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  std::shared_ptr<std::mutex> key_mu = LockFor(path);
  Status made;
  {
    std::lock_guard lock(*key_mu);
    if (!fs::exists(path, ec)) made = Make(source, path, size_px, max_pixels);
  }
  Release(path, std::move(key_mu));
  if (!made.ok()) return made;
  return path;
}

base::Status ThumbnailCache::Make(const fs::path& source, const fs::path& path, int size_px, int64_t max_pixels) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return base::Status::Io(fmt::format("creating {}: {}", path.parent_path().string(), ec.message()));
  return vision::WriteJpegThumbnail(source, path, size_px, max_pixels);
}

}  // namespace triage::server
