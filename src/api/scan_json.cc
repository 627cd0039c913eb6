#include "api/scan_json.h"

#include "core/time.h"
#include "store/json.h"

namespace vs::api {
namespace {

nlohmann::json Box(const store::DetectionRecord& d, int width, int height) {
  const double x1 = (d.x_center - d.width / 2) * width, x2 = (d.x_center + d.width / 2) * width;
  const double y1 = (d.y_center - d.height / 2) * height, y2 = (d.y_center + d.height / 2) * height;
  return nlohmann::json::array({x1, y1, x2, y2});
}

// The detection fields every answer carries: {id, class_name, class_id, sku, confidence,
// x_center, y_center, width, height}.
nlohmann::json DetectionCore(const store::DetectionRecord& d) {
  return {{"id", d.id},
          {"class_name", d.class_name},
          {"class_id", d.class_id},
          {"sku", d.sku},
          {"confidence", d.confidence},
          {"x_center", d.x_center},
          {"y_center", d.y_center},
          {"width", d.width},
          {"height", d.height}};
}

std::string ImageUrl(store::Id scan_id) {
  return "/api/scans/" + std::to_string(scan_id) + "/image";
}

}  // namespace

nlohmann::json DetectionWithBox(const store::DetectionRecord& d, int width, int height) {
  nlohmann::json j = store::ToJson(d);
  j["bbox"] = Box(d, width, height);
  return j;
}

nlohmann::json DetectAnswer(const store::ScanRecord& scan, const std::string& model_version) {
  nlohmann::json detections = nlohmann::json::array();
  for (const auto& d : scan.detections) {
    nlohmann::json j = DetectionCore(d);
    j["bbox"] = Box(d, scan.width, scan.height);
    detections.push_back(std::move(j));
  }
  return {{"scan_id", scan.id},
          {"image_path", scan.image_path},
          {"image_url", ImageUrl(scan.id)},
          {"timestamp", FormatIso8601(scan.captured_at)},
          {"store", scan.store},
          {"shelf_location", scan.shelf_location},
          {"width", scan.width},
          {"height", scan.height},
          {"detections_count", scan.detections_count},
          {"model_version", model_version},
          {"model_version_id", scan.model_version_id ? nlohmann::json(*scan.model_version_id)
                                                     : nlohmann::json(nullptr)},
          {"inference_ms", scan.inference_ms},
          {"detections", std::move(detections)}};
}

nlohmann::json ScanWithDetections(const store::ScanRecord& scan) {
  nlohmann::json j = store::ToJson(scan);
  nlohmann::json detections = nlohmann::json::array();
  for (const auto& d : scan.detections) {
    detections.push_back(DetectionWithBox(d, scan.width, scan.height));
  }
  j["detections"] = std::move(detections);
  return j;
}

nlohmann::json GroupByScan(const std::vector<store::DetectionRecord>& detections) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& d : detections) {
    if (groups.empty() || groups.back()["scan_id"] != d.scan_id) {
      groups.push_back({{"scan_id", d.scan_id},
                        {"image_path", d.image_path},
                        {"image_url", ImageUrl(d.scan_id)},
                        {"timestamp", FormatIso8601(d.timestamp)},
                        {"store", d.store},
                        {"shelf_location", d.shelf_location},
                        {"detections_count", 0},
                        {"detections", nlohmann::json::array()}});
    }
    auto& g = groups.back();
    nlohmann::json j = DetectionCore(d);
    j["shelf_location"] = d.shelf_location;
    j["store"] = d.store;
    g["detections"].push_back(std::move(j));
    g["detections_count"] = g["detections"].size();
  }
  return groups;
}

}  // namespace vs::api
