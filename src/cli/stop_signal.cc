// Self-pipe signal handling.
#include "cli/stop_signal.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace triage::cli {
namespace {

int g_pipe[2] = {-1, -1};  // the handler's only way out; set while a StopOnSignal lives
struct sigaction g_old_int {};
struct sigaction g_old_term {};

extern "C" void WriteStopByte(int) {
  const char stop = 's';
  ssize_t ignored = ::write(g_pipe[1], &stop, 1);  // async-signal-safe
  (void)ignored;
}

}  // namespace

StopOnSignal::StopOnSignal() {
  if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;  // without a pipe the default actions stay
  struct sigaction sa {};
  sa.sa_handler = WriteStopByte;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
  thread_ = std::thread([this] { Wait(); });
}

StopOnSignal::~StopOnSignal() {
  if (g_pipe[1] < 0) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  const char quit = 'q';
  ssize_t ignored = ::write(g_pipe[1], &quit, 1);
  (void)ignored;
  thread_.join();
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

void StopOnSignal::OnStop(std::function<void()> action) {
  std::lock_guard lock(mu_);
  action_ = std::move(action);
  if (requested_.load() && action_) action_();
}

void StopOnSignal::Wait() {
  for (;;) {
    char byte = 0;
    ssize_t n = ::read(g_pipe[0], &byte, 1);
    if (n < 0) continue;  // EINTR
    if (n == 0 || byte == 'q') return;
    requested_.store(true);
    std::lock_guard lock(mu_);
    if (action_) action_();
  }
}

}  // namespace triage::cli
