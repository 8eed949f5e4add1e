// Parsing libexif's formatted field values.
#include "vision/exif_fields.h"

#include <cstdlib>

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

}  // namespace triage::vision
