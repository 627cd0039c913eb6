// DecodeImage: header checks first, then decoding under budgets (libjpeg-turbo at reduced scale
// for large JPEGs, libpng, OpenCV for the rest), then EXIF orientation.
#include "vision/image.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>

#include "vision/exif.h"
#include "vision/image_internal.h"
#include "vision/image_jpeg.h"
#include "vision/image_png.h"

namespace vs::vision {

const char* FormatName(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kWebp:
      return "webp";
    case ImageFormat::kBmp:
      return "bmp";
  }
  return "unknown";
}

const char* MimeType(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg:
      return "image/jpeg";
    case ImageFormat::kPng:
      return "image/png";
    case ImageFormat::kWebp:
      return "image/webp";
    case ImageFormat::kBmp:
      return "image/bmp";
  }
  return "application/octet-stream";
}

const char* FileExtension(ImageFormat f) {
  switch (f) {
    case ImageFormat::kJpeg:
      return ".jpg";
    case ImageFormat::kPng:
      return ".png";
    case ImageFormat::kWebp:
      return ".webp";
    case ImageFormat::kBmp:
      return ".bmp";
  }
  return "";
}

namespace {

// Largest JPEG DCT reduction (1, 2, 4 or 8) keeping both sides >= min_side.
int JpegReduction(int width, int height, int min_side) {
  if (min_side <= 0) return 1;
  for (int f : {8, 4, 2}) {
    if ((width + f - 1) / f >= min_side && (height + f - 1) / f >= min_side) return f;
  }
  return 1;
}

// WebP and BMP through OpenCV; decoding work is bounded by the pixel limit alone.
Result<cv::Mat> DecodeWithOpenCv(std::span<const uint8_t> bytes, ImageFormat format) {
  cv::Mat bgr;
  try {
    // imdecode reads from a Mat header over the caller's bytes; no copy is made.
    const cv::Mat buf(1, int(bytes.size()), CV_8U, const_cast<uint8_t*>(bytes.data()));
    bgr = cv::imdecode(buf, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    return Status::UnsupportedMedia(std::string("cannot decode ") + FormatName(format) + ": " +
                                    e.what());
  }
  if (bgr.empty()) {
    return Status::UnsupportedMedia(std::string("cannot decode ") + FormatName(format) +
                                    " image (corrupt or truncated)");
  }
  return bgr;
}

Result<cv::Mat> DecodePixels(std::span<const uint8_t> bytes, ImageFormat format, int reduction,
                             const DecodeOptions& options) {
  switch (format) {
    case ImageFormat::kJpeg: {
      auto scans = internal::CountJpegScans(bytes);
      if (!scans.ok()) return scans.status();
      if (*scans > options.max_jpeg_scans) {
        return Status::InvalidValue("JPEG has " + std::to_string(*scans) + " scans; the limit is " +
                                    std::to_string(options.max_jpeg_scans));
      }
      return internal::DecodeJpeg(bytes,
                                  {.reduction = reduction, .time_budget = options.decode_budget});
    }
    case ImageFormat::kPng:
      VS_RETURN_IF_ERROR(internal::CheckPngSize(bytes));
      return internal::DecodePng(bytes, options.decode_budget);
    default:
      return DecodeWithOpenCv(bytes, format);
  }
}

}  // namespace

int MinSideForInput(const ImageInfo& info, int input_w, int input_h) {
  auto short_side = [&](double w, double h) {
    const double r = std::min({double(input_w) / w, double(input_h) / h, 1.0});
    return int(std::ceil(std::min(w, h) * r));
  };
  return std::max(short_side(info.width, info.height), short_side(info.height, info.width));
}

Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  auto probe = internal::ProbeImageDetails(bytes);
  if (!probe.ok()) return probe.status();
  const ImageInfo& info = probe->info;
  const int64_t pixels = int64_t(info.width) * info.height;
  if (pixels > options.max_pixels) {
    return Status::TooLarge("image is " + std::to_string(info.width) + "x" +
                            std::to_string(info.height) + " (" + std::to_string(pixels) +
                            " pixels); the limit is " + std::to_string(options.max_pixels) +
                            " pixels");
  }
  if (!probe->complete) return Status::UnsupportedMedia("JPEG data is truncated (no end marker)");

  const int reduction = info.format == ImageFormat::kJpeg
                            ? JpegReduction(info.width, info.height, options.min_side)
                            : 1;
  auto decoded = DecodePixels(bytes, info.format, reduction, options);
  if (!decoded.ok()) return decoded.status();
  const cv::Mat& pixels_bgr = *decoded;
  const int expect_w = (info.width + reduction - 1) / reduction;
  const int expect_h = (info.height + reduction - 1) / reduction;
  if (pixels_bgr.cols != expect_w || pixels_bgr.rows != expect_h) {
    return Status::UnsupportedMedia("decoded size " + std::to_string(pixels_bgr.cols) + "x" +
                                    std::to_string(pixels_bgr.rows) + " disagrees with the header");
  }

  DecodedImage out;
  out.format = info.format;
  out.bgr = ApplyOrientation(pixels_bgr, probe->orientation);
  const bool swap = OrientationSwapsAxes(probe->orientation);
  out.width = swap ? info.height : info.width;
  out.height = swap ? info.width : info.height;
  out.scale = double(out.bgr.cols) / out.width;
  return out;
}

}  // namespace vs::vision
