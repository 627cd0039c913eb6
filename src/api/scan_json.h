// JSON shapes of scans as the API answers them (beyond store/json.h's record forms).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/types.h"

namespace vs::api {

// store::ToJson(d) plus "bbox": [x1, y1, x2, y2] in pixels of a `width` x `height` image.
nlohmann::json DetectionWithBox(const store::DetectionRecord& d, int width, int height);

// The POST /api/detect answer: {scan_id, image_path, image_url, timestamp, store,
// shelf_location, width, height, detections_count, model_version, model_version_id,
// inference_ms, detections: [{id, class_name, class_id, sku, confidence, x_center, y_center,
// width, height, bbox}]}.
nlohmann::json DetectAnswer(const store::ScanRecord& scan, const std::string& model_version);

// store::ToJson(scan) with "detections" (each with bbox), always present.
nlohmann::json ScanWithDetections(const store::ScanRecord& scan);

// Detections (newest first) grouped by consecutive scan, the earlier system's list shape:
// [{scan_id, image_path, image_url, timestamp, store, shelf_location, detections_count,
//   detections: [{id, class_name, class_id, sku, confidence, x_center, y_center, width, height,
//   shelf_location, store}]}].
nlohmann::json GroupByScan(const std::vector<store::DetectionRecord>& detections);

}  // namespace vs::api
