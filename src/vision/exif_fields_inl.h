// Template part of exif_fields.h.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace triage::vision {

namespace exif_detail {
inline double First(const std::vector<double>& v) { return v.empty() ? 0 : v[0]; }
inline double Degrees(const std::vector<double>& v) { return v.size() == 3 ? v[0] + v[1] / 60 + v[2] / 3600 : 0; }
inline std::string Text(const std::string& formatted) {
  std::string v = formatted.substr(0, formatted.find(" ("));
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}
}  // namespace exif_detail

template <typename GetField>
void FillCaptureSettings(GetField get, model::ImageInfo& info) {
  using namespace exif_detail;
  info.lens = Text(get("exif-ifd2-LensModel"));
  info.iso = First(ExifRawNumbers(get("exif-ifd2-ISOSpeedRatings")));
  info.exposure_s = First(ExifRawNumbers(get("exif-ifd2-ExposureTime")));
  info.f_number = First(ExifRawNumbers(get("exif-ifd2-FNumber")));
  info.focal_length_mm = First(ExifRawNumbers(get("exif-ifd2-FocalLength")));
  double lat = Degrees(ExifRawNumbers(get("exif-ifd3-GPSLatitude")));
  double lon = Degrees(ExifRawNumbers(get("exif-ifd3-GPSLongitude")));
  if (lat != 0 || lon != 0) {
    info.has_gps = true;
    info.latitude = Text(get("exif-ifd3-GPSLatitudeRef")).rfind("S", 0) == 0 ? -lat : lat;
    info.longitude = Text(get("exif-ifd3-GPSLongitudeRef")).rfind("W", 0) == 0 ? -lon : lon;
  }
}

template <typename GetField>
void FillExifFacts(GetField get, model::ImageInfo& info) {
  using namespace exif_detail;
  info.taken_at = ExifCaptureTime(get("exif-ifd2-DateTimeOriginal"), get("exif-ifd2-SubSecTimeOriginal"));
  const std::string make = Text(get("exif-ifd0-Make")), model = Text(get("exif-ifd0-Model"));
  info.camera = CameraName(make, model);
  FillCaptureSettings(get, info);
}

template <typename GetField>
model::ImageInfo HeaderInfo(const std::string& format, int width, int height, std::optional<int> orientation,
                            GetField get) {
  model::ImageInfo info;
  info.format = format;
  info.width = width;
  info.height = height;
  if (orientation) info.orientation = *orientation;
  if (info.orientation >= 5 && info.orientation <= 8) std::swap(info.width, info.height);
  FillExifFacts(get, info);
  return info;
}

}  // namespace triage::vision
