// Fuzzes EXIF orientation reading (vision/exif.h) on APP1 segment payloads ("Exif\0\0" + TIFF).
// Checked: no crash and no read outside the payload; the result is always 1..8.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "vision/exif.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int orientation = vs::vision::ExifOrientation(std::span<const uint8_t>(data, size));
  FUZZ_CHECK(orientation >= 1 && orientation <= 8);
  return 0;
}
