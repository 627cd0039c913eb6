// The id bitmaps of store/id_bits.h as SQLite functions, so that rollup rows can say which
// skus and classes they contain and distinct counts become OR + popcount.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/id_bits.h"

namespace vs::store::sqlite {

using vs::store::IdBits;

// Registers on `db`: vs_bit(id) -> bitmap of {id}; vs_bits_or(a, b) -> a | b (NULL is empty,
// both NULL gives NULL); aggregate vs_bits_agg(bitmap) -> OR of all.
Status RegisterBitFunctions(sqlite3* db);

}  // namespace vs::store::sqlite
