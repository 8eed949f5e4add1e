// Recognises the image formats triage accepts by their magic bytes, never by the file name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace triage::model {

// Bytes needed from the start of a file to recognise every format below.
inline constexpr size_t kFormatSniffBytes = 16;

// "jpeg", "png", "gif", "webp", "tiff", "heif", or "" when the bytes are none of these. Pure.
std::string DetectImageFormat(const unsigned char* data, size_t size);

// File extension (without dot) for a detected format: "jpg", "png", ...; "bin" for "".
std::string ExtensionForFormat(const std::string& format);

// True when `extension` (without dot, any case) is one a file of `format` is known by: "jpg", "jpeg", "jpe" and
// "jfif" for "jpeg", "tif" and "tiff" for "tiff", "heic", "heif", "hif" and "avif" for "heif", ... Pure.
bool ExtensionFits(std::string_view extension, const std::string& format);

// The name an image of `format` (as DetectImageFormat or the decoder says; "raw" or "" when not known by its first
// bytes) is stored under, from the name it was sent with: base::SanitizeFileName's safe name, ending in an extension
// of its format. A name without one gets the format's ("..." -> "image.jpg", "IMG 2019.05.01" -> "IMG
// 2019.05.01.jpg"); a file-type extension of another format or of no image is replaced ("a.txt" holding a JPEG ->
// "a.jpg"). A RAW or an unknown format keeps the extension it has: only the name tells a DNG from a TIFF. Pure.
std::string LibraryFileName(std::string_view name, const std::string& format);

}  // namespace triage::model
