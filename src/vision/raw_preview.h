// Camera RAW files (CR2, CR3, NEF, ARW, DNG, RAF, ORF, RW2, PEF, ...) through LibRaw. A RAW is analysed from the
// preview its camera embedded (usually a full-size JPEG), so that it costs about what a JPEG costs; files without a
// preview are demosaiced at half size. No LibRaw type leaves this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/status.h"
#include "model/image.h"

namespace triage::vision {

// True when the file is a camera RAW: a signature only RAW formats have (Canon CR2 and CR3, Olympus ORF, Panasonic
// RW2, Fujifilm RAF), or a TIFF-structured file (DNG, NEF, ARW, PEF, SRW, ...) whose extension names a RAW format.
// `head` is the file's first bytes (at least 16). Pure.
bool IsRawFile(const std::filesystem::path& path, const std::string& head);

struct RawPreview {
  std::string jpeg;        // the embedded JPEG preview, when the camera stored one, else
  model::RgbImage bitmap;  // an 8-bit RGB preview (a stored bitmap, or the half-size demosaic)
  bool upright = false;    // true when `bitmap` is turned upright already (the demosaic is)
  // The sensor image: width and height after orientation, format "raw", the orientation (EXIF numbering) and the
  // capture facts LibRaw reads (taken_at, camera, lens, ISO, exposure, aperture, focal length).
  model::ImageInfo info;
};

// Reads the preview of a RAW file. kCorrupt naming the problem ("RAW decoder: ..."), also when the sensor image or
// the preview has more than `max_pixels` pixels (before any pixel is decoded). Thread-safe (one LibRaw per call).
base::Result<RawPreview> ReadRawPreview(const std::filesystem::path& path, int64_t max_pixels);

}  // namespace triage::vision
