// Fuzzes image identification (vision/image.h ProbeImage and the internal probe details DecodeImage
// relies on) on whole uploaded files. Probing only: no pixel is decoded, no model is loaded.
// Checked: no crash and no read outside the bytes; an accepted image has positive dimensions and
// an EXIF orientation in 1..8; ProbeImage agrees with the details.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "vision/image.h"
#include "vision/image_internal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto details = vs::vision::internal::ProbeImageDetails(bytes);
  auto info = vs::vision::ProbeImage(bytes);
  FUZZ_CHECK(details.ok() == info.ok());
  if (!info.ok()) return 0;
  FUZZ_CHECK(info->width > 0 && info->height > 0);
  FUZZ_CHECK(info->format == details->info.format);
  FUZZ_CHECK(info->width == details->info.width && info->height == details->info.height);
  FUZZ_CHECK(details->orientation >= 1 && details->orientation <= 8);
  FUZZ_CHECK(vs::vision::FormatName(info->format) != nullptr);
  const int min_side = vs::vision::MinSideForInput(*info, 416, 416);
  FUZZ_CHECK(min_side >= 0);
  return 0;
}
