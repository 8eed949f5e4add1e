// Random identifiers.
#include "base/ids.h"

#include <sys/random.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace triage::base {

std::string RandomId() {
  uint8_t bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string out(32, '0');
  static const char* kHex = "0123456789abcdef";
  for (size_t i = 0; i < sizeof bytes; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

std::string SafeHostName(const std::string& name) {
  std::string out = name.substr(0, 128);
  for (char& c : out) {
    const bool plain =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!plain) c = '_';
  }
  if (out.empty()) return "unknown";
  if (out.front() == '.') out.front() = '_';
  return out;
}

std::string HostName() {
  if (const char* env = std::getenv("TRIAGE_HOST"); env != nullptr && *env != '\0') return SafeHostName(env);
  char name[256] = {};
  return SafeHostName(::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string());
}

}  // namespace triage::base
