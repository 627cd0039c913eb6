#include "store/sqlite/sqlite_bits.h"

#include <bit>

namespace vs::store::sqlite {

namespace {

void ResultBits(sqlite3_context* ctx, const IdBits& bits) {
  if (bits.empty()) {
    sqlite3_result_null(ctx);
  } else {
    sqlite3_result_blob(ctx, bits.bytes().data(), static_cast<int>(bits.bytes().size()),
                        SQLITE_TRANSIENT);
  }
}

void OrValue(IdBits* bits, sqlite3_value* v) {
  if (sqlite3_value_type(v) == SQLITE_BLOB) {
    bits->Or(sqlite3_value_blob(v), sqlite3_value_bytes(v));
  }
}

void Bit(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const int64_t id = sqlite3_value_int64(argv[0]);
  if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER || id < 0 || id > (1 << 24)) {
    sqlite3_result_error(ctx, "vs_bit: id must be an integer in 0..2^24", -1);
    return;
  }
  IdBits bits;
  bits.Set(id);
  ResultBits(ctx, bits);
}

void BitsOr(sqlite3_context* ctx, int, sqlite3_value** argv) {
  IdBits bits;
  OrValue(&bits, argv[0]);
  OrValue(&bits, argv[1]);
  ResultBits(ctx, bits);
}

void AggStep(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto** state = static_cast<IdBits**>(sqlite3_aggregate_context(ctx, sizeof(IdBits*)));
  if (!state) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (!*state) *state = new IdBits();
  OrValue(*state, argv[0]);
}

void AggFinal(sqlite3_context* ctx) {
  auto** state = static_cast<IdBits**>(sqlite3_aggregate_context(ctx, 0));
  if (!state || !*state) {
    sqlite3_result_null(ctx);
    return;
  }
  ResultBits(ctx, **state);
  delete *state;
}

}  // namespace

Status RegisterBitFunctions(sqlite3* db) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  int rc = sqlite3_create_function(db, "vs_bit", 1, flags, nullptr, Bit, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "vs_bits_or", 2, flags, nullptr, BitsOr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_create_function(db, "vs_bits_agg", 1, flags, nullptr, nullptr, AggStep, AggFinal);
  }
  if (rc != SQLITE_OK) return Status::Internal("cannot register SQL functions");
  return Status::Ok();
}

}  // namespace vs::store::sqlite
