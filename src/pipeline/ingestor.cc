// The intake pipeline over oneTBB: stage inputs in order, analyse in parallel, decide and commit in order.
#include "pipeline/ingestor.h"

#include <fmt/format.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for_each.h>
#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "base/clock.h"
#include "base/files.h"
#include "base/ids.h"
#include "base/text.h"
#include "base/url_text.h"
#include "catalog/policy_names.h"
#include "decide/decide.h"
#include "fingerprint/sha256.h"
#include "model/groups.h"
#include "pipeline/analyse.h"
#include "pipeline/duplicate_index.h"
#include "pipeline/face_stage.h"
#include "pipeline/input_scan.h"
#include "quality/reference_store.h"
#include "quality/score.h"
#include "source/folder_scanner.h"
#include "source/stable_file.h"
#include "source/url_downloader.h"

namespace triage::pipeline {
namespace {

// A group commit places at most this many inputs, and waits at most this long for more (the ingest lock is held
// meanwhile, and progress is reported when a group is placed). Measured on bench/dedup: the journal and catalog
// syncs per group then cost well under a millisecond per input.
constexpr size_t kGroupMaxItems = 64;
constexpr auto kGroupMaxAge = std::chrono::milliseconds(1000);
// Inputs in flight per analysis thread (see Run).
constexpr size_t kInFlightPerThread = 32;
// Inputs to move whose kStage intents are recorded together (one journal sync for them all, instead of an intent and
// two syncs each).
constexpr size_t kMoveSlotsAhead = 64;

source::DownloadOptions DownloadOptionsFor(const config::DownloadLimits& limits) {
  source::DownloadOptions o;
  o.connect_timeout_ms = limits.connect_timeout_ms;
  o.total_timeout_ms = limits.total_timeout_ms;
  o.low_speed_timeout_ms = limits.low_speed_timeout_ms;
  o.max_bytes = limits.max_bytes;
  o.max_redirects = limits.max_redirects;
  o.allow_private = limits.allow_private;
  return o;
}

// One input on its way through the stages.
struct Work {
  Input input;
  std::optional<commit::MoveSlot> slot;  // an input to move: its name in staging, its intent already recorded
  commit::Staged staged;
  bool staged_ok = false;
  base::Status error;
  std::string gone;  // set when the listed file was gone before it was read: why it is passed over (not a failure)
  model::Analysis analysis;
  CheckMemo checks;  // near-duplicate verdicts against others, most made in the parallel stage
  size_t seq = 0;    // its place among the batch's inputs: outcomes are reported in this order
};

// The analyses of a batch's inputs by SHA-256, so that an input with the same bytes as one analysed before in the
// batch takes that analysis instead of decoding and measuring the same pixels again: an analysis depends on the bytes
// and the batch's config snapshot only. What follows from it (exact duplicate of which item, the quality score under
// the reference, the route) is still decided for each input. Analyses that name a file (an unreadable image's
// decoder message, a face or quality error) are not kept; nor more than kMaxKept (~7 KB each), oldest dropped first.
// Thread-safe: the parallel stage looks up and adds.
class SameBytes {
 public:
  static constexpr size_t kMaxKept = 4096;

  // Copies the analysis kept for `sha256` into `analysis`; false when none is.
  bool Take(const std::string& sha256, model::Analysis& analysis) const {
    std::lock_guard<std::mutex> hold(mu_);
    auto it = kept_.find(sha256);
    if (it == kept_.end()) return false;
    analysis = it->second;
    return true;
  }

  void Keep(const model::Analysis& analysis) {
    if (!analysis.readable || !analysis.face_error.empty() || !analysis.quality_error.empty()) return;
    std::lock_guard<std::mutex> hold(mu_);
    if (!kept_.emplace(analysis.fingerprint.sha256, analysis).second) return;
    order_.push_back(analysis.fingerprint.sha256);
    if (order_.size() > kMaxKept) {
      kept_.erase(order_.front());
      order_.pop_front();
    }
  }

  void Clear() {
    std::lock_guard<std::mutex> hold(mu_);
    kept_.clear();
    order_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, model::Analysis> kept_;
  std::deque<std::string> order_;
};

}  // namespace

struct Ingestor::Impl {
  config::ConfigStore& store;
  catalog::Catalog& catalog;
  commit::Committer& committer;
  FaceStage* faces;
  AnalyseFn analyse;
  DuplicateIndex index;
  SameBytes same_bytes;                       // this batch's analyses by SHA-256
  std::shared_ptr<const config::Config> cfg;  // the snapshot of the batch in progress
  model::Policy policy;                       // cfg's, speaking of persons as their names are written
  model::QualityReference reference;          // normalisation of quality scores, read at each batch's start
  AfterCommitFn after_commit;                 // e.g. face clustering of the committed item
  BeforeCommitFn before_commit;               // e.g. a queue worker's check that it still holds the input's job

  // Re-reads the normalisation reference `triage recompute` keeps; unreadable means built-in anchors (logged once
  // by recompute, which rewrites it).
  void RefreshReference() {
    auto r = quality::LoadReference(cfg->StateDir());
    reference = r.ok() ? *r : model::QualityReference();
  }

  // Takes the batch's snapshot of the config, the persons' written names and the normalisation reference.
  base::Status TakeSnapshot() {
    cfg = store.Current();
    same_bytes.Clear();  // analysed under the snapshot before
    auto named = catalog::PolicyWithNames(catalog, cfg->policy);
    if (!named.ok()) return named.status();
    policy = std::move(*named);
    RefreshReference();
    return base::Status::Ok();
  }

  // Scores the measures under the snapshot's rules: the score decide() and the catalog see.
  void ScoreQuality(model::Analysis& a) const {
    a.quality = quality::Score(a.metrics, a.info, cfg->quality, reference);
  }

  // Bring the input into staging, hashing the bytes on the way (parallel stage). `bytes` receives the staged file's
  // contents when they were read whole (a file up to Committer::kMaxKeptBytes), for the decoder; else it stays empty.
  void Stage(Work& w, std::string& bytes) {
    const config::Config& config = *cfg;
    fingerprint::Sha256Hasher hasher;
    int64_t size_bytes = 0;
    switch (w.input.kind) {
      case Input::Kind::kFile: {
        // A file still being written is left where it is for the next run, never taken half-written.
        const int settle_ms = config.intake.settle_ms;
        auto stable = source::WaitUntilStable(w.input.path, {settle_ms, std::max(5000, 3 * settle_ms)});
        if (!stable.ok()) return FailOrGone(w, stable.status());
        auto sink = [&](const unsigned char* d, size_t n) {
          hasher.Update(d, n);
          size_bytes += static_cast<int64_t>(n);
        };
        std::optional<commit::MoveSlot> slot = std::move(w.slot);
        w.slot.reset();
        auto staged = w.input.move ? committer.StageMove(w.input.path, *stable, sink, &bytes, slot ? &*slot : nullptr)
                                   : committer.StageCopy(w.input.path, sink, &bytes);
        if (!staged.ok()) return FailOrGone(w, staged.status());
        w.staged = *staged;
        w.staged_ok = true;
        w.analysis.fingerprint.sha256 = hasher.HexDigest();
        w.analysis.fingerprint.size_bytes = size_bytes;
        return;
      }
      case Input::Kind::kUrl: {
        auto d = source::DownloadUrl(w.input.url, committer.StagingDir(), DownloadOptionsFor(config.downloads));
        if (!d.ok()) return Fail(w, d.status());
        w.staged = committer.Adopt(d->path);
        w.staged_ok = true;
        w.analysis.fingerprint.sha256 = d->sha256_hex;
        w.analysis.fingerprint.size_bytes = d->size_bytes;
        w.input.name = d->path.filename().string();
        if (w.input.source.empty()) w.input.source = d->host;
        return;
      }
      case Input::Kind::kStaged:
      case Input::Kind::kFetched:
        w.staged = committer.Adopt(w.input.path);
        w.staged_ok = true;  // adopted: a failure from here on discards it
        return HashStaged(w, bytes);
    }
  }

  void HashStaged(Work& w, std::string& bytes) {
    std::error_code ec;
    const auto size = static_cast<int64_t>(std::filesystem::file_size(w.staged.path, ec));
    if (!ec && size <= commit::Committer::kMaxKeptBytes) {
      auto read = base::ReadFile(w.staged.path);
      if (!read.ok()) return Fail(w, read.status());
      bytes = std::move(*read);
      fingerprint::Sha256Hasher hasher;
      hasher.Update(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
      w.analysis.fingerprint.sha256 = hasher.HexDigest();
      w.analysis.fingerprint.size_bytes = static_cast<int64_t>(bytes.size());
      return;
    }
    auto sha = fingerprint::Sha256OfFile(w.staged.path);
    if (!sha.ok()) return Fail(w, sha.status());
    w.analysis.fingerprint.sha256 = *sha;
    w.analysis.fingerprint.size_bytes = static_cast<int64_t>(std::filesystem::file_size(w.staged.path, ec));
  }

  static void Fail(Work& w, base::Status why) { w.error = std::move(why); }
  // A file listed and gone before it was read (another intake of the library took it, as two `ingest --move` or
  // `watch` beside an ingest do, or somebody deleted it) is passed over, not a failure: nothing of it was lost here.
  static void FailOrGone(Work& w, base::Status why) {
    std::error_code ec;
    if (why.code() == base::Code::kNotFound &&
        fs::symlink_status(w.input.path, ec).type() == fs::file_type::not_found) {
      w.gone = "skipped: gone before it was read (another intake of this library took it, or it was deleted)";
      return;
    }
    Fail(w, std::move(why));
  }

  // `text` with every mention of `staged` replaced by the input's own name.
  static void NameTheInput(std::string& text, const fs::path& staged, const std::string& name) {
    text = base::ReplacedAll(std::move(text), staged.string(), name);
  }

  // The parallel stage: staging then analysis. Nothing escapes it: an exception is this input's failure. The file is
  // read once: its bytes, hashed and copied into staging, are decoded too, and let go before the input moves on.
  void StageAndAnalyse(Work& w) noexcept {
    try {
      std::string bytes;
      Stage(w, bytes);
      if (w.slot) {  // not staged after all (still being written, gone): its reserved name is given back
        committer.Release(*w.slot);
        w.slot.reset();
      }
      if (!w.gone.empty()) return;
      if (w.error.ok() && !same_bytes.Take(w.analysis.fingerprint.sha256, w.analysis)) {
        analyse(w.staged.path, bytes.empty() ? nullptr : &bytes, *cfg, faces, w.analysis);
        same_bytes.Keep(w.analysis);
      }
      // A decoder's message names the file it read: the staged copy, a path that is gone once the file is filed.
      if (w.error.ok() && !w.analysis.readable) NameTheInput(w.analysis.unreadable_reason, w.staged.path, w.input.name);
      // The near-duplicate check against the library here, in parallel, so that the serial stage mostly reads
      // verdicts (it still checks candidates that arrived since, and reads every verdict in its own order).
      if (w.error.ok() && w.analysis.readable && w.analysis.fingerprint.has_phash) {
        index.CheckAhead(catalog, w.analysis.fingerprint, w.checks);
      }
    } catch (const std::exception& e) {
      Fail(w, base::Status::Io(std::string("internal error while analysing: ") + e.what()));
    } catch (...) {
      Fail(w, base::Status::Io("internal error while analysing"));
    }
  }

  // One input decided (or failed) in the serial stage, waiting in the group to be placed and reported.
  struct Decided {
    std::shared_ptr<Work> work;
    ItemOutcome out;
    bool place = false;  // false: `out` is final (the input failed before it could be placed)
    commit::Placement placement;
  };
  // The group being built (group commit): decided under the library-wide ingest lock, which is held until the group
  // is placed, so that no other process decides against a catalog that lacks these items.
  struct Group {
    std::optional<base::FileLock> lock;
    std::vector<Decided> items;
    std::chrono::steady_clock::time_point started;
  };
  Group group;
  // Inputs put off until the group is placed (see Decide), in input order.
  std::vector<std::shared_ptr<Work>> deferred;
  // Outcomes placed ahead of an input put off, held until it is reported: progress, the summary and the clustering of
  // faces (after_commit) go in input order. `cluster`: placed, with faces for after_commit.
  struct Held {
    ItemOutcome out;
    bool cluster = false;
  };
  std::map<size_t, Held> held;
  size_t next_seq = 0;   // the next input's place in the batch
  size_t next_told = 0;  // the place of the next outcome to report
  using EmitFn = std::function<void(ItemOutcome)>;

  // Look up duplicates and decide (serial); the input joins the group, placed when it is full or old enough.
  //
  // An input's lookups must see every input before it. One that may duplicate an input still waiting in the group
  // (placed only when the group is) or put off itself is put off: it is decided once the group is placed, instead of
  // the group being placed early for it, which cost a group commit's syncs (the variants of one picture often arrive
  // side by side). The inputs after it are decided meanwhile, in order, when they are no candidate of any input put off
  // (the same bytes, or hashes within kCandidateMaxDistance), so that neither sees the other: each is decided against
  // the items it would have seen in input order. Their ids can come in another order, which shows only where a later
  // lookup finds two confirmed candidates at the same distance (the lower id is taken: both show its picture).
  void Decide(std::shared_ptr<Work> w, const IngestOptions& options, const EmitFn& emit) {
    w->seq = next_seq++;
    if (MustWait(*w)) {
      deferred.push_back(std::move(w));
    } else {
      DecideNow(std::move(w), options);
    }
    if (deferred.size() >= kGroupMaxItems || GroupDue()) Flush(options, emit, false);
  }

  // True when `w` may not be decided before the group is placed: it may duplicate a waiting or a put-off input.
  bool MustWait(Work& w) const {
    if (!w.gone.empty() || !w.error.ok() || !w.analysis.readable) return false;
    return CandidateOfDeferred(w.analysis.fingerprint) || MayDuplicateWaiting(w);
  }

  bool GroupDue() const {
    return !group.items.empty() &&
           (group.items.size() >= kGroupMaxItems || std::chrono::steady_clock::now() - group.started >= kGroupMaxAge);
  }

  // Places the group, then decides the inputs put off in input order (those that may duplicate one decided just
  // before them wait again, for the next group). With `all`, until every input is placed.
  void Flush(const IngestOptions& options, const EmitFn& emit, bool all) {
    do {
      PlaceGroup(emit);
      std::vector<std::shared_ptr<Work>> pending = std::move(deferred);
      deferred.clear();
      CheckAheadOf(pending);
      for (std::shared_ptr<Work>& w : pending) {
        if (MustWait(*w)) {
          deferred.push_back(std::move(w));
          continue;
        }
        DecideNow(std::move(w), options);
        if (group.items.size() >= kGroupMaxItems) PlaceGroup(emit);
      }
    } while (all && (!deferred.empty() || !group.items.empty()));
  }

  // The checks the lookups of `pending` will make against the items placed so far, made in parallel: deciding them
  // in order then mostly reads verdicts. At the end of a batch nothing else is left to run beside it.
  void CheckAheadOf(const std::vector<std::shared_ptr<Work>>& pending) {
    tbb::parallel_for_each(pending.begin(), pending.end(), [&](const std::shared_ptr<Work>& w) {
      if (!w->error.ok() || !w->gone.empty() || !w->analysis.readable || !w->analysis.fingerprint.has_phash) return;
      try {
        index.CheckAhead(catalog, w->analysis.fingerprint, w->checks);
      } catch (const std::exception&) {
        // Only verdicts ahead: the lookup when the input is decided checks again and reports what fails.
      }
    });
  }

  void DecideNow(std::shared_ptr<Work> w, const IngestOptions& options) {
    if (group.items.empty()) group.started = std::chrono::steady_clock::now();
    Decided d;
    d.work = w;
    d.out.input = w->input.Display();
    if (!w->gone.empty()) {
      d.place = false;
      d.out.skipped = w->gone;
      group.items.push_back(std::move(d));
      return;
    }
    if (w->error.ok()) w->error = DecideLocked(*w, options, d);
    w->checks = CheckMemo();  // read only while deciding: not kept while the input waits in the group
    if (!w->error.ok()) {
      if (w->staged_ok) committer.Discard(w->staged);
      d.place = false;
      d.out.error = w->error;
    }
    group.items.push_back(std::move(d));
  }

  base::Status DecideLocked(Work& w, const IngestOptions& options, Decided& d) {
    const config::Config& config = *cfg;
    if (!group.lock) {
      auto lock = base::FileLock::Acquire(config.StateDir() / "ingest.lock");
      if (!lock.ok()) return lock.status();
      group.lock.emplace(std::move(*lock));
    }
    auto facts = Facts(w.analysis, &w.checks);
    if (!facts.ok()) return facts.status();
    ScoreQuality(w.analysis);
    d.out.decision = decide::Decide(w.analysis, policy, *facts);
    d.placement = {w.staged, config.FolderFor(d.out.decision), w.input.name,
                   ChangeFor(w, *facts, d.out.decision, options)};
    d.place = true;
    return base::Status::Ok();
  }

  // True when `fp` is a candidate of an input put off, or the other way round (the same bytes, or whole and centre
  // hashes within kCandidateMaxDistance crosswise): a superset of what the lookups of either could find of the other,
  // alone or as a member of a group they join.
  bool CandidateOfDeferred(const model::Fingerprint& fp) const {
    for (const std::shared_ptr<Work>& d : deferred) {
      const model::Fingerprint& other = d->analysis.fingerprint;
      if (other.sha256 == fp.sha256) return true;
      if (fp.has_phash && other.has_phash && CandidateDistance(fp, other) <= kCandidateMaxDistance) return true;
    }
    return false;
  }

  // True when `a` is an exact or near duplicate of an image waiting in the group: the same bytes, or found by the
  // same test the index's lookup makes (hash candidate, then the check on the signatures). Not every hash candidate:
  // low-texture pictures collide by the hundred, and each early placement costs a group commit's syncs. (Unreadable
  // images are looked up nowhere.)
  bool MayDuplicateWaiting(Work& w) const {
    const model::Analysis& a = w.analysis;
    if (!a.readable) return false;
    for (const Decided& d : group.items) {
      if (!d.place) continue;
      const model::Fingerprint& other = d.work->analysis.fingerprint;
      if (other.sha256 == a.fingerprint.sha256) return true;
      if (model::DifferentShots(a.info.taken_at, d.work->analysis.info.taken_at)) {
        continue;  // another frame of a burst: never its near duplicate
      }
      if (a.fingerprint.has_phash && other.has_phash &&
          IsNearDuplicateOf(a.fingerprint, other, cfg->near_duplicate_max_distance, &w.checks)) {
        return true;
      }
      // A copy waiting here is a member of the group the input may join through its original, and the lookup checks
      // the input against the members it finds in the catalog (a reframing that matches a crop is told apart by the
      // original waiting as the crop's copy): within the candidates' distance it is placed first.
      if (d.out.decision.duplicate_of && a.fingerprint.has_phash && other.has_phash &&
          CandidateDistance(a.fingerprint, other) <= kCandidateMaxDistance) {
        return true;
      }
    }
    return false;
  }

  // Places the group's decided inputs in one group commit, releases the ingest lock and reports the inputs of the
  // group, in input order once those put off before them are reported.
  void PlaceGroup(const EmitFn& emit) {
    std::vector<commit::Placement> placements;
    std::vector<size_t> at;
    for (size_t i = 0; i < group.items.size(); ++i) {
      Decided& d = group.items[i];
      if (!d.place) continue;
      if (std::string why; before_commit && !before_commit(d.work->input, &why)) {
        committer.Discard(d.work->staged);  // a copy removed, a moved input back where it was
        d.place = false;
        d.out.skipped = why;
        continue;
      }
      placements.push_back(std::move(group.items[i].placement));
      at.push_back(i);
    }
    std::vector<base::Result<commit::Placed>> placed = committer.PlaceAll(std::move(placements));
    for (size_t k = 0; k < at.size(); ++k) Settle(group.items[at[k]], placed[k]);
    std::vector<Decided> items = std::move(group.items);
    group.items.clear();
    for (Decided& d : items) {
      const bool cluster = d.out.ok && after_commit && !d.work->analysis.faces.empty();
      held.emplace(d.work->seq, Held{std::move(d.out), cluster});
    }
    std::vector<ItemOutcome> told;
    while (!held.empty() && held.begin()->first == next_told) {
      Held& h = held.begin()->second;
      // Clustering reads only this item's faces and its own model: run in input order, under the ingest lock, once
      // the item is placed, it ends as it would one photo at a time. The photo is placed whatever happens here: a
      // failure is reported, and the next start catches up.
      if (h.cluster) {
        if (base::Status st = after_commit(h.out.item_id); !st.ok()) {
          fmt::print(stderr, "triage: warning: {}: {}\n", h.out.path, st.message());
        }
      }
      told.push_back(std::move(h.out));
      held.erase(held.begin());
      ++next_told;
    }
    group.lock.reset();
    for (ItemOutcome& o : told) emit(std::move(o));
  }

  void Settle(Decided& d, const base::Result<commit::Placed>& placed) {
    if (!placed.ok()) {
      if (d.work->staged_ok) committer.Discard(d.work->staged);
      d.out.error = placed.status();
      return;
    }
    d.out.ok = true;
    d.out.item_id = placed->item_id;
    d.out.path = placed->path.lexically_relative(cfg->library).string();
    const model::Fingerprint& fp = d.work->analysis.fingerprint;
    if (fp.has_phash) index.Add(placed->item_id, fp);
  }

  // What the catalog knows of this image now. A catalog error is an error, never "no duplicate".
  base::Result<model::CatalogFacts> Facts(const model::Analysis& a, CheckMemo* memo = nullptr) {
    model::CatalogFacts facts;
    if (!a.readable) return facts;
    auto dup = catalog.FindBySha256(a.fingerprint.sha256);
    if (!dup.ok()) return dup.status().WithContext("looking up exact duplicates");
    facts.exact_duplicate_of = *dup;
    if (a.fingerprint.has_phash) {
      TRIAGE_RETURN_IF_ERROR(index.Refresh(catalog));
      auto near =
          index.FindNearDuplicate(catalog, a.fingerprint, cfg->near_duplicate_max_distance, memo, a.info.taken_at);
      if (!near.ok()) return near.status();
      if (*near) {
        facts.near_duplicate_of = (*near)->id;
        facts.near_duplicate_distance = (*near)->distance;
        facts.near_duplicate_path = PathOf((*near)->id);
      }
    }
    if (facts.exact_duplicate_of) facts.exact_duplicate_path = PathOf(*facts.exact_duplicate_of);
    return facts;
  }

  // Where item `id` is, for the reason a reviewer reads ("" when it cannot be read: the reason then names the id).
  std::string PathOf(int64_t id) {
    auto item = catalog.GetItemWithoutQuality(id);
    return item.ok() ? item->path : std::string();
  }

  catalog::CatalogChange ChangeFor(const Work& w, const model::CatalogFacts& facts, const model::Decision& d,
                                   const IngestOptions& options) {
    catalog::CatalogChange c;
    c.journal_id = base::RandomId();
    model::ItemRecord& r = c.item;
    r.original_name = w.input.name;
    // A URL is kept without the user name and password it may carry: the catalog's fields are shown to every role.
    r.url = base::WithoutUrlCredentials(w.input.url);
    // Where it came from: the URL, the file's path, or for an upload the name it was sent with (its staged copy is the
    // server's own folder, gone once it is placed, and no place the uploader knows).
    r.original_path = !r.url.empty()                         ? r.url
                      : w.input.kind == Input::Kind::kStaged ? w.input.name
                                                             : w.input.path.string();
    r.source = w.input.source;
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
    for (model::Face& f : c.faces) f.match.kind = decide::ClassifyMatch(f.match, cfg->policy);
    c.analysis = model::StoredAnalysis{model::StoredAnalysis::kVersion, w.analysis, facts};
    c.actor = options.actor;
    c.action = "ingest";
    c.reason = d.Summary();
    c.at = base::UnixNow();
    return c;
  }

  base::Result<IngestSummary> Run(std::vector<Input> inputs, const IngestOptions& options, const ProgressFn& progress) {
    TRIAGE_RETURN_IF_ERROR(TakeSnapshot());
    next_seq = next_told = 0;
    held.clear();
    // A batch cut short by an exception lets go of the inputs it had not placed (copies removed, moved inputs put
    // back) and of the ingest lock, so that neither the next batch nor another process inherits them.
    struct LetGoOnThrow {
      Impl& impl;
      bool done = false;
      ~LetGoOnThrow() {
        if (!done) impl.LetGoUndecided();
      }
    } let_go{*this};
    // The library's hashes before the first input is analysed, for the checks ahead. A failure to read them is
    // reported by the first lookup, which refreshes again.
    static_cast<void>(index.Refresh(catalog));
    auto start = std::chrono::steady_clock::now();
    IngestSummary summary;
    summary.total = static_cast<int>(inputs.size());
    int threads = cfg->analysis.threads > 0 ? cfg->analysis.threads
                                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(threads));
    size_t next = 0;
    // Inputs to move get their staging names ahead, kMoveSlotsAhead at a time, under one journal entry each time.
    std::vector<std::optional<commit::MoveSlot>> slots(inputs.size());
    size_t reserved_until = 0;
    auto reserve_moves = [&] {
      std::vector<fs::path> sources;
      std::vector<size_t> at;
      reserved_until = std::min(inputs.size(), next + kMoveSlotsAhead);
      for (size_t i = next; i < reserved_until; ++i) {
        if (inputs[i].kind != Input::Kind::kFile || !inputs[i].move) continue;
        sources.push_back(inputs[i].path);
        at.push_back(i);
      }
      if (sources.empty()) return;
      auto reserved = committer.ReserveMoves(sources);
      if (!reserved.ok()) return;  // each input then records its own intent, and reports what fails
      for (size_t k = 0; k < at.size(); ++k) slots[at[k]] = std::move((*reserved)[k]);
    };
    auto hand_out = [&](tbb::flow_control& fc) -> std::shared_ptr<Work> {
      if (next >= inputs.size()) {
        fc.stop();
        return nullptr;
      }
      if (next >= reserved_until) reserve_moves();
      auto w = std::make_shared<Work>();
      w->slot = std::move(slots[next]);
      slots[next].reset();
      w->input = std::move(inputs[next++]);
      return w;
    };
    auto work = [&](std::shared_ptr<Work> w) {
      StageAndAnalyse(*w);
      return w;
    };
    auto emit = [&](ItemOutcome o) {
      Count(summary, o);
      if (progress) progress(static_cast<int>(summary.items.size()) + 1, summary.total, o);
      summary.items.push_back(std::move(o));
    };
    auto decide = [&](std::shared_ptr<Work> w) { Decide(std::move(w), options, emit); };
    // Only handing out inputs and deciding are serial; staging (copy + hash) and analysis run in parallel. Many
    // more inputs than threads are in flight, so that the workers keep analysing while a group is being placed (a
    // placement of 26 inputs takes ~25 ms, mostly waiting for syncs; with 4 per thread the other worker ran out of
    // inputs after ~15 ms of it). An input waiting for its turn holds its analysis only (a few KB), not its pixels.
    tbb::parallel_pipeline(
        static_cast<size_t>(threads) * kInFlightPerThread,
        tbb::make_filter<void, std::shared_ptr<Work>>(tbb::filter_mode::serial_in_order, hand_out) &
            tbb::make_filter<std::shared_ptr<Work>, std::shared_ptr<Work>>(tbb::filter_mode::parallel, work) &
            tbb::make_filter<std::shared_ptr<Work>, void>(tbb::filter_mode::serial_in_order, decide));
    for (const auto& slot : slots) {
      if (slot) committer.Release(*slot);  // reserved for inputs never handed out
    }
    Flush(options, emit, true);
    let_go.done = true;
    // Inputs gone before they were read (another intake took them) are skipped, and like every skipped input not
    // counted in `total`: total = to_library + to_review + failed.
    summary.total -= summary.skipped;
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
  }

  void LetGoUndecided() noexcept {
    for (Decided& d : group.items) {
      if (d.place && d.work->staged_ok) committer.Discard(d.work->staged);
    }
    for (const std::shared_ptr<Work>& w : deferred) {
      if (w->staged_ok) committer.Discard(w->staged);
    }
    group.items.clear();
    deferred.clear();
    held.clear();
    group.lock.reset();
  }

  static void Count(IngestSummary& s, const ItemOutcome& o) {
    if (!o.skipped.empty()) {
      s.skipped++;
    } else if (!o.ok) {
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

std::string Input::Display() const { return url.empty() ? path.string() : base::WithoutUrlCredentials(url); }

base::Result<FetchedUrl> FetchUrl(const std::string& url, const config::DownloadLimits& limits,
                                  const fs::path& staging_dir) {
  auto d = source::DownloadUrl(url, staging_dir, DownloadOptionsFor(limits));
  if (!d.ok()) return d.status();
  return FetchedUrl{d->url, d->path, d->host};  // d->url names no user name or password
}

Ingestor::Ingestor(config::ConfigStore& config, catalog::Catalog& catalog, commit::Committer& committer,
                   FaceStage* faces, AnalyseFn analyse)
    : impl_(new Impl{
          config,
          catalog,
          committer,
          faces,
          analyse ? std::move(analyse)
                  : AnalyseFn([](const fs::path& staged, const std::string* bytes, const config::Config& c,
                                 const FaceStage* f, model::Analysis& a) { AnalyseStaged(staged, bytes, c, f, a); }),
          {},
          {},
          nullptr,
          {},
          {},
          {},
          {},
          {},
          {},
          {}}) {}

void Ingestor::SetAfterCommit(AfterCommitFn after_commit) { impl_->after_commit = std::move(after_commit); }

void Ingestor::SetBeforeCommit(BeforeCommitFn before_commit) { impl_->before_commit = std::move(before_commit); }

Ingestor::~Ingestor() = default;

base::Result<IngestSummary> Ingestor::IngestPaths(const std::vector<fs::path>& paths, const IngestOptions& options,
                                                  const ProgressFn& progress) {
  auto c = impl_->store.Current();
  auto scan = ScanInputs(paths, *c, options.move);  // files given by path get the library-folder checks too
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
    summary->items.push_back({e.path.string(), false, 0, "", {}, e.status, ""});
  }
  // Every input not taken is reported, so that names such as "..jpg" are never left out silently.
  for (const auto& skip : scan.skipped) {
    summary->skipped++;
    summary->items.push_back({skip.path.string(), false, 0, "", {}, base::Status::Ok(), "skipped: " + skip.reason});
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
    return {original_name, false, 0, "", {}, summary.status(), ""};
  }
  return summary->items.front();
}

ItemOutcome Ingestor::IngestFetched(const FetchedUrl& fetched, const IngestOptions& options) {
  Input in;
  in.kind = Input::Kind::kFetched;
  in.path = fetched.staged;
  in.url = fetched.url;
  in.name = fetched.staged.filename().string();
  in.source = options.source.empty() ? fetched.host : options.source;
  auto summary = impl_->Run({in}, options, nullptr);
  if (!summary.ok()) {
    impl_->committer.Discard(impl_->committer.Adopt(fetched.staged));
    return {fetched.url, false, 0, "", {}, summary.status(), ""};
  }
  return summary->items.front();
}

base::Result<model::Decision> Ingestor::DryRun(const fs::path& file, model::Analysis& analysis) {
  TRIAGE_RETURN_IF_ERROR(impl_->TakeSnapshot());
  auto sha = fingerprint::Sha256OfFile(file);
  if (!sha.ok()) return sha.status();
  analysis.fingerprint.sha256 = *sha;
  std::error_code ec;
  analysis.fingerprint.size_bytes = static_cast<int64_t>(std::filesystem::file_size(file, ec));
  impl_->analyse(file, nullptr, *impl_->cfg, impl_->faces, analysis);
  impl_->ScoreQuality(analysis);
  auto facts = impl_->Facts(analysis);
  if (!facts.ok()) return facts.status();
  return decide::Decide(analysis, impl_->policy, *facts);
}

}  // namespace triage::pipeline
