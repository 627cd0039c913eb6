#include "store/id_bits.h"

#include <bit>
#include <cstddef>

namespace vs::store {

void IdBits::Set(int64_t id) {
  const size_t byte = static_cast<size_t>(id / 8);
  if (bytes_.size() <= byte) bytes_.resize(byte + 1, 0);
  bytes_[byte] |= static_cast<uint8_t>(1u << (id % 8));
}

void IdBits::Or(const void* data, int size) {
  const auto* p = static_cast<const uint8_t*>(data);
  if (bytes_.size() < static_cast<size_t>(size)) bytes_.resize(size, 0);
  for (int i = 0; i < size; ++i) bytes_[i] |= p[i];
}

int64_t IdBits::Count() const {
  int64_t n = 0;
  for (uint8_t b : bytes_) n += std::popcount(b);
  return n;
}

}  // namespace vs::store
