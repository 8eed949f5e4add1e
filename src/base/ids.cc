// Random identifiers.
#include "base/ids.h"

#include <sys/random.h>

#include <cstdint>
#include <cstdio>

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

}  // namespace triage::base
