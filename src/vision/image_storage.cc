// Metadata is removed by walking each format's container (JPEG markers, PNG chunks, RIFF chunks)
// and copying what is kept. Hand-written: the walks are a few lines each, the JPEG one is shared
// with the scan counter, and Debian's metadata libraries (libexif, exiv2) edit metadata rather
// than remove every kind of it.
#include "vision/image_storage.h"

#include <cstring>
#include <vector>

#include "vision/image_internal.h"
#include "vision/image_jpeg.h"

namespace vs::vision {
namespace {

using Bytes = std::span<const uint8_t>;

bool PayloadStartsWith(Bytes b, size_t begin, size_t end, const char* tag, size_t n) {
  return end - begin >= 4 + n && std::memcmp(&b[begin + 4], tag, n) == 0;
}

// Keeps the segments that define colours (see the header) and the image itself.
bool KeepJpegSegment(Bytes b, int marker, size_t begin, size_t end) {
  if (marker == 0xFE) return false;  // COM
  if (marker < 0xE0 || marker > 0xEF) return true;
  if (marker == 0xE0) return PayloadStartsWith(b, begin, end, "JFIF\0", 5);
  if (marker == 0xE2) return PayloadStartsWith(b, begin, end, "ICC_PROFILE\0", 12);
  if (marker == 0xEE) return PayloadStartsWith(b, begin, end, "Adobe", 5);
  return false;
}

Result<std::string> StripJpeg(Bytes b) {
  std::string out;
  out.reserve(b.size());
  VS_RETURN_IF_ERROR(internal::WalkJpeg(b, [&](int marker, size_t begin, size_t end) {
    if (marker == internal::kJpegData || KeepJpegSegment(b, marker, begin, end)) {
      out.append(reinterpret_cast<const char*>(&b[begin]), end - begin);
    }
  }));
  return out;
}

// Upright pixels, encoded again with the ICC profile segments of the original.
Result<std::string> ReencodeUpright(Bytes b, const DecodeOptions& options) {
  std::vector<internal::JpegSegment> icc;
  VS_RETURN_IF_ERROR(internal::WalkJpeg(b, [&](int marker, size_t begin, size_t end) {
    if (marker == 0xE2 && PayloadStartsWith(b, begin, end, "ICC_PROFILE\0", 12)) {
      icc.push_back({0xE2, std::vector<uint8_t>(&b[begin + 4], &b[begin] + end - begin)});
    }
  }));
  DecodeOptions full = options;
  full.min_side = 0;  // the stored photo keeps every pixel
  auto image = DecodeImage(b, full);
  if (!image.ok()) return image.status();
  return internal::EncodeJpeg(image->bgr, kStoredJpegQuality, icc);
}

uint32_t Be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint32_t Le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

std::string StripPng(Bytes b) {
  std::string out(reinterpret_cast<const char*>(b.data()), 8);  // signature
  size_t i = 8;
  while (i + 12 <= b.size()) {
    const size_t len = Be32(&b[i]);
    const size_t end = len > b.size() - i - 12 ? b.size() : i + 12 + len;
    const auto type = std::string_view(reinterpret_cast<const char*>(&b[i + 4]), 4);
    const bool drop =
        type == "eXIf" || type == "tEXt" || type == "zTXt" || type == "iTXt" || type == "tIME";
    if (!drop) out.append(reinterpret_cast<const char*>(&b[i]), end - i);
    i = end;
    if (type == "IEND") return out;
  }
  out.append(reinterpret_cast<const char*>(b.data()) + i, b.size() - i);  // truncated: as it is
  return out;
}

std::string StripWebp(Bytes b) {
  std::string out(reinterpret_cast<const char*>(b.data()), 12);  // RIFF size WEBP
  size_t vp8x_flags = 0;                                         // offset in out, 0 = none
  size_t i = 12;
  while (i + 8 <= b.size()) {
    const size_t len = Le32(&b[i + 4]);
    const size_t padded = len + (len & 1);
    const size_t end = padded > b.size() - i - 8 ? b.size() : i + 8 + padded;
    const auto type = std::string_view(reinterpret_cast<const char*>(&b[i]), 4);
    if (type != "EXIF" && type != "XMP ") {
      if (type == "VP8X" && end - i > 8) vp8x_flags = out.size() + 8;
      out.append(reinterpret_cast<const char*>(&b[i]), end - i);
    }
    i = end;
  }
  if (vp8x_flags) out[vp8x_flags] = char(uint8_t(out[vp8x_flags]) & ~0x0C);  // EXIF, XMP bits
  const uint32_t riff = uint32_t(out.size() - 8);
  for (int k = 0; k < 4; ++k) out[4 + k] = char(riff >> (8 * k));
  return out;
}

}  // namespace

Result<StorableImage> ImageForStorage(Bytes bytes, const DecodeOptions& options) {
  auto probe = internal::ProbeImageDetails(bytes);
  if (!probe.ok()) return probe.status();
  StorableImage out;
  switch (probe->info.format) {
    case ImageFormat::kJpeg: {
      auto stored = probe->orientation == 1 ? StripJpeg(bytes) : ReencodeUpright(bytes, options);
      if (!stored.ok()) return stored.status();
      out.bytes = std::move(stored).value();
      out.reencoded = probe->orientation != 1;
      break;
    }
    case ImageFormat::kPng:
      out.bytes = StripPng(bytes);
      break;
    case ImageFormat::kWebp:
      out.bytes = StripWebp(bytes);
      break;
    case ImageFormat::kBmp:
      out.bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      break;
  }
  return out;
}

}  // namespace vs::vision
