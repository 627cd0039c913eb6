#include "vision/letterbox.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace vs::vision {

InputSpec NanoDetInputSpec(int width, int height) {
  InputSpec s;
  s.width = width;
  s.height = height;
  s.rgb = false;
  s.mean = {103.53f, 116.28f, 123.675f};
  s.inv_std = {1 / 57.375f, 1 / 57.12f, 1 / 58.395f};
  s.pad_value = 0;
  return s;
}

InputSpec YoloInputSpec(int width, int height) {
  InputSpec s;
  s.width = width;
  s.height = height;
  s.rgb = true;
  s.mean = {0, 0, 0};
  s.inv_std = {1 / 255.f, 1 / 255.f, 1 / 255.f};
  s.pad_value = 114;
  return s;
}

Letterbox ComputeLetterbox(int src_w, int src_h, int dst_w, int dst_h) {
  const double r = std::min(double(dst_w) / src_w, double(dst_h) / src_h);
  Letterbox lb;
  lb.resized_w = std::clamp(int(std::lround(src_w * r)), 1, dst_w);
  lb.resized_h = std::clamp(int(std::lround(src_h * r)), 1, dst_h);
  lb.pad_x = (dst_w - lb.resized_w) / 2;
  lb.pad_y = (dst_h - lb.resized_h) / 2;
  lb.scale_x = double(lb.resized_w) / src_w;
  lb.scale_y = double(lb.resized_h) / src_h;
  return lb;
}

Box Letterbox::ToSource(const Box& b) const {
  return {float((b.x1 - pad_x) / scale_x), float((b.y1 - pad_y) / scale_y),
          float((b.x2 - pad_x) / scale_x), float((b.y2 - pad_y) / scale_y)};
}

Box Letterbox::ToModel(const Box& b) const {
  return {float(b.x1 * scale_x + pad_x), float(b.y1 * scale_y + pad_y),
          float(b.x2 * scale_x + pad_x), float(b.y2 * scale_y + pad_y)};
}

Letterbox PreprocessImage(const cv::Mat& bgr, const InputSpec& spec, float* dst) {
  const Letterbox lb = ComputeLetterbox(bgr.cols, bgr.rows, spec.width, spec.height);
  cv::Mat resized = bgr;
  if (lb.resized_w != bgr.cols || lb.resized_h != bgr.rows) {
    cv::resize(bgr, resized, cv::Size(lb.resized_w, lb.resized_h), 0, 0, cv::INTER_LINEAR);
  }
  const size_t plane = size_t(spec.width) * spec.height;
  // Tensor channel c reads BGR byte src_c[c] of each pixel.
  const int src_c[3] = {spec.rgb ? 2 : 0, 1, spec.rgb ? 0 : 2};
  for (int c = 0; c < 3; ++c) {
    const float pad = (float(spec.pad_value) - spec.mean[c]) * spec.inv_std[c];
    std::fill(dst + c * plane, dst + (c + 1) * plane, pad);
  }
  for (int y = 0; y < lb.resized_h; ++y) {
    const uint8_t* row = resized.ptr<uint8_t>(y);
    const size_t out_row = size_t(y + lb.pad_y) * spec.width + lb.pad_x;
    for (int c = 0; c < 3; ++c) {
      float* out = dst + c * plane + out_row;
      const float mean = spec.mean[c], inv_std = spec.inv_std[c];
      const uint8_t* px = row + src_c[c];
      for (int x = 0; x < lb.resized_w; ++x) out[x] = (float(px[3 * x]) - mean) * inv_std;
    }
  }
  return lb;
}

}  // namespace vs::vision
