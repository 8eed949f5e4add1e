// Where the pictures made to show an item are kept under .triage/thumbs: its thumbnails at the offered sizes (made by
// server/thumbnail_cache.cc) and the crops of its faces (server/routes_faces.cc), and their removal once the item is
// purged. One place for the layout, so that what is made and what is removed are the same files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "catalog/catalog.h"
#include "config/config.h"
#include "model/item.h"

namespace triage::review {

// The thumbnail sizes offered, in pixels on the long side.
inline constexpr int kThumbnailSizes[] = {160, 320, 640, 1280};

std::filesystem::path ThumbnailsDir(const config::Config& config);
// `item`'s thumbnail at `size_px` under `thumbs_dir`: named by the content hash (identical files share one), or by the
// item id for an item without a hash.
std::filesystem::path ThumbnailPath(const std::filesystem::path& thumbs_dir, const model::ItemRecord& item,
                                    int size_px);
// The crop of face `face_id` of the photo with content hash `sha256`, `size_px` square. Under the photo's hash: a
// face id used again by a later photo (SQLite gives a purged row's id to the next one) never finds this face's crop.
std::filesystem::path FaceCropPath(const config::Config& config, const std::string& sha256, int64_t face_id,
                                   int size_px);
// Deletes the thumbnails and face crops of `item` (just purged), unless another item of the catalog has the same
// bytes. Best effort: a file left behind is only a cache entry.
void ForgetShownImages(catalog::Catalog& catalog, const config::Config& config, const model::ItemRecord& item);

}  // namespace triage::review
