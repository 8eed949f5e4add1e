// Policy simulation and apply-policy over stored analyses.
#include "review/policy_service.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "decide/decide.h"

namespace triage::review {
namespace {

constexpr int kPage = 5000;

// Tallies moves by (from, to).
class MoveTally {
 public:
  explicit MoveTally(size_t max_samples) : max_samples_(max_samples) {}
  void Add(const std::string& from, const std::string& to, int64_t id) {
    PolicyMove& m = moves_[{from, to}];
    m.from = from;
    m.to = to;
    ++m.count;
    if (m.sample_ids.size() < max_samples_) m.sample_ids.push_back(id);
  }
  std::vector<PolicyMove> Sorted() const {
    std::vector<PolicyMove> out;
    for (const auto& [key, m] : moves_) out.push_back(m);
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
    return out;
  }

 private:
  size_t max_samples_;
  std::map<std::pair<std::string, std::string>, PolicyMove> moves_;
};

// Calls `visit` for every item the policy places, page by page.
template <typename Visit>
base::Status ForEachAnalysedItem(catalog::Catalog& catalog, Visit visit) {
  int64_t after = 0;
  for (;;) {
    auto page = catalog.ListAnalysedItems(after, kPage);
    if (!page.ok()) return page.status();
    for (const catalog::AnalysedItem& item : *page) TRIAGE_RETURN_IF_ERROR(visit(item));
    if (page->size() < static_cast<size_t>(kPage)) return base::Status::Ok();
    after = page->back().id;
  }
}

model::Decision Replay(const catalog::AnalysedItem& item, const model::Policy& policy) {
  return decide::Decide(item.analysis.analysis, policy, item.analysis.facts);
}

}  // namespace

std::string FolderOf(const model::Decision& d) {
  return d.destination == model::Destination::kLibrary ? "faces/" + d.person : "review/" + d.category;
}

std::string FolderOf(const catalog::AnalysedItem& item) {
  return item.location == "library" ? "faces/" + item.person : "review/" + item.category;
}

base::Result<SimulationReport> SimulatePolicy(catalog::Catalog& catalog, const config::Config& proposed,
                                              size_t max_samples) {
  auto start = std::chrono::steady_clock::now();
  SimulationReport report;
  MoveTally tally(max_samples);
  TRIAGE_RETURN_IF_ERROR(ForEachAnalysedItem(catalog, [&](const catalog::AnalysedItem& item) {
    if (item.analysis.version == 0) {
      ++report.damaged;
      return base::Status::Ok();
    }
    ++report.total;
    std::string from = FolderOf(item);
    std::string to = FolderOf(Replay(item, proposed.policy));
    if (from != to) {
      ++report.changed;
      tally.Add(from, to, item.id);
    }
    return base::Status::Ok();
  }));
  report.moves = tally.Sorted();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

base::Result<ApplyReport> ApplyPolicy(catalog::Catalog& catalog, commit::Committer& committer,
                                      const config::Config& config, const std::string& actor, int64_t now) {
  // Collect first, move after: moving while paging would shift the pages.
  std::vector<std::pair<catalog::AnalysedItem, model::Decision>> changes;
  ApplyReport report;
  TRIAGE_RETURN_IF_ERROR(ForEachAnalysedItem(catalog, [&](const catalog::AnalysedItem& item) {
    if (item.location != "review") return base::Status::Ok();  // auto-sorted items stay: apply only empties review
    if (item.analysis.version == 0) return base::Status::Ok();  // damaged: nothing to re-decide on
    ++report.considered;
    model::Decision d = Replay(item, config.policy);
    if (FolderOf(d) != FolderOf(item)) changes.emplace_back(item, std::move(d));
    return base::Status::Ok();
  }));
  MoveTally tally(5);
  for (const auto& [item, d] : changes) {
    auto record = catalog.GetItem(item.id);
    if (!record.ok()) {
      ++report.failed;
      report.errors.push_back(fmt::format("item {}: {}", item.id, record.status().message()));
      continue;
    }
    const bool to_library = d.destination == model::Destination::kLibrary;
    catalog::CatalogChange change;
    change.item.location = to_library ? "library" : "review";
    change.item.category = d.category;
    change.item.person = d.person;
    change.item.auto_sorted = to_library;
    change.item.reasons = d.reasons;
    change.actor = actor;
    change.action = "apply-policy";
    change.reason = d.Summary();
    change.at = now;
    auto dest = to_library ? config.FacesDir() / d.person : config.ReviewDir() / d.category;
    auto placed = committer.Relocate(*record, dest, change);
    if (!placed.ok()) {
      ++report.failed;
      report.errors.push_back(fmt::format("item {}: {}", item.id, placed.status().message()));
      continue;
    }
    ++report.moved;
    tally.Add(FolderOf(item), FolderOf(d), item.id);
  }
  report.moves = tally.Sorted();
  return report;
}

nlohmann::json MovesJson(const std::vector<PolicyMove>& moves) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : moves) {
    out.push_back({{"from", m.from}, {"to", m.to}, {"count", m.count}, {"sample_ids", m.sample_ids}});
  }
  return out;
}

nlohmann::json SimulationJson(const SimulationReport& report) {
  return {{"total", report.total},
          {"changed", report.changed},
          {"damaged", report.damaged},
          {"seconds", report.seconds},
          {"moves", MovesJson(report.moves)}};
}

}  // namespace triage::review
