// Decoding the common PNG fast: whole-buffer inflate (libdeflate) and row unfiltering, for the PNGs whose pixels need
// no colour transform. Internal to vision/ (OpenCV types).
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <string_view>

namespace triage::vision::internal {

// The pixels of the PNG file `bytes` as 8-bit RGB (CV_8UC3), the same as libpng's simplified reader gives for
// PNG_FORMAT_RGB: grey replicated to three channels, palette indices looked up, grey of 1, 2 or 4 bits scaled to 8.
// Only for a PNG that needs nothing more: not interlaced, 8 bits a sample (grey and palette also 1, 2 and 4), no
// tRNS chunk, an alpha channel (if any) 255 everywhere, no gAMA chunk other than sRGB's (45455), every chunk's CRC
// right and the zlib stream whole, at most `max_pixels` pixels. Nothing for any other PNG, damaged or not: the caller
// decodes that one with libpng, which also words what is wrong with it.
std::optional<cv::Mat> DecodePngFast(std::string_view bytes, uint64_t max_pixels);

}  // namespace triage::vision::internal
