// Decoded pixels and what is known about an image file, as plain values (no OpenCV/vips types).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace triage::model {

// An 8-bit RGB raster, row-major, 3 bytes per pixel, EXIF orientation already applied.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3 bytes
  bool empty() const { return width == 0 || height == 0; }
};

// What the decoder learnt about a file.
struct ImageInfo {
  int width = 0;  // pixels of the full image after orientation
  int height = 0;
  std::string format;          // "jpeg", "png", "webp", "tiff", "heif", "gif"
  int orientation = 1;         // EXIF orientation tag as found (1..8)
  std::string taken_at;        // EXIF DateTimeOriginal as ISO-8601, or ""
  std::string camera;          // EXIF make + model, or ""
  std::string lens;            // EXIF LensModel, or ""
  double iso = 0;              // EXIF ISOSpeedRatings; 0 = unknown
  double exposure_s = 0;       // EXIF ExposureTime, seconds; 0 = unknown
  double f_number = 0;         // EXIF FNumber; 0 = unknown
  double focal_length_mm = 0;  // EXIF FocalLength; 0 = unknown
  bool has_gps = false;
  double latitude = 0;   // degrees, north positive
  double longitude = 0;  // degrees, east positive
};

}  // namespace triage::model
