// Decode once; derive every measure from that one raster.
#include "pipeline/analyse.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "pipeline/face_stage.h"
#include "source/whole_file.h"
#include "vision/decode.h"
#include "vision/near_duplicate_check.h"
#include "vision/quality_metrics.h"

namespace triage::pipeline {

// Raster side used when no face analysis runs: enough for the 32x32 hash and a quality estimate, and small
// enough that an 8 MP JPEG decodes at 1/8 scale (DCT scaling).
constexpr int kHashOnlyMaxSidePx = 256;
// ... of which a JPEG's DCT scaling may leave as little as this: the signature's 64 px raster. On the duplicates
// bench's corpus (1-2 MP photos) this decodes at 1/8 where 256 px needed 1/4 (or 1/2): ~13% less CPU for a
// duplicates-only ingest, and the same pairs found in every kind of variant.
constexpr int kHashOnlyMinSidePx = 64;

// Quality measures are taken on a raster of this long side (model::QualityMetrics::kWorkingSidePx): decoding at
// least this much keeps sharpness and noise comparable whatever else the image is decoded for.
constexpr int kQualityMinSidePx = model::QualityMetrics::kWorkingSidePx;

// The second hash covers the central 95% of each side: a crop of up to ~5% then hashes close to the
// original's centre hash (or the other way round). Measured on the bench corpus: 5% crops fall from up to
// 8-14 bits apart to at most 4, while different pictures stay at least 17 bits apart.
constexpr double kCenterFraction = 0.95;

AnalyseOptions AnalyseOptionsFor(const config::Config& config, bool faces_on) {
  AnalyseOptions o;
  o.decode_max_side_px = faces_on ? config.analysis.decode_max_side_px : kHashOnlyMaxSidePx;
  if (config.analysis.quality) o.decode_max_side_px = std::max(o.decode_max_side_px, kQualityMinSidePx);
  if (!faces_on && !config.analysis.quality) o.decode_min_side_px = kHashOnlyMinSidePx;
  o.max_pixels = config.analysis.max_pixels;
  return o;
}

namespace {

// Whether the file's last byte is a zero (from `bytes` when given).
bool EndsInZero(const std::filesystem::path& file, const std::string* bytes) {
  if (bytes != nullptr) return !bytes->empty() && bytes->back() == '\0';
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in || in.tellg() <= 0) return false;
  in.seekg(-1, std::ios::end);
  return in.get() == 0;
}

// A JPEG cut short and padded out with zeros (what a download that sized its file first and stopped leaves) decodes
// without a word once the zeros complete its image data: the decoder takes them for picture, grey rows under the
// part that arrived. Such a file ends in zeros and its data never reaches the end-of-image marker (a whole JPEG with
// zeros after its end, or a motion photo's video after it, reaches it). Why it is unreadable, or "".
std::string CutShortAndPadded(const std::filesystem::path& file, const std::string* bytes, const std::string& format) {
  if (format != "jpeg" || !EndsInZero(file, bytes)) return "";
  const std::optional<std::string> why = source::WhyCutShort(file);
  if (!why) return "";
  return fmt::format(
      "jpeg decoder: the file ends early, as if cut off while being downloaded or copied ({}; zeros "
      "fill the rest of the file)",
      *why);
}

void Analyse(const std::filesystem::path& file, const std::string* bytes, const config::Config& config,
             const FaceStage* faces, model::Analysis& analysis) {
  // Face analysis switched off in triage.json while a watch or server runs with the models loaded: off from the next
  // photo on, as the file says.
  if (!config.analysis.faces) faces = nullptr;
  const AnalyseOptions options = AnalyseOptionsFor(config, faces != nullptr);
  const vision::DecodeOptions decode{options.decode_max_side_px, options.max_pixels, options.decode_min_side_px};
  auto decoded = bytes ? vision::DecodeImage(file, *bytes, decode) : vision::DecodeImage(file, decode);
  if (!decoded.ok()) {
    analysis.readable = false;
    analysis.unreadable_reason = decoded.status().message();
    return;
  }
  if (std::string cut = CutShortAndPadded(file, bytes, decoded->info.format); !cut.empty()) {
    analysis.readable = false;
    analysis.unreadable_reason = std::move(cut);
    return;
  }
  analysis.readable = true;
  analysis.info = decoded->info;
  vision::ImageFingerprint fingerprint = vision::FingerprintOf(decoded->image, kCenterFraction);
  analysis.fingerprint.phash = fingerprint.phash;
  analysis.fingerprint.phash_center = fingerprint.phash_center;
  analysis.fingerprint.has_phash = true;
  analysis.fingerprint.signature = std::move(fingerprint.signature);
  double to_full = decoded->image.width > 0 ? double(decoded->info.width) / decoded->image.width : 1.0;
  if (faces != nullptr) {
    auto found = faces->Analyze(decoded->image, to_full, config);
    if (found.ok()) {
      analysis.faces_analysed = true;
      analysis.faces = std::move(*found);
    } else {
      analysis.face_error = found.status().message();
    }
  }
  // After the faces: face and eye sharpness, blinks and the subject for the rule of thirds come from them.
  if (config.analysis.quality) {
    analysis.metrics = vision::MeasureQuality(decoded->image, analysis.faces, to_full);
    if (!analysis.metrics.measured) {
      analysis.quality_error =
          fmt::format("an image of {}x{} pixels is too small to measure", decoded->info.width, decoded->info.height);
    }
  }
  analysis.sharpness = analysis.metrics.sharpness;
  analysis.exposure = analysis.metrics.mean_luminance;
}

// Forgets what a failed analysis left half-done, keeping the fingerprint of the bytes.
void Reset(model::Analysis& analysis) {
  model::Fingerprint fingerprint = analysis.fingerprint;
  analysis = model::Analysis();
  analysis.fingerprint = fingerprint;
}

}  // namespace

void AnalyseStaged(const std::filesystem::path& file, const config::Config& config, const FaceStage* faces,
                   model::Analysis& analysis) noexcept {
  AnalyseStaged(file, nullptr, config, faces, analysis);
}

void AnalyseStaged(const std::filesystem::path& file, const std::string* bytes, const config::Config& config,
                   const FaceStage* faces, model::Analysis& analysis) noexcept {
  try {
    Analyse(file, bytes, config, faces, analysis);
  } catch (const std::exception& e) {
    // vision/ converts the libraries' errors it knows; this is the net for the ones it does not (bad_alloc, ...).
    Reset(analysis);
    analysis.unreadable_reason = std::string("analysis failed: ") + e.what();
  } catch (...) {
    Reset(analysis);
    analysis.unreadable_reason = "analysis failed: unknown exception";
  }
}

}  // namespace triage::pipeline
