// Specification of the streaming SHA-256.
#include "fingerprint/sha256.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace triage::fingerprint {
namespace {

TEST(Sha256HasherTest, MatchesKnownDigestOfAbc) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256HasherTest, ChunkedInputGivesSameDigestAsWhole) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Sha256Hasher h;
  for (size_t i = 0; i < data.size(); i += 777) {
    size_t n = std::min<size_t>(777, data.size() - i);
    h.Update(reinterpret_cast<const unsigned char*>(data.data() + i), n);
  }
  EXPECT_EQ(h.HexDigest(), Sha256Hex(data));
}

TEST(Sha256HasherTest, EmptyInput) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256HasherTest, AFolderOrAMissingFileIsAClearError) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  base::Result<std::string> folder = Sha256OfFile(dir);
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(folder.status().message(), dir.string() + " is a folder; a file was expected");
  base::Result<std::string> missing = Sha256OfFile(dir / "triage-no-such-file.jpg");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Code::kNotFound);
}

}  // namespace
}  // namespace triage::fingerprint
