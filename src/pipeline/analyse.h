// The analyse stage: decode once, then perceptual hash, quality measures and faces from the same pixels.
#pragma once

#include <filesystem>
#include <string>

#include "config/config.h"
#include "model/decision.h"

namespace triage::pipeline {

class FaceStage;

struct AnalyseOptions {
  int decode_max_side_px = 1600;  // raster for faces; without faces a small raster suffices
  int decode_min_side_px = 0;     // JPEG DCT scaling may leave this little (vision::DecodeOptions::min_side_px)
  int64_t max_pixels = 250'000'000;
};

// Faces need a raster large enough to find small faces; the hash and quality measures need far less,
// so without faces JPEGs decode at 1/8 scale.
AnalyseOptions AnalyseOptionsFor(const config::Config& config, bool faces_on);

// Fills `analysis` (readable, info, phash, quality, faces) under `config` (a snapshot: the same for the whole
// image). Never throws: a decode failure leaves readable = false with the decoder's reason; a face failure leaves
// faces_analysed = false with face_error; an exception from a library (OpenCV, libvips, the standard library)
// leaves readable = false with "analysis failed: <what>", so one bad image never ends a batch. Thread-safe.
void AnalyseStaged(const std::filesystem::path& file, const config::Config& config, const FaceStage* faces,
                   model::Analysis& analysis) noexcept;
// The same, given the file's contents (`bytes`, when intake holds them: read once for the hash and the staged copy),
// so that the decoder need not read the file again. Null `bytes`: read the file.
void AnalyseStaged(const std::filesystem::path& file, const std::string* bytes, const config::Config& config,
                   const FaceStage* faces, model::Analysis& analysis) noexcept;

}  // namespace triage::pipeline
