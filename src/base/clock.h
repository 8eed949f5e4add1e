// Wall-clock time as values: callers pass times into pure code instead of reading a clock there.
#pragma once

#include <cstdint>
#include <string>

namespace triage::base {

// Seconds since the Unix epoch, now.
int64_t UnixNow();

// "2026-11-21T19:25:03Z" for a Unix time.
std::string IsoTime(int64_t unix_seconds);

// "2026-11-21" (UTC) for a Unix time.
std::string IsoDay(int64_t unix_seconds);

}  // namespace triage::base
