// Graceful stop on SIGINT/SIGTERM for long-running commands (watch, serve).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace triage::cli {

// While alive, SIGINT and SIGTERM — delivered to whichever thread, since library threads (BLAS, vips) exist
// before any signal mask could be set — no longer end the process: they call the current stop action on a
// helper thread (a self-pipe carries them out of the handler). One instance at a time.
class StopOnSignal {
 public:
  StopOnSignal();
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  // Sets what a signal does; if one arrived already, does it at once. Thread-safe.
  void OnStop(std::function<void()> action);
  // Whether a signal arrived.
  bool requested() const { return requested_.load(); }

 private:
  void Wait();
  std::atomic<bool> requested_{false};
  std::mutex mu_;
  std::function<void()> action_;
  std::thread thread_;
};

}  // namespace triage::cli
