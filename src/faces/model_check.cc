// Pinned model checksums and their verification.
#include "faces/model_check.h"

#include <filesystem>
#include <fstream>
#include <memory>

#include "fingerprint/sha256.h"

namespace triage::faces {
namespace {

// Sums of the files inside the pinned packages (scripts/npm-pins.txt pins the tarballs) and Debian libdlib-data.
constexpr char kBlazeFaceSha256[] = "427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2";
constexpr char kBlazeFaceFrontSha256[] = "d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51";
constexpr char kEmbeddingManifestSha256[] = "cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b";
constexpr char kEmbeddingWeightsSha256[] = "b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589";
constexpr char kLandmarksSha256[] = "fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f";

ModelCheck Check(const std::string& name, const std::string& path, const std::string& pinned) {
  ModelCheck check{name, path, "", false, ""};
  if (!std::filesystem::is_regular_file(path)) {
    check.message = "missing";
    return check;
  }
  base::Result<std::string> sum = fingerprint::Sha256OfFile(path);
  if (!sum.ok()) {
    check.message = sum.status().message();
    return check;
  }
  check.sha256 = sum.value();
  check.ok = check.sha256 == pinned;
  check.message = check.ok ? "ok" : "checksum mismatch: expected " + pinned + ", got " + check.sha256;
  return check;
}

}  // namespace

std::vector<ModelCheck> VerifyModels(const FaceOptions& options) {
  const ModelPaths paths = ResolveModelPaths(options);
  return {Check("blazeface", paths.blazeface_onnx, kBlazeFaceSha256),
          Check("blazeface_front", paths.blazeface_front_onnx, kBlazeFaceFrontSha256),
          Check("face_recognition_manifest", paths.embedding_manifest, kEmbeddingManifestSha256),
          Check("face_recognition_weights", paths.embedding_weights, kEmbeddingWeightsSha256),
          Check("landmarks_68", paths.landmarks, kLandmarksSha256)};
}

}  // namespace triage::faces
