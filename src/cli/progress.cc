// Progress bar and log lines.
#include "cli/progress.h"

#include <fmt/format.h>

#include "base/utf8.h"

namespace triage::cli {

Progress::Progress(bool enabled, bool is_tty, std::FILE* out)
    : enabled_(enabled), tty_(is_tty), out_(out), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void Progress::Update(int done, int total, const std::string& latest) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double rate = elapsed > 0 ? done / elapsed : 0;
  if (!tty_) {
    fmt::print(out_, "[{}/{}] {}\n", done, total, base::ForTerminal(latest));  // names from outside
    return;
  }
  // Redraw at most 10 times a second, and always for the last item.
  if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  int filled = total > 0 ? done * kWidth / total : kWidth;
  double eta = rate > 0 ? (total - done) / rate : 0;
  fmt::print(out_, "\r[{:=<{}}{: <{}}] {}/{} {:.1f} img/s ETA {:.0f}s ", "", filled, "", kWidth - filled, done, total,
             rate, eta);
  std::fflush(out_);
  drawn_ = true;
}

void Progress::Finish() {
  if (enabled_ && tty_ && drawn_) fmt::print(out_, "\n");
}

}  // namespace triage::cli
