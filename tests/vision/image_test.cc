#include "vision/image.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

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

}  // namespace
}  // namespace vs::vision
