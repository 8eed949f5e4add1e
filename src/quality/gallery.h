// The gallery's pages: a GalleryStore query with an opaque cursor, and in a ranked list (any sort but date) no two
// frames of one burst next to each other unless asked (one burst of 30 frames must not fill the top of the list).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/gallery_store.h"

namespace triage::quality {

struct GalleryRequest {
  catalog::GalleryQuery query;        // filters, sort and limit; its paging fields are set from `cursor`
  std::string cursor;                 // "" for the first page, else a next_cursor this gave
  bool keep_bursts_together = false;  // true: frames of a burst may follow each other in a ranked list
};

struct GalleryPage {
  std::vector<catalog::GalleryEntry> items;
  std::string next_cursor;       // "" after the last page
  std::optional<int64_t> total;  // items the filters let through; on the first page only
};

// One page. Every item the filters let through appears exactly once over the pages. kInvalidArgument for a cursor
// this did not give, or the store's errors (unknown sort, bad limit).
base::Result<GalleryPage> ListGallery(catalog::GalleryStore& store, const GalleryRequest& request);

}  // namespace triage::quality
