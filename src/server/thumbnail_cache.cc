// Thumbnail cache over vision::WriteJpegThumbnail.
#include "server/thumbnail_cache.h"

#include <fmt/format.h>

#include "vision/decode.h"

namespace triage::server {

namespace fs = std::filesystem;

bool ThumbnailCache::IsOfferedSize(int size_px) {
  return size_px == 160 || size_px == 320 || size_px == 640 || size_px == 1280;
}

std::string ThumbnailCache::ETag(const model::ItemRecord& item, int size_px) {
  return fmt::format("\"{}-{}\"", item.fingerprint.sha256.substr(0, 32), size_px);
}

fs::path ThumbnailCache::PathFor(const model::ItemRecord& item, int size_px) const {
  const std::string& sha = item.fingerprint.sha256;
  // A catalog without a hash would be a bug elsewhere; fall back to the id so the name stays unique and safe.
  bool hex = sha.size() >= 2 && sha.find_first_not_of("0123456789abcdef") == std::string::npos;
  std::string key = hex ? sha : fmt::format("item{}", item.id);
  return dir_ / key.substr(0, 2) / fmt::format("{}-{}.jpg", key, size_px);
}

base::Result<fs::path> ThumbnailCache::Get(const model::ItemRecord& item, const fs::path& source, int size_px) {
  fs::path path = PathFor(item, size_px);
  std::error_code ec;
  if (fs::exists(path, ec)) return path;
  std::lock_guard lock(make_mu_);
  if (fs::exists(path, ec)) return path;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return base::Status::Io(fmt::format("creating {}: {}", path.parent_path().string(), ec.message()));
  TRIAGE_RETURN_IF_ERROR(vision::WriteJpegThumbnail(source, path, size_px));
  return path;
}

}  // namespace triage::server
