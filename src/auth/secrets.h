// Random secrets (API tokens, session ids) and how they are kept: only a SHA-256 digest of a
// secret is ever stored, and digests are compared in constant time. libsodium does the work.
#pragma once

#include <string>
#include <string_view>

namespace vs::auth {

// Initialises libsodium once (thread-safe, idempotent). False if it cannot (no entropy source).
bool InitCrypto();

// `prefix` followed by 32 random bytes in URL-safe base64 without padding (43 characters).
std::string NewSecret(std::string_view prefix);

// Lower-case hex SHA-256 of `secret`.
std::string HashSecret(std::string_view secret);

// Constant-time equality of two strings of the same length (false when the lengths differ; the
// length of a digest is no secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vs::auth
