#include "models/measure.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <vector>

namespace vs::models {

Result<double> MeasureInferenceMs(const vision::Detector& detector) {
  const auto& info = detector.info();
  vision::DecodedImage image;
  image.bgr = cv::Mat(std::max(1, info.input_height), std::max(1, info.input_width), CV_8UC3,
                      cv::Scalar(114, 114, 114));
  image.format = vision::ImageFormat::kPng;
  image.width = image.bgr.cols;
  image.height = image.bgr.rows;
  auto warm = detector.Detect(image);
  if (!warm.ok()) return warm.status();
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    auto out = detector.Detect(image);
    if (!out.ok()) return out.status();
    times.push_back(out->inference_ms);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace vs::models
