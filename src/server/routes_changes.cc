// GET /api/changes: the catalog's change version and the review counts, answered when the version has moved past the
// client's (a long poll, bounded in time and in how many wait at once).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>

#include "server/server_state.h"

namespace triage::server {
namespace {

using nlohmann::json;

// How long a client whose request could not wait should pause before asking again.
constexpr int kPollAfterBusyS = 2;

// Takes one of the waiting places, or none when all are taken (released on destruction).
class WaitingPlace {
 public:
  WaitingPlace(std::atomic<int>& waiters, int max) : waiters_(waiters) {
    taken_ = waiters_.fetch_add(1) < max;
    if (!taken_) waiters_.fetch_sub(1);
  }
  ~WaitingPlace() {
    if (taken_) waiters_.fetch_sub(1);
  }
  WaitingPlace(const WaitingPlace&) = delete;
  WaitingPlace& operator=(const WaitingPlace&) = delete;
  bool taken() const { return taken_; }

 private:
  std::atomic<int>& waiters_;
  bool taken_ = false;
};

base::Status Changes(ServerState& state, Call& call) {
  catalog::ChangeFeed* feed = state.ctx.changes;
  if (feed == nullptr) return base::Status::Unavailable("live updates are off on this server");
  auto since = call.IntQuery("since", -1, 0, std::numeric_limits<int64_t>::max());
  if (!since.ok()) return since.status();
  auto wait_s = call.IntQuery("wait", 0, 0, 3600);
  if (!wait_s.ok()) return wait_s.status();
  const int64_t capped_s = std::min<int64_t>(*wait_s, state.options.changes_max_wait_s);
  int64_t version = feed->Version();
  int poll_after_s = 0;
  if (*since >= 0 && version == *since && capped_s > 0) {
    WaitingPlace place(state.change_waiters, state.options.changes_max_waiting);
    if (place.taken()) {
      version = feed->WaitForChange(*since, std::chrono::seconds(capped_s), state.stopping.get_token());
    } else {
      poll_after_s = kPollAfterBusyS;
    }
  }
  auto counts = state.review_counts.Get(state.ctx.catalog, version);
  if (!counts.ok()) return counts.status();
  call.Reply({{"version", version},
              {"changed", *since >= 0 && version != *since},
              {"counts", counts->by_category},
              {"total_pending", counts->total},
              {"poll_after_s", poll_after_s}});
  return base::Status::Ok();
}

}  // namespace

void AddChangeRoutes(ApiRouter& router, ServerState& state) {
  router.Add(Method::kGet, "/api/changes", Permission::kView, [&state](Call& c) { return Changes(state, c); });
}

}  // namespace triage::server
