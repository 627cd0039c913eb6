#include "vision/image.h"

#include <gtest/gtest.h>
// clang-format off
#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>
// clang-format on
#include <png.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "vision/image_jpeg.h"
#include "vision/image_png.h"

namespace vs::vision {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

Bytes Encode(const cv::Mat& m, const std::string& ext, std::vector<int> params = {}) {
  Bytes out;
  EXPECT_TRUE(cv::imencode(ext, m, out, params)) << ext;
  return out;
}

const std::string kDog = std::string(VS_DARKNET_DATA) + "/dog.jpg";  // 768x576

TEST(ImageProbe, RealJpegs) {
  struct Case {
    std::string path;
    int w, h;
  };
  for (const Case& c :
       {Case{kDog, 768, 576}, Case{std::string(VS_DARKNET_DATA) + "/horses.jpg", 773, 512},
        Case{std::string(VS_OPENCV_DATA) + "/fruits.jpg", 512, 480}}) {
    auto info = ProbeImage(ReadFile(c.path));
    ASSERT_TRUE(info.ok()) << c.path << ": " << info.status().ToString();
    EXPECT_EQ(info->format, ImageFormat::kJpeg);
    EXPECT_EQ(info->width, c.w) << c.path;
    EXPECT_EQ(info->height, c.h) << c.path;
  }
}

TEST(ImageProbe, RealPngMatchesDecodedSize) {
  for (const char* name : {"box.png", "box_in_scene.png", "smarties.png"}) {
    const Bytes bytes = ReadFile(std::string(VS_OPENCV_DATA) + "/" + name);
    auto info = ProbeImage(bytes);
    ASSERT_TRUE(info.ok()) << name << ": " << info.status().ToString();
    EXPECT_EQ(info->format, ImageFormat::kPng);
    const cv::Mat m = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
    EXPECT_EQ(info->width, m.cols) << name;
    EXPECT_EQ(info->height, m.rows) << name;
  }
}

TEST(ImageProbe, WebpAndBmpMadeFromARealPhoto) {
  const cv::Mat dog = cv::imread(kDog);
  ASSERT_FALSE(dog.empty());
  const cv::Mat part = dog(cv::Rect(10, 20, 301, 203)).clone();
  struct Case {
    std::string ext;
    std::vector<int> params;
    ImageFormat format;
  };
  for (const Case& c : {Case{".webp", {cv::IMWRITE_WEBP_QUALITY, 90}, ImageFormat::kWebp},
                        Case{".webp", {cv::IMWRITE_WEBP_QUALITY, 101}, ImageFormat::kWebp},
                        Case{".bmp", {}, ImageFormat::kBmp}}) {
    const Bytes bytes = Encode(part, c.ext, c.params);  // quality 101 = lossless (VP8L)
    auto info = ProbeImage(bytes);
    ASSERT_TRUE(info.ok()) << c.ext << ": " << info.status().ToString();
    EXPECT_EQ(info->format, c.format);
    EXPECT_EQ(info->width, 301);
    EXPECT_EQ(info->height, 203);
    auto decoded = DecodeImage(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->bgr.cols, 301);
    EXPECT_EQ(decoded->bgr.rows, 203);
    EXPECT_EQ(decoded->format, c.format);
  }
}

TEST(ImageProbe, ExtendedWebpHeader) {
  // VP8X (extended format, e.g. with alpha or EXIF): canvas size is stored as width-1, height-1.
  const Bytes vp8x = {'R',  'I',  'F', 'F', 30, 0, 0, 0,    'W', 'E', 'B', 'P', 'V',
                      'P',  '8',  'X', 10,  0,  0, 0, 0x10, 0,   0,   0,  // flags (alpha), reserved
                      0x7F, 0x0C, 0,                                      // width - 1 = 3199
                      0xBF, 0x08, 0};                                     // height - 1 = 2239
  auto info = ProbeImage(vp8x);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->format, ImageFormat::kWebp);
  EXPECT_EQ(info->width, 3200);
  EXPECT_EQ(info->height, 2240);
  EXPECT_EQ(DecodeImage(vp8x, {.max_pixels = 1'000'000, .min_side = 0}).status().code(),
            Code::kTooLarge);
}

TEST(ImageProbe, FormatNames) {
  EXPECT_STREQ(FormatName(ImageFormat::kWebp), "webp");
  EXPECT_STREQ(MimeType(ImageFormat::kJpeg), "image/jpeg");
  EXPECT_STREQ(FileExtension(ImageFormat::kPng), ".png");
}

TEST(ImageDecode, RealJpegFullAndReducedScale) {
  const Bytes bytes = ReadFile(kDog);
  auto full = DecodeImage(bytes);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->bgr.cols, 768);
  EXPECT_EQ(full->bgr.rows, 576);
  EXPECT_EQ(full->width, 768);
  EXPECT_EQ(full->height, 576);
  EXPECT_DOUBLE_EQ(full->scale, 1.0);

  // min side 576: 1/2 gives 288 >= 200 but 1/4 gives 144 < 200.
  auto half = DecodeImage(bytes, {.min_side = 200});
  ASSERT_TRUE(half.ok()) << half.status().ToString();
  EXPECT_EQ(half->bgr.cols, 384);
  EXPECT_EQ(half->bgr.rows, 288);
  EXPECT_EQ(half->width, 768);  // coordinates stay in full-resolution pixels
  EXPECT_DOUBLE_EQ(half->scale, 0.5);

  auto none = DecodeImage(bytes, {.min_side = 416});  // 288 < 416: no reduction
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->bgr.cols, 768);
}

TEST(ImageDecode, LargePhotoDecodesReduced) {
  cv::Mat big;
  cv::resize(cv::imread(kDog), big, cv::Size(4000, 3000));
  const Bytes bytes = Encode(big, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90});
  auto img = DecodeImage(bytes, {.min_side = 416});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->bgr.cols, 1000);  // 1/4: 750 >= 416, 1/8 would give 375
  EXPECT_EQ(img->bgr.rows, 750);
  EXPECT_EQ(img->width, 4000);
  EXPECT_EQ(img->height, 3000);
  EXPECT_DOUBLE_EQ(img->scale, 0.25);
}

TEST(ImageDecode, MinSideForInputAllowsTheLargestUsefulReduction) {
  const ImageInfo photo_12mp{ImageFormat::kJpeg, 4000, 3000};
  EXPECT_EQ(MinSideForInput(photo_12mp, 416, 416), 312);
  EXPECT_EQ(MinSideForInput({ImageFormat::kJpeg, 1920, 1080}, 416, 416), 234);
  EXPECT_EQ(MinSideForInput({ImageFormat::kPng, 300, 200}, 416, 416), 200);  // never upscaled
  // A non-square input: whichever way EXIF turns the image, its letterbox is covered.
  EXPECT_EQ(MinSideForInput({ImageFormat::kJpeg, 1000, 500}, 640, 320), 320);

  cv::Mat big;
  cv::resize(cv::imread(kDog), big, cv::Size(4000, 3000));
  const Bytes bytes = Encode(big, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90});
  auto img = DecodeImage(bytes, {.min_side = MinSideForInput(photo_12mp, 416, 416)});
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->bgr.cols, 500);  // 1/8 scale still covers the 416x312 letterbox
  EXPECT_EQ(img->bgr.rows, 375);
}

// Inserts an APP1 EXIF segment (big-endian TIFF, one IFD0 entry: Orientation) after SOI.
Bytes WithExifOrientation(const Bytes& jpeg, uint16_t orientation) {
  const Bytes tiff = {'M',
                      'M',
                      0,
                      42,
                      0,
                      0,
                      0,
                      8,  // header, IFD0 at offset 8
                      0,
                      1,  // one entry
                      0x01,
                      0x12,
                      0,
                      3,
                      0,
                      0,
                      0,
                      1,  // tag 0x0112, SHORT, count 1
                      uint8_t(orientation >> 8),
                      uint8_t(orientation & 0xFF),
                      0,
                      0,
                      0,
                      0,
                      0,
                      0};                  // no next IFD
  const size_t len = 2 + 6 + tiff.size();  // length field + "Exif\0\0" + TIFF
  Bytes out = {0xFF, 0xD8, 0xFF, 0xE1, uint8_t(len >> 8), uint8_t(len & 0xFF), 'E', 'x',
               'i',  'f',  0,    0};
  for (uint8_t b : tiff) out.push_back(b);
  for (size_t i = 2; i < jpeg.size(); ++i) out.push_back(jpeg[i]);
  return out;
}

TEST(ImageDecode, ExifOrientationSwapsDimensions) {
  const cv::Mat dog = cv::imread(kDog);
  // A marker in the top-left corner shows where the stored image's origin ends up.
  cv::Mat marked = dog.clone();
  marked(cv::Rect(0, 0, 64, 64)).setTo(cv::Scalar(255, 255, 255));
  const Bytes plain = Encode(marked, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 95});

  const Bytes rotated = WithExifOrientation(plain, 6);  // stored image must turn 90 deg clockwise
  auto info = ProbeImage(rotated);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->width, 768);  // probe reports the stored size
  auto img = DecodeImage(rotated);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->width, 576);
  EXPECT_EQ(img->height, 768);
  EXPECT_EQ(img->bgr.cols, 576);
  EXPECT_EQ(img->bgr.rows, 768);
  // After a clockwise turn the stored top-left corner is at the top-right.
  const cv::Vec3b top_right = img->bgr.at<cv::Vec3b>(10, 576 - 10);
  const cv::Vec3b top_left = img->bgr.at<cv::Vec3b>(10, 10);
  EXPECT_GT(top_right[0] + top_right[1] + top_right[2], 3 * 240);
  EXPECT_LT(top_left[0] + top_left[1] + top_left[2], 3 * 240);

  auto reduced = DecodeImage(rotated, {.min_side = 200});
  ASSERT_TRUE(reduced.ok());
  EXPECT_EQ(reduced->width, 576);
  EXPECT_EQ(reduced->bgr.cols, 288);
  EXPECT_EQ(reduced->bgr.rows, 384);

  auto upright = DecodeImage(WithExifOrientation(plain, 1));
  ASSERT_TRUE(upright.ok());
  EXPECT_EQ(upright->width, 768);
}

TEST(ImageDecode, TruncatedJpegIsUnsupported) {
  const Bytes bytes = ReadFile(kDog);
  const Bytes cut(bytes.begin(), bytes.begin() + long(bytes.size() / 2));
  auto img = DecodeImage(cut);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), Code::kUnsupportedMedia);
  const Bytes header_only(bytes.begin(), bytes.begin() + 100);
  EXPECT_EQ(DecodeImage(header_only).status().code(), Code::kUnsupportedMedia);
}

TEST(ImageDecode, TruncatedPngIsUnsupported) {
  const Bytes bytes = ReadFile(std::string(VS_OPENCV_DATA) + "/box.png");
  const Bytes cut(bytes.begin(), bytes.begin() + long(bytes.size() / 2));
  EXPECT_TRUE(ProbeImage(cut).ok());  // the header is intact
  EXPECT_EQ(DecodeImage(cut).status().code(), Code::kUnsupportedMedia);
}

TEST(ImageDecode, TextAndEmptyInputAreUnsupported) {
  const std::string text = "name,count\ncola,12\n";
  const Bytes bytes(text.begin(), text.end());
  EXPECT_EQ(ProbeImage(bytes).status().code(), Code::kUnsupportedMedia);
  EXPECT_EQ(DecodeImage(bytes).status().code(), Code::kUnsupportedMedia);
  EXPECT_EQ(ProbeImage({}).status().code(), Code::kUnsupportedMedia);
  EXPECT_EQ(DecodeImage({}).status().code(), Code::kUnsupportedMedia);
}

TEST(ImageDecode, HugePngHeaderIsTooLargeBeforeDecoding) {
  // A valid PNG signature and IHDR claiming 8000x7500 (60 MP), and no pixel data at all: the
  // answer must come from the header alone.
  Bytes png = {
      0x89, 'P', 'N',  'G',  '\r', '\n', 0x1A, '\n', 0,    0,
      0,    13,  'I',  'H',  'D',  'R',  0,    0,    0x1F, 0x40,  // width 8000
      0,    0,   0x1D, 0x4C,                                      // height 7500
      8,    2,   0,    0,    0,    0,    0,    0,    0};          // 8-bit RGB; CRC not checked here
  auto info = ProbeImage(png);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->width, 8000);
  EXPECT_EQ(info->height, 7500);
  auto img = DecodeImage(png);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), Code::kTooLarge);
  EXPECT_NE(img.status().message().find("8000x7500"), std::string::npos);
  // A lower limit applies to ordinary photos too.
  EXPECT_EQ(DecodeImage(ReadFile(kDog), {.max_pixels = 100'000}).status().code(), Code::kTooLarge);
}

TEST(ImageDecode, ZeroSizedHeaderIsUnsupported) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
               'I',  'H', 'D', 'R', 0,    0,    0,    0,    0, 0, 0, 10};
  EXPECT_EQ(ProbeImage(png).status().code(), Code::kUnsupportedMedia);
}

// --- decoding with libjpeg-turbo and libpng matches OpenCV on real photos ----------------------

double MaxDiff(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return 1e9;
  double m = 0;
  cv::minMaxLoc(cv::abs(a - b).operator cv::Mat().reshape(1), nullptr, &m);
  return m;
}

TEST(ImageDecode, RealJpegsDecodeLikeOpenCv) {
  std::vector<std::string> paths = {
      kDog,
      std::string(VS_DARKNET_DATA) + "/horses.jpg",
      std::string(VS_DARKNET_DATA) + "/eagle.jpg",
      std::string(VS_OPENCV_DATA) + "/fruits.jpg",
      std::string(VS_OPENCV_DATA) + "/ela_original.jpg",  // progressive
      std::string(VS_OPENCV_DATA) + "/Blender_Suzanne1.jpg"};
  for (const auto& path : paths) {
    const Bytes bytes = ReadFile(path);
    for (int reduction : {1, 2, 4, 8}) {
      const int flags =
          cv::IMREAD_IGNORE_ORIENTATION | (reduction == 1   ? cv::IMREAD_COLOR
                                           : reduction == 2 ? cv::IMREAD_REDUCED_COLOR_2
                                           : reduction == 4 ? cv::IMREAD_REDUCED_COLOR_4
                                                            : cv::IMREAD_REDUCED_COLOR_8);
      const cv::Mat expected = cv::imdecode(bytes, flags);
      auto got = internal::DecodeJpeg(bytes, {.reduction = reduction});
      ASSERT_TRUE(got.ok()) << path << ": " << got.status().ToString();
      EXPECT_LE(MaxDiff(*got, expected), 1) << path << " at 1/" << reduction;
    }
  }
  // A grey JPEG comes out as BGR with equal channels.
  cv::Mat grey;
  cv::cvtColor(cv::imread(kDog), grey, cv::COLOR_BGR2GRAY);
  const Bytes grey_jpeg = Encode(grey, ".jpg");
  auto got = DecodeImage(grey_jpeg);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_LE(MaxDiff(got->bgr, cv::imdecode(grey_jpeg, cv::IMREAD_COLOR)), 1);
}

TEST(ImageDecode, RealPngsDecodeLikeOpenCv) {
  // Grey, grey+alpha, palette, RGB and RGBA files.
  for (const char* name : {"box.png", "mask.png", "imageTextN.png", "smarties.png", "cards.png"}) {
    const Bytes bytes = ReadFile(std::string(VS_OPENCV_DATA) + "/" + name);
    auto got = DecodeImage(bytes);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status().ToString();
    EXPECT_LE(MaxDiff(got->bgr, cv::imdecode(bytes, cv::IMREAD_COLOR)), 1) << name;
  }
  cv::Mat deep;
  cv::imread(kDog).convertTo(deep, CV_16UC3, 257.0);
  const Bytes png16 = Encode(deep, ".png");
  auto got = DecodeImage(png16);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_LE(MaxDiff(got->bgr, cv::imread(kDog)), 1);
}

// A CMYK JPEG (as Adobe applications write them: inverted, 255 = no ink) of `bgr` with no black
// ink, written with libjpeg, which adds the Adobe marker.
Bytes CmykJpeg(const cv::Mat& bgr) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = JDIMENSION(bgr.cols);
  c.image_height = JDIMENSION(bgr.rows);
  c.input_components = 4;
  c.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  jpeg_start_compress(&c, TRUE);
  std::vector<uint8_t> row(size_t(bgr.cols) * 4);
  while (c.next_scanline < c.image_height) {
    const uint8_t* in = bgr.ptr(int(c.next_scanline));
    for (int x = 0; x < bgr.cols; ++x) {
      row[4 * x] = in[3 * x + 2];      // C' = R
      row[4 * x + 1] = in[3 * x + 1];  // M' = G
      row[4 * x + 2] = in[3 * x];      // Y' = B
      row[4 * x + 3] = 255;            // K' = no black
    }
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  Bytes out(buf, buf + size);
  std::free(buf);
  return out;
}

TEST(ImageDecode, CmykJpegDecodesToBgr) {
  const cv::Mat dog = cv::imread(kDog);
  const Bytes cmyk = CmykJpeg(dog);
  auto got = DecodeImage(cmyk);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_LE(MaxDiff(got->bgr, cv::imdecode(cmyk, cv::IMREAD_COLOR)), 2);
  cv::Mat diff;
  cv::absdiff(got->bgr, dog, diff);
  EXPECT_LT(cv::mean(diff)[0], 3.0);  // JPEG loss only
}

// An Adam7-interlaced RGB PNG of `bgr`, written with libpng (OpenCV writes no interlaced PNG).
Bytes InterlacedPng(const cv::Mat& bgr) {
  Bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, size_t n) {
        auto* o = static_cast<Bytes*>(png_get_io_ptr(p));
        o->insert(o->end(), data, data + n);
      },
      nullptr);
  png_set_IHDR(png, info, png_uint_32(bgr.cols), png_uint_32(bgr.rows), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_ADAM7, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_bgr(png);
  std::vector<png_bytep> rows;
  for (int y = 0; y < bgr.rows; ++y) rows.push_back(const_cast<uint8_t*>(bgr.ptr(y)));
  png_set_rows(png, info, rows.data());
  png_write_png(png, info, PNG_TRANSFORM_BGR, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

TEST(ImageDecode, InterlacedPngDecodesLikeOpenCv) {
  for (const cv::Size size : {cv::Size(301, 203), cv::Size(1, 1), cv::Size(5, 1), cv::Size(1, 9)}) {
    cv::Mat part;
    cv::resize(cv::imread(kDog)(cv::Rect(0, 0, 301, 203)), part, size);
    const Bytes png = InterlacedPng(part);
    ASSERT_EQ(png[28], 1) << "interlaced";
    auto got = DecodeImage(png);
    ASSERT_TRUE(got.ok()) << size << ": " << got.status().ToString();
    EXPECT_EQ(MaxDiff(got->bgr, part), 0) << size;
    EXPECT_EQ(MaxDiff(got->bgr, cv::imdecode(png, cv::IMREAD_COLOR)), 0) << size;
  }
}

// --- JPEG scan bombs ---------------------------------------------------------------------------

// Offsets of every SOS segment's start (its FF DA) and the EOI, by a plain marker walk.
struct ScanSpans {
  std::vector<size_t> sos;
  size_t eoi = 0;
};
ScanSpans FindScans(const Bytes& b) {
  ScanSpans s;
  for (size_t i = 2; i + 1 < b.size(); ++i) {
    if (b[i] != 0xFF) continue;
    if (b[i + 1] == 0xDA) s.sos.push_back(i);
    if (b[i + 1] == 0xD9) s.eoi = i;
  }
  return s;
}

// A progressive JPEG of `photo` whose smallest scan is repeated `extra` more times. Every repeat
// is another pass over the blocks of its component (libjpeg warns about the progression and
// goes on).
Bytes ProgressiveWithRepeatedScans(const cv::Mat& photo, int extra) {
  const Bytes base = Encode(photo, ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  const ScanSpans spans = FindScans(base);
  EXPECT_GE(spans.sos.size(), 5u);
  EXPECT_GT(spans.eoi, spans.sos.back());
  size_t best = 0, best_size = SIZE_MAX;
  for (size_t k = 0; k < spans.sos.size(); ++k) {
    const size_t end = k + 1 < spans.sos.size() ? spans.sos[k + 1] : spans.eoi;
    if (end - spans.sos[k] < best_size) {
      best = k;
      best_size = end - spans.sos[k];
    }
  }
  // From its SOS to the next SOS (or EOI): any tables defined between scans come along.
  const Bytes last(base.begin() + long(spans.sos[best]),
                   base.begin() + long(spans.sos[best] + best_size));
  Bytes out(base.begin(), base.begin() + long(spans.eoi));
  for (int k = 0; k < extra; ++k) out.insert(out.end(), last.begin(), last.end());
  out.push_back(0xFF);
  out.push_back(0xD9);
  return out;
}

TEST(ImageDecode, JpegScansAreCountedByAMarkerWalk) {
  EXPECT_EQ(*internal::CountJpegScans(ReadFile(kDog)), 1);
  EXPECT_EQ(*internal::CountJpegScans(ReadFile(std::string(VS_OPENCV_DATA) + "/ela_original.jpg")),
            10);
  const Bytes bomb = ProgressiveWithRepeatedScans(cv::imread(kDog), 3000);
  auto scans = internal::CountJpegScans(bomb);
  ASSERT_TRUE(scans.ok());
  EXPECT_EQ(*scans, int(FindScans(bomb).sos.size()));
  EXPECT_GT(*scans, 3000);
}

TEST(ImageDecode, ProgressiveJpegWithThousandsOfScansIsRefused) {
  const Bytes bomb = ProgressiveWithRepeatedScans(cv::imread(kDog), 5000);
  ASSERT_LT(bomb.size(), 20u << 20);
  auto img = DecodeImage(bomb);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), Code::kInvalidValue);
  EXPECT_NE(img.status().message().find("the limit is 64"), std::string::npos)
      << img.status().message();
  // Ordinary progressive files (10 scans) are well under the limit.
  EXPECT_TRUE(DecodeImage(ReadFile(std::string(VS_OPENCV_DATA) + "/ela_original.jpg")).ok());
  // The limit is an option.
  EXPECT_EQ(DecodeImage(ProgressiveWithRepeatedScans(cv::imread(kDog), 20), {.max_jpeg_scans = 16})
                .status()
                .code(),
            Code::kInvalidValue);
}

TEST(ImageDecode, JpegDecodeOverItsTimeBudgetIsAborted) {
  // Past the scan limit (raised here), the time budget stops the decode: 3000 more passes over
  // the blocks of a 12 MP image take far longer than 50 ms, and the decode is abandoned part-way.
  cv::Mat big;
  cv::resize(cv::imread(kDog), big, cv::Size(4000, 3000));
  const Bytes slow = ProgressiveWithRepeatedScans(big, 3000);
  auto img = DecodeImage(
      slow, {.max_jpeg_scans = 100'000, .decode_budget = std::chrono::milliseconds(50)});
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), Code::kTooLarge);
  EXPECT_NE(img.status().message().find("budget of 50 ms"), std::string::npos)
      << img.status().message();
  // An exhausted budget aborts at the first progress report, even for an ordinary photo.
  EXPECT_EQ(
      DecodeImage(ReadFile(kDog), {.decode_budget = std::chrono::milliseconds(0)}).status().code(),
      Code::kTooLarge);
}

// --- PNG bombs ---------------------------------------------------------------------------------

// Deflate bits, least significant first; Huffman codes are given most significant bit first.
struct BitWriter {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  void Put(uint32_t value, int n) {  // value's n low bits, LSB first
    acc |= value << bits;
    bits += n;
    while (bits >= 8) {
      out.push_back(char(acc & 0xFF));
      acc >>= 8;
      bits -= 8;
    }
  }
  void PutCode(uint32_t code, int n) {  // a Huffman code, MSB first
    for (int i = n - 1; i >= 0; --i) Put((code >> i) & 1, 1);
  }
  void Flush() {
    if (bits > 0) Put(0, 8 - bits);
  }
};

// A zlib stream of `prefix` followed by about 258 x `copies` zero bytes: one fixed-Huffman block
// of literals, then (length 258, distance 1) copies at 13 bits each (a 1:1270 ratio).
std::string ZlibWithZeros(const std::string& prefix, int64_t copies) {
  BitWriter w;
  w.out = "\x78\x01";
  w.Put(1, 1);  // final block
  w.Put(1, 2);  // fixed Huffman codes
  auto literal = [&](uint8_t c) {
    if (c < 144) {
      w.PutCode(0x30 + c, 8);
    } else {
      w.PutCode(0x190 + (c - 144), 9);
    }
  };
  for (char c : prefix) literal(uint8_t(c));
  literal(0);  // a zero to copy from
  for (int64_t i = 0; i < copies; ++i) {
    w.PutCode(0xC5, 8);  // length code 285: 258 bytes
    w.PutCode(0, 5);     // distance code 0: 1 byte back
  }
  w.PutCode(0, 7);  // end of block
  w.Flush();
  // Adler-32 of the inflated data.
  const uint32_t mod = 65521;
  uint64_t a = 1, b = 0;
  for (char c : prefix) {
    a = (a + uint8_t(c)) % mod;
    b = (b + a) % mod;
  }
  const uint64_t zeros = 1 + uint64_t(copies) * 258;
  b = (b + (zeros % mod) * a) % mod;  // a stays the same while adding zeros
  const uint32_t adler = uint32_t(b << 16 | a);
  for (int s = 24; s >= 0; s -= 8) w.out.push_back(char(adler >> s));
  return w.out;
}

void PutChunk(Bytes& png, const char* type, const std::string& data) {
  const uint32_t n = uint32_t(data.size());
  for (int s = 24; s >= 0; s -= 8) png.push_back(uint8_t(n >> s));
  const size_t start = png.size();
  png.insert(png.end(), type, type + 4);
  png.insert(png.end(), data.begin(), data.end());
  const uint32_t crc = uint32_t(crc32(0, &png[start], uInt(png.size() - start)));
  for (int s = 24; s >= 0; s -= 8) png.push_back(uint8_t(crc >> s));
}

// An 8-bit grey PNG of width x height whose IDAT is `idat`.
Bytes GreyPng(uint32_t width, uint32_t height, const std::string& idat) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::string ihdr;
  for (uint32_t v : {width, height}) {
    for (int s = 24; s >= 0; s -= 8) ihdr.push_back(char(v >> s));
  }
  ihdr +=
      std::string("\x08\x00\x00\x00\x00", 5);  // depth 8, grey, deflate, no filter, no interlace
  PutChunk(png, "IHDR", ihdr);
  PutChunk(png, "IDAT", idat);
  PutChunk(png, "IEND", "");
  return png;
}

TEST(ImageDecode, PngBombIsRefusedFromItsSize) {
  // 19 MB holding 3.8 GB of zeros behind a 64x64 header.
  const Bytes bomb = GreyPng(64, 64, ZlibWithZeros("", 19 * 8 * 1000 * 1000 / 13));
  ASSERT_GT(bomb.size(), 18u << 20);
  auto img = DecodeImage(bomb);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), Code::kInvalidValue);
  EXPECT_NE(img.status().message().find("larger than its pixels can need"), std::string::npos)
      << img.status().message();
  // The bound: raw bytes x 1.1 + 1 MiB.
  EXPECT_EQ(*internal::PngRawBytes(bomb), 64 * 65);
  const Bytes real = ReadFile(std::string(VS_OPENCV_DATA) + "/graf1.png");  // nearly raw-sized
  EXPECT_TRUE(internal::CheckPngSize(real).ok());
}

TEST(ImageDecode, PngInflationStopsAtTheLastRow) {
  // 2000x2000 grey: 4 MB of rows, then about 640 MB more zeros in the same stream. Within the size
  // bound; the decoder must read the rows and stop.
  const Bytes png = GreyPng(2000, 2000, ZlibWithZeros("", 2'500'000));
  ASSERT_TRUE(internal::CheckPngSize(png).ok());
  auto img = DecodeImage(png);
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->bgr.cols, 2000);
  EXPECT_EQ(cv::countNonZero(img->bgr.reshape(1)), 0);
  // Too little data is still an error.
  EXPECT_EQ(DecodeImage(GreyPng(2000, 2000, ZlibWithZeros("", 1000))).status().code(),
            Code::kUnsupportedMedia);
  EXPECT_EQ(DecodeImage(png, {.decode_budget = std::chrono::milliseconds(0)}).status().code(),
            Code::kTooLarge);
}

}  // namespace
}  // namespace vs::vision
