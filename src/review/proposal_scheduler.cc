// The scheduler's thread: waits for the earlier of the next workflow pass and the next sweep, runs it, audits it.
#include "review/proposal_scheduler.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.h"

namespace triage::review {
namespace {

using SteadyClock = std::chrono::steady_clock;
// How long the thread waits at most before reading the schedule again.
constexpr std::chrono::minutes kRecheck{1};

}  // namespace

void ProposalScheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  counts_ = {};
  thread_ = std::thread([this] { Loop(); });
}

void ProposalScheduler::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    thread = std::move(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
}

bool ProposalScheduler::running() const {
  std::lock_guard lock(mu_);
  return thread_.joinable();
}

SchedulerCounts ProposalScheduler::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

SteadyClock::time_point ProposalScheduler::NextPass(SteadyClock::time_point last) {
  const double minutes = config_.Current()->proposals.schedule_minutes;
  if (minutes <= 0) return SteadyClock::time_point::max();
  return last +
         std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double, std::ratio<60>>(minutes));
}

void ProposalScheduler::Loop() {
  SteadyClock::time_point next_sweep = SteadyClock::now();
  SteadyClock::time_point last_pass = next_sweep;
  std::unique_lock lock(mu_);
  while (!stop_) {
    const SteadyClock::time_point now = SteadyClock::now();
    const SteadyClock::time_point next_pass = NextPass(last_pass);
    if (now >= next_sweep || now >= next_pass) {
      const bool sweep = now >= next_sweep;
      lock.unlock();
      if (sweep)
        RunSweep();
      else
        RunWorkflowPass();
      lock.lock();
      if (sweep)
        next_sweep = SteadyClock::now() + kSweepInterval;
      else
        last_pass = SteadyClock::now();
      continue;
    }
    wake_.wait_until(lock, std::min({next_sweep, next_pass, now + kRecheck}), [this] { return stop_; });
  }
}

void ProposalScheduler::RunWorkflowPass() {
  const int64_t now = now_();
  auto report = proposals_.RunWorkflows(now, kScheduledWorkflows);
  if (report.ok() && !report->changed()) {
    std::lock_guard lock(mu_);
    ++counts_.workflow_passes;  // a pass that changed nothing leaves no audit line
    return;
  }
  model::AuditEntry audit;
  audit.at = now;
  audit.actor = kScheduledWorkflows;
  audit.action = "proposal_workflows";
  audit.reason =
      report.ok() ? "scheduled pass: " + report->Sentence() : "scheduled pass failed: " + report.status().message();
  // Best effort: a pass whose audit line cannot be written has still done (and audited) each of its changes.
  static_cast<void>(catalog_.AddAudit(audit));
  std::lock_guard lock(mu_);
  ++counts_.workflow_passes;
  if (!report.ok()) ++counts_.failures;
}

void ProposalScheduler::RunSweep() {
  const int64_t now = now_();
  auto archived = proposals_.Sweep(kDailySweep, now);
  if (archived.ok() && *archived == 0) {
    std::lock_guard lock(mu_);
    ++counts_.sweeps;  // each archived proposal is audited on its own; a sweep that found none leaves no line
    return;
  }
  model::AuditEntry audit;
  audit.at = now;
  audit.actor = kDailySweep;
  audit.action = "proposal_sweep";
  audit.reason = archived.ok() ? fmt::format("daily sweep: {} archived", base::Counted(*archived, "stale proposal"))
                               : "daily sweep failed: " + archived.status().message();
  static_cast<void>(catalog_.AddAudit(audit));
  std::lock_guard lock(mu_);
  ++counts_.sweeps;
  if (!archived.ok()) ++counts_.failures;
}

}  // namespace triage::review
