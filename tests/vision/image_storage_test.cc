#include "vision/image_storage.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "vision/image_jpeg.h"

namespace vs::vision {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

Bytes AsBytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

bool Contains(const Bytes& hay, const std::string& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

const std::string kDog = std::string(VS_DARKNET_DATA) + "/dog.jpg";  // 768x576, EXIF, ICC, XMP

void Put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
void Put32(Bytes& b, uint32_t v) {
  Put16(b, uint16_t(v >> 16));
  Put16(b, uint16_t(v));
}
void Entry(Bytes& b, uint16_t tag, uint16_t type, uint32_t count, uint32_t value) {
  Put16(b, tag);
  Put16(b, type);
  Put32(b, count);
  if (type == 3 && count == 1) {  // SHORT: left-justified in the value field
    Put16(b, uint16_t(value));
    Put16(b, 0);
  } else {
    Put32(b, value);
  }
}

// An APP1 EXIF segment (big-endian TIFF): IFD0 with Orientation and a GPS IFD pointer; the GPS
// IFD holds latitude 51 deg 30' 26" N, longitude 0 deg 7' 39" W.
Bytes ExifWithGps(uint16_t orientation) {
  Bytes tiff = {'M', 'M', 0, 42};
  Put32(tiff, 8);  // IFD0
  Put16(tiff, 2);
  Entry(tiff, 0x0112, 3, 1, orientation);
  Entry(tiff, 0x8825, 4, 1, 8 + 2 + 2 * 12 + 4);  // GPS IFD right after IFD0
  Put32(tiff, 0);
  const uint32_t gps_ifd = uint32_t(tiff.size());
  const uint32_t data = gps_ifd + 2 + 4 * 12 + 4;  // rationals after the GPS IFD
  Put16(tiff, 4);
  Entry(tiff, 0x0001, 2, 2, 'N' << 24);  // GPSLatitudeRef "N"
  Entry(tiff, 0x0002, 5, 3, data);       // GPSLatitude
  Entry(tiff, 0x0003, 2, 2, 'W' << 24);  // GPSLongitudeRef "W"
  Entry(tiff, 0x0004, 5, 3, data + 24);  // GPSLongitude
  Put32(tiff, 0);
  for (uint32_t v : {51u, 1u, 30u, 1u, 26u, 1u, 0u, 1u, 7u, 1u, 39u, 1u}) Put32(tiff, v);
  Bytes seg = {0xFF, 0xE1};
  Put16(seg, uint16_t(2 + 6 + tiff.size()));
  for (char c : std::string("Exif\0\0", 6)) seg.push_back(uint8_t(c));
  seg.insert(seg.end(), tiff.begin(), tiff.end());
  return seg;
}

// `jpeg` with an EXIF (GPS + orientation) and a COM segment inserted after SOI.
Bytes WithGpsExif(const Bytes& jpeg, uint16_t orientation) {
  Bytes out = {0xFF, 0xD8};
  const Bytes exif = ExifWithGps(orientation);
  out.insert(out.end(), exif.begin(), exif.end());
  const std::string comment = "taken at the Old Street shop by camera SN-4471";
  out.push_back(0xFF);
  out.push_back(0xFE);
  Put16(out, uint16_t(2 + comment.size()));
  out.insert(out.end(), comment.begin(), comment.end());
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

// Markers of every segment before the first scan.
std::vector<int> HeaderMarkers(const Bytes& jpeg) {
  std::vector<int> markers;
  bool in_scan = false;
  EXPECT_TRUE(internal::WalkJpeg(jpeg, [&](int marker, size_t, size_t) {
                if (marker == 0xDA) in_scan = true;
                if (!in_scan && marker != internal::kJpegData) markers.push_back(marker);
              }).ok());
  return markers;
}

double MaxDiff(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return 1e9;
  return cv::norm(a, b, cv::NORM_INF);
}

TEST(ImageForStorage, JpegLosesGpsAndCommentLosslessly) {
  const Bytes dog = ReadFile(kDog);
  const Bytes upload = WithGpsExif(dog, 1);
  ASSERT_TRUE(Contains(upload, "Old Street"));
  auto stored = ImageForStorage(upload);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_FALSE(stored->reencoded);
  const Bytes out = AsBytes(stored->bytes);
  EXPECT_FALSE(Contains(out, "Exif"));
  EXPECT_FALSE(Contains(out, "Old Street"));
  EXPECT_FALSE(Contains(out, "http://ns.adobe.com/xap"));  // dog.jpg's own XMP
  EXPECT_FALSE(Contains(out, "Photoshop"));                // and its APP13
  EXPECT_TRUE(Contains(out, "ICC_PROFILE"));               // colours stay defined
  for (int m : HeaderMarkers(out)) {
    EXPECT_TRUE(m == 0xD8 || m == 0xE2 || m == 0xDB || m == 0xC0 || m == 0xC4 || m == 0xDD ||
                m == 0xEE)
        << std::hex << m;
  }
  // The image data is untouched: same pixels, same entropy-coded bytes.
  const cv::Mat before = cv::imdecode(dog, cv::IMREAD_COLOR);
  const cv::Mat after = cv::imdecode(out, cv::IMREAD_COLOR);
  EXPECT_EQ(MaxDiff(before, after), 0);
  EXPECT_LT(out.size(), dog.size());
  // Stripping again changes nothing.
  auto again = ImageForStorage(out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bytes, stored->bytes);
}

TEST(ImageForStorage, RotatedJpegIsTurnedUprightAndReencoded) {
  const Bytes dog = ReadFile(kDog);
  const Bytes upload = WithGpsExif(dog, 6);  // display turned 90 degrees clockwise
  auto expected = DecodeImage(upload);       // what a viewer honouring EXIF shows
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(expected->bgr.cols, 576);
  auto stored = ImageForStorage(upload);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_TRUE(stored->reencoded);
  const Bytes out = AsBytes(stored->bytes);
  EXPECT_FALSE(Contains(out, "Exif"));
  EXPECT_FALSE(Contains(out, "Old Street"));
  EXPECT_TRUE(Contains(out, "ICC_PROFILE"));
  // Upright without EXIF: decoding as stored gives what the original showed, within JPEG loss.
  const cv::Mat shown = cv::imdecode(out, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  ASSERT_EQ(shown.cols, 576);
  ASSERT_EQ(shown.rows, 768);
  cv::Mat diff;
  cv::absdiff(shown, expected->bgr, diff);
  EXPECT_LT(cv::mean(diff)[0], 3.0);
  auto probe = ProbeImage(out);
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(probe->width, 576);
}

void PutChunk(Bytes& png, const char* type, const std::string& data) {
  Bytes chunk;
  Put32(chunk, uint32_t(data.size()));
  chunk.insert(chunk.end(), type, type + 4);
  chunk.insert(chunk.end(), data.begin(), data.end());
  Put32(chunk, uint32_t(crc32(0, chunk.data() + 4, uInt(chunk.size() - 4))));
  png.insert(png.end(), chunk.begin(), chunk.end());
}

TEST(ImageForStorage, PngLosesTextAndExifChunks) {
  const Bytes box = ReadFile(std::string(VS_OPENCV_DATA) + "/box.png");
  // Insert text, time and EXIF chunks after IHDR (8 + 25 bytes).
  Bytes upload(box.begin(), box.begin() + 33);
  PutChunk(upload, "tEXt", std::string("Comment\0Old Street shop", 23));
  PutChunk(upload, "tIME", std::string("\x07\xEA\x0B\x1C\x07\x14\x00", 7));
  const Bytes exif = ExifWithGps(1);
  PutChunk(upload, "eXIf", std::string(exif.begin() + 10, exif.end()));  // TIFF only
  upload.insert(upload.end(), box.begin() + 33, box.end());
  upload.insert(upload.end(), {'j', 'u', 'n', 'k'});
  auto stored = ImageForStorage(upload);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(AsBytes(stored->bytes), box);  // box.png has none of these chunks
}

TEST(ImageForStorage, WebpLosesExifChunk) {
  const cv::Mat dog = cv::imread(kDog);
  Bytes plain;
  ASSERT_TRUE(cv::imencode(".webp", dog(cv::Rect(0, 0, 200, 100)), plain,
                           {cv::IMWRITE_WEBP_QUALITY, 101}));  // VP8L, simple format
  // Extended format: VP8X (EXIF flag) + the image chunk + an EXIF chunk.
  const uint8_t head[] = {'R', 'I', 'F', 'F', 0, 0,    0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8',
                          'X', 10,  0,   0,   0, 0x08, 0, 0, 0,   199, 0,   0,   99,  0,   0};
  Bytes upload;
  upload.reserve(sizeof head + plain.size() + 200);
  upload.insert(upload.end(), std::begin(head), std::end(head));
  upload.insert(upload.end(), plain.begin() + 12, plain.end());
  const Bytes exif = ExifWithGps(1);
  const Bytes payload(exif.begin() + 10, exif.end());
  upload.insert(upload.end(), {'E', 'X', 'I', 'F', uint8_t(payload.size()), 0, 0, 0});
  upload.insert(upload.end(), payload.begin(), payload.end());
  if (payload.size() & 1) upload.push_back(0);
  const uint32_t riff = uint32_t(upload.size() - 8);
  for (int k = 0; k < 4; ++k) upload[4 + k] = uint8_t(riff >> (8 * k));
  ASSERT_FALSE(cv::imdecode(upload, cv::IMREAD_COLOR).empty());

  auto stored = ImageForStorage(upload);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  const Bytes out = AsBytes(stored->bytes);
  EXPECT_FALSE(Contains(out, "EXIF"));
  EXPECT_EQ(out[20] & 0x08, 0);  // VP8X flags
  EXPECT_EQ(uint32_t(out[4] | out[5] << 8 | out[6] << 16 | out[7] << 24), out.size() - 8);
  EXPECT_EQ(MaxDiff(cv::imdecode(out, cv::IMREAD_COLOR), cv::imdecode(plain, cv::IMREAD_COLOR)), 0);
}

TEST(ImageForStorage, NotAnImage) {
  EXPECT_EQ(ImageForStorage(AsBytes("hello")).status().code(), Code::kUnsupportedMedia);
}

}  // namespace
}  // namespace vs::vision
