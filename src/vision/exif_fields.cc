// Parsing libexif's formatted field values.
#include "vision/exif_fields.h"

#include <cstdlib>
#include <cstring>

#include "model/groups.h"

namespace triage::vision {

namespace {

// strtod at `p`, taking decimal digits only (strtod also reads "inf", "nan" and hex): the end, or `p` for none.
double Decimal(const char* p, char** end) {
  const char* q = p;
  if (*q == '+' || *q == '-') ++q;
  if ((*q < '0' || *q > '9') && *q != '.') {
    *end = const_cast<char*>(p);
    return 0;
  }
  const double n = std::strtod(p, end);
  for (const char* c = p; c < *end; ++c) {
    if (std::strchr("0123456789+-.eE", *c) == nullptr) *end = const_cast<char*>(p);
  }
  return n;
}

// The "n/d" or plain numbers at the start of `raw`, separated by spaces, as decimals. With `every_word`, empty unless
// every word of `raw` is one; else the numbers before the first word that is none ("1/125 sec." gives 0.008).
std::vector<double> Numbers(const std::string& raw, bool every_word) {
  std::vector<double> out;
  const char* p = raw.c_str();
  while (*p == ' ') ++p;
  while (*p != '\0') {
    char* end = nullptr;
    double n = Decimal(p, &end);
    if (end == p) break;
    p = end;
    if (*p == '/') {
      double d = Decimal(p + 1, &end);
      if (end == p + 1) break;
      p = end;
      n = d != 0 ? n / d : 0;
    }
    if (every_word && *p != ' ' && *p != '\0') break;
    out.push_back(n);
    while (*p == ' ') ++p;
  }
  if (every_word && *p != '\0') return {};
  return out;
}

}  // namespace

std::vector<double> ExifRawNumbers(const std::string& formatted) {
  const auto open = formatted.find(" (");
  if (open == std::string::npos) return {};
  // libvips writes the raw components first ("14/5 (f/2.8, Rational, ...)"; "33/1 52/1 3/25 (33, 52, 0.12, ...)");
  // libexif's own text puts them inside the parentheses ("f/2.8 (28/10, Rational, ...)"). The words before the
  // parenthesis are taken when each is a number, else the first part within it.
  if (std::vector<double> before = Numbers(formatted.substr(0, open), true); !before.empty()) return before;
  return Numbers(formatted.substr(open + 2, formatted.find(',', open) - open - 2), false);
}

std::string CameraName(const std::string& make, const std::string& model) {
  if (make.empty() || model.rfind(make, 0) == 0) return model;
  return model.empty() ? make : make + " " + model;
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
