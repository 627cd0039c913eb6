#include "vision/letterbox.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <vector>

namespace vs::vision {
namespace {

void ExpectBoxNear(const Box& a, const Box& b, float tol) {
  EXPECT_NEAR(a.x1, b.x1, tol);
  EXPECT_NEAR(a.y1, b.y1, tol);
  EXPECT_NEAR(a.x2, b.x2, tol);
  EXPECT_NEAR(a.y2, b.y2, tol);
}

TEST(Letterbox, WideImageIsPaddedTopAndBottom) {
  const Letterbox lb = ComputeLetterbox(1920, 1080, 416, 416);
  EXPECT_EQ(lb.resized_w, 416);
  EXPECT_EQ(lb.resized_h, 234);
  EXPECT_EQ(lb.pad_x, 0);
  EXPECT_EQ(lb.pad_y, 91);
}

TEST(Letterbox, TallImageIsPaddedLeftAndRight) {
  const Letterbox lb = ComputeLetterbox(300, 600, 640, 640);
  EXPECT_EQ(lb.resized_w, 320);
  EXPECT_EQ(lb.resized_h, 640);
  EXPECT_EQ(lb.pad_x, 160);
  EXPECT_EQ(lb.pad_y, 0);
}

TEST(Letterbox, MappingRoundTrips) {
  for (auto [w, h] : std::vector<std::pair<int, int>>{
           {1920, 1080}, {577, 1013}, {416, 416}, {4000, 3000}, {33, 7}, {100, 5000}}) {
    const Letterbox lb = ComputeLetterbox(w, h, 416, 320);
    const Box src{0.1f * w, 0.2f * h, 0.7f * w, 0.9f * h};
    const Box model = lb.ToModel(src);
    // Inside the resized area of the input.
    EXPECT_GE(model.x1, lb.pad_x - 1e-3f);
    EXPECT_LE(model.x2, lb.pad_x + lb.resized_w + 1e-3f);
    EXPECT_GE(model.y1, lb.pad_y - 1e-3f);
    EXPECT_LE(model.y2, lb.pad_y + lb.resized_h + 1e-3f);
    ExpectBoxNear(lb.ToSource(model), src, 1e-3f * std::max(w, h));
  }
}

TEST(Letterbox, CornersMapToImageCorners) {
  const Letterbox lb = ComputeLetterbox(1920, 1080, 416, 416);
  const Box whole{float(lb.pad_x), float(lb.pad_y), float(lb.pad_x + lb.resized_w),
                  float(lb.pad_y + lb.resized_h)};
  ExpectBoxNear(lb.ToSource(whole), Box{0, 0, 1920, 1080}, 1e-3f);
}

TEST(Preprocess, WritesNormalisedPlanesAndPadding) {
  // 4x2 image: left half pure blue, right half pure red (BGR).
  cv::Mat img(2, 4, CV_8UC3);
  img(cv::Rect(0, 0, 2, 2)).setTo(cv::Scalar(255, 0, 0));
  img(cv::Rect(2, 0, 2, 2)).setTo(cv::Scalar(0, 0, 255));
  const InputSpec spec = YoloInputSpec(8, 8);
  std::vector<float> t(3 * 64, -1.f);
  const Letterbox lb = PreprocessImage(img, spec, t.data());
  EXPECT_EQ(lb.resized_w, 8);
  EXPECT_EQ(lb.resized_h, 4);
  EXPECT_EQ(lb.pad_y, 2);
  auto at = [&](int c, int y, int x) { return t[size_t(c * 64 + y * 8 + x)]; };
  // Padding rows hold grey 114/255 in every channel.
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(at(c, 0, 0), 114 / 255.f);
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(at(c, 7, 7), 114 / 255.f);
  // RGB order: channel 0 is red, channel 2 blue.
  EXPECT_FLOAT_EQ(at(0, 3, 7), 1.f);
  EXPECT_FLOAT_EQ(at(2, 3, 7), 0.f);
  EXPECT_FLOAT_EQ(at(0, 3, 0), 0.f);
  EXPECT_FLOAT_EQ(at(2, 3, 0), 1.f);

  const InputSpec nd = NanoDetInputSpec(8, 8);  // BGR, mean/std, black padding
  PreprocessImage(img, nd, t.data());
  EXPECT_FLOAT_EQ(at(0, 3, 0), (255 - 103.53f) / 57.375f);  // blue plane first
  EXPECT_FLOAT_EQ(at(2, 3, 0), (0 - 123.675f) / 58.395f);
  EXPECT_FLOAT_EQ(at(1, 0, 0), (0 - 116.28f) / 57.12f);
}

}  // namespace
}  // namespace vs::vision
