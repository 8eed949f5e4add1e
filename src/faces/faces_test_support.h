// Where the face tests find model files and fixture photos. Test-only.
#pragma once

#include <cstdlib>
#include <string>

#include "model/image.h"
#include "vision/decode.h"

namespace triage::faces::testing {

// TRIAGE_MODEL_DIR, else the folder scripts/fetch_models.sh fills.
inline std::string ModelDir() {
  const char* env = std::getenv("TRIAGE_MODEL_DIR");
  return env != nullptr && *env != '\0' ? env : std::string(TRIAGE_SOURCE_DIR) + "/.cache/npm";
}

inline std::string FixturePath(const std::string& name) {
  return std::string(TRIAGE_SOURCE_DIR) + "/tests/fixtures/faces/" + name;
}

// The fixture decoded as the pipeline decodes (upright, at most 1600 px); empty on failure.
inline model::RgbImage LoadFixture(const std::string& name) {
  base::Result<vision::Decoded> decoded = vision::DecodeImage(FixturePath(name), vision::DecodeOptions{});
  return decoded.ok() ? decoded->image : model::RgbImage{};
}

}  // namespace triage::faces::testing
