// The form in which a received photo is kept on disk: the same picture without the metadata that
// cameras and phones add (EXIF with its GPS position, time and device serial numbers; XMP;
// comments), which the server has no use for and should not keep.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"
#include "vision/image.h"

namespace vs::vision {

inline constexpr int kStoredJpegQuality = 95;

struct StorableImage {
  std::string bytes;
  bool reencoded = false;  // the pixels were turned upright and encoded again
};

// - JPEG: APP1 (EXIF, XMP), APP3..APP13, APP15, COM, APP0 other than "JFIF" and APP2 other than
//   "ICC_PROFILE" are dropped without touching the image data; APP0 "JFIF", APP2 "ICC_PROFILE"
//   and APP14 "Adobe" stay, as they say how to read the colours. Bytes after EOI are dropped.
//   With an EXIF orientation other than 1 the pixels are turned upright instead and encoded
//   again (baseline, quality kStoredJpegQuality, with the ICC profile), so that the photo
//   displays the same without its EXIF. That decode runs under `options` (pixel limit, budgets).
// - PNG: eXIf, tEXt, zTXt, iTXt and tIME chunks are dropped, as is anything after IEND.
// - WebP: EXIF and XMP chunks are dropped and their VP8X flags cleared.
// - BMP carries no metadata and is kept as it is.
// UnsupportedMedia when the bytes are not an image this module reads.
Result<StorableImage> ImageForStorage(std::span<const uint8_t> bytes,
                                      const DecodeOptions& options = {});

}  // namespace vs::vision
