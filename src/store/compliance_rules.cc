#include "store/compliance_rules.h"

namespace vs::store {

Status ValidatePlanogram(const Planogram& p) {
  if (p.planogram_name.empty()) return Status::InvalidValue("planogram_name is required");
  if (p.sku.empty()) return Status::InvalidValue("sku is required");
  if (p.expected_count < 0) return Status::InvalidValue("expected_count must not be negative");
  if (!p.meta_data.is_object()) return Status::InvalidValue("meta_data must be a JSON object");
  return Status::Ok();
}

Status ValidatePlanogramImport(const std::vector<Planogram>& rows) {
  if (rows.empty()) return Status::InvalidValue("no planogram rows to import");
  for (size_t i = 0; i < rows.size(); ++i) {
    Status s = ValidatePlanogram(rows[i]);
    if (!s.ok()) return Status::InvalidValue("row " + std::to_string(i + 1) + ": " + s.message());
  }
  return Status::Ok();
}

Status ValidateProductImport(const std::vector<Product>& products) {
  if (products.empty()) return Status::InvalidValue("no products to import");
  for (const Product& p : products) {
    if (p.class_name.empty()) return Status::InvalidValue("class_name is required");
    if (p.sku.empty()) return Status::InvalidValue("sku is required");
  }
  return Status::Ok();
}

Status CheckCompliancePage(const PageRequest& page) {
  if (page.limit < 1 || page.limit > 1000) {
    return Status::InvalidValue("limit must be between 1 and 1000");
  }
  return Status::Ok();
}

bool KnownAlertStatus(const std::string& s) {
  return s == "pending" || s == "open" || s == "acknowledged" || s == "resolved";
}

const char* AlertTransitionEvent(const std::string& before, const std::string& after) {
  if (after == "open" && before == "pending") return "alert.raised";
  if (after == "resolved" && before != "resolved" && before != "pending") return "alert.resolved";
  return nullptr;
}

nlohmann::json AlertEventPayload(const Alert& a) {
  return {{"alert_id", a.id},  {"type", a.type},
          {"store", a.store},  {"shelf_location", a.shelf_location},
          {"sku", a.sku},      {"planogram_name", a.planogram_name},
          {"status", a.status}};
}

nlohmann::json PlanogramImportPayload(const PlanogramImportResult& r) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [name, v] : r.versions) names.push_back(name);
  return {{"planogram_id", nullptr},
          {"action", "imported"},
          {"planogram_name", names.size() == 1 ? names[0] : nlohmann::json(nullptr)},
          {"planogram_names", names}};
}

nlohmann::json ProductImportPayload(size_t count) {
  return {{"product_id", nullptr},
          {"class_name", nullptr},
          {"action", "imported"},
          {"count", static_cast<int64_t>(count)}};
}

nlohmann::json ComplianceUpdatedPayload(const ComplianceWrite& w,
                                        const std::vector<ComplianceResult>& stored) {
  nlohmann::json ids = nlohmann::json::array(), names = nlohmann::json::array();
  for (const ComplianceResult& r : stored) {
    ids.push_back(r.id);
    names.push_back(r.planogram_name);
  }
  return {{"scan_id", w.scan_id},
          {"store", w.store},
          {"shelf_location", w.shelf_location},
          {"result_ids", ids},
          {"planogram_names", names}};
}

}  // namespace vs::store
