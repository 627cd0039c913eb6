#include "store/json.h"

#include <string>

namespace vs::store {
namespace {

using nlohmann::json;

template <typename T>
json Opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}
json OptTime(const std::optional<Timestamp>& t) {
  return t ? json(FormatIso8601(*t)) : json(nullptr);
}

}  // namespace

json ToJson(const DetectionRecord& d) {
  return {{"id", d.id},
          {"scan_id", d.scan_id},
          {"timestamp", FormatIso8601(d.timestamp)},
          {"store", d.store},
          {"shelf_location", d.shelf_location},
          {"sku", d.sku},
          {"class_name", d.class_name},
          {"class_id", d.class_id},
          {"confidence", d.confidence},
          {"x_center", d.x_center},
          {"y_center", d.y_center},
          {"width", d.width},
          {"height", d.height},
          {"image_path", d.image_path},
          {"model_version_id", Opt(d.model_version_id)}};
}

json ToJson(const ScanRecord& s) {
  json j = {{"id", s.id},
            {"store", s.store},
            {"shelf_location", s.shelf_location},
            {"captured_at", FormatIso8601(s.captured_at)},
            {"received_at", FormatIso8601(s.received_at)},
            {"image_path", s.image_path},
            {"image_url", "/api/scans/" + std::to_string(s.id) + "/image"},
            {"sha256", s.sha256},
            {"width", s.width},
            {"height", s.height},
            {"model_version_id", Opt(s.model_version_id)},
            {"inference_ms", s.inference_ms},
            {"detections_count", s.detections_count}};
  if (!s.detections.empty()) {
    json list = json::array();
    for (const auto& d : s.detections) list.push_back(ToJson(d));
    j["detections"] = std::move(list);
  }
  return j;
}

json ToJson(const Product& p) {
  return {{"id", p.id},
          {"class_name", p.class_name},
          {"sku", p.sku},
          {"product_name", p.product_name},
          {"brand", p.brand}};
}

json ToJson(const Planogram& p) {
  return {{"id", p.id},
          {"planogram_name", p.planogram_name},
          {"sku", p.sku},
          {"product_name", p.product_name},
          {"shelf_location", p.shelf_location},
          {"expected_count", p.expected_count},
          {"x_position", Opt(p.x_position)},
          {"y_position", Opt(p.y_position)},
          {"meta_data", p.meta_data},
          {"created_at", FormatIso8601(p.created_at)},
          {"updated_at", FormatIso8601(p.updated_at)},
          {"store", p.store},
          {"version", p.version}};
}

json ToJson(const PlanogramVersion& v) {
  json row = ToJson(v.row);
  row.erase("created_at");
  row.erase("updated_at");
  return {{"planogram_id", v.planogram_id}, {"planogram_name", v.planogram_name},
          {"version", v.version},           {"action", v.action},
          {"row", std::move(row)},          {"created_at", FormatIso8601(v.created_at)}};
}

json ToJson(const ComplianceKpis& k) {
  return {{"planned_units", k.planned_units},
          {"compliant_units", k.compliant_units},
          {"stocked_skus", k.stocked_skus},
          {"present_skus", k.present_skus},
          {"out_of_stock_skus", k.out_of_stock_skus},
          {"gap_count", k.gap_count},
          {"facings", k.facings},
          {"gap_width", k.gap_width},
          {"row_width", k.row_width},
          {"compliance_score", Opt(k.compliance_score)},
          {"availability", Opt(k.availability)},
          {"out_of_stock_rate", Opt(k.out_of_stock_rate)},
          {"gap_share", Opt(k.gap_share)}};
}

json ToJson(const ComplianceResult& r, bool with_detail) {
  json j = {{"id", r.id},
            {"scan_id", r.scan_id},
            {"store", r.store},
            {"shelf_location", r.shelf_location},
            {"planogram_name", r.planogram_name},
            {"planogram_version", r.planogram_version},
            {"captured_at", FormatIso8601(r.captured_at)},
            {"analysed_at", FormatIso8601(r.analysed_at)},
            {"compliant", r.compliant},
            {"kpis", ToJson(r.kpis)}};
  if (with_detail) j["detail"] = r.detail;
  return j;
}

json ToJson(const Alert& a) {
  // Out-of-stock (or any condition's) duration: first scan showing it to the scan that ended
  // it, or to now while it lasts.
  const Timestamp until = a.resolved_at ? *a.resolved_at : Now();
  const int64_t ms = ToUnixMillis(until) - ToUnixMillis(a.first_seen_at);
  return {{"id", a.id},
          {"type", a.type},
          {"store", a.store},
          {"shelf_location", a.shelf_location},
          {"planogram_name", a.planogram_name},
          {"sku", a.sku},
          {"status", a.status},
          {"scans", a.scans},
          {"first_seen_at", FormatIso8601(a.first_seen_at)},
          {"last_seen_at", FormatIso8601(a.last_seen_at)},
          {"first_scan_id", a.first_scan_id},
          {"last_scan_id", a.last_scan_id},
          {"raised_at", OptTime(a.raised_at)},
          {"resolved_at", OptTime(a.resolved_at)},
          {"resolved_scan_id", Opt(a.resolved_scan_id)},
          {"acknowledged_at", OptTime(a.acknowledged_at)},
          {"acknowledged_by", a.acknowledged_by},
          {"note", a.note},
          {"duration_seconds", ms < 0 ? 0.0 : static_cast<double>(ms) / 1000.0},
          {"detail", a.detail}};
}

json ToJson(const ModelMetrics& m) {
  return {{"id", m.id},
          {"model_version_id", m.model_version_id},
          {"evaluation_date", FormatIso8601(m.evaluation_date)},
          {"map50", Opt(m.map50)},
          {"map50_95", Opt(m.map50_95)},
          {"precision", Opt(m.precision)},
          {"recall", Opt(m.recall)},
          {"f1_score", Opt(m.f1_score)},
          {"inference_time_ms", Opt(m.inference_time_ms)},
          {"test_dataset_path", m.test_dataset_path},
          {"num_test_images", Opt(m.num_test_images)}};
}

json ToJson(const ModelVersion& m) {
  json metrics = json::array();
  for (const auto& x : m.metrics) metrics.push_back(ToJson(x));
  return {{"id", m.id},
          {"version_name", m.version_name},
          {"model_type", m.model_type},
          {"model_path", m.model_path},
          {"base_model", m.base_model},
          {"training_date", OptTime(m.training_date)},
          {"epochs", Opt(m.epochs)},
          {"dataset_path", m.dataset_path},
          {"is_active", m.is_active},
          {"created_at", FormatIso8601(m.created_at)},
          {"metrics", std::move(metrics)}};
}

json ToJson(const Discrepancy& d) {
  return {{"id", d.id},
          {"planogram_id", d.planogram_id},
          {"sku", d.sku},
          {"shelf_location", d.shelf_location},
          {"discrepancy_type", d.discrepancy_type},
          {"expected_count", d.expected_count},
          {"detected_count", d.detected_count},
          {"confidence_score", Opt(d.confidence_score)},
          {"meta_data", d.meta_data},
          {"created_at", FormatIso8601(d.created_at)},
          {"store", d.store}};
}

json ToJson(const Summary& s) {
  return {{"total_detections", s.total_detections},
          {"unique_skus", s.unique_skus},
          {"unique_classes", s.unique_classes},
          {"average_confidence", Opt(s.average_confidence)},
          {"total_scans", s.total_scans},
          {"last_detection_at", OptTime(s.last_detection_at)}};
}

json ToJson(const Event& e) {
  return {{"id", e.id},
          {"type", e.type},
          {"payload", e.payload},
          {"created_at", FormatIso8601(e.created_at)}};
}

}  // namespace vs::store
