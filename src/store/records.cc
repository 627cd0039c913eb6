#include "store/records.h"

namespace vs::store {

ScanRecord ScanRecordOf(const NewScan& in) {
  ScanRecord s;
  s.store = in.store;
  s.shelf_location = in.shelf_location;
  s.captured_at = in.captured_at;
  s.received_at = in.received_at;
  s.image_path = in.image_path;
  s.sha256 = in.sha256;
  s.width = in.width;
  s.height = in.height;
  s.model_version_id = in.model_version_id;
  s.inference_ms = in.inference_ms;
  s.detections_count = static_cast<int>(in.detections.size());
  return s;
}

DetectionRecord DetectionRecordOf(const ScanRecord& scan, const NewDetection& d,
                                  const std::string& catalogue_sku) {
  DetectionRecord r;
  r.scan_id = scan.id;
  r.timestamp = scan.captured_at;
  r.sku = d.sku.empty() ? catalogue_sku : d.sku;
  r.class_name = d.class_name;
  r.class_id = d.class_id;
  r.confidence = d.confidence;
  r.x_center = d.x_center;
  r.y_center = d.y_center;
  r.width = d.width;
  r.height = d.height;
  r.shelf_location = scan.shelf_location;
  r.store = scan.store;
  r.image_path = scan.image_path;
  r.model_version_id = scan.model_version_id;
  return r;
}

}  // namespace vs::store
