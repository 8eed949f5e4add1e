// Specification of the TF.js weights loader on small synthetic manifests.
#include "faces/tfjs_weights.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "faces/embedding_net.h"

namespace triage::faces {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TfjsWeightsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("triage_tfjs_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes manifest.json listing `entries` over one shard holding `bytes`.
  fs::path Write(const json& entries, const std::string& bytes) {
    std::ofstream(dir_ / "weights.bin", std::ios::binary) << bytes;
    const json manifest = json::array({{{"paths", {"weights.bin"}}, {"weights", entries}}});
    std::ofstream(dir_ / "manifest.json") << manifest.dump();
    return dir_ / "manifest.json";
  }

  static std::string Floats(std::initializer_list<float> values) {
    std::string out;
    for (float v : values) out.append(reinterpret_cast<const char*>(&v), sizeof v);
    return out;
  }

  // A float32 [2] tensor, a uint8-quantized [2, 2] one and an unused int32 scalar: 8 + 4 + 4 bytes.
  static json MixedEntries() {
    return json::array({{{"name", "a"}, {"shape", {2}}, {"dtype", "float32"}},
                        {{"name", "q"},
                         {"shape", {2, 2}},
                         {"dtype", "float32"},
                         {"quantization", {{"dtype", "uint8"}, {"scale", 0.5}, {"min", -1.0}}}},
                        {{"name", "unused"}, {"shape", json::array()}, {"dtype", "int32"}}});
  }
  static std::string MixedBytes() {
    std::string bytes = Floats({1.5f, -2.0f});
    bytes += std::string("\x00\x01\x02\x04", 4);
    const int32_t seven = 7;
    bytes.append(reinterpret_cast<const char*>(&seven), 4);
    return bytes;
  }

  fs::path dir_;
};

TEST_F(TfjsWeightsTest, LoadsFloatQuantizedAndInt32Tensors) {
  auto weights = TfjsWeights::Load(Write(MixedEntries(), MixedBytes()));
  ASSERT_TRUE(weights.ok()) << weights.status().ToString();
  EXPECT_EQ(weights->size(), 3u);
  auto a = weights->Get("a", {2});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->values, (std::vector<float>{1.5f, -2.0f}));
  auto q = weights->Get("q", {2, 2});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)->values, (std::vector<float>{-1.0f, -0.5f, 0.0f, 1.0f}));  // q * 0.5 - 1
  auto unused = weights->Get("unused", {});
  ASSERT_TRUE(unused.ok());
  EXPECT_EQ((*unused)->values, (std::vector<float>{7.0f}));
}

TEST_F(TfjsWeightsTest, RejectsATruncatedShardNamingTheTensor) {
  std::string bytes = MixedBytes();
  bytes.resize(10);  // ends inside "q"
  auto weights = TfjsWeights::Load(Write(MixedEntries(), bytes));
  ASSERT_FALSE(weights.ok());
  EXPECT_EQ(weights.status().code(), base::Code::kCorrupt);
  EXPECT_NE(weights.status().message().find("'q'"), std::string::npos) << weights.status().message();
}

TEST_F(TfjsWeightsTest, RejectsBytesLeftOverAfterTheLastTensor) {
  auto weights = TfjsWeights::Load(Write(MixedEntries(), MixedBytes() + "xx"));
  ASSERT_FALSE(weights.ok());
  EXPECT_EQ(weights.status().code(), base::Code::kCorrupt);
  EXPECT_NE(weights.status().message().find("left over"), std::string::npos);
}

TEST_F(TfjsWeightsTest, GetRejectsAWrongShapeNamingTheTensor) {
  auto weights = TfjsWeights::Load(Write(MixedEntries(), MixedBytes()));
  ASSERT_TRUE(weights.ok());
  auto q = weights->Get("q", {4});
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("'q' has shape [2, 2], expected [4]"), std::string::npos) << q.status().message();
  EXPECT_FALSE(weights->Get("absent", {1}).ok());
}

TEST_F(TfjsWeightsTest, RejectsUnsupportedDtypesAndQuantizations) {
  const json bad_dtype = json::array({{{"name", "s"}, {"shape", {1}}, {"dtype", "string"}}});
  EXPECT_EQ(TfjsWeights::Load(Write(bad_dtype, "abcd")).status().code(), base::Code::kCorrupt);
  const json bad_quant =
      json::array({{{"name", "h"}, {"shape", {1}}, {"dtype", "float32"}, {"quantization", {{"dtype", "float16"}}}}});
  auto weights = TfjsWeights::Load(Write(bad_quant, "ab"));
  ASSERT_FALSE(weights.ok());
  EXPECT_NE(weights.status().message().find("'h'"), std::string::npos);
}

TEST_F(TfjsWeightsTest, RejectsAManifestThatIsNotJson) {
  std::ofstream(dir_ / "manifest.json") << "{not json";
  EXPECT_EQ(TfjsWeights::Load(dir_ / "manifest.json").status().code(), base::Code::kCorrupt);
}

TEST_F(TfjsWeightsTest, ReportsAMissingShardAsNotFound) {
  const fs::path manifest = Write(MixedEntries(), MixedBytes());
  fs::remove(dir_ / "weights.bin");
  EXPECT_EQ(TfjsWeights::Load(manifest).status().code(), base::Code::kNotFound);
}

TEST_F(TfjsWeightsTest, EmbeddingNetRefusesWeightsOfTheWrongShapeNamingTheTensor) {
  const json entries =
      json::array({{{"name", "conv32_down/conv/filters"}, {"shape", {3, 3, 3, 32}}, {"dtype", "float32"}}});
  auto weights = TfjsWeights::Load(Write(entries, std::string(3 * 3 * 3 * 32 * 4, '\0')));
  ASSERT_TRUE(weights.ok()) << weights.status().ToString();
  auto net = EmbeddingNet::FromWeights(weights.value());
  ASSERT_FALSE(net.ok());
  EXPECT_NE(net.status().message().find("conv32_down/conv/filters"), std::string::npos) << net.status().message();
}

}  // namespace
}  // namespace triage::faces
