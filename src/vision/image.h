// Image decoding for detection: the format is identified by content (magic bytes), never by
// file name or Content-Type; dimensions are checked from the header before any pixel is decoded.
// JPEG and PNG, the formats of real uploads, are decoded with libjpeg-turbo and libpng under
// work limits against decompression bombs (see DecodeOptions); WebP and BMP through OpenCV.
#pragma once

#include <chrono>
#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <span>

#include "core/status.h"

namespace vs::vision {

enum class ImageFormat { kJpeg, kPng, kWebp, kBmp };

// "jpeg", "png", "webp", "bmp".
const char* FormatName(ImageFormat f);
// "image/jpeg", ...
const char* MimeType(ImageFormat f);
// ".jpg", ".png", ".webp", ".bmp".
const char* FileExtension(ImageFormat f);

struct ImageInfo {
  ImageFormat format;
  int width = 0;  // as stored, before EXIF orientation
  int height = 0;
};

// Identifies the format from the first bytes and reads width and height from the header only.
// UnsupportedMedia if the bytes are not JPEG, PNG, WebP or BMP or the header is unreadable.
Result<ImageInfo> ProbeImage(std::span<const uint8_t> bytes);

struct DecodeOptions {
  int64_t max_pixels = 50'000'000;  // width*height above this is TooLarge, checked before decoding
  // When > 0 the decoder may decode a JPEG at 1/2, 1/4 or 1/8 scale (DCT scaling) as long as
  // both sides of the result stay >= min_side. Detection needs no more pixels than its input.
  int min_side = 0;
  // A progressive JPEG with more scans than this is InvalidValue, before decoding (counted by a
  // linear marker walk). Cameras and encoders write about 10; each scan costs a pass over every
  // coefficient, so thousands of them make a small file cost minutes to decode.
  int max_jpeg_scans = 64;
  // A JPEG or PNG decode still running after this long is aborted: TooLarge.
  std::chrono::milliseconds decode_budget{2000};
};

// The smallest min_side that still gives a detector with a input_w x input_h input every pixel its
// letterbox uses: the short side of the image once fitted into the input (either EXIF rotation).
// E.g. 4000x3000 into 416x416 -> 312, so a 12 MP JPEG may be decoded at 1/8 scale (500x375).
int MinSideForInput(const ImageInfo& info, int input_w, int input_h);

struct DecodedImage {
  cv::Mat bgr;  // 8-bit BGR pixels, EXIF orientation applied
  ImageFormat format;
  int width = 0;       // full-resolution size after EXIF orientation: the coordinate space
  int height = 0;      // of every box reported for this image
  double scale = 1.0;  // bgr.cols / width (1.0 unless decoded at reduced scale)
};

// Decodes to BGR honouring JPEG EXIF orientation. UnsupportedMedia for anything not decodable
// (including truncated files); TooLarge above the pixel limit or the decode budget; InvalidValue
// for a JPEG with too many scans or a PNG file larger than its pixels can need (image_png.h).
Result<DecodedImage> DecodeImage(std::span<const uint8_t> bytes, const DecodeOptions& options = {});

}  // namespace vs::vision
