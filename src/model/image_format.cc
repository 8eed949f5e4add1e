// Magic-byte sniffing of image formats.
#include "model/image_format.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/files.h"
#include "base/utf8.h"

namespace triage::model {
namespace {

bool StartsWith(const unsigned char* data, size_t size, const char* magic, size_t n, size_t offset = 0) {
  return size >= offset + n && std::memcmp(data + offset, magic, n) == 0;
}

// base::SanitizeFileName's bound: room is left for a collision suffix under NAME_MAX (255).
constexpr size_t kMaxNameBytes = 180;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A file-type extension ("txt", "mp4", "jpg"): short, letters and digits, at least one letter. What follows the last
// dot of "IMG 2019.05.01" or "scan.v2 final" is part of the name instead.
bool LooksLikeExtension(std::string_view ext) {
  auto alnum = [](unsigned char c) { return std::isalnum(c) != 0; };
  auto alpha = [](unsigned char c) { return std::isalpha(c) != 0; };
  return !ext.empty() && ext.size() <= 5 && std::all_of(ext.begin(), ext.end(), alnum) &&
         std::any_of(ext.begin(), ext.end(), alpha);
}

// Dots and spaces at the end of a stem would show before the extension ("photo. .jpg").
void TrimStemEnd(std::string& stem) {
  while (!stem.empty() && (stem.back() == '.' || stem.back() == ' ')) stem.pop_back();
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

bool ExtensionFits(std::string_view extension, const std::string& format) {
  const std::string e = Lower(extension);
  if (format == "jpeg") return e == "jpg" || e == "jpeg" || e == "jpe" || e == "jfif";
  if (format == "tiff") return e == "tif" || e == "tiff";
  if (format == "heif") return e == "heic" || e == "heif" || e == "hif" || e == "avif";
  return (format == "png" || format == "gif" || format == "webp") && e == format;
}

std::string LibraryFileName(std::string_view name, const std::string& format) {
  std::string safe = base::SanitizeFileName(name);
  if (format.empty() || format == "raw") return safe;
  const size_t dot = safe.rfind('.');
  const std::string_view ext = dot == std::string::npos ? std::string_view() : std::string_view(safe).substr(dot + 1);
  if (dot != std::string::npos && ExtensionFits(ext, format)) return safe;
  std::string stem = dot != std::string::npos && LooksLikeExtension(ext) ? safe.substr(0, dot) : safe;
  const std::string extension = "." + ExtensionForFormat(format);
  stem = base::ShortenedInMiddle(stem, kMaxNameBytes - extension.size());
  TrimStemEnd(stem);
  if (stem.empty()) stem = "image";
  return stem + extension;
}

}  // namespace triage::model
