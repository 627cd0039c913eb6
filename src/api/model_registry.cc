#include "api/model_registry.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <vector>

#include "core/log.h"

namespace vs::api {
namespace {

Result<double> MedianInferenceMs(const vision::Detector& detector) {
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

}  // namespace

std::string VersionName(const vision::ModelInfo& info) {
  return info.name + "-" + info.sha256.substr(0, 12);
}

Result<store::ModelVersion> RegisterLoadedModel(store::Store& store,
                                                const vision::Detector& detector, bool measure) {
  const auto& info = detector.info();
  std::optional<double> inference_ms;
  if (measure) {
    auto ms = MedianInferenceMs(detector);
    if (!ms.ok()) return ms.status();
    inference_ms = *ms;
  }
  store::ModelVersion m;
  m.version_name = VersionName(info);
  m.model_type = vision::LayoutName(info.layout);
  m.model_path = info.path;
  m.base_model = info.name;
  m.is_active = true;
  auto saved = store.UpsertModel(m);
  if (!saved.ok()) return saved.status();
  if (inference_ms) {
    store::ModelMetrics metrics;
    metrics.model_version_id = saved->id;
    metrics.evaluation_date = Now();
    metrics.inference_time_ms = inference_ms;
    auto added = store.AddModelMetrics(metrics);
    if (!added.ok()) return added.status();
    vs::log::Info("model registered", {{"version_name", m.version_name},
                                       {"model_version_id", saved->id},
                                       {"inference_time_ms", *inference_ms}});
  }
  return store.GetModel(saved->id);
}

}  // namespace vs::api
