// Face speed on 12 MP photos, 2 cores: detection per image (decode included, as the pipeline decodes: upright,
// shrunk on load to 1600 px) and landmarks + embedding per face, beside OpenCV's Haar cascade on the same images.
// Usage: face_speed [--images DIR] [--model-dir DIR] [--rounds N] [--min-face PX] [--min-face-fraction F]
//   Without --images, 12 MP JPEGs are composed from tests/fixtures/faces into a temporary folder.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "base/memory.h"
#include "faces/embedding_net.h"
#include "faces/face_analyzer.h"
#include "vision/decode.h"
#include "vision/face_detector.h"
#include "vision/face_landmarks.h"

namespace fs = std::filesystem;
using namespace triage;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int k12MpWidth = 4000;
constexpr int k12MpHeight = 3000;
constexpr char kHaarCascade[] = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
constexpr const char* kSources[] = {"vladmandic_sample1.jpg",    "vladmandic_sample4.jpg", "obama.jpg", "biden2.jpg",
                                    "Tom_Cruise_avp_2014_4.jpg", "skimage_coffee.jpg"};

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Scales each fixture to cover 4000x3000 (centre crop) and writes it as a quality-90 JPEG, like a camera file.
std::vector<fs::path> Compose12MpImages(const fs::path& out_dir) {
  fs::create_directories(out_dir);
  std::vector<fs::path> paths;
  for (const char* name : kSources) {
    cv::Mat src = cv::imread(std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/" + name, cv::IMREAD_COLOR);
    if (src.empty()) continue;
    const double scale = std::max(double(k12MpWidth) / src.cols, double(k12MpHeight) / src.rows);
    cv::Mat big;
    cv::resize(src, big, cv::Size(), scale, scale, cv::INTER_CUBIC);
    const cv::Rect crop((big.cols - k12MpWidth) / 2, (big.rows - k12MpHeight) / 2, k12MpWidth, k12MpHeight);
    const fs::path path = out_dir / (fs::path(name).stem().string() + "_12mp.jpg");
    cv::imwrite(path.string(), big(crop), {cv::IMWRITE_JPEG_QUALITY, 90});
    paths.push_back(path);
  }
  return paths;
}

struct DetectorRun {
  double decode_ms = 0;
  double detect_ms = 0;
  size_t faces = 0;
};

// Median over rounds of decode and detect times for one image and one detector.
DetectorRun TimeDetector(const vision::FaceDetector& detector, const fs::path& path, int rounds) {
  std::vector<double> decode, detect;
  DetectorRun run;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = Clock::now();
    auto decoded = vision::DecodeImage(path, vision::DecodeOptions{});
    decode.push_back(MsSince(t0));
    if (!decoded.ok()) return run;
    auto t1 = Clock::now();
    auto found = detector.Detect(decoded->image);
    detect.push_back(MsSince(t1));
    run.faces = found.ok() ? found->size() : 0;
  }
  run.decode_ms = Median(decode);
  run.detect_ms = Median(detect);
  return run;
}

double CpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Wall and process CPU milliseconds of one call.
struct Timing {
  std::vector<double> wall_ms;
  std::vector<double> cpu_ms;
  void Time(const std::function<void()>& run) {
    const double cpu0 = CpuMs();
    const auto t0 = Clock::now();
    run();
    wall_ms.push_back(MsSince(t0));
    cpu_ms.push_back(CpuMs() - cpu0);
  }
};

// Landmarks + chip + embedding per face over every face BlazeFace finds in `images`. The embedding is timed both
// ways in the same run, alternating: the OpenCV DNN graph and the reference im2col + sgemm forward (the path before
// the graph), as wall time and as the CPU time of the whole process (steadier when the machine is shared).
void TimePerFace(const vision::FaceDetector& detector, const std::vector<fs::path>& images,
                 const faces::FaceOptions& options, int rounds) {
  const faces::ModelPaths paths = faces::ResolveModelPaths(options);
  auto landmarker = vision::FaceLandmarker::Open(paths.landmarks);
  auto net = faces::EmbeddingNet::Load(paths.embedding_manifest);
  if (!landmarker.ok() || !net.ok()) {
    std::printf("cannot load landmark/embedding models\n");
    return;
  }
  const faces::EmbeddingNet& embedder = **net;
  Timing landmarks, graph, reference;
  for (const fs::path& path : images) {
    auto decoded = vision::DecodeImage(path, vision::DecodeOptions{});
    if (!decoded.ok()) continue;
    auto found = detector.Detect(decoded->image);
    if (!found.ok()) continue;
    for (const vision::FaceDetection& d : *found) {
      base::Result<std::vector<vision::AlignedFace>> aligned = std::vector<vision::AlignedFace>{};
      landmarks.Time([&] { aligned = (*landmarker)->Align(decoded->image, {d.box}); });
      if (!aligned.ok()) continue;
      const model::RgbImage& chip = aligned->front().chip;
      for (int r = 0; r < rounds; ++r) {
        graph.Time([&] { (void)embedder.Embed(chip); });
        reference.Time([&] { (void)embedder.EmbedReference(chip); });
      }
    }
  }
  std::printf("\nper face (%zu faces, embedding %d rounds each, medians): landmarks + chip %.1f ms\n",
              landmarks.wall_ms.size(), rounds, Median(landmarks.wall_ms));
  std::printf("embedding, OpenCV DNN graph: %.1f ms (CPU %.1f ms)\n", Median(graph.wall_ms), Median(graph.cpu_ms));
  std::printf("embedding, im2col + sgemm:   %.1f ms (CPU %.1f ms); graph faster by %.2fx (CPU %.2fx)\n",
              Median(reference.wall_ms), Median(reference.cpu_ms), Median(reference.wall_ms) / Median(graph.wall_ms),
              Median(reference.cpu_ms) / Median(graph.cpu_ms));
  std::printf("landmarks + embedding: %.1f ms per face\n", Median(landmarks.wall_ms) + Median(graph.wall_ms));
}

}  // namespace

int main(int argc, char** argv) {
  base::KeepFreedRasterMemory();  // as triage does: the times are those of its analysis
  fs::path images_dir;
  faces::FaceOptions options{.model_dir = std::string(TRIAGE_SOURCE_DIR) + "/.cache/npm"};
  int rounds = 5;
  vision::FaceDetectorOptions limits;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--images")
      images_dir = argv[i + 1];
    else if (a == "--model-dir")
      options.model_dir = argv[i + 1];
    else if (a == "--rounds")
      rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (a == "--min-face")
      limits.min_face_size_px = std::atoi(argv[i + 1]);
    else if (a == "--min-face-fraction")
      limits.min_face_fraction = std::atof(argv[i + 1]);
  }
  std::vector<fs::path> images;
  const fs::path scratch = fs::temp_directory_path() / "triage_face_speed";
  if (images_dir.empty()) {
    images = Compose12MpImages(scratch);
  } else {
    for (const auto& e : fs::directory_iterator(images_dir)) images.push_back(e.path());
    std::sort(images.begin(), images.end());
  }
  auto blaze = vision::FaceDetector::OpenBlazeFace(
      {faces::ResolveModelPaths(options).blazeface_onnx, faces::ResolveModelPaths(options).blazeface_front_onnx},
      limits);
  auto haar = vision::FaceDetector::OpenHaar(kHaarCascade, limits);
  if (!blaze.ok() || !haar.ok()) {
    std::fprintf(stderr, "%s %s\n", blaze.status().ToString().c_str(), haar.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "%zu images, median of %d rounds, decode = shrink-on-load to 1600 px; faces from %d px, scaled passes from %.3f "
      "of the long side\n\n",
      images.size(), rounds, limits.min_face_size_px, limits.min_face_fraction);
  std::printf("%-32s %9s | %9s %6s %9s | %9s %6s %9s\n", "image", "decode", "blazeface", "faces", "+decode", "haar",
              "faces", "+decode");
  std::vector<double> blaze_total, haar_total, blaze_detect, haar_detect;
  for (const fs::path& path : images) {
    const DetectorRun b = TimeDetector(**blaze, path, rounds);
    const DetectorRun h = TimeDetector(**haar, path, rounds);
    std::printf("%-32s %7.1fms | %7.1fms %6zu %7.1fms | %7.1fms %6zu %7.1fms\n", path.filename().c_str(), b.decode_ms,
                b.detect_ms, b.faces, b.decode_ms + b.detect_ms, h.detect_ms, h.faces, h.decode_ms + h.detect_ms);
    blaze_total.push_back(b.decode_ms + b.detect_ms);
    haar_total.push_back(h.decode_ms + h.detect_ms);
    blaze_detect.push_back(b.detect_ms);
    haar_detect.push_back(h.detect_ms);
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0 : s / v.size();
  };
  std::printf("\nmean per 12 MP image: blazeface %.1f ms (detect only %.1f), haar %.1f ms (detect only %.1f)\n",
              mean(blaze_total), mean(blaze_detect), mean(haar_total), mean(haar_detect));
  std::printf("ratio haar / blazeface: %.2fx with decode, %.2fx detection only\n", mean(haar_total) / mean(blaze_total),
              mean(haar_detect) / mean(blaze_detect));
  TimePerFace(**blaze, images, options, rounds);
  if (images_dir.empty()) fs::remove_all(scratch);
  return 0;
}
