// Sets of small non-negative ids as bitmaps (byte i, bit j holds id 8*i+j; the last byte is
// never zero), in C++ and as SQLite functions, so that rollup rows can say which skus and
// classes they contain and distinct counts become OR + popcount.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace vs::store::sqlite {

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

// Registers on `db`: vs_bit(id) -> bitmap of {id}; vs_bits_or(a, b) -> a | b (NULL is empty,
// both NULL gives NULL); aggregate vs_bits_agg(bitmap) -> OR of all.
Status RegisterBitFunctions(sqlite3* db);

}  // namespace vs::store::sqlite
