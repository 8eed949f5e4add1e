// A JPEG's or PNG's header facts (size, orientation, EXIF date, camera and capture settings) read from its bytes
// without libvips: what the libvips header load gives for them, at a fraction of its cost. Internal to vision/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/image.h"

namespace triage::vision::internal {

// The EXIF fields of an EXIF block as libvips names and writes them ("exif-ifd2-FNumber" -> "14/5 (f/2.8, Rational,
// 1 components, 8 bytes)"): parsed by libexif as libvips parses it (no defaults filled in while loading, then
// exif_data_fix), each value's raw components first, then libexif's text in parentheses. `block` is a JPEG's APP1
// block ("Exif\0\0" and the TIFF structure); anything else has no fields.
class ExifBlock {
 public:
  explicit ExifBlock(std::string_view block);
  ~ExifBlock();
  ExifBlock(const ExifBlock&) = delete;
  ExifBlock& operator=(const ExifBlock&) = delete;
  // The field named as libvips names it ("exif-ifd<N>-<tag name>"), or "" when the block has no such field.
  std::string Field(const std::string& name) const;

 private:
  void* data_ = nullptr;  // ExifData
};

// The header facts of a JPEG or PNG held in `bytes` (`format` "jpeg" or "png", as sniffed), as ReadInfo reads them
// from libvips's header; nothing when the header is not one this reads as libvips does (a damaged JPEG header, a PNG
// whose EXIF chunk follows its image data): the caller then asks libvips.
std::optional<model::ImageInfo> HeaderInfoDirect(const std::string& format, std::string_view bytes);

}  // namespace triage::vision::internal
