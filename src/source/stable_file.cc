// Stability test for input files: a quiet period on size + mtime, plus the read-lease check for open writers.
#include "source/stable_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace triage::source {
namespace {

using Steady = std::chrono::steady_clock;

int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

base::Result<base::FileStamp> WaitUntilStable(const std::filesystem::path& path, const SettleOptions& options) {
  const auto settle = std::chrono::milliseconds(std::max(0, options.settle_ms));
  const auto start = Steady::now();
  const auto deadline = start + std::chrono::milliseconds(std::max(0, options.max_wait_ms));
  auto stamp = base::StampOf(path);
  if (!stamp.ok()) return stamp.status();
  base::FileStamp seen = *stamp;
  auto unchanged_since = start;
  for (;;) {
    // The mtime shows quiet time before we looked; our own observation covers a file system clock that is off.
    const auto age = std::chrono::nanoseconds(WallNowNs() - seen.mtime_ns);
    const bool quiet = Steady::now() - unchanged_since >= settle || age >= settle;
    base::Status writer = quiet ? base::CheckNoWriter(path) : base::Status::Ok();
    if (quiet && writer.ok()) return seen;
    if (Steady::now() >= deadline) {
      return base::Status::Unavailable(fmt::format("{} is still being written{}; left for the next run", path.string(),
                                                   writer.ok() ? "" : " (a process holds it open for writing)"));
    }
    auto pause = quiet ? std::chrono::milliseconds(50)
                       : std::chrono::ceil<std::chrono::milliseconds>(settle - (Steady::now() - unchanged_since));
    pause = std::clamp(pause, std::chrono::milliseconds(10),
                       std::max(std::chrono::ceil<std::chrono::milliseconds>(deadline - Steady::now()),
                                std::chrono::milliseconds(10)));
    std::this_thread::sleep_for(pause);
    stamp = base::StampOf(path);
    if (!stamp.ok()) return stamp.status();
    if (!(*stamp == seen)) {
      seen = *stamp;
      unchanged_since = Steady::now();
    }
  }
}

}  // namespace triage::source
