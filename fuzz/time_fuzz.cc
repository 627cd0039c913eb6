// Fuzzes ISO 8601 parsing (core/time.h) as used for ?from=/?to= filters and JSON dates.
// Checked: no crash; an accepted text formats (FormatIso8601) to a text that parses back to the
// same instant, so every timestamp the server accepts it can also print and read again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/time.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto t = vs::ParseIso8601(input);
  if (!t.ok()) return 0;
  const std::string text = vs::FormatIso8601(*t);
  auto again = vs::ParseIso8601(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *t);
  FUZZ_CHECK(vs::FromUnixMillis(vs::ToUnixMillis(*t)) == *t);
  return 0;
}
