// The proposal workflows on a timer: `triage serve` runs them every proposals.schedule_minutes (what `triage propose`
// does) and the sweep of stale proposals at start and then daily (what `triage proposals sweep` does).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "catalog/catalog.h"
#include "config/config_store.h"
#include "review/proposal_service.h"

namespace triage::review {

// The names the scheduled passes act and are audited as.
inline constexpr const char* kScheduledWorkflows = "workflow:schedule";
inline constexpr const char* kDailySweep = "workflow:stale_sweep";

// What the scheduler has done since Start().
struct SchedulerCounts {
  int64_t workflow_passes = 0;  // passes of the workflows that finished (successfully or not)
  int64_t sweeps = 0;           // stale sweeps that finished
  int64_t failures = 0;         // of either, ended with an error (audited with its message)
};

// Thread-safe. One thread runs the passes one after another, so two of its passes never overlap (and
// ProposalService serialises its workflow passes against `triage propose` calls through the API as well). The
// interval is read from the live config before each wait, so a changed schedule applies within a minute.
class ProposalScheduler {
 public:
  using Clock = std::function<int64_t()>;  // unix seconds, stamped on what a pass does
  static constexpr std::chrono::hours kSweepInterval{24};

  // REQUIRES: each reference outlives this.
  ProposalScheduler(config::ConfigStore& config, catalog::Catalog& catalog, ProposalService& proposals,
                    Clock now = base::UnixNow)
      : config_(config), catalog_(catalog), proposals_(proposals), now_(std::move(now)) {}
  ~ProposalScheduler() { Stop(); }
  ProposalScheduler(const ProposalScheduler&) = delete;
  ProposalScheduler& operator=(const ProposalScheduler&) = delete;

  // Starts the thread: the sweep runs at once, the first workflow pass one interval later. Idempotent.
  void Start();
  // Wakes the thread and joins it; a pass under way finishes first (no new one starts). Idempotent.
  void Stop();
  bool running() const;
  SchedulerCounts counts() const;

 private:
  void Loop();
  void RunWorkflowPass();
  void RunSweep();
  // The next workflow pass after `last` (time_point::max() when the schedule is off).
  std::chrono::steady_clock::time_point NextPass(std::chrono::steady_clock::time_point last);

  config::ConfigStore& config_;
  catalog::Catalog& catalog_;
  ProposalService& proposals_;
  Clock now_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
  SchedulerCounts counts_;
};

}  // namespace triage::review
