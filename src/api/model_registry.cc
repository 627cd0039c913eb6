#include "api/model_registry.h"

#include "core/log.h"
#include "models/measure.h"

namespace vs::api {

std::string VersionName(const vision::ModelInfo& info) {
  return info.name + "-" + info.sha256.substr(0, 12);
}

Result<store::ModelVersion> RegisterLoadedModel(store::Store& store,
                                                const vision::Detector& detector, bool measure) {
  const auto& info = detector.info();
  std::optional<double> inference_ms;
  if (measure) {
    auto ms = models::MeasureInferenceMs(detector);
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
