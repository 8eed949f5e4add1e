// Specification of model verification against the pinned checksums.
#include "faces/model_check.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "faces/faces_test_support.h"
#include "fingerprint/sha256.h"

namespace triage::faces {
namespace {

namespace fs = std::filesystem;

TEST(ModelCheckTest, AcceptsTheFetchedModels) {
  const std::vector<ModelCheck> checks = VerifyModels({.model_dir = testing::ModelDir()});
  ASSERT_EQ(checks.size(), 5u);
  for (const ModelCheck& check : checks) {
    EXPECT_TRUE(check.ok) << check.name << ": " << check.message << " (run scripts/fetch_models.sh)";
    EXPECT_EQ(check.sha256.size(), 64u);
  }
}

TEST(ModelCheckTest, DetectsACorruptedCopyAndAMissingFile) {
  const fs::path dir = fs::temp_directory_path() / ("triage_model_check_" + std::to_string(::getpid()));
  fs::create_directories(dir / "face-api/model");
  const ModelPaths real = ResolveModelPaths({.model_dir = testing::ModelDir()});
  const fs::path weights = dir / "face-api/model/face_recognition_model.bin";
  fs::copy_file(real.embedding_manifest, dir / "face-api/model/face_recognition_model-weights_manifest.json");
  fs::copy_file(real.embedding_weights, weights);
  {
    std::fstream f(weights, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\x5a');
  }
  const std::vector<ModelCheck> checks = VerifyModels({.model_dir = dir.string()});
  fs::remove_all(dir);
  ASSERT_EQ(checks.size(), 5u);
  EXPECT_FALSE(checks[0].ok);  // blazeface: not copied
  EXPECT_EQ(checks[0].message, "missing");
  EXPECT_FALSE(checks[1].ok);  // blazeface_front: not copied
  EXPECT_EQ(checks[1].message, "missing");
  EXPECT_TRUE(checks[2].ok) << checks[2].message;
  EXPECT_FALSE(checks[3].ok);
  EXPECT_EQ(checks[3].message.rfind("checksum mismatch", 0), 0u) << checks[3].message;
  EXPECT_TRUE(checks[4].ok);  // landmarks come from the system path
}

TEST(ModelCheckTest, HashesAFile) {
  const fs::path path = fs::temp_directory_path() / ("triage_sha_" + std::to_string(::getpid()));
  std::ofstream(path) << "abc";
  auto sum = fingerprint::Sha256OfFile(path);
  fs::remove(path);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum.value(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace triage::faces
