// ProbeImage: format from magic bytes, dimensions from the header alone.
#include <cstring>
#include <string>

#include "vision/exif.h"
#include "vision/image.h"
#include "vision/image_internal.h"

namespace vs::vision {
namespace {

using internal::ProbeDetails;
using Bytes = std::span<const uint8_t>;

uint16_t Be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
uint32_t Le16(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8; }
uint32_t Le24(const uint8_t* p) { return Le16(p) | uint32_t(p[2]) << 16; }
uint32_t Le32(const uint8_t* p) { return Le24(p) | uint32_t(p[3]) << 24; }

bool StartsWith(Bytes b, const char* magic, size_t n, size_t at = 0) {
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

Status Unreadable(const char* format, const std::string& why) {
  return Status::UnsupportedMedia(std::string("unreadable ") + format + " header: " + why);
}

bool IsSof(uint8_t m) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

// Walks the marker segments up to the first scan: frame size from SOFn, orientation from APP1.
Result<ProbeDetails> ProbeJpeg(Bytes b) {
  ProbeDetails d{{ImageFormat::kJpeg}};
  bool have_sof = false;
  size_t i = 2;
  while (true) {
    while (i < b.size() && b[i] == 0xFF && i + 1 < b.size() && b[i + 1] == 0xFF) ++i;  // fill
    if (i + 2 > b.size()) return Unreadable("JPEG", "ends before the first scan");
    if (b[i] != 0xFF) return Unreadable("JPEG", "marker expected at offset " + std::to_string(i));
    const uint8_t marker = b[i + 1];
    i += 2;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    if (marker == 0xD9) return Unreadable("JPEG", "end of image before any scan");
    if (i + 2 > b.size()) return Unreadable("JPEG", "segment length missing");
    const size_t len = Be16(&b[i]);
    if (len < 2 || i + len > b.size()) return Unreadable("JPEG", "segment runs past the end");
    const Bytes payload = b.subspan(i + 2, len - 2);
    if (IsSof(marker) && !have_sof) {
      if (payload.size() < 5) return Unreadable("JPEG", "short SOF segment");
      d.info.height = Be16(&payload[1]);
      d.info.width = Be16(&payload[3]);
      have_sof = true;
    } else if (marker == 0xE1 && d.orientation == 1) {
      d.orientation = ExifOrientation(payload);
    } else if (marker == 0xDA) {
      if (!have_sof) return Unreadable("JPEG", "scan before any frame header");
      // Entropy-coded data never contains FF D9 (FF is always stuffed), so an EOI after the
      // first scan marks a complete file; without one the file was cut short.
      d.complete = false;
      for (size_t k = b.size() - 1; k > i; --k) {
        if (b[k] == 0xD9 && b[k - 1] == 0xFF) {
          d.complete = true;
          break;
        }
      }
      return d;
    }
    i += len;
  }
}

Result<ProbeDetails> ProbePng(Bytes b) {
  if (b.size() < 24 || !StartsWith(b, "IHDR", 4, 12)) return Unreadable("PNG", "no IHDR chunk");
  ProbeDetails d{{ImageFormat::kPng}};
  const uint32_t w = Be32(&b[16]), h = Be32(&b[20]);
  if (w > 0x7FFFFFFF || h > 0x7FFFFFFF) return Unreadable("PNG", "dimensions out of range");
  d.info.width = int(w);
  d.info.height = int(h);
  return d;
}

Result<ProbeDetails> ProbeWebp(Bytes b) {
  ProbeDetails d{{ImageFormat::kWebp}};
  if (b.size() < 20) return Unreadable("WebP", "too short");
  const uint8_t* c = b.data() + 20;  // first chunk's payload (may be empty: b[20] may not exist)
  const size_t avail = b.size() - 20;
  if (StartsWith(b, "VP8 ", 4, 12)) {
    if (avail < 10 || c[3] != 0x9D || c[4] != 0x01 || c[5] != 0x2A) {
      return Unreadable("WebP", "bad VP8 frame header");
    }
    d.info.width = int(Le16(c + 6) & 0x3FFF);
    d.info.height = int(Le16(c + 8) & 0x3FFF);
  } else if (StartsWith(b, "VP8L", 4, 12)) {
    if (avail < 5 || c[0] != 0x2F) return Unreadable("WebP", "bad VP8L signature");
    const uint32_t bits = Le32(c + 1);
    d.info.width = int(bits & 0x3FFF) + 1;
    d.info.height = int((bits >> 14) & 0x3FFF) + 1;
  } else if (StartsWith(b, "VP8X", 4, 12)) {
    if (avail < 10) return Unreadable("WebP", "short VP8X chunk");
    d.info.width = int(Le24(c + 4)) + 1;
    d.info.height = int(Le24(c + 7)) + 1;
  } else {
    return Unreadable("WebP", "first chunk is not VP8, VP8L or VP8X");
  }
  return d;
}

Result<ProbeDetails> ProbeBmp(Bytes b) {
  ProbeDetails d{{ImageFormat::kBmp}};
  if (b.size() < 26) return Unreadable("BMP", "too short");
  const uint32_t dib = Le32(&b[14]);
  if (dib == 12) {
    d.info.width = int(Le16(&b[18]));
    d.info.height = int(Le16(&b[20]));
  } else if (dib >= 40) {
    const int64_t w = int32_t(Le32(&b[18])), h = int32_t(Le32(&b[22]));
    if (w <= 0 || h == INT32_MIN) return Unreadable("BMP", "bad dimensions");
    d.info.width = int(w);
    d.info.height = int(h < 0 ? -h : h);  // negative height: rows stored top-down
  } else {
    return Unreadable("BMP", "unknown DIB header size " + std::to_string(dib));
  }
  return d;
}

}  // namespace

namespace internal {

Result<ProbeDetails> ProbeImageDetails(Bytes b) {
  if (b.empty()) return Status::UnsupportedMedia("empty image");
  Result<ProbeDetails> r = Status::UnsupportedMedia("not a JPEG, PNG, WebP or BMP image");
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
    r = ProbeJpeg(b);
  } else if (StartsWith(b, "\x89PNG\r\n\x1a\n", 8)) {
    r = ProbePng(b);
  } else if (StartsWith(b, "RIFF", 4) && StartsWith(b, "WEBP", 4, 8)) {
    r = ProbeWebp(b);
  } else if (StartsWith(b, "BM", 2)) {
    r = ProbeBmp(b);
  }
  if (r.ok() && (r->info.width <= 0 || r->info.height <= 0)) {
    return Status::UnsupportedMedia(std::string(FormatName(r->info.format)) +
                                    " header gives an empty image");
  }
  return r;
}

}  // namespace internal

Result<ImageInfo> ProbeImage(Bytes bytes) {
  auto r = internal::ProbeImageDetails(bytes);
  if (!r.ok()) return r.status();
  return r->info;
}

}  // namespace vs::vision
