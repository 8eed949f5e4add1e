// Streaming SHA-256 (OpenSSL EVP), fed with the bytes a copy or a download reads anyway.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "base/status.h"

namespace triage::fingerprint {

// Accumulates bytes and yields their SHA-256. Not thread-safe; one per stream.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(const unsigned char* data, size_t size);
  // 64 lowercase hex characters. Ends the stream: call once.
  std::string HexDigest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SHA-256 of a file's bytes, as hex, streamed in 1 MiB chunks. kNotFound / kIo name the path.
base::Result<std::string> Sha256OfFile(const std::filesystem::path& path);

// SHA-256 of a whole string, as hex.
std::string Sha256Hex(const std::string& data);

}  // namespace triage::fingerprint
