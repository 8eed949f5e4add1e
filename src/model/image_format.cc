// Magic-byte sniffing of image formats.
#include "model/image_format.h"

#include <cstring>

namespace triage::model {
namespace {

bool StartsWith(const unsigned char* data, size_t size, const char* magic, size_t n, size_t offset = 0) {
  return size >= offset + n && std::memcmp(data + offset, magic, n) == 0;
}

}  // namespace

std::string DetectImageFormat(const unsigned char* data, size_t size) {
  if (StartsWith(data, size, "\xFF\xD8\xFF", 3)) return "jpeg";
  if (StartsWith(data, size, "\x89PNG\r\n\x1A\n", 8)) return "png";
  if (StartsWith(data, size, "GIF87a", 6) || StartsWith(data, size, "GIF89a", 6)) return "gif";
  if (StartsWith(data, size, "RIFF", 4) && StartsWith(data, size, "WEBP", 4, 8)) return "webp";
  if (StartsWith(data, size, "II*\0", 4) || StartsWith(data, size, "MM\0*", 4)) return "tiff";
  if (StartsWith(data, size, "ftyp", 4, 4) && size >= 12) {
    static const char* kBrands[] = {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif"};
    for (const char* brand : kBrands) {
      if (std::memcmp(data + 8, brand, 4) == 0) return "heif";
    }
  }
  return "";
}

std::string ExtensionForFormat(const std::string& format) {
  if (format == "jpeg") return "jpg";
  if (format == "heif") return "heic";
  if (format.empty()) return "bin";
  return format;
}

}  // namespace triage::model
