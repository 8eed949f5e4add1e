// Clock helpers.
#include "base/clock.h"

#include <ctime>

namespace triage::base {

int64_t UnixNow() { return static_cast<int64_t>(std::time(nullptr)); }

static std::string Format(int64_t unix_seconds, const char* pattern) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

std::string IsoTime(int64_t unix_seconds) { return Format(unix_seconds, "%Y-%m-%dT%H:%M:%SZ"); }
std::string IsoDay(int64_t unix_seconds) { return Format(unix_seconds, "%Y-%m-%d"); }

}  // namespace triage::base
