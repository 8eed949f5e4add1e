// Recomputing scores from stored measures.
#include "quality/recompute.h"

#include <tbb/parallel_for.h>

#include <chrono>
#include <future>

#include "quality/reference.h"
#include "quality/reference_store.h"
#include "quality/score.h"

namespace triage::quality {
namespace {

constexpr int kPage = 5000;
constexpr int64_t kAlwaysRescaledPhotos = 2000;

// Calls `visit(page)` for every page of stored analyses, parsed as far as `parts` says. The next page is read and
// parsed while `visit` works on this one (visit writes through the catalog; reading and parsing overlap it).
template <typename Visit>
base::Status ForEachPage(catalog::Catalog& catalog, catalog::AnalysisParts parts, Visit visit) {
  auto read = [&catalog, parts](int64_t after) { return catalog.ListStoredAnalyses(after, kPage, parts); };
  auto page = read(0);
  for (;;) {
    if (!page.ok()) return page.status();
    if (page->empty()) return base::Status::Ok();
    const bool last = page->size() < static_cast<size_t>(kPage);
    std::future<base::Result<std::vector<catalog::StoredAnalysisRow>>> next;
    if (!last) next = std::async(std::launch::async, read, page->back().item_id);
    base::Status visited = visit(*page);
    if (!last) page = next.get();
    TRIAGE_RETURN_IF_ERROR(visited);
    if (last) return base::Status::Ok();
  }
}

// Rescores one analysis in place; true when the score changed.
bool Rescore(model::StoredAnalysis& s, const model::QualityRules& rules, const model::QualityReference& reference,
             bool* category_changed) {
  model::Analysis& a = s.analysis;
  if (!a.metrics.measured) return false;
  model::QualityScore fresh = Score(a.metrics, a.info, rules, reference);
  bool changed = !a.quality.scored || fresh.aggregate != a.quality.aggregate || fresh.category != a.quality.category ||
                 fresh.sentence != a.quality.sentence;
  if (category_changed != nullptr) *category_changed = fresh.category != a.quality.category;
  a.quality = std::move(fresh);
  return changed;
}

// The photos outside the trash, as the catalog counts them: what a scale was built on, and what outgrows it.
base::Result<int64_t> PhotoCount(catalog::Catalog& catalog) {
  int64_t photos = 0;
  for (const char* location : {"library", "review", "archive"}) {
    catalog::ItemFilter f;
    f.location = location;
    auto n = catalog.CountItems(f);
    if (!n.ok()) return n.status();
    photos += *n;
  }
  return photos;
}

}  // namespace

int64_t RescoreAll(std::vector<model::StoredAnalysis>& analyses, const model::QualityRules& rules,
                   model::QualityReference& reference) {
  std::vector<Sample> samples;
  samples.reserve(analyses.size());
  for (const auto& s : analyses) {
    if (s.analysis.metrics.measured) samples.push_back({s.analysis.metrics, s.analysis.info});
  }
  reference = BuildReference(samples, rules);
  int64_t changed = 0;
  for (auto& s : analyses) changed += Rescore(s, rules, reference, nullptr) ? 1 : 0;
  return changed;
}

base::Result<RecomputeReport> Recompute(catalog::Catalog& catalog, const config::Config& config) {
  auto start = std::chrono::steady_clock::now();
  RecomputeReport report;
  std::vector<Sample> samples;
  // The reference needs only the measures; the rescoring pass reads each analysis whole, to write it back.
  TRIAGE_RETURN_IF_ERROR(
      ForEachPage(catalog, catalog::AnalysisParts::kMeasures, [&](std::vector<catalog::StoredAnalysisRow>& page) {
        for (const auto& row : page) {
          if (row.in_trash) continue;  // rescored below, but no sample of the library's scale
          ++report.items;
          const model::Analysis& a = row.analysis.analysis;
          if (a.metrics.measured) samples.push_back({a.metrics, a.info});
        }
        return base::Status::Ok();
      }));
  report.measured = static_cast<int64_t>(samples.size());
  report.reference = BuildReference(samples, config.quality);
  auto photos = PhotoCount(catalog);
  if (!photos.ok()) return photos.status();
  report.reference.items = *photos;
  samples = {};
  TRIAGE_RETURN_IF_ERROR(SaveReference(config.StateDir(), report.reference));
  TRIAGE_RETURN_IF_ERROR(
      ForEachPage(catalog, catalog::AnalysisParts::kWhole, [&](std::vector<catalog::StoredAnalysisRow>& page) {
        // Scoring is pure: a page is rescored on every core, then the changed rows are kept in order.
        std::vector<uint8_t> score_changed(page.size()), category_changed(page.size());
        tbb::parallel_for(size_t{0}, page.size(), [&](size_t i) {
          bool category = false;
          score_changed[i] = Rescore(page[i].analysis, config.quality, report.reference, &category) ? 1 : 0;
          category_changed[i] = category ? 1 : 0;
        });
        std::vector<catalog::StoredAnalysisRow> changed;
        for (size_t i = 0; i < page.size(); ++i) {
          if (score_changed[i] == 0) continue;
          // Written back, but counted as the items are: the photos outside the trash.
          if (!page[i].in_trash) {
            report.category_changed += category_changed[i];
            ++report.changed;
          }
          changed.push_back(std::move(page[i]));
        }
        return changed.empty() ? base::Status::Ok() : catalog.UpdateAnalyses(changed);
      }));
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

base::Result<std::optional<RecomputeReport>> RecomputeIfOutgrown(catalog::Catalog& catalog,
                                                                 const config::Config& config) {
  // With quality analysis off, new photos carry no measures and the scale, built from the measured ones, would come
  // out as it is: not read through (the next intake that measures rescales, the library having outgrown it as well).
  if (!config.analysis.quality) return std::optional<RecomputeReport>();
  auto reference = LoadReference(config.StateDir());
  if (!reference.ok()) return reference.status();
  auto photos = PhotoCount(catalog);
  if (!photos.ok()) return photos.status();
  const int64_t min_samples = config.quality.category_min_samples;
  const int64_t had = reference->items;
  // A small library is rescaled after every intake (a fifth of a second at most): each photo moves its percentiles
  // visibly. A large one once it grew by a quarter, which is when its percentiles move as much.
  const bool outgrown = *photos >= min_samples && (*photos != had) &&
                        (had < min_samples || *photos <= kAlwaysRescaledPhotos || 4 * *photos >= 5 * had);
  if (!outgrown) return std::optional<RecomputeReport>();
  auto report = Recompute(catalog, config);
  if (!report.ok()) return report.status();
  return std::optional<RecomputeReport>(std::move(*report));
}

}  // namespace triage::quality
