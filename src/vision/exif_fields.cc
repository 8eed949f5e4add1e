// Parsing libexif's formatted field values.
#include "vision/exif_fields.h"

#include <cstdlib>

#include "model/groups.h"

namespace triage::vision {

std::vector<double> ExifRawNumbers(const std::string& formatted) {
  std::vector<double> out;
  auto open = formatted.find(" (");
  if (open == std::string::npos) return out;
  std::string raw = formatted.substr(open + 2, formatted.find(',', open) - open - 2);
  const char* p = raw.c_str();
  while (*p != '\0') {
    char* end = nullptr;
    double n = std::strtod(p, &end);
    if (end == p) break;
    p = end;
    if (*p == '/') {
      double d = std::strtod(p + 1, &end);
      if (end == p + 1) break;
      p = end;
      n = d != 0 ? n / d : 0;
    }
    out.push_back(n);
    while (*p == ' ') ++p;
  }
  return out;
}

std::string ExifCaptureTime(const std::string& date, const std::string& sub_sec) {
  if (date.size() < 19 || date[4] != ':' || date[7] != ':') return "";
  std::string out = date.substr(0, 19);
  out[4] = '-';
  out[7] = '-';
  out[10] = 'T';
  if (!model::CaptureTimeMs(out)) return "";
  // Frames of a burst share their second: SubSecTimeOriginal ("45" = .45 s) tells them apart.
  std::string fraction;
  for (char ch : sub_sec) {
    if (ch < '0' || ch > '9') break;
    fraction.push_back(ch);
  }
  return fraction.empty() ? out : out + "." + fraction;
}

}  // namespace triage::vision
