// Face detection against annotated boxes: recall, precision (IoU >= 0.4), the smallest face found and ms per image,
// for triage's detector (BlazeFace with scaled passes for small faces) beside its whole-image pass and OpenCV's Haar
// cascade. Sets, each read from `file x y w h` rows (image pixels of the original file; a row of a file name alone
// adds a picture without faces):
//   samples   the face-api sample photos as ingest analyses them (shrunk on load to 1600 px)
//   500px     the same photos shrunk to 500 px (faces ~45-70 px wide, like small group photos)
//   400px     shrunk to 400 px (faces ~31-56 px: below the default 40 px, where small faces of group photos go)
//   mosaic    the six photos side by side in one 8.5 MP picture, analysed at 1600 px (faces ~45-60 px)
//   --set NAME TSV DIR   any other annotated folder, analysed at 1600 px
// Usage: face_boxes [--annotations TSV] [--images DIR] [--model-dir DIR] [--min-face PX] [--min-face-fraction F]
//                   [--set NAME TSV DIR]...
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "base/memory.h"
#include "vision/decode.h"
#include "vision/face_detector.h"

using namespace triage;

namespace {

constexpr char kHaarCascade[] = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
constexpr float kMatchIou = 0.4f;

struct Picture {
  std::string name;
  model::RgbImage image;
  std::vector<model::Box> faces;  // in pixels of `image`
};

struct Set {
  std::string name;
  std::vector<Picture> pictures;
};

// file -> boxes, from `file x y w h` rows ('#' starts a comment).
std::map<std::string, std::vector<model::Box>> ReadAnnotations(const std::string& path) {
  std::map<std::string, std::vector<model::Box>> out;
  std::ifstream in(path);
  if (!in) std::fprintf(stderr, "cannot read %s\n", path.c_str());
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("file\t", 0) == 0) continue;
    std::stringstream ss(line);
    std::string file;
    model::Box b;
    if (!(ss >> file)) continue;
    std::vector<model::Box>& boxes = out[file];  // a row of a file alone: a picture without faces
    if (ss >> b.x >> b.y >> b.width >> b.height) boxes.push_back(b);
  }
  return out;
}

cv::Mat ToMat(const model::RgbImage& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data())).clone();
}

model::RgbImage FromMat(const cv::Mat& m) {
  model::RgbImage out{m.cols, m.rows, {}};
  const cv::Mat c = m.isContinuous() ? m : m.clone();
  out.pixels.assign(c.data, c.data + c.total() * 3);
  return out;
}

std::vector<model::Box> Scaled(std::vector<model::Box> boxes, float scale, float dx = 0, float dy = 0) {
  for (model::Box& b : boxes) b = {b.x * scale + dx, b.y * scale + dy, b.width * scale, b.height * scale};
  return boxes;
}

// Each annotated file decoded as ingest does (shrink on load to max_side), its boxes scaled along.
Set LoadSet(const std::string& name, const std::string& tsv, const std::string& dir, int max_side) {
  Set set{name, {}};
  for (const auto& [file, boxes] : ReadAnnotations(tsv)) {
    auto decoded = vision::DecodeImage(dir + "/" + file, {max_side, 250'000'000});
    if (!decoded.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), decoded.status().ToString().c_str());
      continue;
    }
    const float scale = static_cast<float>(decoded->image.width) / decoded->info.width;
    set.pictures.push_back({file, decoded->image, Scaled(boxes, scale)});
  }
  return set;
}

// The pictures of `full` (decoded at full size) side by side, three to a row, each shrunk to a 1334 px wide cell;
// the composition is then shrunk to 1600 px as ingest would decode it.
Set Mosaic(const Set& full) {
  constexpr int kCell = 1334;
  constexpr int kColumns = 3;
  const int rows = (static_cast<int>(full.pictures.size()) + kColumns - 1) / kColumns;
  cv::Mat canvas(rows * 1068, kColumns * kCell, CV_8UC3, cv::Scalar(40, 40, 40));
  Picture out{"mosaic", {}, {}};
  for (size_t i = 0; i < full.pictures.size(); ++i) {
    const Picture& p = full.pictures[i];
    const float scale = static_cast<float>(kCell) / p.image.width;
    cv::Mat cell;
    cv::resize(ToMat(p.image), cell, cv::Size(), scale, scale, cv::INTER_AREA);
    const int x = static_cast<int>(i % kColumns) * kCell;
    const int y = static_cast<int>(i / kColumns) * 1068;
    cell.copyTo(canvas(cv::Rect(x, y, cell.cols, std::min(cell.rows, 1068))));
    for (const model::Box& b : Scaled(p.faces, scale, x, y)) out.faces.push_back(b);
  }
  const float shrink = 1600.0f / canvas.cols;
  cv::Mat small;
  cv::resize(canvas, small, cv::Size(), shrink, shrink, cv::INTER_AREA);
  out.image = FromMat(small);
  out.faces = Scaled(out.faces, shrink);
  return {"mosaic", {out}};
}

struct Score {
  int faces = 0, found = 0, detections = 0;
  float smallest_found = 0;  // px, width of the narrowest annotated face matched
  double ms = 0;
  int images = 0;
};

// Greedy one-to-one matching by IoU, best pairs first.
void Tally(const std::vector<model::Box>& truth, const std::vector<vision::FaceDetection>& found, Score* s) {
  std::vector<std::tuple<float, size_t, size_t>> pairs;
  for (size_t t = 0; t < truth.size(); ++t) {
    for (size_t f = 0; f < found.size(); ++f) {
      const float iou = vision::IntersectionOverUnion(truth[t], found[f].box);
      if (iou >= kMatchIou) pairs.emplace_back(iou, t, f);
    }
  }
  std::sort(pairs.rbegin(), pairs.rend());
  std::vector<bool> truth_used(truth.size()), found_used(found.size());
  for (const auto& [iou, t, f] : pairs) {
    if (truth_used[t] || found_used[f]) continue;
    truth_used[t] = found_used[f] = true;
    ++s->found;
    if (s->smallest_found == 0 || truth[t].width < s->smallest_found) s->smallest_found = truth[t].width;
  }
  s->faces += static_cast<int>(truth.size());
  s->detections += static_cast<int>(found.size());
}

Score Evaluate(const vision::FaceDetector& detector, const Set& set, bool verbose) {
  Score s;
  for (const Picture& p : set.pictures) {
    const auto start = std::chrono::steady_clock::now();
    auto found = detector.Detect(p.image);
    s.ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ++s.images;
    if (!found.ok()) {
      std::fprintf(stderr, "%s: %s\n", p.name.c_str(), found.status().ToString().c_str());
      continue;
    }
    Tally(p.faces, found.value(), &s);
    if (!verbose) continue;
    for (const auto& d : found.value()) {
      std::printf("    %s %s %.0f %.0f %.0f %.0f %.2f\n", detector.name(), p.name.c_str(), d.box.x, d.box.y,
                  d.box.width, d.box.height, d.score);
    }
  }
  return s;
}

void Print(const std::string& set, const std::string& detector, const Score& s) {
  const double recall = s.faces ? static_cast<double>(s.found) / s.faces : 0;
  const double precision = s.detections ? static_cast<double>(s.found) / s.detections : 1;
  std::printf(
      "%-10s %-22s %3d/%-3d recall %.3f  precision %.3f (%d detections)  smallest found %3.0f px  %6.1f ms/image\n",
      set.c_str(), detector.c_str(), s.found, s.faces, recall, precision, s.detections, s.smallest_found,
      s.images ? s.ms / s.images : 0);
}

}  // namespace

int main(int argc, char** argv) {
  base::KeepFreedRasterMemory();  // as triage does: the times are those of its analysis
  const std::string source = TRIAGE_SOURCE_DIR;
  std::string annotations = source + "/bench/faces/face_api_samples.tsv";
  std::string images = source + "/.cache/npm/face-api/demo";
  std::string model_dir = source + "/.cache/npm";
  int min_face = vision::FaceDetectorOptions{}.min_face_size_px;
  double min_face_fraction = vision::FaceDetectorOptions{}.min_face_fraction;
  bool verbose = false;
  std::vector<std::array<std::string, 3>> extra;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--annotations" && i + 1 < argc) {
      annotations = argv[++i];
    } else if (a == "--images" && i + 1 < argc) {
      images = argv[++i];
    } else if (a == "--model-dir" && i + 1 < argc) {
      model_dir = argv[++i];
    } else if (a == "--min-face" && i + 1 < argc) {
      min_face = std::atoi(argv[++i]);
    } else if (a == "--min-face-fraction" && i + 1 < argc) {
      min_face_fraction = std::atof(argv[++i]);
    } else if (a == "--set" && i + 3 < argc) {
      extra.push_back({argv[i + 1], argv[i + 2], argv[i + 3]});
      i += 3;
    } else if (a == "-v") {
      verbose = true;
    } else {
      std::fprintf(stderr,
                   "usage: face_boxes [--annotations TSV] [--images DIR] [--model-dir DIR] [--min-face PX] "
                   "[--min-face-fraction F] [--set NAME TSV DIR]... [-v]\n");
      return 2;
    }
  }
  const vision::BlazeFaceFiles onnx{model_dir + "/blazeface/ONNX/face_detection_back_256x256_barracuda.onnx",
                                    model_dir + "/blazeface/ONNX/face_detection_front_128x128_barracuda.onnx"};
  vision::FaceDetectorOptions tiled;
  tiled.min_face_size_px = min_face;
  tiled.min_face_fraction = min_face_fraction;
  vision::FaceDetectorOptions whole = tiled;
  whole.tile_small_faces = false;
  auto triage_detector = vision::FaceDetector::OpenBlazeFace(onnx, tiled);
  auto whole_detector = vision::FaceDetector::OpenBlazeFace(onnx, whole);
  auto haar = vision::FaceDetector::OpenHaar(kHaarCascade, tiled);
  for (const auto* d : {&triage_detector, &whole_detector, &haar}) {
    if (!d->ok()) {
      std::fprintf(stderr, "%s\n", d->status().ToString().c_str());
      return 1;
    }
  }
  std::vector<Set> sets = {LoadSet("samples", annotations, images, 1600), LoadSet("500px", annotations, images, 500),
                           LoadSet("400px", annotations, images, 400),
                           Mosaic(LoadSet("full", annotations, images, 4096))};
  for (const auto& [name, tsv, dir] : extra) sets.push_back(LoadSet(name, tsv, dir, 1600));
  std::printf(
      "IoU >= %.1f; smallest face looked for %d px (analysed raster), by scaled passes %.3f of the long side when "
      "more\n",
      kMatchIou, min_face, min_face_fraction);
  for (const Set& set : sets) {
    Print(set.name, "triage (scaled)", Evaluate(**triage_detector, set, verbose));
    Print(set.name, "whole-image pass", Evaluate(**whole_detector, set, verbose));
    Print(set.name, "opencv haar", Evaluate(**haar, set, false));
  }
  return 0;
}
