#include "store/cursor.h"

#include <charconv>

namespace vs::store {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string Base64Url(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string EncodeCursor(const CursorKey& key) {
  return Base64Url(std::to_string(key.ms) + ":" + std::to_string(key.id));
}

Result<CursorKey> DecodeCursor(std::string_view text) {
  const auto bad = [] { return Status::InvalidValue("malformed cursor"); };
  if (text.empty() || text.size() > 64 || text.size() % 4 == 1) return bad();
  std::string raw;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = Sextet(c);
    if (v < 0) return bad();
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  const auto colon = raw.find(':');
  CursorKey key;
  if (colon == std::string::npos || !ParseInt(std::string_view(raw).substr(0, colon), &key.ms) ||
      !ParseInt(std::string_view(raw).substr(colon + 1), &key.id)) {
    return bad();
  }
  // Only the canonical spelling is accepted (no leading zeros, no stray trailing bits).
  if (EncodeCursor(key) != text) return bad();
  return key;
}

}  // namespace vs::store
