// Decoding image files into RGB pixels (libvips, shrink-on-load, EXIF orientation applied),
// the perceptual hash of decoded pixels, and JPEG thumbnails. No vips/OpenCV type leaves this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/status.h"
#include "model/face.h"
#include "model/image.h"

namespace triage::vision {

struct DecodeOptions {
  // Longest side of the decoded raster, in pixels; JPEG/WebP/HEIF shrink while loading. Range 32..16384.
  int max_side_px = 1600;
  // Images with more pixels than this are refused before decoding (decompression bombs). Default 250 MP.
  int64_t max_pixels = 250'000'000;
  // JPEG files only: the smallest long side the DCT scaling (1/2, 1/4, 1/8) may leave, for a consumer that accepts up
  // to max_side_px but needs far fewer pixels; the raster is then smaller than max_side_px. 0 (default): max_side_px.
  // Range 32..max_side_px.
  int min_side_px = 0;
};

struct Decoded {
  model::ImageInfo info;  // full-size dimensions, format, orientation, EXIF facts
  model::RgbImage image;  // at most max_side_px on the long side, upright
};

// Starts libvips (it loads its modules: ~20 ms) if it has not started yet, so that a caller can have it start while it
// does other work rather than when the first image is decoded. Thread-safe; throws std::runtime_error when libvips
// cannot start (as the first decode would then report).
void StartDecoders();

// Decodes `path`. Thread-safe (libvips is initialised once, caching off).
// Errors (kCorrupt) name what is wrong: "empty file", "not a supported image format", "truncated JPEG ...",
// "image of 40000x40000 pixels exceeds the limit of 250000000"; never a crash or a hang.
base::Result<Decoded> DecodeImage(const std::filesystem::path& path, const DecodeOptions& options);

// Same as DecodeImage(path, options), given the file's contents as well (`bytes`, read once by intake for the hash
// and the staged copy): a JPEG or PNG is then decoded from them without reading the file. The result is the same
// as DecodeImage's, errors included (what only the file-based path decodes, it decodes from `path`).
base::Result<Decoded> DecodeImage(const std::filesystem::path& path, const std::string& bytes,
                                  const DecodeOptions& options);

// Same as DecodeImage, from bytes in memory (the fuzzing entry point).
base::Result<Decoded> DecodeImageBuffer(const std::string& bytes, const DecodeOptions& options);

// `image` turned as a picture stored with EXIF orientation `orientation` (1-8) is turned upright: 3 turns it by 180
// degrees, 6 and 8 by a quarter. Any other value returns it as it is.
model::RgbImage Oriented(const model::RgbImage& image, int orientation);

// 64-bit DCT perceptual hash (OpenCV img_hash pHash: 32x32 grey, 8x8 lowest frequencies against their mean)
// of the central `fraction` of the image (1 = all of it; 0.95 = 2.5% cut off each side). Pure, thread-safe.
uint64_t PerceptualHash(const model::RgbImage& image, double fraction = 1.0);

// Writes a JPEG thumbnail of at most `size_px` on its long side (upright), loading the source shrunk where its
// format allows (JPEG DCT scaling, WebP/HEIF/SVG/PDF scale-on-load). Sources with more than `max_pixels` pixels are
// refused from their header alone, before any decoding (kCorrupt "image of WxH pixels exceeds the limit of N
// pixels"). Thread-safe.
base::Status WriteJpegThumbnail(const std::filesystem::path& source, const std::filesystem::path& dest, int size_px,
                                int64_t max_pixels);

// Writes a JPEG of the region `box` (full-image pixels of the upright image) widened by `padding` (a fraction of the
// box's size on each side, clipped to the image), at most `size_px` on its long side: a face crop. kInvalidArgument
// when the box lies outside the image; otherwise as WriteJpegThumbnail. Thread-safe.
base::Status WriteJpegCrop(const std::filesystem::path& source, const std::filesystem::path& dest,
                           const model::Box& box, double padding, int size_px, int64_t max_pixels);

namespace internal {
// The header facts of the image file at `path` as libvips's header load gives them (what DecodeImage read for every
// format before JPEG and PNG headers were read directly): the reference the direct reading is tested against.
base::Result<model::ImageInfo> LibvipsHeaderInfo(const std::filesystem::path& path);
}  // namespace internal

}  // namespace triage::vision
