// Recognises the image formats triage accepts by their magic bytes, never by the file name.
#pragma once

#include <cstddef>
#include <string>

namespace triage::model {

// Bytes needed from the start of a file to recognise every format below.
inline constexpr size_t kFormatSniffBytes = 16;

// "jpeg", "png", "gif", "webp", "tiff", "heif", or "" when the bytes are none of these. Pure.
std::string DetectImageFormat(const unsigned char* data, size_t size);

// File extension (without dot) for a detected format: "jpg", "png", ...; "bin" for "".
std::string ExtensionForFormat(const std::string& format);

}  // namespace triage::model
