// JSON forms of stored records, shared by the REST API and live event payloads so that a
// record looks the same wherever a client meets it. Times are ISO 8601 UTC strings; absent
// optionals are null.
#pragma once

#include <nlohmann/json.hpp>

#include "store/types.h"

namespace vs::store {

// {id, scan_id, timestamp, store, shelf_location, sku, class_name, class_id, confidence,
//  x_center, y_center, width, height, image_path, model_version_id}
nlohmann::json ToJson(const DetectionRecord& d);
// {id, store, shelf_location, captured_at, received_at, image_path, image_url, sha256, width,
//  height, model_version_id, inference_ms, detections_count}; "detections" too when present.
nlohmann::json ToJson(const ScanRecord& s);
nlohmann::json ToJson(const Product& p);
// Planogram rows carry the earlier fields plus "store" and "version".
nlohmann::json ToJson(const Planogram& p);
// {planogram_id, planogram_name, version, action, row: {the planogram row}, created_at}
nlohmann::json ToJson(const PlanogramVersion& v);
nlohmann::json ToJson(const ComplianceKpis& k);
// {id, scan_id, store, shelf_location, planogram_name, planogram_version, captured_at,
//  analysed_at, compliant, kpis: {...}} and "detail" (the per-row results) when asked.
nlohmann::json ToJson(const ComplianceResult& r, bool with_detail);
// The alert's fields with "duration_seconds": first_seen_at to resolved_at (or now).
nlohmann::json ToJson(const Alert& a);
nlohmann::json ToJson(const ModelMetrics& m);
nlohmann::json ToJson(const ModelVersion& m);  // with "metrics"
nlohmann::json ToJson(const Discrepancy& d);
// {total_detections, unique_skus, unique_classes, average_confidence, total_scans,
//  last_detection_at}
nlohmann::json ToJson(const Summary& s);
// {id, type, payload, created_at}: the message a live client receives.
nlohmann::json ToJson(const Event& e);

}  // namespace vs::store
