#include "core/text.h"

#include <cstdint>
#include <string>

namespace vs {
namespace {

// Length of the UTF-8 sequence starting at value[i], or 0 if it is malformed. Hand-written:
// the rules are the short table of RFC 3629 section 4, and no Debian library offers a plain
// validator without pulling in a converter (ICU, iconv) and its locale state.
size_t SequenceLength(std::string_view value, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(value[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // overlong below U+0800
    if (b0 == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // overlong below U+10000
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;  // continuation byte, C0/C1 (overlong 2-byte) or F5..FF
  }
  if (value.size() - i < n) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

Status Invalid(std::string_view field, const std::string& why) {
  return Status::InvalidValue(std::string(field) + ": " + why);
}

}  // namespace

Status ValidateIdentifier(std::string_view field, std::string_view value, size_t max_bytes) {
  if (value.empty()) return Invalid(field, "must not be empty");
  if (value.size() > max_bytes) {
    return Invalid(field, "is " + std::to_string(value.size()) + " bytes long; the limit is " +
                              std::to_string(max_bytes) + " bytes");
  }
  for (size_t i = 0; i < value.size();) {
    const uint8_t b = static_cast<uint8_t>(value[i]);
    if (b < 0x20 || b == 0x7F) {
      return Invalid(field,
                     "control character " + std::to_string(b) + " at byte " + std::to_string(i));
    }
    const size_t n = SequenceLength(value, i);
    if (n == 0) return Invalid(field, "invalid UTF-8 at byte " + std::to_string(i));
    i += n;
  }
  return Status::Ok();
}

std::string_view TrimSpaceTab(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace vs
