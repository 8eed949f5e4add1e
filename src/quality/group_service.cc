// Incremental regrouping: bursts within the capture-time spans around changed photos, duplicate groups within the
// components that contain them.
#include "quality/group_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "quality/groups.h"

namespace triage::quality {
namespace {

// Members of `groups` added to `ids`.
std::set<int64_t> WithMembers(const std::vector<int64_t>& ids, const std::vector<model::ItemGroup>& groups) {
  std::set<int64_t> out(ids.begin(), ids.end());
  for (const auto& g : groups) {
    for (const auto& m : g.members) out.insert(m.item_id);
  }
  return out;
}

struct Span {
  int64_t lo, hi;
};

// The spans of capture time whose bursts may have changed: each changed photo's time +- the window, merged.
std::vector<Span> SpansAround(const std::vector<model::GroupCandidate>& changed, int64_t window_ms) {
  std::vector<int64_t> times;
  for (const auto& c : changed) {
    if (c.taken_at_ms) times.push_back(*c.taken_at_ms);
  }
  std::sort(times.begin(), times.end());
  std::vector<Span> spans;
  for (int64_t t : times) {
    if (!spans.empty() && t - window_ms <= spans.back().hi)
      spans.back().hi = t + window_ms;
    else
      spans.push_back({t - window_ms, t + window_ms});
  }
  return spans;
}

}  // namespace

std::string GroupingRulesKey(const model::GroupingRules& r) {
  // "v2": duplicate groups follow the near-duplicate check's verdicts; groups stored by the pHash alone are rebuilt.
  // "v3": a frame much softer than the sharpest of its burst no longer leads it; bursts stored before are found again.
  return fmt::format("v3/{}/{}/{}/{}/{}/{}/{}/{}", r.burst_similarity_percent, r.burst_window_minutes,
                     r.rapid_burst_seconds, r.weight_aggregate, r.weight_aesthetic, r.weight_sharpness, r.weight_blink,
                     r.duplicate_similarity_percent);
}

base::Result<GroupRefresh> GroupService::Rebuild(const model::GroupingRules& rules) {
  // The change-log position first: whatever changes while we read is caught up with by the next refresh.
  auto snapshot = catalog_.PerceptualHashSnapshot();
  if (!snapshot.ok()) return snapshot.status();
  auto all = store_.AllGroupCandidates();
  if (!all.ok()) return all.status();
  GroupRefresh report;
  report.rebuilt = true;
  std::vector<model::ItemGroup> bursts = FindBursts(*all, rules);
  TRIAGE_RETURN_IF_ERROR(store_.ReplaceGroups(model::GroupKind::kBurst, {}, true, bursts));
  std::vector<model::ItemGroup> duplicates = FindDuplicateGroups(*all, rules);
  TRIAGE_RETURN_IF_ERROR(store_.ReplaceGroups(model::GroupKind::kDuplicate, {}, true, duplicates));
  report.bursts = static_cast<int64_t>(bursts.size());
  report.duplicate_groups = static_cast<int64_t>(duplicates.size());
  TRIAGE_RETURN_IF_ERROR(store_.SetGroupState({std::max<int64_t>(snapshot->cursor, 1), GroupingRulesKey(rules)}));
  return report;
}

base::Result<GroupRefresh> GroupService::Refresh(const model::GroupingRules& rules) {
  auto state = store_.GetGroupState();
  if (!state.ok()) return state.status();
  if (state->cursor == 0 || state->rules != GroupingRulesKey(rules)) return Rebuild(rules);
  auto changes = catalog_.PerceptualHashChangesSince(state->cursor);
  if (!changes.ok()) return changes.status();
  GroupRefresh report;
  if (changes->changes.empty()) return report;
  std::set<int64_t> unique;
  for (const auto& c : changes->changes) unique.insert(c.id);
  if (static_cast<int64_t>(unique.size()) > kMaxIncrementalItems) return Rebuild(rules);
  std::vector<int64_t> touched(unique.begin(), unique.end());
  auto bursts = UpdateBursts(touched, rules);
  if (!bursts.ok()) return bursts.status();
  auto duplicates = UpdateDuplicates(touched, rules);
  if (!duplicates.ok()) return duplicates.status();
  report.changed_items = static_cast<int64_t>(touched.size());
  report.bursts = *bursts;
  report.duplicate_groups = *duplicates;
  TRIAGE_RETURN_IF_ERROR(store_.SetGroupState({changes->cursor, GroupingRulesKey(rules)}));
  return report;
}

base::Result<int64_t> GroupService::UpdateBursts(const std::vector<int64_t>& touched,
                                                 const model::GroupingRules& rules) {
  auto old = store_.GroupsContaining(model::GroupKind::kBurst, touched);
  if (!old.ok()) return old.status();
  std::set<int64_t> scope = WithMembers(touched, *old);
  auto changed = store_.GroupCandidatesByIds(std::vector<int64_t>(scope.begin(), scope.end()));
  if (!changed.ok()) return changed.status();
  const int64_t window = rules.BurstWindowMs();
  // Every photo of the widened spans, once: widened spans may overlap, and bursts never cross a span's edge.
  std::map<int64_t, model::GroupCandidate> inside;
  for (Span span : SpansAround(*changed, window)) {
    // Widen the span until no photo lies within the window of either edge: then no burst crosses it.
    for (;;) {
      auto read = store_.GroupCandidatesTakenBetween(span.lo, span.hi);
      if (!read.ok()) return read.status();
      bool open_left = false, open_right = false;
      for (const auto& c : *read) {
        open_left = open_left || *c.taken_at_ms < span.lo + window;
        open_right = open_right || *c.taken_at_ms > span.hi - window;
      }
      if (!open_left && !open_right) {
        for (auto& c : *read) inside.emplace(c.id, std::move(c));
        break;
      }
      if (open_left) span.lo -= 4 * window + 1;
      if (open_right) span.hi += 4 * window + 1;
    }
  }
  std::vector<model::GroupCandidate> photos;
  for (auto& [id, c] : inside) {
    scope.insert(id);
    photos.push_back(std::move(c));
  }
  std::vector<model::ItemGroup> found = FindBursts(std::move(photos), rules);
  TRIAGE_RETURN_IF_ERROR(
      store_.ReplaceGroups(model::GroupKind::kBurst, std::vector<int64_t>(scope.begin(), scope.end()), false, found));
  return static_cast<int64_t>(found.size());
}

base::Result<int64_t> GroupService::UpdateDuplicates(const std::vector<int64_t>& touched,
                                                     const model::GroupingRules& rules) {
  auto old = store_.GroupsContaining(model::GroupKind::kDuplicate, touched);
  if (!old.ok()) return old.status();
  std::set<int64_t> scope = WithMembers(touched, *old);
  std::vector<int64_t> seeds(scope.begin(), scope.end());
  auto all = store_.AllGroupCandidates();
  if (!all.ok()) return all.status();
  std::vector<model::ItemGroup> found = FindDuplicateGroups(*all, rules, &seeds);
  for (const auto& g : found) {
    for (const auto& m : g.members) scope.insert(m.item_id);
  }
  TRIAGE_RETURN_IF_ERROR(store_.ReplaceGroups(model::GroupKind::kDuplicate,
                                              std::vector<int64_t>(scope.begin(), scope.end()), false, found));
  return static_cast<int64_t>(found.size());
}

}  // namespace triage::quality
