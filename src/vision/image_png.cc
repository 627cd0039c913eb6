// libpng used directly (not through OpenCV) so that inflation stops at the last row and a decode
// can be bounded in time.
#include "vision/image_png.h"

#include <png.h>

#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

namespace vs::vision::internal {
namespace {

using Clock = std::chrono::steady_clock;

uint32_t Be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

// State shared with the libpng callbacks; lives in the caller's frame so that a longjmp out of
// libpng skips no destructor. The destructor frees libpng's structures.
struct PngJob {
  std::span<const uint8_t> bytes;
  size_t pos = 8;  // the signature is checked by the caller
  Clock::time_point deadline;
  bool timed_out = false;
  bool reading_rows = false;
  bool rows_complete = false;  // every row is in `out`; libpng was stopped reading on
  bool interlaced = false;
  png_uint_32 height = 0;
  std::string message;
  png_structp png = nullptr;
  png_infop info = nullptr;
  cv::Mat out;
  std::vector<png_bytep> rows;
  ~PngJob() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

PngJob& JobOf(png_structp png) { return *static_cast<PngJob*>(png_get_error_ptr(png)); }

[[noreturn]] void OnError(png_structp png, png_const_charp message) {
  JobOf(png).message = message;
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}  // recoverable problems are not printed

// Once the last row is in, libpng goes on inflating whatever compressed data follows (looking
// for the end of the stream) before png_read_image returns; the next read it asks for after the
// last row stops it there. Before that, it reads at most PNG_IDAT_READ_SIZE (8 KiB) at a time.
bool AllRowsRead(png_structp png, const PngJob& job) {
  if (!job.reading_rows) return false;
  if (job.interlaced) return png_get_current_pass_number(png) >= 7;
  return png_get_current_row_number(png) >= job.height;
}

void OnRead(png_structp png, png_bytep out, size_t n) {
  PngJob& job = *static_cast<PngJob*>(png_get_io_ptr(png));
  if (AllRowsRead(png, job)) {
    job.rows_complete = true;
    png_error(png, "every row is read");
  }
  if (Clock::now() > job.deadline) {
    job.timed_out = true;
    png_error(png, "decoding time budget exceeded");
  }
  if (n > job.bytes.size() - job.pos) png_error(png, "PNG data is truncated");
  std::memcpy(out, job.bytes.data() + job.pos, n);
  job.pos += n;
}

// Called by libpng after every row (of every interlace pass).
void OnRow(png_structp png, png_uint_32, int) {
  PngJob& job = *static_cast<PngJob*>(png_get_io_ptr(png));
  if (Clock::now() > job.deadline) {
    job.timed_out = true;
    png_error(png, "decoding time budget exceeded");
  }
}

// Returns false when libpng raised an error. No local of this frame has a destructor: libpng
// may longjmp back to the setjmp below.
bool RunDecode(PngJob& job) {
  if (setjmp(png_jmpbuf(job.png))) return false;
  png_set_read_fn(job.png, &job, OnRead);
  png_set_sig_bytes(job.png, 8);
  png_set_user_limits(job.png, 0x7FFFFFFF, 0x7FFFFFFF);  // the caller's pixel limit applies
  png_set_read_status_fn(job.png, OnRow);
  png_read_info(job.png, job.info);
  const int color = png_get_color_type(job.png, job.info);
  const int depth = png_get_bit_depth(job.png, job.info);
  if (depth == 16) png_set_strip_16(job.png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(job.png);
  if ((color & PNG_COLOR_MASK_COLOR) == 0) {
    if (depth < 8) png_set_expand_gray_1_2_4_to_8(job.png);
    png_set_gray_to_rgb(job.png);
  }
  if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(job.png);
  png_set_bgr(job.png);
  png_set_interlace_handling(job.png);
  png_read_update_info(job.png, job.info);
  const png_uint_32 width = png_get_image_width(job.png, job.info);
  const png_uint_32 height = png_get_image_height(job.png, job.info);
  if (png_get_rowbytes(job.png, job.info) != size_t(width) * 3) {
    png_error(job.png, "unexpected row layout after conversion to BGR");
  }
  job.out.create(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
  job.rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y) job.rows[y] = job.out.ptr(static_cast<int>(y));
  job.interlaced = png_get_interlace_type(job.png, job.info) != PNG_INTERLACE_NONE;
  job.height = height;
  job.reading_rows = true;
  png_read_image(job.png, job.rows.data());
  // No png_read_end: it would go on through whatever follows the last row.
  return true;
}

}  // namespace

Result<int64_t> PngRawBytes(std::span<const uint8_t> b) {
  if (b.size() < 29 || std::memcmp(&b[12], "IHDR", 4) != 0) {
    return Status::UnsupportedMedia("unreadable PNG header: no IHDR chunk");
  }
  const int64_t width = Be32(&b[16]), height = Be32(&b[20]);
  const int depth = b[24], color = b[25];
  int channels = 0;
  switch (color) {
    case 0:  // grey
    case 3:  // palette
      channels = 1;
      break;
    case 2:  // RGB
      channels = 3;
      break;
    case 4:  // grey + alpha
      channels = 2;
      break;
    case 6:  // RGBA
      channels = 4;
      break;
    default:
      return Status::UnsupportedMedia("unreadable PNG header: colour type " +
                                      std::to_string(color));
  }
  if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) {
    return Status::UnsupportedMedia("unreadable PNG header: bit depth " + std::to_string(depth));
  }
  const int64_t row_bytes = (width * channels * depth + 7) / 8;
  return height * (1 + row_bytes);
}

Status CheckPngSize(std::span<const uint8_t> bytes) {
  auto raw = PngRawBytes(bytes);
  if (!raw.ok()) return raw.status();
  const double bound = double(*raw) * kPngSizeFactor + double(kPngSizeSlack);
  if (double(bytes.size()) > bound) {
    return Status::InvalidValue("PNG file of " + std::to_string(bytes.size()) +
                                " bytes is larger than its pixels can need (at most " +
                                std::to_string(int64_t(bound)) + " bytes for " +
                                std::to_string(*raw) + " bytes of image data)");
  }
  return Status::Ok();
}

Result<cv::Mat> DecodePng(std::span<const uint8_t> bytes, Clock::duration time_budget) {
  if (bytes.size() < 8 || png_sig_cmp(bytes.data(), 0, 8) != 0) {
    return Status::UnsupportedMedia("not a PNG");
  }
  PngJob job;
  job.bytes = bytes;
  job.deadline = Clock::now() + time_budget;
  job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, OnError, OnWarning);
  if (!job.png) return Status::Internal("cannot create a PNG decoder");
  job.info = png_create_info_struct(job.png);
  if (!job.info) return Status::Internal("cannot create a PNG decoder");
  if (!RunDecode(job) && !job.rows_complete) {
    if (job.timed_out) {
      return Status::TooLarge(
          "PNG needs more decoding time than the budget of " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::milliseconds>(time_budget).count()) +
          " ms");
    }
    return Status::UnsupportedMedia("cannot decode png: " + job.message);
  }
  return std::move(job.out);
}

}  // namespace vs::vision::internal
