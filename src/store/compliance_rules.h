// The parts of the planogram compliance group of Store that are not SQL, shared by every
// backend so that they validate, page and announce alike: row checks, alert statuses and the
// events their transitions commit, and the small event payloads (docs/API.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/types.h"

namespace vs::store {

// A planogram row as CreatePlanogram, UpdatePlanogram and ImportPlanograms accept it.
Status ValidatePlanogram(const Planogram& p);
// Every row of an import, InvalidValue "row N: …" (1-based) for the first bad one.
Status ValidatePlanogramImport(const std::vector<Planogram>& rows);
// Every product of an import (class_name and sku required).
Status ValidateProductImport(const std::vector<Product>& products);
// The limit of a compliance page (1..1000).
Status CheckCompliancePage(const PageRequest& page);

// "pending", "open", "acknowledged" or "resolved".
bool KnownAlertStatus(const std::string& status);
// The event an alert's change from `before` to `after` commits: "alert.raised" on entering
// "open" from "pending", "alert.resolved" on entering "resolved" from a raised state, else
// nullptr.
const char* AlertTransitionEvent(const std::string& before, const std::string& after);

// The payload of alert events: ids and the condition, never the record.
nlohmann::json AlertEventPayload(const Alert& a);
// The payload of the "planogram.changed" event of an import.
nlohmann::json PlanogramImportPayload(const PlanogramImportResult& r);
// The payload of the "product.changed" event of an import of `count` products.
nlohmann::json ProductImportPayload(size_t count);
// The payload of "compliance.updated" for the stored results of `w`.
nlohmann::json ComplianceUpdatedPayload(const ComplianceWrite& w,
                                        const std::vector<ComplianceResult>& stored);

}  // namespace vs::store
