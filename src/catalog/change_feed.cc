// The version counter every change feed shares.
#include "catalog/change_feed.h"

namespace triage::catalog {

ChangeVersion::ChangeVersion()
    : version_(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count()) {}

int64_t ChangeVersion::Get() const {
  std::lock_guard lock(mu_);
  return version_;
}

void ChangeVersion::Bump() {
  {
    std::lock_guard lock(mu_);
    ++version_;
  }
  changed_.notify_all();
}

int64_t ChangeVersion::WaitForChange(int64_t since, std::chrono::milliseconds timeout, std::stop_token stop) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, stop, timeout, [&] { return closed_ || version_ != since; });
  return version_;
}

void ChangeVersion::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

}  // namespace triage::catalog
