// Internal to the vision module: header facts read by ProbeImage that DecodeImage also needs.
#pragma once

#include <cstdint>
#include <span>

#include "core/status.h"
#include "vision/image.h"

namespace vs::vision::internal {

struct ProbeDetails {
  ImageInfo info;
  int orientation = 1;  // EXIF orientation 1..8 (JPEG only; 1 = as stored)
  // JPEG: an EOI marker follows the first scan. False means the file is truncated.
  bool complete = true;
};

// ProbeImage plus the details above.
Result<ProbeDetails> ProbeImageDetails(std::span<const uint8_t> bytes);

}  // namespace vs::vision::internal
