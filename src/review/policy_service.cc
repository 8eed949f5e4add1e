// Policy simulation and apply-policy over stored analyses.
#include "review/policy_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "catalog/policy_names.h"
#include "decide/decide.h"
#include "faces/face_matcher.h"
#include "quality/reference_store.h"
#include "quality/score.h"

namespace triage::review {
namespace {

namespace fs = std::filesystem;

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

// `policy`: config's, with the persons' written names (catalog::PolicyWithNames). A copy a person decided as a
// duplicate already is a photo of its own (decide::StandingFacts).
model::Decision Replay(const catalog::AnalysedItem& item, const config::Config& config, const model::Policy& policy,
                       const model::QualityReference& reference) {
  return decide::Decide(RescoredAnalysis(item.analysis.analysis, config, reference), policy,
                        decide::StandingFacts(item.analysis.facts, item.duplicate_of, item.category));
}

// The reference the library's scores are normalised with (built-in anchors when there is none or it is unreadable:
// a replay never fails for it).
model::QualityReference ReferenceOf(const config::Config& config) {
  auto r = quality::LoadReference(config.StateDir());
  return r.ok() ? *r : model::QualityReference();
}

}  // namespace

std::string FolderOf(const model::Decision& d, const config::Config& config) {
  if (d.destination == model::Destination::kReview) return "review/" + d.category;
  if (d.library_folder.empty()) return "faces/" + d.person;
  return (config.PhotosDir() / d.library_folder).lexically_relative(config.library).generic_string();
}

namespace {

std::string CurrentFolder(const std::string& location, const std::string& category, const std::string& person,
                          const std::string& path) {
  if (location != "library") return location == "review" ? "review/" + category : location;
  // A library photo without a person lives in <photos>/<yyyy>/<mm>/: its folder is where its file is.
  return person.empty() ? fs::path(path).parent_path().generic_string() : "faces/" + person;
}

}  // namespace

std::string FolderOf(const catalog::AnalysedItem& item) {
  return CurrentFolder(item.location, item.category, item.person, item.path);
}

std::string FolderOf(const model::ItemRecord& item) {
  return CurrentFolder(item.location, item.category, item.person, item.path);
}

model::Analysis RescoredAnalysis(const model::Analysis& analysis, const config::Config& config,
                                 const model::QualityReference& reference) {
  model::Analysis a = analysis;
  if (a.metrics.measured) a.quality = quality::Score(a.metrics, a.info, config.quality, reference);
  return a;
}

base::Result<MatchNowFn> MatchNow(catalog::Catalog& catalog, catalog::FaceStore& face_store) {
  auto refs = catalog.AllReferences();
  if (!refs.ok()) return refs.status();
  auto rejections = face_store.ListRejections();
  if (!rejections.ok()) return rejections.status();
  auto persons = catalog.ListPersons();
  if (!persons.ok()) return persons.status();
  struct Known {
    std::vector<faces::Reference> references;
    std::map<int64_t, std::set<std::string>> refused;  // face id -> persons it is not
    std::set<std::string> enrolled;
  };
  auto known = std::make_shared<Known>();
  for (const auto& p : *persons) known->enrolled.insert(p.name);
  for (const auto& r : *refs) known->references.push_back({r.person, r.embedding});
  for (const auto& [face, who] : *rejections) known->refused[face].insert(who);
  return MatchNowFn([&face_store, known](int64_t item_id, std::vector<model::Face>& faces) -> base::Status {
    catalog::FaceFilter filter;
    filter.item_id = item_id;
    auto rows = face_store.ListFaces(filter);  // in index order (PeopleService::NamedFacesOf reads them so)
    if (!rows.ok()) return rows.status();
    for (size_t i = 0; i < faces.size() && i < rows->size(); ++i) {
      const catalog::FaceRecord& row = (*rows)[i];
      // A reviewer's word, while the person they named is enrolled (a cluster named as somebody removed since names
      // nobody: the face is matched like any other).
      if (row.match_kind == "named" && known->enrolled.contains(row.person)) {
        faces[i].match = {model::MatchKind::kKnown, row.person, 0.0, 1.0, {{row.person, 0.0, 1.0}}};
        continue;
      }
      if (row.embedding.empty()) continue;
      const auto refused = known->refused.find(row.id);
      if (refused == known->refused.end()) {
        faces[i].match = faces::NearestPersons(row.embedding, known->references);
        continue;
      }
      std::vector<faces::Reference> usable;
      for (const auto& r : known->references)
        if (!refused->second.count(r.person)) usable.push_back(r);
      faces[i].match = faces::NearestPersons(row.embedding, usable);
    }
    return base::Status::Ok();
  });
}

namespace {

// Whether a person has begun naming the item's faces (or marked one as nobody tracked): apply-policy leaves such an
// item to that naming, and a preview does not count it as a move.
bool NamingBegun(catalog::Catalog& catalog, int64_t item_id) {
  auto faces = catalog.FacesOf(item_id);
  return faces.ok() && std::any_of(faces->begin(), faces->end(), [](const auto& f) { return f.label.Decided(); });
}

// The decision an item gets under `config`: its faces matched against the persons enrolled now when `match_now` is
// given (the photos of a person enrolled since intake are theirs), else as matched at intake. `matched`, when given,
// receives the item as decided (its faces as matched now).
base::Result<model::Decision> Redecided(const catalog::AnalysedItem& item, const config::Config& config,
                                        const model::Policy& policy, const model::QualityReference& reference,
                                        const MatchNowFn& match_now, catalog::AnalysedItem* matched = nullptr) {
  if (match_now && !item.analysis.analysis.faces.empty()) {
    catalog::AnalysedItem now_matched = item;
    TRIAGE_RETURN_IF_ERROR(match_now(item.id, now_matched.analysis.analysis.faces));
    model::Decision d = Replay(now_matched, config, policy, reference);
    if (matched) *matched = std::move(now_matched);
    return d;
  }
  if (matched) *matched = item;
  return Replay(item, config, policy, reference);
}

}  // namespace

base::Result<SimulationReport> SimulatePolicy(catalog::Catalog& catalog, const config::Config& proposed,
                                              size_t max_samples, const MatchNowFn& match_now) {
  auto start = std::chrono::steady_clock::now();
  SimulationReport report;
  MoveTally tally(max_samples);
  const model::QualityReference reference = ReferenceOf(proposed);
  auto policy = catalog::PolicyWithNames(catalog, proposed.policy);
  if (!policy.ok()) return policy.status();
  TRIAGE_RETURN_IF_ERROR(ForEachAnalysedItem(catalog, [&](const catalog::AnalysedItem& item) {
    if (item.analysis.version == 0) {
      ++report.damaged;
      return base::Status::Ok();
    }
    ++report.total;
    auto redecided = Redecided(item, proposed, *policy, reference, match_now);
    if (!redecided.ok()) return redecided.status();
    std::string from = FolderOf(item);
    std::string to = FolderOf(*redecided, proposed);
    // As ApplyPolicy: a photo in review whose faces a person has begun naming is left to that naming.
    if (from != to && !(item.location == "review" && NamingBegun(catalog, item.id))) {
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
                                      const config::Config& config, const std::string& actor, int64_t now,
                                      const MatchNowFn& match_now, const BeforeMoveFn& before_move) {
  // Collect first, move after: moving while paging would shift the pages.
  std::vector<std::pair<catalog::AnalysedItem, model::Decision>> changes;
  ApplyReport report;
  const model::QualityReference reference = ReferenceOf(config);
  auto policy = catalog::PolicyWithNames(catalog, config.policy);
  if (!policy.ok()) return policy.status();
  TRIAGE_RETURN_IF_ERROR(ForEachAnalysedItem(catalog, [&](const catalog::AnalysedItem& item) {
    if (item.location != "review") return base::Status::Ok();   // auto-sorted items stay: apply only empties review
    if (item.analysis.version == 0) return base::Status::Ok();  // damaged: nothing to re-decide on
    ++report.considered;
    catalog::AnalysedItem matched;
    auto redecided = Redecided(item, config, *policy, reference, match_now, &matched);
    if (!redecided.ok()) return redecided.status();
    if (FolderOf(*redecided, config) != FolderOf(item)) changes.emplace_back(std::move(matched), std::move(*redecided));
    return base::Status::Ok();
  }));
  MoveTally tally(5);
  for (const auto& [item, d] : changes) {
    // A person has begun naming its faces: the policy, which knows only the faces found at intake, would file it
    // under a person the reviewer gave to another face, or drop the names given so far.
    if (NamingBegun(catalog, item.id)) {
      ++report.left_alone;
      continue;
    }
    auto record = catalog.GetItem(item.id);
    if (!record.ok()) {
      ++report.failed;
      report.errors.push_back(fmt::format("item {}: {}", item.id, record.status().message()));
      continue;
    }
    // Decided meanwhile (a reviewer, another process): what was re-decided is what waited, not what stands now. The
    // photo rejected since would otherwise come back out of the trash.
    if (record->location != item.location || record->path != item.path) {
      ++report.decided_meanwhile;
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
    auto dest = config.FolderFor(d);
    nlohmann::json undo = before_move ? before_move(*record) : nlohmann::json();
    auto placed = committer.Relocate(*record, dest, change);
    if (!placed.ok()) {
      ++report.failed;
      report.errors.push_back(fmt::format("item {}: {}", item.id, placed.status().message()));
      continue;
    }
    if (!undo.is_null()) {  // where the move put it (a name taken there got a suffix)
      auto after = catalog.GetItem(item.id);
      if (after.ok()) {
        undo["path"] = after->path;
        report.undo.push_back(std::move(undo));
      }
    }
    ++report.moved;
    tally.Add(FolderOf(item), FolderOf(d, config), item.id);
  }
  report.moves = tally.Sorted();
  return report;
}

nlohmann::json MovesJson(const std::vector<PolicyMove>& moves) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : moves) {
    out.push_back({{"from", m.from},
                   {"to", m.to},
                   {"count", m.count},
                   {"sample_ids", m.sample_ids},
                   {"in_review", m.InReview()}});
  }
  return out;
}

nlohmann::json ApplyJson(const ApplyReport& report) {
  return {{"considered", report.considered}, {"moved", report.moved},
          {"left_alone", report.left_alone}, {"decided_meanwhile", report.decided_meanwhile},
          {"failed", report.failed},         {"moves", MovesJson(report.moves)},
          {"errors", report.errors}};
}

nlohmann::json SimulationJson(const SimulationReport& report) {
  return {{"total", report.total},
          {"changed", report.changed},
          {"damaged", report.damaged},
          {"seconds", report.seconds},
          {"moves", MovesJson(report.moves)}};
}

}  // namespace triage::review
