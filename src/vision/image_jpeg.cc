// libjpeg-turbo used directly (not through OpenCV) so that a decode can be bounded: libjpeg's
// progress monitor checks the clock and aborts through the error manager's longjmp.
#include "vision/image_jpeg.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>
// clang-format on

#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <cstring>

namespace vs::vision::internal {
namespace {

using Clock = std::chrono::steady_clock;

// Error manager: error_exit formats the message and jumps back to the setjmp in Run*().
struct ErrorMgr {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool timed_out;
};

struct ProgressMgr {
  jpeg_progress_mgr pub;
  Clock::time_point deadline;
};

[[noreturn]] void OnError(j_common_ptr c) {
  auto* err = reinterpret_cast<ErrorMgr*>(c->err);
  c->err->format_message(c, err->message);
  std::longjmp(err->jump, 1);
}

// libjpeg recovers from some corrupt data with a warning; like OpenCV, the decode goes on. The
// warnings are not printed.
void OnMessage(j_common_ptr) {}

// Called by libjpeg at least once per row of MCUs in every pass, including each scan read.
void OnProgress(j_common_ptr c) {
  const auto* progress = reinterpret_cast<ProgressMgr*>(c->progress);
  if (Clock::now() > progress->deadline) {
    auto* err = reinterpret_cast<ErrorMgr*>(c->err);
    err->timed_out = true;
    std::snprintf(err->message, sizeof err->message, "decoding time budget exceeded");
    std::longjmp(err->jump, 1);
  }
}

void InitErrors(ErrorMgr& err) {
  jpeg_std_error(&err.pub);
  err.pub.error_exit = OnError;
  err.pub.output_message = OnMessage;
  err.message[0] = '\0';
  err.timed_out = false;
}

// State shared with the libjpeg callbacks. It lives in the caller's frame, so that a longjmp out
// of libjpeg skips no destructor; the destructor frees whatever libjpeg allocated.
struct DecodeJob {
  jpeg_decompress_struct cinfo{};
  ErrorMgr err{};
  ProgressMgr progress{};
  bool created = false;
  bool cmyk = false;
  cv::Mat out;
  ~DecodeJob() {
    if (created) jpeg_destroy_decompress(&cinfo);
  }
};

// Returns false when libjpeg raised an error (the message is in job.err). No local of this
// frame has a destructor: libjpeg may longjmp back to the setjmp below.
bool RunDecode(DecodeJob& job, std::span<const uint8_t> bytes, int reduction) {
  job.cinfo.err = &job.err.pub;
  InitErrors(job.err);
  if (setjmp(job.err.jump)) return false;
  jpeg_create_decompress(&job.cinfo);
  job.created = true;
  job.progress.pub.progress_monitor = OnProgress;
  job.cinfo.progress = &job.progress.pub;
  jpeg_mem_src(&job.cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&job.cinfo, TRUE);
  job.cinfo.scale_num = 1;
  job.cinfo.scale_denom = static_cast<unsigned>(reduction);
  job.cmyk = job.cinfo.jpeg_color_space == JCS_CMYK || job.cinfo.jpeg_color_space == JCS_YCCK;
  job.cinfo.out_color_space = job.cmyk ? JCS_CMYK : JCS_EXT_BGR;  // grey is expanded to BGR
  jpeg_start_decompress(&job.cinfo);  // reads every scan of a progressive file
  job.out.create(static_cast<int>(job.cinfo.output_height),
                 static_cast<int>(job.cinfo.output_width), job.cmyk ? CV_8UC4 : CV_8UC3);
  while (job.cinfo.output_scanline < job.cinfo.output_height) {
    JSAMPROW row = job.out.ptr(static_cast<int>(job.cinfo.output_scanline));
    jpeg_read_scanlines(&job.cinfo, &row, 1);
  }
  // No jpeg_finish_decompress: it would read on to the end of the file, and every pixel is in.
  return true;
}

// CMYK as written by Adobe applications (stored inverted: 0 = full ink) to BGR.
cv::Mat CmykToBgr(const cv::Mat& cmyk) {
  cv::Mat bgr(cmyk.rows, cmyk.cols, CV_8UC3);
  for (int y = 0; y < cmyk.rows; ++y) {
    const uint8_t* in = cmyk.ptr(y);
    uint8_t* out = bgr.ptr(y);
    for (int x = 0; x < cmyk.cols; ++x, in += 4, out += 3) {
      const int k = in[3];
      out[0] = static_cast<uint8_t>(in[2] * k / 255);
      out[1] = static_cast<uint8_t>(in[1] * k / 255);
      out[2] = static_cast<uint8_t>(in[0] * k / 255);
    }
  }
  return bgr;
}

struct EncodeJob {
  jpeg_compress_struct cinfo{};
  ErrorMgr err{};
  bool created = false;
  unsigned char* buffer = nullptr;  // malloc'ed by libjpeg's memory destination
  unsigned long size = 0;
  ~EncodeJob() {
    if (created) jpeg_destroy_compress(&cinfo);
    std::free(buffer);
  }
};

bool RunEncode(EncodeJob& job, const cv::Mat& bgr, int quality,
               const std::vector<JpegSegment>& segments) {
  job.cinfo.err = &job.err.pub;
  InitErrors(job.err);
  if (setjmp(job.err.jump)) return false;
  jpeg_create_compress(&job.cinfo);
  job.created = true;
  jpeg_mem_dest(&job.cinfo, &job.buffer, &job.size);
  job.cinfo.image_width = static_cast<JDIMENSION>(bgr.cols);
  job.cinfo.image_height = static_cast<JDIMENSION>(bgr.rows);
  job.cinfo.input_components = 3;
  job.cinfo.in_color_space = JCS_EXT_BGR;
  jpeg_set_defaults(&job.cinfo);
  jpeg_set_quality(&job.cinfo, quality, TRUE);
  jpeg_start_compress(&job.cinfo, TRUE);
  for (const JpegSegment& s : segments) {
    jpeg_write_marker(&job.cinfo, s.marker, s.payload.data(),
                      static_cast<unsigned>(s.payload.size()));
  }
  while (job.cinfo.next_scanline < job.cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(bgr.ptr(static_cast<int>(job.cinfo.next_scanline)));
    jpeg_write_scanlines(&job.cinfo, &row, 1);
  }
  jpeg_finish_compress(&job.cinfo);
  return true;
}

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

Status WalkJpeg(std::span<const uint8_t> b, const JpegVisitor& visit) {
  const size_t n = b.size();
  if (n < 2 || b[0] != 0xFF || b[1] != 0xD8) return Status::UnsupportedMedia("not a JPEG");
  visit(0xD8, 0, 2);
  size_t i = 2;
  while (i + 1 < n) {
    if (b[i] != 0xFF) {
      return Status::UnsupportedMedia("JPEG marker expected at offset " + std::to_string(i));
    }
    const uint8_t marker = b[i + 1];
    if (marker == 0xFF) {  // fill byte
      visit(kJpegData, i, i + 1);
      ++i;
      continue;
    }
    const size_t begin = i;
    i += 2;
    if (marker == 0xD9) {  // end of image; anything after it is not part of the image
      visit(marker, begin, i);
      return Status::Ok();
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      visit(marker, begin, i);
      continue;
    }
    if (i + 2 > n) break;
    const size_t len = Be16(&b[i]);
    if (len < 2) return Status::UnsupportedMedia("JPEG segment with a length below 2");
    i = std::min(n, i + len);
    visit(marker, begin, i);
    if (marker != 0xDA) continue;
    // Entropy-coded data: FF is followed by 00 (a stuffed byte) or RSTn inside it; any other
    // byte after FF starts the next marker.
    const size_t data = i;
    while (i + 1 < n) {
      const void* ff = std::memchr(&b[i], 0xFF, n - i - 1);
      if (!ff) {
        i = n;
        break;
      }
      i = static_cast<size_t>(static_cast<const uint8_t*>(ff) - b.data());
      const uint8_t next = b[i + 1];
      if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7)) break;
      i += 2;
    }
    if (i + 1 >= n) i = n;
    if (i > data) visit(kJpegData, data, i);
  }
  if (i < n) visit(kJpegData, i, n);  // truncated: the rest as it is
  return Status::Ok();
}

Result<int> CountJpegScans(std::span<const uint8_t> b) {
  int scans = 0;
  VS_RETURN_IF_ERROR(WalkJpeg(b, [&](int marker, size_t, size_t) { scans += marker == 0xDA; }));
  return scans;
}

Result<cv::Mat> DecodeJpeg(std::span<const uint8_t> bytes, const JpegDecodeLimits& limits) {
  DecodeJob job;
  job.progress.deadline = Clock::now() + limits.time_budget;
  if (!RunDecode(job, bytes, limits.reduction)) {
    if (job.err.timed_out) {
      return Status::TooLarge(
          "JPEG needs more decoding time than the budget of " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::milliseconds>(limits.time_budget).count()) +
          " ms");
    }
    return Status::UnsupportedMedia(std::string("cannot decode jpeg: ") + job.err.message);
  }
  return job.cmyk ? CmykToBgr(job.out) : std::move(job.out);
}

Result<std::string> EncodeJpeg(const cv::Mat& bgr, int quality,
                               const std::vector<JpegSegment>& app_segments) {
  if (bgr.type() != CV_8UC3 || bgr.empty()) return Status::Internal("EncodeJpeg needs 8-bit BGR");
  const cv::Mat pixels = bgr.isContinuous() ? bgr : bgr.clone();
  EncodeJob job;
  if (!RunEncode(job, pixels, quality, app_segments)) {
    return Status::Internal(std::string("cannot encode jpeg: ") + job.err.message);
  }
  return std::string(reinterpret_cast<const char*>(job.buffer), job.size);
}

}  // namespace vs::vision::internal
