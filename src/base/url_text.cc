#include "base/url_text.h"

namespace triage::base {
namespace {

bool IsSchemeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool EndsAuthority(char c) { return c == '/' || c == '?' || c == '#' || IsSpace(c); }

// "user:pa" (the start of a password that a "/" cut short) rather than "host:8080" or "[fe80::1]".
bool LooksLikeUserAndPassword(std::string_view authority) {
  if (authority.empty() || authority.front() == '[') return false;
  const size_t colon = authority.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view after = authority.substr(colon + 1);
  return after.empty() || after.find_first_not_of("0123456789") != std::string_view::npos;
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
    if (end == std::string_view::npos && LooksLikeUserAndPassword(text.substr(info, stop - info))) {
      // White space ends it once past a "/" or an "@" (a space may be part of the password before either).
      bool past = false;
      for (; stop < text.size() && !(past && IsSpace(text[stop])); ++stop) {
        if (text[stop] == '@') end = stop;
        past = past || text[stop] == '/' || text[stop] == '@';
      }
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

std::string WithoutConnectionSecrets(std::string_view text) {
  const std::string masked = WithoutUrlCredentials(text, Credentials::kMaskPassword);
  static constexpr std::string_view kKey = "password";
  std::string out;
  out.reserve(masked.size());
  size_t i = 0;
  while (i < masked.size()) {
    // "password" as a whole key: at the start, or after "?", "&" or white space, and followed by "=" (libpq allows
    // spaces around it in the key=value form).
    const bool key_start = i == 0 || masked[i - 1] == '?' || masked[i - 1] == '&' || IsSpace(masked[i - 1]);
    if (key_start) {
      // The key as libpq reads it: percent escapes decoded ("pass%77ord" is "password"), any case.
      std::string key;
      size_t eq = i;
      while (eq < masked.size() && masked[eq] != '=' && masked[eq] != '&' && !IsSpace(masked[eq]) &&
             key.size() <= kKey.size()) {
        const int hi = eq + 2 < masked.size() ? HexValue(masked[eq + 1]) : -1;
        const int lo = hi >= 0 ? HexValue(masked[eq + 2]) : -1;
        if (masked[eq] == '%' && lo >= 0) {
          key.push_back(static_cast<char>(hi * 16 + lo));
          eq += 3;
        } else {
          key.push_back(masked[eq++]);
        }
      }
      for (char& c : key) c = static_cast<char>(c | 0x20);
      const bool same = key == kKey;
      while (same && eq < masked.size() && masked[eq] == ' ') ++eq;
      if (same && eq < masked.size() && masked[eq] == '=') {
        size_t value = eq + 1;
        while (value < masked.size() && masked[value] == ' ') ++value;
        out.append(masked, i, value - i);
        size_t end = value;
        if (end < masked.size() && masked[end] == '\'') {  // libpq's quoted value, with \' and \\ inside
          for (++end; end < masked.size() && masked[end] != '\''; ++end) {
            if (masked[end] == '\\') ++end;
          }
          if (end < masked.size()) ++end;
        } else {
          while (end < masked.size() && masked[end] != '&' && masked[end] != '#' && !IsSpace(masked[end])) ++end;
        }
        out.append("***");
        i = end;
        continue;
      }
    }
    out.push_back(masked[i]);
    ++i;
  }
  return out;
}

}  // namespace triage::base
