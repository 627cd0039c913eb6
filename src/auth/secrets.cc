#include "auth/secrets.h"

#include <sodium.h>

#include <array>
#include <mutex>

namespace vs::auth {

bool InitCrypto() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = sodium_init() >= 0; });
  return ok;
}

std::string NewSecret(std::string_view prefix) {
  InitCrypto();
  std::array<unsigned char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string encoded(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), bytes.data(), bytes.size(), variant);
  encoded.resize(encoded.find('\0'));
  sodium_memzero(bytes.data(), bytes.size());
  return std::string(prefix) + encoded;
}

std::string HashSecret(std::string_view secret) {
  InitCrypto();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vs::auth
