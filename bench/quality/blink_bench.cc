// Blink detection against labelled photos: DIR/open/* show faces with both eyes open, DIR/closed/* faces with eyes
// closed. Each photo goes through intake's path (decode at the pipeline's raster size, face detection, 68
// landmarks, quality measures, score under the default rules) and the score's eyes_closed is compared with the
// label. Per half (files sorted by name within each label: even positions are the half the decision was tuned on,
// odd ones are held out) and over all: true/false positives and negatives, precision and recall of "closed", and
// the photos not judged (no face found, every face turned more than max_face_turn_deg). Targets: precision >= 0.9,
// recall >= 0.8.
//
// Usage: blink_bench DIR [--model-dir DIR] [--verbose]   (--verbose: each photo's faces, eye measures and verdict)
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "faces/face_analyzer.h"
#include "model/quality.h"
#include "quality/score.h"
#include "vision/decode.h"
#include "vision/quality_metrics.h"

namespace {

namespace fs = std::filesystem;
using namespace triage;

constexpr int kPipelineSidePx = 1600;  // analysis.decode_max_side default (faces on)

struct Counts {
  int tp = 0, fp = 0, fn = 0, tn = 0, no_face = 0, turned = 0, unreadable = 0;
};

enum class Verdict { kClosed, kOpen, kNoFace, kTurned, kUnreadable };

std::vector<fs::path> ImagesIn(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Verdict Judge(const faces::FaceAnalyzer& analyzer, const fs::path& file, bool verbose) {
  auto decoded = vision::DecodeImage(file, {kPipelineSidePx, 250'000'000});
  if (!decoded.ok()) return Verdict::kUnreadable;
  auto found = analyzer.Analyze(decoded->image);
  if (!found.ok()) return Verdict::kUnreadable;
  const double to_full = double(decoded->info.width) / decoded->image.width;
  model::ScaleFaces(*found, to_full);
  const model::QualityMetrics m = vision::MeasureQuality(decoded->image, *found, to_full);
  const model::QualityRules rules;
  const model::QualityScore s = quality::Score(m, decoded->info, rules, model::QualityReference());
  bool judged = false;
  for (const auto& e : m.eyes) judged = judged || e.yaw_deg <= rules.max_face_turn_deg;
  if (verbose) {
    std::printf("%-44s %4dpx faces %zu", file.filename().c_str(), decoded->info.width, found->size());
    for (const auto& e : m.eyes)
      std::printf("  [ear %.3f contrast %.3f yaw %4.1f]", e.aspect_ratio, e.contrast, e.yaw_deg);
    std::printf("  -> %s\n", m.eyes.empty() ? "no face" : !judged ? "turned" : s.eyes_closed ? "closed" : "open");
  }
  if (m.eyes.empty()) return Verdict::kNoFace;
  if (!judged) return Verdict::kTurned;
  return s.eyes_closed ? Verdict::kClosed : Verdict::kOpen;
}

void Add(Counts& c, bool closed_label, Verdict v) {
  switch (v) {
    case Verdict::kNoFace:
      ++c.no_face;
      return;
    case Verdict::kTurned:
      ++c.turned;
      return;
    case Verdict::kUnreadable:
      ++c.unreadable;
      return;
    case Verdict::kClosed:
      ++(closed_label ? c.tp : c.fp);
      return;
    case Verdict::kOpen:
      ++(closed_label ? c.fn : c.tn);
      return;
  }
}

void Print(const char* name, const Counts& c) {
  const double precision = c.tp + c.fp ? double(c.tp) / (c.tp + c.fp) : 0;
  const double recall = c.tp + c.fn ? double(c.tp) / (c.tp + c.fn) : 0;
  std::printf("  %-15s precision %.3f%s recall %.3f%s   TP %3d FP %3d FN %3d TN %3d   no face %d, turned %d%s\n", name,
              precision, precision >= 0.9 ? " " : "*", recall, recall >= 0.8 ? " " : "*", c.tp, c.fp, c.fn, c.tn,
              c.no_face, c.turned, c.unreadable ? (", unreadable " + std::to_string(c.unreadable)).c_str() : "");
}

}  // namespace

int main(int argc, char** argv) {
  faces::FaceOptions options;
  options.model_dir = TRIAGE_DEFAULT_MODEL_DIR;
  std::string root;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--verbose") {
      verbose = true;
    } else if (a == "--model-dir" && i + 1 < argc) {
      options.model_dir = argv[++i];
    } else if (root.empty() && a[0] != '-') {
      root = a;
    } else {
      return std::fprintf(stderr, "usage: blink_bench DIR [--model-dir DIR] [--verbose]\n"), 2;
    }
  }
  if (root.empty()) return std::fprintf(stderr, "usage: blink_bench DIR [--model-dir DIR] [--verbose]\n"), 2;
  const std::vector<fs::path> open = ImagesIn(fs::path(root) / "open"), closed = ImagesIn(fs::path(root) / "closed");
  if (open.empty() || closed.empty())
    return std::fprintf(stderr, "%s needs open/ and closed/ photos\n", root.c_str()), 1;
  auto analyzer = faces::FaceAnalyzer::Open(options);
  if (!analyzer.ok()) return std::fprintf(stderr, "%s\n", analyzer.status().ToString().c_str()), 1;
  Counts halves[3];  // tuned (even), held out (odd), all
  for (const auto* files : {&closed, &open}) {
    for (size_t i = 0; i < files->size(); ++i) {
      const Verdict v = Judge(**analyzer, (*files)[i], verbose);
      Add(halves[i % 2], files == &closed, v);
      Add(halves[2], files == &closed, v);
    }
  }
  std::printf("blink (%zu closed, %zu open; %s detector; * = below the target 0.9 / 0.8):\n", closed.size(),
              open.size(), (*analyzer)->detector_name());
  Print("tuned (even)", halves[0]);
  Print("held out (odd)", halves[1]);
  Print("all", halves[2]);
  return 0;
}
