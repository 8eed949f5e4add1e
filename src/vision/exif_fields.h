// Capture settings from the EXIF block libvips already parsed while reading the header (no second read of the file).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/image.h"

namespace triage::vision {

// The raw components of an EXIF value as libvips gives it, "14/5 (f/2.8, Rational, 1 components, 8 bytes)": the
// words before the parenthesis, each "n/d" or a number, as decimals; or, as libexif formats it ("1/125 sec. (1/125,
// Rational, ...)"), those inside the parentheses. Empty when the text has no such part. Pure.
std::vector<double> ExifRawNumbers(const std::string& formatted);

// EXIF's DateTimeOriginal ("2019:05:01 12:00:00", as libexif formats it, maybe followed by " (...)") and
// SubSecTimeOriginal ("45") as "2019-05-01T12:00:00.45"; "" when the date names no real moment (a camera without a
// clock writes "0000:00:00 00:00:00"; others write blanks, a 30 February or a 25th hour), so that every place
// that reads it — the month folder, the gallery's dates, bursts — sees the same "undated". Pure.
std::string ExifCaptureTime(const std::string& date_time_original, const std::string& sub_sec_time_original);

// The camera's name from the make and model a file states: the model when it starts with the make (most do: "Canon
// EOS R5"), else make and model; either alone when the other is empty. Pure.
std::string CameraName(const std::string& make, const std::string& model);

// Fills lens, ISO, exposure time, f-number, focal length and GPS position from vips header fields (`get` returns
// the formatted string of a field, or "" when absent). Unknown values stay 0.
template <typename GetField>
void FillCaptureSettings(GetField get, model::ImageInfo& info);

// Date taken (ExifCaptureTime), camera (CameraName) and capture settings (FillCaptureSettings)
// from EXIF fields (`get` as for FillCaptureSettings): the one reading of EXIF facts, whoever parsed the block.
template <typename GetField>
void FillExifFacts(GetField get, model::ImageInfo& info);

// The header facts of an image `width` x `height` as stored (before orientation): its orientation when its EXIF states
// one (as libvips takes it, 1..8) and its EXIF facts (FillExifFacts). The one reading of a libvips header and of a
// header read directly.
template <typename GetField>
model::ImageInfo HeaderInfo(const std::string& format, int width, int height, std::optional<int> orientation,
                            GetField get);

}  // namespace triage::vision

#include "vision/exif_fields_inl.h"
