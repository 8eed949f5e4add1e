// Accuracy of face analysis + matching over a labelled folder:
//   <root>/enroll/<person>/*   reference photos (largest face of each is enrolled)
//   <root>/probe/<person>/*    should match <person>
//   <root>/probe/_unknown/*    one face of someone not enrolled: should stay unknown
//   <root>/probe/_group/*      several faces (counts checked against <root>/MANIFEST.tsv n_faces when present)
//   <root>/probe/_noface/*     should give no face
// Usage: face_eval <root> [--model-dir DIR] [--detector blazeface|hog] [--match-distance D] [--min-confidence C]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "decide/decide.h"
#include "faces/embedding_net.h"
#include "faces/face_analyzer.h"
#include "faces/face_matcher.h"
#include "vision/decode.h"

namespace fs = std::filesystem;
using namespace triage;

namespace {

struct Args {
  std::string root;
  faces::FaceOptions face;
  model::Policy match;  // match_distance and min_confidence
};

bool ParseArgs(int argc, char** argv, Args* args) {
  args->face.model_dir = std::string(TRIAGE_DEFAULT_MODEL_DIR);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--model-dir" && has_value) {
      args->face.model_dir = argv[++i];
    } else if (a == "--detector" && has_value) {
      args->face.detector = argv[++i];
    } else if (a == "--match-distance" && has_value) {
      args->match.match_distance = std::stod(argv[++i]);
    } else if (a == "--min-confidence" && has_value) {
      args->match.min_confidence = std::stod(argv[++i]);
    } else if (args->root.empty() && a[0] != '-') {
      args->root = a;
    } else {
      return false;
    }
  }
  return !args->root.empty();
}

std::vector<fs::path> ImagesIn(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> SubdirsOf(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// MANIFEST.tsv "path" -> "n_faces", when the folder carries one.
std::map<std::string, int> ExpectedCounts(const fs::path& root) {
  std::map<std::string, int> counts;
  std::ifstream in(root / "MANIFEST.tsv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    if (cols.size() > 2 && !cols[2].empty()) counts[cols[0]] = std::atoi(cols[2].c_str());
  }
  return counts;
}

std::vector<model::Face> AnalyzeFile(const faces::FaceAnalyzer& analyzer, const fs::path& path) {
  auto decoded = vision::DecodeImage(path, vision::DecodeOptions{});
  if (!decoded.ok()) {
    std::printf("  ! %s: %s\n", path.c_str(), decoded.status().ToString().c_str());
    return {};
  }
  auto found = analyzer.Analyze(decoded->image);
  if (!found.ok()) {
    std::printf("  ! %s: %s\n", path.c_str(), found.status().ToString().c_str());
    return {};
  }
  return found.value();
}

const model::Face* Largest(const std::vector<model::Face>& faces) {
  const model::Face* best = nullptr;
  for (const model::Face& f : faces) {
    if (!best || f.box.width * f.box.height > best->box.width * best->box.height) best = &f;
  }
  return best;
}

struct Labelled {
  std::string person;
  std::string file;
  std::vector<float> embedding;
};

struct Tally {
  int correct = 0;
  int wrong = 0;  // known as someone else / a stranger accepted / a face on a no-face photo
  std::map<std::string, int> rest;
};

void Summarize(const std::string& name, const Tally& t) {
  std::printf("%-10s correct %3d  false %3d", name.c_str(), t.correct, t.wrong);
  for (const auto& [where, n] : t.rest) std::printf("  %s %d", where.c_str(), n);
  std::printf("\n");
}

void DistanceStats(const std::vector<Labelled>& all) {
  std::vector<double> same, different;
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) {
      const double d = faces::EmbeddingDistance(all[i].embedding, all[j].embedding);
      (all[i].person == all[j].person ? same : different).push_back(d);
    }
  }
  auto print = [](const char* name, std::vector<double> v, double threshold, bool above) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    double mean = 0;
    for (double d : v) mean += d / v.size();
    const long beyond =
        std::count_if(v.begin(), v.end(), [&](double d) { return above ? d > threshold : d <= threshold; });
    std::printf("%-9s pairs %4zu  min %.3f  p5 %.3f  mean %.3f  p95 %.3f  max %.3f  %s 0.6: %ld\n", name, v.size(),
                v.front(), v[v.size() * 5 / 100], mean, v[v.size() * 95 / 100], v.back(), above ? ">" : "<=", beyond);
  };
  print("same", same, 0.6, true);
  print("different", different, 0.6, false);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: face_eval <root> [--model-dir DIR] [--detector blazeface|hog] "
                 "[--match-distance D] [--min-confidence C]\n");
    return 2;
  }
  auto analyzer = faces::FaceAnalyzer::Open(args.face);
  if (!analyzer.ok()) {
    std::fprintf(stderr, "%s\n", analyzer.status().ToString().c_str());
    return 1;
  }
  const fs::path root(args.root);
  std::printf("detector %s, match_distance %.2f, min_confidence %.2f\n", (*analyzer)->detector_name(),
              args.match.match_distance, args.match.min_confidence);

  std::vector<faces::Reference> references;
  std::vector<Labelled> labelled;  // single-face photos of enrolled persons (enroll + probe) for distance stats
  for (const fs::path& person_dir : SubdirsOf(root / "enroll")) {
    for (const fs::path& file : ImagesIn(person_dir)) {
      const auto found = AnalyzeFile(**analyzer, file);
      const model::Face* face = Largest(found);
      if (!face) {
        std::printf("enroll: no face in %s\n", file.c_str());
        continue;
      }
      references.push_back({person_dir.filename().string(), face->embedding});
      labelled.push_back({person_dir.filename().string(), file.filename().string(), face->embedding});
    }
  }
  std::printf("enrolled %zu references\n\n%-34s %-9s %5s  %-10s %8s %6s  %-14s %5s  %s\n", references.size(), "probe",
              "label", "faces", "nearest", "distance", "conf", "kind", "EAR", "verdict");

  const std::map<std::string, int> expected_counts = ExpectedCounts(root);
  std::map<std::string, Tally> tallies;
  for (const fs::path& label_dir : SubdirsOf(root / "probe")) {
    const std::string label = label_dir.filename().string();
    const std::string group = label[0] == '_' ? label : "persons";
    for (const fs::path& file : ImagesIn(label_dir)) {
      const auto found = AnalyzeFile(**analyzer, file);
      Tally& tally = tallies[group];
      const std::string rel = fs::relative(file, root).string();
      if (label == "_noface") {
        found.empty() ? ++tally.correct : ++tally.wrong;
        std::printf("%-34s %-9s %5zu  %s\n", file.filename().c_str(), label.c_str(), found.size(),
                    found.empty() ? "ok" : "FALSE FACE");
        continue;
      }
      if (label == "_group") {
        auto it = expected_counts.find(rel);
        const int want = it == expected_counts.end() ? -1 : it->second;
        if (want >= 0) {
          static_cast<int>(found.size()) == want
              ? ++tally.correct
              : ++tally.rest[found.size() < static_cast<size_t>(want) ? "fewer" : "more"];
        }
        std::printf("%-34s %-9s %5zu  (expected %d)\n", file.filename().c_str(), label.c_str(), found.size(), want);
        std::vector<model::Face> sorted = found;
        std::sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.box.x < b.box.x; });
        for (const model::Face& f : sorted) {
          model::FaceMatch m = faces::NearestPersons(f.embedding, references);
          m.kind = decide::ClassifyMatch(m, args.match);
          std::printf("    x=%-5.0f w=%-4.0f %-10s %8.3f %6.2f  %-14s %5.2f\n", f.box.x, f.box.width, m.person.c_str(),
                      m.distance, m.confidence, model::MatchKindName(m.kind), f.eye_aspect_ratio);
        }
        continue;
      }
      const model::Face* face = Largest(found);
      std::string verdict;
      if (!face) {
        ++tally.rest["no_face"];
        verdict = "no face";
        std::printf("%-34s %-9s %5zu  %s\n", file.filename().c_str(), label.c_str(), found.size(), verdict.c_str());
        continue;
      }
      model::FaceMatch m = faces::NearestPersons(face->embedding, references);
      m.kind = decide::ClassifyMatch(m, args.match);
      if (label == "_unknown") {
        if (m.kind == model::MatchKind::kKnown) {
          ++tally.wrong, verdict = "FALSE ACCEPT";
        } else if (m.kind == model::MatchKind::kLowConfidence) {
          ++tally.rest["low_confidence"], verdict = "review";
        } else {
          ++tally.correct, verdict = "ok";
        }
      } else {
        labelled.push_back({label, file.filename().string(), face->embedding});
        if (m.kind == model::MatchKind::kKnown) {
          m.person == label ? (++tally.correct, verdict = "ok") : (++tally.wrong, verdict = "WRONG PERSON");
        } else {
          ++tally.rest[model::MatchKindName(m.kind)];
          verdict = m.person == label ? "missed (nearest right)" : "missed (nearest wrong)";
        }
      }
      std::printf("%-34s %-9s %5zu  %-10s %8.3f %6.2f  %-14s %5.2f  %s\n", file.filename().c_str(), label.c_str(),
                  found.size(), m.person.c_str(), m.distance, m.confidence, model::MatchKindName(m.kind),
                  face->eye_aspect_ratio, verdict.c_str());
    }
  }
  std::printf("\n");
  for (const auto& [name, tally] : tallies) Summarize(name, tally);
  std::printf("\nembedding distances over %zu single-face photos of enrolled persons:\n", labelled.size());
  DistanceStats(labelled);
  return 0;
}
