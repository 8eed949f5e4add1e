// Group kinds and capture-time parsing.
#include "model/groups.h"

#include <cctype>

namespace triage::model {
namespace {

// Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool Digits(const std::string& s, size_t at, size_t n, int64_t& out) {
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

const char* GroupKindName(GroupKind kind) { return kind == GroupKind::kBurst ? "burst" : "duplicate"; }

std::optional<int64_t> CaptureTimeMs(const std::string& t) {
  int64_t y, mo, d, h, mi, s;
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  if (!Digits(t, 0, 4, y) || !Digits(t, 5, 2, mo) || !Digits(t, 8, 2, d) || !Digits(t, 11, 2, h) ||
      !Digits(t, 14, 2, mi) || !Digits(t, 17, 2, s)) {
    return std::nullopt;
  }
  // A day the month does not have (2024-02-30, a camera's or a user's typo) is no time, not the next month's first
  // days.
  constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y == 0 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d < 1 || d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0)) return std::nullopt;
  int64_t ms = 0;
  if (t.size() > 20 && t[19] == '.') {
    int64_t scale = 100;
    for (size_t i = 20; i < t.size() && scale > 0 && std::isdigit(static_cast<unsigned char>(t[i])); ++i) {
      ms += (t[i] - '0') * scale;
      scale /= 10;
    }
  }
  return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60'000 + s * 1000 + ms;
}

bool SameCaptureInstant(int64_t a_ms, int64_t b_ms) {
  auto floor_s = [](int64_t ms) { return ms >= 0 ? ms / 1000 : (ms - 999) / 1000; };
  if (a_ms % 1000 != 0 && b_ms % 1000 != 0) return a_ms == b_ms;
  return floor_s(a_ms) == floor_s(b_ms);
}

bool DifferentShots(const std::optional<int64_t>& a_ms, const std::optional<int64_t>& b_ms) {
  return a_ms && b_ms && !SameCaptureInstant(*a_ms, *b_ms);
}

bool DifferentShots(const std::string& a_taken_at, const std::string& b_taken_at) {
  const std::optional<int64_t> a = CaptureTimeMs(a_taken_at), b = CaptureTimeMs(b_taken_at);
  if (!a || !b) return false;
  // "2024-06-01T10:00:00.25": the sub-seconds follow the seconds' point.
  auto states_sub_seconds = [](const std::string& t) {
    return t.size() > 20 && t[19] == '.' && t[20] >= '0' && t[20] <= '9';
  };
  if (states_sub_seconds(a_taken_at) && states_sub_seconds(b_taken_at)) return *a != *b;
  return DifferentShots(a, b);
}

}  // namespace triage::model
