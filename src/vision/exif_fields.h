// Capture settings from the EXIF block libvips already parsed while reading the header (no second read of the file).
#pragma once

#include <string>
#include <vector>

#include "model/image.h"

namespace triage::vision {

// The value libexif formats as "1/125 sec. (1/125, Rational, 1 components, 8 bytes)": the raw components inside the
// parentheses, each "n/d" or a number, as decimals. Empty when the text has no such part. Pure.
std::vector<double> ExifRawNumbers(const std::string& formatted);

// Fills lens, ISO, exposure time, f-number, focal length and GPS position from vips header fields (`get` returns
// the formatted string of a field, or "" when absent). Unknown values stay 0.
template <typename GetField>
void FillCaptureSettings(GetField get, model::ImageInfo& info);

}  // namespace triage::vision

#include "vision/exif_fields_inl.h"
