#include "http/request_id.h"

#include <random>

namespace vs::http {

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId() {
  // One generator per thread, seeded once from the system's entropy: no lock, no repeats across
  // threads or restarts in practice.
  thread_local std::mt19937_64 generator(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = generator();
  std::string out(16, '0');
  for (char& c : out) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return out;
}

std::string RequestIdFor(std::string_view incoming) {
  return SaneRequestId(incoming) ? std::string(incoming) : NewRequestId();
}

}  // namespace vs::http
