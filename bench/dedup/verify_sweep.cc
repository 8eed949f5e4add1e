// Tuning aid for the near-duplicate check: decodes every file of a corpus the way the analyse stage does, and for
// each file and the --candidates nearest earlier files whose perceptual hashes (whole and centre, crosswise) are
// within --distance bits (as the ingest pipeline proposes them) prints the truth and what vision::CheckNearDuplicate
// measured, one TSV line per pair, and the mean time of a check on stderr.
//
// Usage: verify_sweep --corpus DIR [--distance 22] [--candidates 8] [--decode-side 256]
//   --decode-side N  decode to at most N px on the long side, as the ingest does with quality scores off (256, JPEG
//                    DCT scaling down to 64) or on (1024); hashes and signature from FingerprintOf
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "vision/decode.h"
#include "vision/near_duplicate_check.h"

namespace fs = std::filesystem;

struct File {
  std::string name, variant;
  int group = 0;
  uint64_t whole = 0, centre = 0;
  std::vector<uint8_t> signature;
};

int main(int argc, char** argv) {
  fs::path corpus;
  int distance = 22;
  size_t candidates = 8;
  int decode_side = 256;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--corpus") corpus = argv[i + 1];
    if (flag == "--distance") distance = std::stoi(argv[i + 1]);
    if (flag == "--candidates") candidates = std::stoul(argv[i + 1]);
    if (flag == "--decode-side") decode_side = std::stoi(argv[i + 1]);
  }
  std::ifstream truth(corpus / "truth.tsv");
  std::string line;
  std::getline(truth, line);
  std::vector<File> files;
  while (std::getline(truth, line)) {
    std::istringstream f(line);
    File file;
    std::string group;
    std::getline(f, file.name, '\t');
    std::getline(f, group, '\t');
    std::getline(f, file.variant, '\t');
    file.group = std::stoi(group);
    auto decoded = triage::vision::DecodeImage(corpus / "images" / file.name,
                                               {decode_side, 250'000'000, decode_side <= 256 ? 64 : 0});
    if (!decoded.ok()) continue;
    triage::vision::ImageFingerprint fingerprint = triage::vision::FingerprintOf(decoded->image, 0.95);
    file.whole = fingerprint.phash;
    file.centre = fingerprint.phash_center;
    file.signature = std::move(fingerprint.signature);
    files.push_back(std::move(file));
  }
  std::printf(
      "same\tvariant_a\tvariant_"
      "b\tbits\tverdict\treason\tcorr\tresidual\tallowed\tchroma\tscale\trot\tshift\tstart\tcolour_res\toverlap\tgain\t"
      "file_a\tfile_b\n");
  auto bits_between = [&](const File& a, const File& b) {
    return std::min({std::popcount(a.whole ^ b.whole), std::popcount(a.centre ^ b.centre),
                     std::popcount(a.whole ^ b.centre), std::popcount(a.centre ^ b.whole)});
  };
  double seconds = 0;
  size_t checks = 0;
  for (size_t j = 0; j < files.size(); ++j) {
    std::vector<std::pair<int, size_t>> near;
    for (size_t i = 0; i < j; ++i) {
      const int bits = bits_between(files[i], files[j]);
      if (bits <= distance) near.emplace_back(bits, i);
    }
    std::sort(near.begin(), near.end());
    if (near.size() > candidates) near.resize(candidates);
    for (const auto& [bits, i] : near) {
      const File &a = files[i], &b = files[j];
      const auto start = std::chrono::steady_clock::now();
      const auto v = triage::vision::CheckNearDuplicate(b.signature, a.signature);
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      ++checks;
      std::printf("%d\t%s\t%s\t%d\t%d\t%s\t%.4f\t%.2f\t%.2f\t%.4f\t%.3f\t%.2f\t%.3f\t%.3f\t%.2f\t%.3f\t%.3f\t%s\t%s\n",
                  a.group == b.group ? 1 : 0, a.variant.c_str(), b.variant.c_str(), bits, v.same ? 1 : 0,
                  v.reason.c_str(), v.correlation, v.residual, v.allowed_residual, v.chroma_difference, v.scale,
                  v.rotation_deg, v.shift, v.start_correlation, v.colour_residual, v.overlap, v.gain, a.name.c_str(),
                  b.name.c_str());
    }
  }
  std::fprintf(stderr, "%zu checks, %.1f us each, %.3f s in all\n", checks,
               checks ? 1e6 * seconds / static_cast<double>(checks) : 0, seconds);
  return 0;
}
