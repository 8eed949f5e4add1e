// Technical and compositional quality measures of decoded pixels (model::QualityMetrics). No OpenCV type leaves
// this header; scoring the measures is quality/'s work.
#pragma once

#include <vector>

#include "model/face.h"
#include "model/image.h"
#include "model/quality.h"

namespace triage::vision {

// Measures `image` (upright RGB) on a working raster of QualityMetrics::kWorkingSidePx on its long side (smaller
// images as they are), so that values compare whatever size was decoded. `faces` are in full-resolution
// coordinates; `to_full` is full width / image width. An empty image gives measured = false. Pure and thread-safe;
// OpenCV errors become measured = false rather than exceptions.
model::QualityMetrics MeasureQuality(const model::RgbImage& image, const std::vector<model::Face>& faces = {},
                                     double to_full = 1.0);

// True when OpenCV's BRISQUE model files were found (Debian's opencv-data); without them brisque stays -1.
bool BrisqueAvailable();

}  // namespace triage::vision
