#include "auth/password.h"

#include <sodium.h>

#include "auth/secrets.h"

namespace vs::auth {

PasswordCost DefaultPasswordCost() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Status CheckPasswordPolicy(std::string_view password) {
  if (password.size() < 8) return Status::InvalidValue("a password needs at least 8 characters");
  if (password.size() > 256) return Status::InvalidValue("a password has at most 256 bytes");
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  if (!InitCrypto()) return Status::Internal("libsodium could not be initialised");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost.ops, cost.mem_bytes) != 0) {
    return Status::Internal("out of memory while hashing a password");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  if (!InitCrypto() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace vs::auth
