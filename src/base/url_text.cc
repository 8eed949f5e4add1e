#include "base/url_text.h"

namespace triage::base {
namespace {

bool IsSchemeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool EndsAuthority(char c) {
  return c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Whether a scheme ("http", "postgresql") ends just before `at`: scheme characters led by a letter.
bool SchemeEndsAt(std::string_view text, size_t at) {
  size_t start = at;
  while (start > 0 && IsSchemeChar(text[start - 1])) --start;
  while (start < at && !IsLetter(text[start])) ++start;  // "1http" reads as the scheme "http"
  return start < at;
}

}  // namespace

std::string WithoutUrlCredentials(std::string_view text, Credentials how) {
  static constexpr std::string_view kSeparator = "://";
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text[0, copied) is in `out`
  size_t from = 0;
  for (;;) {
    const size_t sep = text.find(kSeparator, from);
    if (sep == std::string_view::npos) break;
    const size_t info = sep + kSeparator.size();
    // The host part cannot hold a "/", so the next separator lies at or after where this scan stops: every character
    // is looked at a bounded number of times. The user information ends at the host part's last "@".
    size_t stop = info;
    size_t end = std::string_view::npos;
    for (; stop < text.size() && !EndsAuthority(text[stop]); ++stop) {
      if (text[stop] == '@') end = stop;
    }
    from = stop;
    if (end == std::string_view::npos || !SchemeEndsAt(text, sep)) continue;
    out.append(text.substr(copied, info - copied));
    if (how == Credentials::kMaskPassword) {
      const std::string_view userinfo = text.substr(info, end - info);
      const size_t colon = userinfo.find(':');
      out.append(colon == std::string_view::npos ? userinfo : userinfo.substr(0, colon));
      if (colon != std::string_view::npos) out.append(":***");
      out.push_back('@');
    }
    copied = end + 1;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace triage::base
