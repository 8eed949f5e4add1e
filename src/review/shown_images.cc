// The layout of .triage/thumbs (see shown_images.h).
#include "review/shown_images.h"

#include <fmt/format.h>

namespace triage::review {

namespace fs = std::filesystem;

namespace {

bool IsHexHash(const std::string& sha256) {
  return sha256.size() >= 16 && sha256.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

fs::path ThumbnailsDir(const config::Config& config) { return config.StateDir() / "thumbs"; }

fs::path ThumbnailPath(const fs::path& thumbs_dir, const model::ItemRecord& item, int size_px) {
  // A catalog without a hash would be a bug elsewhere; the id keeps the name unique and safe.
  const std::string& sha = item.fingerprint.sha256;
  const std::string key = IsHexHash(sha) ? sha : fmt::format("item{}", item.id);
  return thumbs_dir / key.substr(0, 2) / fmt::format("{}-{}.jpg", key, size_px);
}

fs::path FaceCropPath(const config::Config& config, const std::string& sha256, int64_t face_id, int size_px) {
  const std::string key = IsHexHash(sha256) ? sha256.substr(0, 16) : "nohash";
  return ThumbnailsDir(config) / "faces" / key / fmt::format("{}_{}.jpg", face_id, size_px);
}

void ForgetShownImages(catalog::Catalog& catalog, const config::Config& config, const model::ItemRecord& item) {
  const std::string& sha = item.fingerprint.sha256;
  if (IsHexHash(sha)) {
    auto other = catalog.FindBySha256(sha);
    if (!other.ok() || other->has_value()) return;  // another item shows the same bytes (or the catalog cannot say)
  }
  std::error_code ec;
  for (int size : kThumbnailSizes) fs::remove(ThumbnailPath(ThumbnailsDir(config), item, size), ec);
  if (IsHexHash(sha)) fs::remove_all(FaceCropPath(config, sha, 0, 0).parent_path(), ec);
}

}  // namespace triage::review
