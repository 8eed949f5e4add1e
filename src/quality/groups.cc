// Bursts (a walk in capture order) and duplicate groups (union-find over the pHash index's neighbours).
#include "quality/groups.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "fingerprint/near_duplicate_index.h"

namespace triage::quality {
namespace {

int Distance(const model::GroupCandidate& a, const model::GroupCandidate& b) {
  return std::popcount(a.phash ^ b.phash);
}

bool WithinBurstWindow(const model::GroupCandidate& a, const model::GroupCandidate& b,
                       const model::GroupingRules& rules) {
  return a.taken_at_ms && b.taken_at_ms && std::llabs(*a.taken_at_ms - *b.taken_at_ms) <= rules.BurstWindowMs();
}

// Orders members lead first (those `may_lead` first, then by `rank`, ties by id) and fills in lead, rank and distance.
template <typename Rank, typename MayLead>
model::ItemGroup MakeGroup(model::GroupKind kind, std::vector<const model::GroupCandidate*> members, Rank rank,
                           MayLead may_lead) {
  std::sort(members.begin(), members.end(), [&](const auto* a, const auto* b) {
    const bool la = may_lead(*a), lb = may_lead(*b);
    if (la != lb) return la;
    double ra = rank(*a), rb = rank(*b);
    return ra != rb ? ra > rb : a->id < b->id;
  });
  model::ItemGroup g;
  g.kind = kind;
  g.id = (*std::min_element(members.begin(), members.end(), [](auto* a, auto* b) { return a->id < b->id; }))->id;
  const model::GroupCandidate& lead = *members.front();
  for (const auto* m : members) {
    model::GroupMember gm{m->id, m == &lead, std::max(0.0, rank(*m)), "", Distance(*m, lead)};
    if (m == &lead)
      gm.relation = "lead";
    else if (kind == model::GroupKind::kBurst)
      gm.relation = "burst_frame";
    else
      gm.relation = m->sha256 == lead.sha256 ? "exact_copy" : "near_duplicate";
    g.members.push_back(std::move(gm));
  }
  return g;
}

// A frame this much softer than the sharpest of its burst (sharpness score, 0-10) never leads it, whatever its burst
// score: frames of one burst show one scene, so composition and the aggregate's other parts differ between them by
// chance (a blurred frame measured a composition of 10.0 against 4.3 for the sharp one, 12 px apart, and led), while
// a frame that is visibly soft is the one a photographer discards first.
constexpr double kSofterThanTheSharpest = 2.0;

std::string BurstWhy(const model::ItemGroup& g, const model::GroupCandidate& lead) {
  const double best = g.members[0].rank_score;
  // The next best: the highest of the others that does not score above the lead (those that do are much softer).
  const model::GroupMember* next = nullptr;
  for (size_t i = 1; i < g.members.size(); ++i) {
    const model::GroupMember& m = g.members[i];
    if (m.rank_score <= best && (next == nullptr || m.rank_score > next->rank_score)) next = &m;
  }
  // Two burst scores that read alike to one decimal (8.318 and 8.300) are given to two, so that the lead is seen to
  // lead.
  const bool alike = next && fmt::format("{:.1f}", best) == fmt::format("{:.1f}", next->rank_score);
  const int digits = alike ? 2 : 1;
  std::string why = fmt::format(
      "best of {} frames: burst score {:.{}f} (aggregate {:.1f}, composition {:.1f}, "
      "sharpness {:.1f}, eyes {})",
      g.members.size(), best, digits, lead.aggregate, lead.composition, lead.sharpness,
      lead.eyes_closed ? "closed" : "open");
  if (next) why += fmt::format("; next best #{} scores {:.{}f}", next->item_id, next->rank_score, digits);
  for (const model::GroupMember& m : g.members) {
    if (m.rank_score > best) {
      why += fmt::format("; #{} scores {:.{}f} but is more than {:.0f} points softer than the sharpest frame",
                         m.item_id, m.rank_score, digits, kSofterThanTheSharpest);
    }
  }
  return why;
}

std::string DuplicateWhy(const model::ItemGroup& g, const model::GroupCandidate& lead) {
  const model::GroupMember& next = g.members[1];
  if (!lead.scored) return fmt::format("oldest of {} photos (none is scored)", g.members.size());
  if (next.rank_score == g.members[0].rank_score) {
    return fmt::format("oldest of {} photos scoring {:.1f} alike", g.members.size(), lead.aggregate);
  }
  return fmt::format("highest aggregate of {} photos: {:.1f}, against {:.1f} for #{}", g.members.size(), lead.aggregate,
                     next.rank_score, next.item_id);
}

// Union-find over candidate indices.
struct DisjointSets {
  std::vector<size_t> parent;
  explicit DisjointSets(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), size_t{0}); }
  size_t Find(size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void Join(size_t a, size_t b) { parent[Find(a)] = Find(b); }
};

}  // namespace

double BurstScore(const model::GroupCandidate& c, const model::GroupingRules& r) {
  if (!c.scored) return 0;
  return r.weight_aggregate * c.aggregate + r.weight_aesthetic * c.composition + r.weight_sharpness * c.sharpness +
         r.weight_blink * (c.eyes_closed ? 0.0 : 10.0);
}

std::vector<model::ItemGroup> FindBursts(std::vector<model::GroupCandidate> candidates,
                                         const model::GroupingRules& rules) {
  // Exact copies are duplicates, not frames: keep the oldest of each content. So are the copies ingest found to
  // duplicate a picture taken at the same instant (a smaller or re-encoded copy keeps its original's capture time).
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::unordered_map<int64_t, const model::GroupCandidate*> by_id;
  for (const auto& c : candidates) by_id[c.id] = &c;
  std::unordered_set<std::string> seen;
  std::vector<const model::GroupCandidate*> timed;
  for (const auto& c : candidates) {
    if (!c.taken_at_ms || (!c.sha256.empty() && !seen.insert(c.sha256).second)) continue;
    if (c.duplicate_of) {
      auto original = by_id.find(*c.duplicate_of);
      if (original != by_id.end() && original->second->taken_at_ms &&
          model::SameCaptureInstant(*c.taken_at_ms, *original->second->taken_at_ms)) {
        continue;
      }
    }
    timed.push_back(&c);
  }
  // Camera by camera: frames of one burst come from one camera, so a photo another camera took in the same seconds
  // (two photographers at one event) neither joins a burst nor splits one.
  std::stable_sort(timed.begin(), timed.end(), [](auto* a, auto* b) {
    return std::tie(a->camera, *a->taken_at_ms) < std::tie(b->camera, *b->taken_at_ms);
  });
  std::vector<model::ItemGroup> out;
  auto rank = [&](const model::GroupCandidate& c) { return c.scored ? BurstScore(c, rules) : -1.0; };
  auto close = [&](std::vector<const model::GroupCandidate*>& run) {
    if (run.size() >= 2) {
      double sharpest = 0;
      for (const auto* c : run) {
        if (c->scored) sharpest = std::max(sharpest, c->sharpness);
      }
      auto may_lead = [&](const model::GroupCandidate& c) {
        return !c.scored || c.sharpness >= sharpest - kSofterThanTheSharpest;
      };
      out.push_back(MakeGroup(model::GroupKind::kBurst, run, rank, may_lead));
      const auto* lead = *std::find_if(run.begin(), run.end(), [&](auto* c) { return c->id == out.back().lead(); });
      out.back().why = BurstWhy(out.back(), *lead);
    }
    run.clear();
  };
  std::vector<const model::GroupCandidate*> run;
  for (const auto* c : timed) {
    if (!run.empty()) {
      const model::GroupCandidate& prev = *run.back();
      const int64_t gap = *c->taken_at_ms - *prev.taken_at_ms;
      const bool similar = c->has_phash && prev.has_phash && Distance(*c, prev) <= rules.BurstMaxDistance();
      // One camera takes no two frames at the same instant: the same capture time to a sub-second the files state
      // is two pictures (two cameras, or stock photos stamped alike), which form a burst only when they look alike.
      // A time in whole seconds says nothing of that: frames of one second share it, and the seed's rule holds.
      const bool same_instant = gap == 0 && *c->taken_at_ms % 1000 != 0;
      if (c->camera != prev.camera || gap > rules.BurstWindowMs() ||
          ((gap > rules.RapidBurstMs() || same_instant) && !similar)) {
        close(run);
      }
    }
    run.push_back(c);
  }
  close(run);
  return out;
}

bool DuplicateLink(const model::GroupCandidate& a, const model::GroupCandidate& b, const model::GroupingRules& rules) {
  if (!a.sha256.empty() && a.sha256 == b.sha256) return true;
  if (!a.has_phash || !b.has_phash || Distance(a, b) > rules.DuplicateMaxDistance()) return false;
  // Two photos that both carry a signature had the near-duplicate check's verdict at ingest (duplicate_of); their
  // pHashes alone would join smooth look-alikes (two skies, two flat colours). Only older items go by the hash.
  if (a.has_signature && b.has_signature) return false;
  return !WithinBurstWindow(a, b, rules);
}

namespace {

// Whether ingest found `a` to duplicate `b` or `b` to duplicate `a` (the check's verdict), outside a burst: frames
// seconds apart are a burst, not duplicates, unless they are the same bytes or were taken at the same instant (a
// copy keeps its original's capture time).
bool VerifiedLink(const model::GroupCandidate& a, const model::GroupCandidate& b, const model::GroupingRules& rules) {
  if (a.duplicate_of != b.id && b.duplicate_of != a.id) return false;
  if (!a.sha256.empty() && a.sha256 == b.sha256) return true;
  if (!WithinBurstWindow(a, b, rules)) return true;
  return model::SameCaptureInstant(*a.taken_at_ms, *b.taken_at_ms);
}

}  // namespace

std::vector<model::ItemGroup> FindDuplicateGroups(const std::vector<model::GroupCandidate>& candidates,
                                                  const model::GroupingRules& rules,
                                                  const std::vector<int64_t>* seeds) {
  fingerprint::NearDuplicateIndex index;
  std::unordered_map<int64_t, size_t> slot;
  std::unordered_map<std::string, std::vector<size_t>> by_sha;
  for (size_t i = 0; i < candidates.size(); ++i) {
    slot[candidates[i].id] = i;
    if (candidates[i].has_phash) index.Add(candidates[i].id, candidates[i].phash);
    if (!candidates[i].sha256.empty()) by_sha[candidates[i].sha256].push_back(i);
  }
  // The links ingest verified, both ways: i -> the items it duplicates and those that duplicate it.
  std::vector<std::vector<size_t>> verified(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].duplicate_of) continue;
    auto it = slot.find(*candidates[i].duplicate_of);
    if (it == slot.end() || it->second == i) continue;
    verified[i].push_back(it->second);
    verified[it->second].push_back(i);
  }
  DisjointSets sets(candidates.size());
  // With seeds, only their components are explored (breadth first); otherwise every photo's.
  std::vector<size_t> queue;
  std::vector<bool> visited(candidates.size(), seeds == nullptr);
  if (seeds == nullptr) {
    for (size_t i = 0; i < candidates.size(); ++i) queue.push_back(i);
  } else {
    for (int64_t id : *seeds) {
      auto it = slot.find(id);
      if (it != slot.end() && !visited[it->second]) visited[it->second] = true, queue.push_back(it->second);
    }
  }
  for (size_t q = 0; q < queue.size(); ++q) {
    const size_t i = queue[q];
    const model::GroupCandidate& c = candidates[i];
    auto join = [&](size_t j) {
      sets.Join(i, j);
      if (!visited[j]) visited[j] = true, queue.push_back(j);
    };
    for (size_t j : verified[i]) {
      if (VerifiedLink(c, candidates[j], rules)) join(j);
    }
    if (!c.sha256.empty()) {
      for (size_t j : by_sha.at(c.sha256)) {
        if (j != i) join(j);
      }
    }
    if (!c.has_phash) continue;
    for (const auto& n : index.FindWithin(c.phash, rules.DuplicateMaxDistance())) {
      size_t j = slot.at(n.id);
      if (j == i || !DuplicateLink(c, candidates[j], rules)) continue;
      join(j);
    }
  }
  std::unordered_map<size_t, std::vector<const model::GroupCandidate*>> components;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (visited[i]) components[sets.Find(i)].push_back(&candidates[i]);
  }
  std::vector<model::ItemGroup> out;
  auto rank = [](const model::GroupCandidate& c) { return c.scored ? c.aggregate : -1.0; };
  for (auto& [root, members] : components) {
    if (members.size() < 2) continue;
    out.push_back(
        MakeGroup(model::GroupKind::kDuplicate, members, rank, [](const model::GroupCandidate&) { return true; }));
    out.back().why = DuplicateWhy(out.back(), candidates[slot.at(out.back().lead())]);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace triage::quality
