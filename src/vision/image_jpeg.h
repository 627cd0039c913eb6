// Internal to the vision module: JPEG decoding and encoding with libjpeg-turbo under a budget.
// A progressive JPEG may hold thousands of scans, each of which makes the decoder walk every
// coefficient of the image again: a few hundred kilobytes can cost minutes of CPU. The scans are
// counted before decoding and the decode itself is stopped once it overruns its time budget.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <opencv2/core/mat.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace vs::vision::internal {

// One linear walk over a JPEG: visit(marker, begin, end) for SOI, every marker segment (marker
// and length included) and every marker without a length, and visit(kJpegData, begin, end) for
// entropy-coded data and fill bytes, in file order, up to and including EOI (bytes after EOI are
// not visited; a truncated file ends with what is there). UnsupportedMedia when the bytes are
// not a JPEG or a marker is missing where one must be.
inline constexpr int kJpegData = -1;
using JpegVisitor = std::function<void(int marker, size_t begin, size_t end)>;
Status WalkJpeg(std::span<const uint8_t> bytes, const JpegVisitor& visit);

// Number of SOS (start of scan) markers, found by WalkJpeg.
Result<int> CountJpegScans(std::span<const uint8_t> bytes);

struct JpegDecodeLimits {
  int reduction = 1;  // 1, 2, 4 or 8: DCT scaling (libjpeg scale_num/scale_denom = 1/reduction)
  std::chrono::steady_clock::duration time_budget = std::chrono::seconds(2);
};

// Decodes to 8-bit BGR (grey and CMYK/YCCK images are converted). UnsupportedMedia for corrupt
// data, TooLarge when the decode overruns its time budget (libjpeg's progress monitor aborts it;
// every libjpeg allocation is freed).
Result<cv::Mat> DecodeJpeg(std::span<const uint8_t> bytes, const JpegDecodeLimits& limits);

// Encodes 8-bit BGR pixels as a baseline JFIF JPEG at `quality` (1..100), writing each of
// `app_segments` (marker, payload) after the JFIF header, e.g. the ICC profile's APP2 segments.
struct JpegSegment {
  uint8_t marker = 0;  // 0xE0..0xEF
  std::vector<uint8_t> payload;
};
Result<std::string> EncodeJpeg(const cv::Mat& bgr, int quality,
                               const std::vector<JpegSegment>& app_segments = {});

}  // namespace vs::vision::internal
