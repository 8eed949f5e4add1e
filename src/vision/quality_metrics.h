// Technical quality measures of decoded pixels (sharpness, exposure). No OpenCV type leaves this header.
#pragma once

#include "model/image.h"

namespace triage::vision {

struct QualityMetrics {
  double sharpness = 0;  // variance of the Laplacian of the grey image, on a raster of at most 1024 px
  double exposure = 0;   // mean luminance, 0 (black) .. 1 (white)
};

// Pure and thread-safe.
QualityMetrics MeasureQuality(const model::RgbImage& image);

}  // namespace triage::vision
