// Password hashing for web users: PBKDF2-HMAC-SHA256 with a random salt, stored as "salt_hex:hash_hex".
#pragma once

#include <string>

#include "base/status.h"

namespace triage::server {

// Iterations of PBKDF2-HMAC-SHA256 (OWASP's 2023 advice for SHA-256 is 600,000; the floor here is 200,000).
inline constexpr int kPbkdf2Iterations = 210'000;

// A new "salt_hex:hash_hex" for `password` (16 random salt bytes, 32 hash bytes). Thread-safe.
base::Result<std::string> HashPassword(const std::string& password);

// True when `password` matches `stored` (as made by HashPassword); compares in constant time.
// A malformed `stored` never matches.
bool VerifyPassword(const std::string& password, const std::string& stored);

// Lowercase hex SHA-256 of `data` (session tokens are stored hashed).
std::string Sha256Hex(const std::string& data);

// `bytes` random bytes from the OS's CSPRNG as lowercase hex. Thread-safe.
std::string RandomHex(int bytes);

}  // namespace triage::server
