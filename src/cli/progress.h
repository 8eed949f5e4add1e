// Progress display for long runs: a bar with images/s and ETA on a terminal, plain log lines otherwise.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace triage::cli {

// Not thread-safe; call from one thread.
class Progress {
 public:
  // `enabled` false: prints nothing (e.g. --json). `is_tty` picks the bar or log lines.
  Progress(bool enabled, bool is_tty, std::FILE* out = stderr);
  // Reports `done` of `total`, with a line describing the latest item.
  void Update(int done, int total, const std::string& latest);
  // Ends the bar's line.
  void Finish();

 private:
  bool enabled_;
  bool tty_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace triage::cli
