// Sets of small non-negative ids as bitmaps (byte i, bit j holds id 8*i+j; the last byte is
// never zero), so that rollup rows can say which skus and classes they contain and distinct
// counts become OR + popcount. Backend-neutral: every backend stores the bytes as a BLOB/BYTEA.
#pragma once

#include <cstdint>
#include <vector>

namespace vs::store {

class IdBits {
 public:
  void Set(int64_t id);
  void Or(const void* data, int size);
  int64_t Count() const;
  bool empty() const { return bytes_.empty(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace vs::store
