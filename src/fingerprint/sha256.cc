// Streaming SHA-256 over OpenSSL's EVP interface.
#include "fingerprint/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>
#include <vector>

#include "base/files.h"

namespace triage::fingerprint {

struct Sha256Hasher::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not initialise SHA-256");
  }
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256Hasher::Update(const unsigned char* data, size_t size) { EVP_DigestUpdate(impl_->ctx, data, size); }

std::string Sha256Hasher::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out(2 * len, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

base::Result<std::string> Sha256OfFile(const std::filesystem::path& path) {
  Sha256Hasher h;
  TRIAGE_RETURN_IF_ERROR(
      base::ReadFileChunks(path, [&h](const unsigned char* data, size_t size) { h.Update(data, size); }));
  return h.HexDigest();
}

std::string Sha256Hex(const std::string& data) {
  Sha256Hasher h;
  h.Update(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return h.HexDigest();
}

}  // namespace triage::fingerprint
