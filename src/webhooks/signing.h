// Delivery signatures. The signed message is "<timestamp>.<body>", where <timestamp> is the
// X-VisionStock-Timestamp header (Unix seconds, decimal): a receiver that checks the signature and
// refuses old timestamps refuses replayed deliveries. The signature header is
// "sha256=<lower-case hex HMAC-SHA256(secret, message)>" (libsodium's crypto_auth_hmacsha256,
// which takes a key of any length).
#pragma once

#include <string>
#include <string_view>

namespace vs::webhooks {

inline constexpr const char* kSignatureHeader = "X-VisionStock-Signature";
inline constexpr const char* kTimestampHeader = "X-VisionStock-Timestamp";

// "sha256=<64 hex digits>".
std::string Sign(std::string_view secret, std::string_view timestamp, std::string_view body);

// Whether `signature` is Sign(secret, timestamp, body), compared in constant time.
bool VerifySignature(std::string_view secret, std::string_view timestamp, std::string_view body,
                     std::string_view signature);

}  // namespace vs::webhooks
