#include "vision/exif.h"

#include <cstring>
#include <opencv2/core.hpp>

namespace vs::vision {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;

struct Reader {
  std::span<const uint8_t> d;
  bool little = false;
  bool Has(size_t off, size_t n) const { return off <= d.size() && n <= d.size() - off; }
  uint16_t U16(size_t off) const {
    return little ? uint16_t(d[off] | d[off + 1] << 8) : uint16_t(d[off] << 8 | d[off + 1]);
  }
  uint32_t U32(size_t off) const {
    return little ? uint32_t(d[off]) | uint32_t(d[off + 1]) << 8 | uint32_t(d[off + 2]) << 16 |
                        uint32_t(d[off + 3]) << 24
                  : uint32_t(d[off]) << 24 | uint32_t(d[off + 1]) << 16 |
                        uint32_t(d[off + 2]) << 8 | uint32_t(d[off + 3]);
  }
};

}  // namespace

int ExifOrientation(std::span<const uint8_t> payload) {
  static constexpr uint8_t kExif[6] = {'E', 'x', 'i', 'f', 0, 0};
  if (payload.size() < 14 || std::memcmp(payload.data(), kExif, 6) != 0) return 1;
  Reader r{payload.subspan(6)};  // TIFF header onwards; offsets are relative to it
  if (r.d[0] == 'I' && r.d[1] == 'I') {
    r.little = true;
  } else if (!(r.d[0] == 'M' && r.d[1] == 'M')) {
    return 1;
  }
  if (r.U16(2) != 42) return 1;
  const uint32_t ifd = r.U32(4);
  if (!r.Has(ifd, 2)) return 1;
  const uint16_t count = r.U16(ifd);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + size_t(i) * 12;
    if (!r.Has(entry, 12)) return 1;
    if (r.U16(entry) != kOrientationTag) continue;
    if (r.U16(entry + 2) != kTypeShort || r.U32(entry + 4) != 1) return 1;
    const int value = r.U16(entry + 8);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

cv::Mat ApplyOrientation(const cv::Mat& image, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2:
      cv::flip(image, out, 1);
      break;
    case 3:
      cv::rotate(image, out, cv::ROTATE_180);
      break;
    case 4:
      cv::flip(image, out, 0);
      break;
    case 5:
      cv::transpose(image, out);
      break;
    case 6:
      cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:
      cv::transpose(image, out);
      cv::rotate(out, out, cv::ROTATE_180);
      break;
    case 8:
      cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    default:
      return image;
  }
  return out;
}

}  // namespace vs::vision
