// Password hashing with libsodium's Argon2id (crypto_pwhash_str: a memory-hard KDF whose output
// string carries its own salt and cost parameters).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace vs::auth {

struct PasswordCost {
  unsigned long long ops;  // crypto_pwhash_OPSLIMIT_*
  size_t mem_bytes;        // crypto_pwhash_MEMLIMIT_*
};
// Interactive cost (libsodium's recommendation for logins: 2 passes over 64 MiB).
PasswordCost DefaultPasswordCost();

// InvalidValue unless 8..256 bytes.
Status CheckPasswordPolicy(std::string_view password);
// The Argon2id string of `password` (policy not checked here); Internal if out of memory.
Result<std::string> HashPassword(std::string_view password,
                                 PasswordCost cost = DefaultPasswordCost());
// Whether `password` matches `hash` (a crypto_pwhash_str string); false for malformed hashes.
bool VerifyPassword(const std::string& hash, std::string_view password);

}  // namespace vs::auth
