// Lets dlib algorithms read a model::RgbImage in place (dlib's generic image interface), so no full-image copy is
// made per call. Private to vision/; include only from translation units that already include dlib.
#pragma once

#include <dlib/image_processing/generic_image.h>
#include <dlib/pixel.h>

#include "model/image.h"

namespace triage::vision {

// Read-only view; dlib's interface also asks for a mutable image_data overload, which must never be written through.
struct DlibRgbView {
  const model::RgbImage* image;
};

inline long num_rows(const DlibRgbView& view) { return view.image->height; }
inline long num_columns(const DlibRgbView& view) { return view.image->width; }
inline long width_step(const DlibRgbView& view) { return static_cast<long>(view.image->width) * 3; }
inline const void* image_data(const DlibRgbView& view) { return view.image->pixels.data(); }
inline void* image_data(DlibRgbView& view) { return const_cast<uint8_t*>(view.image->pixels.data()); }

}  // namespace triage::vision

namespace dlib {
template <>
struct image_traits<triage::vision::DlibRgbView> {
  typedef rgb_pixel pixel_type;
};
}  // namespace dlib
