// PBKDF2 and SHA-256 through OpenSSL.
#include "server/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace triage::server {
namespace {

constexpr int kSaltBytes = 16;
constexpr int kHashBytes = 32;

std::string ToHex(const unsigned char* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

bool FromHex(const std::string& hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return true;
}

bool Derive(const std::string& password, const std::vector<unsigned char>& salt, unsigned char* out) {
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                           static_cast<int>(salt.size()), kPbkdf2Iterations, EVP_sha256(), kHashBytes, out) == 1;
}

}  // namespace

std::string RandomHex(int bytes) {
  std::vector<unsigned char> buf(static_cast<size_t>(bytes));
  // A failing CSPRNG is not something to work around: no token may be made without it.
  if (RAND_bytes(buf.data(), bytes) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  return ToHex(buf.data(), buf.size());
}

base::Result<std::string> HashPassword(const std::string& password) {
  std::vector<unsigned char> salt(kSaltBytes);
  if (RAND_bytes(salt.data(), kSaltBytes) != 1) return base::Status::Unavailable("no random bytes for a salt");
  unsigned char hash[kHashBytes];
  if (!Derive(password, salt, hash)) return base::Status::Unavailable("PBKDF2 failed");
  return ToHex(salt.data(), salt.size()) + ":" + ToHex(hash, kHashBytes);
}

bool VerifyPassword(const std::string& password, const std::string& stored) {
  size_t colon = stored.find(':');
  if (colon == std::string::npos) return false;
  std::vector<unsigned char> salt;
  std::vector<unsigned char> expected;
  if (!FromHex(stored.substr(0, colon), salt) || !FromHex(stored.substr(colon + 1), expected)) return false;
  if (salt.empty() || expected.size() != kHashBytes) return false;
  unsigned char hash[kHashBytes];
  if (!Derive(password, salt, hash)) return false;
  return CRYPTO_memcmp(hash, expected.data(), kHashBytes) == 0;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return ToHex(digest, size);
}

}  // namespace triage::server
