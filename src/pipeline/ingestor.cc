// The intake pipeline over oneTBB: stage inputs in order, analyse in parallel, decide and commit in order.
#include "pipeline/ingestor.h"

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <optional>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/ids.h"
#include "decide/decide.h"
#include "fingerprint/near_duplicate_index.h"
#include "fingerprint/sha256.h"
#include "pipeline/analyse.h"
#include "pipeline/face_stage.h"
#include "source/folder_scanner.h"
#include "source/stable_file.h"
#include "source/url_downloader.h"

namespace triage::pipeline {
namespace {

// One input on its way through the stages.
struct Work {
  Input input;
  commit::Staged staged;
  bool staged_ok = false;
  std::string error;
  model::Analysis analysis;
};

}  // namespace

struct Ingestor::Impl {
  const config::Config& config;
  catalog::Catalog& catalog;
  commit::Committer& committer;
  FaceStage* faces;
  // Whole-image hashes and centre hashes, searched crosswise so that crops match either way.
  fingerprint::NearDuplicateIndex index;
  fingerprint::NearDuplicateIndex center_index;
  bool index_loaded = false;

  base::Status LoadIndex() {
    if (index_loaded) return base::Status::Ok();
    auto hashes = catalog.AllPerceptualHashes();
    if (!hashes.ok()) return hashes.status();
    for (const auto& h : *hashes) AddToIndex(h.id, h.phash, h.phash_center);
    index_loaded = true;
    return base::Status::Ok();
  }

  void AddToIndex(int64_t id, uint64_t phash, uint64_t phash_center) {
    index.Add(id, phash);
    center_index.Add(id, phash_center);
  }

  // The nearest item within the configured distance, comparing whole and centre hashes crosswise.
  std::optional<fingerprint::Neighbor> NearestWithin(const model::Fingerprint& fp) const {
    std::optional<fingerprint::Neighbor> best;
    int max = config.near_duplicate_max_distance;
    for (const auto* idx : {&index, &center_index}) {
      for (uint64_t query : {fp.phash, fp.phash_center}) {
        auto found = idx->FindWithin(query, max);
        if (!found.empty() && (!best || found.front().distance < best->distance ||
                               (found.front().distance == best->distance && found.front().id < best->id))) {
          best = found.front();
        }
      }
    }
    return best;
  }

  // Bring the input into staging, hashing the bytes on the way (parallel stage).
  void Stage(Work& w) {
    fingerprint::Sha256Hasher hasher;
    int64_t bytes = 0;
    switch (w.input.kind) {
      case Input::Kind::kFile: {
        // A file still being written is left where it is for the next run, never taken half-written.
        const int settle_ms = config.intake.settle_ms;
        auto stable = source::WaitUntilStable(w.input.path, {settle_ms, std::max(5000, 3 * settle_ms)});
        if (!stable.ok()) return Fail(w, stable.status().message());
        auto sink = [&](const unsigned char* d, size_t n) {
          hasher.Update(d, n);
          bytes += static_cast<int64_t>(n);
        };
        auto staged = w.input.move ? committer.StageMove(w.input.path, *stable, sink)
                                   : committer.StageCopy(w.input.path, sink);
        if (!staged.ok()) return Fail(w, staged.status().message());
        w.staged = *staged;
        w.analysis.fingerprint.sha256 = hasher.HexDigest();
        w.analysis.fingerprint.size_bytes = bytes;
        break;
      }
      case Input::Kind::kUrl: {
        source::DownloadOptions o;
        o.connect_timeout_ms = config.downloads.connect_timeout_ms;
        o.total_timeout_ms = config.downloads.total_timeout_ms;
        o.low_speed_timeout_ms = config.downloads.low_speed_timeout_ms;
        o.max_bytes = config.downloads.max_bytes;
        o.max_redirects = config.downloads.max_redirects;
        auto d = source::DownloadUrl(w.input.url, committer.StagingDir(), o);
        if (!d.ok()) return Fail(w, d.status().message());
        w.staged = committer.Adopt(d->path);
        w.analysis.fingerprint.sha256 = d->sha256_hex;
        w.analysis.fingerprint.size_bytes = d->size_bytes;
        w.input.name = d->path.filename().string();
        if (w.input.source.empty()) w.input.source = d->host;
        break;
      }
      case Input::Kind::kStaged: {
        w.staged = committer.Adopt(w.input.path);
        w.staged_ok = true;  // adopted: a failure from here on discards it
        auto sha = fingerprint::Sha256OfFile(w.staged.path);
        if (!sha.ok()) return Fail(w, sha.status().message());
        w.analysis.fingerprint.sha256 = *sha;
        std::error_code ec;
        w.analysis.fingerprint.size_bytes = static_cast<int64_t>(std::filesystem::file_size(w.staged.path, ec));
        break;
      }
    }
    w.staged_ok = true;
  }

  static void Fail(Work& w, const std::string& why) { w.error = why; }

  // Look up duplicates, decide, commit (serial, in input order).
  ItemOutcome Commit(Work& w, const IngestOptions& options) {
    ItemOutcome out;
    out.input = w.input.Display();
    if (!w.error.empty()) {
      if (w.staged_ok) committer.Discard(w.staged);
      out.error = w.error;
      return out;
    }
    model::CatalogFacts facts = Facts(w.analysis);
    out.decision = decide::Decide(w.analysis, config.policy, facts);
    catalog::CatalogChange change = ChangeFor(w, out.decision, options);
    const model::Decision& d = out.decision;
    std::filesystem::path dest = d.destination == model::Destination::kLibrary ? config.FacesDir() / d.person
                                                                               : config.ReviewDir() / d.category;
    auto placed = committer.Place(w.staged, dest, w.input.name, std::move(change));
    if (!placed.ok()) {
      out.error = placed.status().message();
      committer.Discard(w.staged);
      return out;
    }
    out.ok = true;
    out.item_id = placed->item_id;
    out.path = placed->path.lexically_relative(config.library).string();
    const model::Fingerprint& fp = w.analysis.fingerprint;
    if (fp.has_phash) AddToIndex(placed->item_id, fp.phash, fp.phash_center);
    return out;
  }

  model::CatalogFacts Facts(const model::Analysis& a) {
    model::CatalogFacts facts;
    if (!a.readable) return facts;
    auto dup = catalog.FindBySha256(a.fingerprint.sha256);
    if (dup.ok()) facts.exact_duplicate_of = *dup;
    if (a.fingerprint.has_phash) {
      if (auto near = NearestWithin(a.fingerprint)) {
        facts.near_duplicate_of = near->id;
        facts.near_duplicate_distance = near->distance;
      }
    }
    return facts;
  }

  catalog::CatalogChange ChangeFor(const Work& w, const model::Decision& d, const IngestOptions& options) {
    catalog::CatalogChange c;
    c.journal_id = base::RandomId();
    model::ItemRecord& r = c.item;
    r.original_name = w.input.name;
    r.original_path = w.input.kind == Input::Kind::kUrl ? w.input.url : w.input.path.string();
    r.source = w.input.source;
    r.url = w.input.url;
    r.fingerprint = w.analysis.fingerprint;
    r.info = w.analysis.info;
    r.location = d.destination == model::Destination::kLibrary ? "library" : "review";
    r.category = d.category;
    r.person = d.person;
    r.duplicate_of = d.duplicate_of;
    r.reasons = d.reasons;
    r.auto_sorted = d.destination == model::Destination::kLibrary;
    r.faces_detected = static_cast<int>(w.analysis.faces.size());
    r.sharpness = w.analysis.sharpness;
    r.exposure = w.analysis.exposure;
    c.faces = w.analysis.faces;
    c.actor = options.actor;
    c.action = "ingest";
    c.reason = d.Summary();
    c.at = base::UnixNow();
    return c;
  }

  base::Result<IngestSummary> Run(std::vector<Input> inputs, const IngestOptions& options, const ProgressFn& progress) {
    TRIAGE_RETURN_IF_ERROR(LoadIndex());
    auto start = std::chrono::steady_clock::now();
    IngestSummary summary;
    summary.total = static_cast<int>(inputs.size());
    int threads = config.analysis.threads > 0 ? config.analysis.threads
                                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
    AnalyseOptions analyse = AnalyseOptionsFor(config, faces != nullptr);
    size_t next = 0;
    // Only handing out inputs and committing are serial; staging (copy + hash) and analysis run in parallel.
    tbb::parallel_pipeline(
        static_cast<size_t>(threads) * 2,
        tbb::make_filter<void, std::shared_ptr<Work>>(tbb::filter_mode::serial_in_order,
                                                      [&](tbb::flow_control& fc) -> std::shared_ptr<Work> {
                                                        if (next >= inputs.size()) {
                                                          fc.stop();
                                                          return nullptr;
                                                        }
                                                        auto w = std::make_shared<Work>();
                                                        w->input = std::move(inputs[next++]);
                                                        return w;
                                                      }) &
            tbb::make_filter<std::shared_ptr<Work>, std::shared_ptr<Work>>(
                tbb::filter_mode::parallel,
                [&](std::shared_ptr<Work> w) {
                  Stage(*w);
                  if (w->error.empty()) AnalyseStaged(w->staged.path, analyse, faces, w->analysis);
                  return w;
                }) &
            tbb::make_filter<std::shared_ptr<Work>, void>(tbb::filter_mode::serial_in_order,
                                                          [&](std::shared_ptr<Work> w) {
                                                            ItemOutcome o = Commit(*w, options);
                                                            Count(summary, o);
                                                            if (progress) {
                                                              progress(static_cast<int>(summary.items.size()) + 1,
                                                                       summary.total, o);
                                                            }
                                                            summary.items.push_back(std::move(o));
                                                          }));
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
  }

  static void Count(IngestSummary& s, const ItemOutcome& o) {
    if (!o.ok) {
      s.failed++;
    } else if (o.decision.destination == model::Destination::kLibrary) {
      s.to_library++;
      s.by_person[o.decision.person]++;
    } else {
      s.to_review++;
      s.by_category[o.decision.category]++;
    }
  }
};

std::string Input::Display() const { return kind == Kind::kUrl ? url : path.string(); }

Ingestor::Ingestor(const config::Config& config, catalog::Catalog& catalog, commit::Committer& committer,
                   FaceStage* faces)
    : impl_(new Impl{config, catalog, committer, faces, {}, {}, false}) {}

Ingestor::~Ingestor() = default;

base::Result<IngestSummary> Ingestor::IngestPaths(const std::vector<fs::path>& paths, const IngestOptions& options,
                                                  const ProgressFn& progress) {
  const config::Config& c = impl_->config;
  source::ScanOptions scan_options;
  // Files given by path get these checks too: a library file ingested again would leave its item dangling.
  scan_options.exclude = {c.FacesDir(), c.ReviewDir(), c.StateDir(), c.library / "photos"};
  auto scan = source::ScanFolders(paths, scan_options);
  std::vector<Input> inputs;
  for (const auto& f : scan.files) {
    Input in;
    in.kind = Input::Kind::kFile;
    in.path = f;
    in.name = f.filename().string();
    in.move = options.move;
    in.source = options.source.empty() ? f.parent_path().filename().string() : options.source;
    inputs.push_back(std::move(in));
  }
  auto summary = impl_->Run(std::move(inputs), options, progress);
  if (!summary.ok()) return summary;
  for (const auto& e : scan.errors) {
    summary->total++;
    summary->failed++;
    summary->items.push_back({e.path.string(), false, 0, "", {}, e.status.message()});
  }
  return summary;
}

base::Result<IngestSummary> Ingestor::IngestUrls(const std::vector<std::string>& urls, const IngestOptions& options,
                                                 const ProgressFn& progress) {
  std::vector<Input> inputs;
  for (const auto& u : urls) {
    Input in;
    in.kind = Input::Kind::kUrl;
    in.url = u;
    in.source = options.source;
    inputs.push_back(std::move(in));
  }
  return impl_->Run(std::move(inputs), options, progress);
}

ItemOutcome Ingestor::IngestStaged(const fs::path& staged, const std::string& original_name,
                                   const IngestOptions& options) {
  Input in;
  in.kind = Input::Kind::kStaged;
  in.path = staged;
  in.name = original_name;  // the catalog keeps the name as sent; Place makes the library's file name from it
  in.source = options.source.empty() ? "upload" : options.source;
  auto summary = impl_->Run({in}, options, nullptr);
  if (!summary.ok()) {
    impl_->committer.Discard(impl_->committer.Adopt(staged));
    return {original_name, false, 0, "", {}, summary.status().message()};
  }
  return summary->items.front();
}

base::Result<model::Decision> Ingestor::DryRun(const fs::path& file, model::Analysis& analysis) {
  TRIAGE_RETURN_IF_ERROR(impl_->LoadIndex());
  auto sha = fingerprint::Sha256OfFile(file);
  if (!sha.ok()) return sha.status();
  analysis.fingerprint.sha256 = *sha;
  std::error_code ec;
  analysis.fingerprint.size_bytes = static_cast<int64_t>(std::filesystem::file_size(file, ec));
  AnalyseStaged(file, AnalyseOptionsFor(impl_->config, impl_->faces != nullptr), impl_->faces, analysis);
  return decide::Decide(analysis, impl_->config.policy, impl_->Facts(analysis));
}

}  // namespace triage::pipeline
