// Internal to the vision module: PNG decoding with libpng under a budget.
// Deflate shrinks a run of zeros about 1000-fold, so a small PNG file can inflate to gigabytes
// whatever its header says. Two defences:
//  - CheckPngSize refuses a file larger than its pixels can need: a file of more than
//    kPngSizeFactor x (raw image bytes) + kPngSizeSlack bytes, where raw image bytes are
//    height x (1 filter byte + bytes of one row) from IHDR. Deflate never expands data by more
//    than 0.1%, so the factor leaves room for poorly compressible images and the slack for
//    metadata chunks (ICC profile, text) of any normal photo.
//  - DecodePng stops libpng as soon as the last row is read (libpng itself would go on
//    inflating the rest of the stream, looking for its end) and never calls png_read_end, so
//    compressed data after the image, however large it would inflate, is not inflated beyond
//    the one 8 KiB read already buffered.
#pragma once

#include <chrono>
#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <span>

#include "core/status.h"

namespace vs::vision::internal {

inline constexpr double kPngSizeFactor = 1.1;
inline constexpr int64_t kPngSizeSlack = int64_t{1} << 20;  // 1 MiB

// Raw bytes the image data of a PNG inflates to (non-interlaced), from its IHDR.
// UnsupportedMedia if the IHDR is missing or has an unknown colour type or bit depth.
Result<int64_t> PngRawBytes(std::span<const uint8_t> bytes);

// InvalidValue when the file is larger than the bound above.
Status CheckPngSize(std::span<const uint8_t> bytes);

// Decodes to 8-bit BGR (16-bit is reduced to 8, palette and grey expanded, alpha dropped).
// UnsupportedMedia for corrupt or truncated data, TooLarge when the decode overruns
// `time_budget` (checked after every row and before every read of input).
Result<cv::Mat> DecodePng(std::span<const uint8_t> bytes,
                          std::chrono::steady_clock::duration time_budget);

}  // namespace vs::vision::internal
