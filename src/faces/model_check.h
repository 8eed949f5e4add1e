// Verification of the face model files against pinned SHA-256 sums (for `triage models verify`).
#pragma once

#include <string>
#include <vector>

#include "faces/face_analyzer.h"

namespace triage::faces {

struct ModelCheck {
  std::string
      name;  // "blazeface", "blazeface_front", "face_recognition_manifest", "face_recognition_weights", "landmarks_68"
  std::string path;
  std::string sha256;   // of the file as found; "" when it could not be read
  bool ok = false;      // present and equal to the pinned sum
  std::string message;  // "ok", "missing", or "checksum mismatch: expected ..., got ..."
};

// Checks every model file `options` points at. Reads each file once; thread-safe.
std::vector<ModelCheck> VerifyModels(const FaceOptions& options);

}  // namespace triage::faces
