// Quality scores against known degradations: for each real photo in a folder, six degraded copies (Gaussian blur
// sigma 2, Gaussian noise sigma 10, -1.5 EV, +1.5 EV, JPEG quality 15, 50% downscale) go through the same path as
// intake (decode at the pipeline's raster size, measure, score under the default rules and built-in anchors); per
// kind, the share of pairs in which the original scores higher (target >= 95%), over the photos at even positions
// (sorted by name: the half the scoring was tuned on), at odd positions (held out) and over all. Then the time of all
// measures on one core, decode excluded: on the pipeline's 1600 px raster and on a full 12 MP raster of the first
// photo, then on each photo brought to 12 MP (mean, median and the slowest).
//
// Usage: degradation_bench DIR [--verbose | --time-only] [--faces [--model-dir DIR]]   (--verbose: every pair, and
// for a pair whose degraded copy does not score lower, each dimension's contribution and the penalties of both;
// --faces: the faces are found on each raster and handed to the measures, as intake does with face analysis on)
#include <malloc.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/quality/qualitybrisque.hpp>
#include <string>

#include "faces/face_analyzer.h"
#include "model/quality.h"
#include "quality/score.h"
#include "vision/decode.h"
#include "vision/quality_metrics.h"

namespace {

namespace fs = std::filesystem;
using namespace triage;

constexpr int kPipelineSidePx = 1600;  // analysis.decode_max_side default (faces on)
constexpr const char* kBrisqueModel = "/usr/share/opencv4/quality/brisque_model_live.yml";
constexpr const char* kBrisqueRange = "/usr/share/opencv4/quality/brisque_range_live.yml";

cv::Mat ToMat(const model::RgbImage& img) {
  cv::Mat m(img.height, img.width, CV_8UC3, const_cast<uint8_t*>(img.pixels.data()));
  return m.clone();
}

// Exposure change in linear light (sRGB approximated by gamma 2.2), clipped like a sensor would.
cv::Mat Exposure(const cv::Mat& rgb, double ev) {
  cv::Mat f, out;
  rgb.convertTo(f, CV_32F, 1.0 / 255);
  cv::pow(f, 2.2, f);
  f *= std::pow(2.0, ev);
  cv::min(f, 1.0, f);
  cv::pow(f, 1 / 2.2, f);
  f.convertTo(out, CV_8U, 255);
  return out;
}

std::map<std::string, cv::Mat> Degrade(const cv::Mat& rgb) {
  std::map<std::string, cv::Mat> out;
  cv::GaussianBlur(rgb, out["blur_sigma2"], cv::Size(), 2);
  cv::Mat noise(rgb.size(), CV_32FC3), f;
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(10));
  rgb.convertTo(f, CV_32FC3);
  cv::Mat(f + noise).convertTo(out["noise_sigma10"], CV_8UC3);
  out["minus_1.5ev"] = Exposure(rgb, -1.5);
  out["plus_1.5ev"] = Exposure(rgb, 1.5);
  std::vector<uint8_t> jpeg;
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 15});
  cv::cvtColor(cv::imdecode(jpeg, cv::IMREAD_COLOR), out["jpeg_q15"], cv::COLOR_BGR2RGB);
  cv::resize(rgb, out["downscale_50"], cv::Size(), 0.5, 0.5, cv::INTER_AREA);
  return out;
}

model::RgbImage FromMat(const cv::Mat& m) {
  return {m.cols, m.rows, std::vector<uint8_t>(m.data, m.data + m.total() * 3)};
}

struct Scored {
  model::QualityMetrics metrics;
  model::QualityScore score;
};

// Writes losslessly, then analyses the file as intake does: with `analyzer`, the faces found on the decoded raster
// (in full-size coordinates, as the face stage hands them on) go to the measures too.
Scored ScoreAsIntake(const cv::Mat& rgb, const fs::path& tmp, const faces::FaceAnalyzer* analyzer) {
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  cv::imwrite(tmp.string(), bgr);
  auto d = vision::DecodeImage(tmp, {kPipelineSidePx, 250'000'000});
  if (!d.ok()) return {};
  double to_full = double(d->info.width) / d->image.width;
  std::vector<model::Face> found;
  if (analyzer) {
    auto analysed = analyzer->Analyze(d->image);
    if (analysed.ok()) found = std::move(*analysed);
    model::ScaleFaces(found, to_full);
  }
  model::QualityMetrics m = vision::MeasureQuality(d->image, found, to_full);
  return {m, quality::Score(m, d->info, model::QualityRules(), model::QualityReference())};
}

// The parts of two scores side by side: where a degraded copy gained; then the measures penalties are taken from.
void PrintParts(const Scored& o_scored, const Scored& d_scored) {
  const model::QualityScore& original = o_scored.score;
  const model::QualityScore& degraded = d_scored.score;
  for (const model::DimensionScore& o : original.dimensions) {
    for (const model::DimensionScore& d : degraded.dimensions) {
      if (d.name != o.name) continue;
      std::printf("      %-15s raw %9.3f -> %9.3f   contribution %5.2f -> %5.2f%s\n", o.name.c_str(), o.raw, d.raw,
                  o.contribution, d.contribution, d.contribution > o.contribution ? "  (+)" : "");
    }
  }
  for (const auto* s : {&original, &degraded}) {
    for (const model::Penalty& p : s->penalties)
      std::printf("      %s penalty %-14s %.2f (%s)\n", s == &original ? "original" : "degraded", p.name.c_str(),
                  p.points, p.text.c_str());
  }
  for (const auto* s : {&o_scored.metrics, &d_scored.metrics}) {
    std::printf(
        "      %s measures: noise sigma %.2f, bimodality %.2f, blockiness %.3f, posterized %.1f%%, "
        "clipped %.1f%% / %.1f%%, saturation %.2f\n",
        s == &o_scored.metrics ? "original" : "degraded", s->noise_sigma, s->bimodality, s->blockiness,
        s->posterized_percent, s->highlight_clip_percent, s->shadow_clip_percent, s->mean_saturation);
  }
}

double ThreadCpuMillis() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

struct Millis {
  double wall = 0, cpu = 0;  // per call; CPU time of this thread, which other processes on the machine do not inflate
};

template <typename Call>
Millis MillisPerCall(Call call, int rounds) {
  call();  // warm-up: BRISQUE model load
  auto start = std::chrono::steady_clock::now();
  const double cpu = ThreadCpuMillis();
  for (int i = 0; i < rounds; ++i) call();
  return {std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / rounds,
          (ThreadCpuMillis() - cpu) / rounds};
}

// All measures against the peer: OpenCV's own BRISQUE (quality module) on the same 512 px centre crop, the single
// measure the whole set used to cost most.
void PrintTimes(const char* label, const cv::Mat& rgb, int rounds) {
  const model::RgbImage img = FromMat(rgb);
  const Millis all = MillisPerCall([&] { vision::MeasureQuality(img); }, rounds);
  std::printf("  %-54s all measures %6.1f ms wall, %6.1f ms CPU", label, all.wall, all.cpu);
  if (vision::BrisqueAvailable()) {
    cv::Mat grey;
    cv::cvtColor(rgb, grey, cv::COLOR_RGB2GRAY);
    const int w = std::min(grey.cols, 512), h = std::min(grey.rows, 512);
    const cv::Mat crop = grey(cv::Rect((grey.cols - w) / 2, (grey.rows - h) / 2, w, h));
    auto peer = cv::quality::QualityBRISQUE::create(kBrisqueModel, kBrisqueRange);
    const Millis brisque = MillisPerCall([&] { peer->compute(crop); }, rounds);
    std::printf("; OpenCV BRISQUE alone %5.1f ms CPU (ratio %.2f)", brisque.cpu, all.cpu / brisque.cpu);
  }
  std::printf("\n");
}

// Each photo brought to 12 MP in turn: what some measures cost depends on the picture (the edges the lines are
// searched in), so one sample does not show the spread.
void PrintTimesOverAll(const std::vector<fs::path>& files, int rounds) {
  std::vector<std::pair<double, std::string>> cpu;
  for (const fs::path& file : files) {
    auto full = vision::DecodeImage(file, {16384, 250'000'000});
    if (!full.ok()) continue;
    cv::Mat twelve_mp;
    cv::resize(ToMat(full->image), twelve_mp, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    const model::RgbImage img = FromMat(twelve_mp);
    cpu.emplace_back(MillisPerCall([&] { vision::MeasureQuality(img); }, rounds).cpu, file.filename().string());
  }
  if (cpu.empty()) return;
  std::sort(cpu.begin(), cpu.end());
  double sum = 0;
  for (const auto& [ms, name] : cpu) sum += ms;
  std::printf("  each of the %zu photos at 4000x3000, all measures: mean %.1f ms CPU, median %.1f, slowest %.1f (%s)\n",
              cpu.size(), sum / double(cpu.size()), cpu[cpu.size() / 2].first, cpu.back().first,
              cpu.back().second.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage = "usage: degradation_bench DIR [--verbose | --time-only] [--faces [--model-dir DIR]]\n";
  std::string root;
  bool verbose = false, time_only = false, with_faces = false;
  faces::FaceOptions face_options;
  face_options.model_dir = TRIAGE_DEFAULT_MODEL_DIR;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--verbose") {
      verbose = true;
    } else if (a == "--time-only") {
      time_only = true;
    } else if (a == "--faces") {
      with_faces = true;
    } else if (a == "--model-dir" && i + 1 < argc) {
      face_options.model_dir = argv[++i];
    } else if (root.empty() && a[0] != '-') {
      root = a;
    } else {
      return std::fprintf(stderr, "%s", usage), 2;
    }
  }
  if (root.empty()) return std::fprintf(stderr, "%s", usage), 2;
  std::unique_ptr<faces::FaceAnalyzer> analyzer;
  if (with_faces) {
    auto opened = faces::FaceAnalyzer::Open(face_options);
    if (!opened.ok()) return std::fprintf(stderr, "%s\n", opened.status().ToString().c_str()), 1;
    analyzer = std::move(*opened);
  }
  cv::setNumThreads(1);
  // As triage's main does (app/main.cc): freed rasters stay with the process instead of being faulted in again.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  fs::path tmp = fs::temp_directory_path() / ("triage_degradation_" + std::to_string(::getpid()) + ".png");
  // half (0 tuned on, 1 held out, 2 all) -> kind -> (original higher, pairs)
  std::map<std::string, std::pair<int, int>> wins[3];
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(root)) {
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  cv::Mat sample;
  for (size_t index = 0; index < files.size(); ++index) {
    const fs::path& file = files[index];
    auto full = vision::DecodeImage(file, {16384, 250'000'000});
    if (!full.ok()) continue;
    cv::Mat rgb = ToMat(full->image);
    if (sample.empty()) sample = rgb;
    if (time_only) break;
    const Scored original_scored = ScoreAsIntake(rgb, tmp, analyzer.get());
    const model::QualityScore& original = original_scored.score;
    for (const auto& [kind, degraded] : Degrade(rgb)) {
      const Scored d_scored = ScoreAsIntake(degraded, tmp, analyzer.get());
      const model::QualityScore& d = d_scored.score;
      const bool lower = original.aggregate > d.aggregate;
      for (auto* half : {&wins[index % 2], &wins[2]}) {
        (*half)[kind].second += 1;
        (*half)[kind].first += lower ? 1 : 0;
      }
      if (verbose) {
        std::printf("%-28s %-14s %5.2f (%s) vs %5.2f (%s)%s\n", file.filename().c_str(), kind.c_str(),
                    original.aggregate, original.category.c_str(), d.aggregate, d.category.c_str(),
                    lower ? "" : "   <-- not lower");
        if (!lower) PrintParts(original_scored, d_scored);
      }
    }
  }
  fs::remove(tmp);
  if (files.empty() || sample.empty()) return std::fprintf(stderr, "no readable photos in %s\n", root.c_str()), 1;
  if (!time_only) {
    std::printf("degradation pairs (%zu photos, %s): original scores higher in\n", files.size(),
                analyzer ? "faces found and measured" : "no faces given to the measures");
    std::printf("  %-14s %-18s %-18s %-18s\n", "kind", "tuned (even)", "held out (odd)", "all");
    for (const auto& [kind, all] : wins[2]) {
      std::printf("  %-14s", kind.c_str());
      for (auto& half : wins) {
        auto [higher, pairs] = half[kind];
        std::printf(" %3d/%-3d = %5.1f%% ", higher, pairs, pairs ? 100.0 * higher / pairs : 0.0);
      }
      std::printf("%s\n", all.first * 100 >= 95 * all.second ? "" : "  (below the 95% target)");
    }
  }
  cv::Mat pipeline_raster, twelve_mp;
  double f = double(kPipelineSidePx) / std::max(sample.cols, sample.rows);
  cv::resize(sample, pipeline_raster, cv::Size(), f, f, cv::INTER_AREA);
  cv::resize(sample, twelve_mp, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
  std::printf("all measures, one core, decode excluded (BRISQUE %s):\n",
              vision::BrisqueAvailable() ? "included" : "model files missing, skipped");
  const std::string pipeline_label = std::to_string(pipeline_raster.cols) + "x" + std::to_string(pipeline_raster.rows) +
                                     " raster (what intake decodes a 12 MP JPEG to):";
  PrintTimes(pipeline_label.c_str(), pipeline_raster, 20);
  PrintTimes("4000x3000 raster (12 MP, decoded at full size):", twelve_mp, 5);
  PrintTimesOverAll(files, 2);
  return 0;
}
