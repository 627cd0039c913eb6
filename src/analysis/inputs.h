// Store records -> compliance engine inputs (pure; no I/O).
//
// A shelf is (store, shelf_location). The planogram rows that apply to it are those with that
// shelf_location whose store is the scan's or "" (every store), grouped by planogram_name. Per
// row, meta_data may carry:
//   "slot":       [x1, y1, x2, y2], the row's slot box (normalised to the photo);
//   "compliance": settings overrides (compliance::MergeSettings keys, and "alert_scans" /
//                 "alert_minutes" for the planogram's alert rules), applied in row order;
//   "extent":     [x1, x2], the shelf's horizontal span in the photo.
// x_position and y_position (both set) give the row's point position.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/alert_rules.h"
#include "compliance/compliance.h"
#include "core/status.h"
#include "store/types.h"

namespace vs::analysis {

struct ShelfPlan {
  compliance::Planogram planogram;        // name, shelf_location, rows (engine form)
  std::vector<store::Planogram> rows;     // the stored rows, same order as planogram.rows
  std::vector<nlohmann::json> overrides;  // each row's meta_data["compliance"], in row order
};

// One ShelfPlan per (planogram_name, shelf_location) of `rows`, by name then shelf, rows in id
// order. InvalidValue naming the planogram row for a malformed "slot" or "extent"; with
// `skipped`, such rows are left out instead and their errors appended there.
Result<std::vector<ShelfPlan>> GroupPlanograms(std::vector<store::Planogram> rows,
                                               std::vector<Status>* skipped = nullptr);

// `base` with every row's overrides applied in order; InvalidValue naming the planogram.
Result<compliance::Settings> PlanSettings(const ShelfPlan& plan, const compliance::Settings& base);
// `base` (the server's rules) with every row's "alert_scans" and "alert_minutes" applied in
// order (integers; null: the server's value); InvalidValue naming the planogram for a value of
// the wrong type or rules ValidateAlertRules refuses.
Result<AlertRules> PlanAlertRules(const ShelfPlan& plan, const AlertRules& base);

std::vector<compliance::Detection> ToEngine(const std::vector<store::DetectionRecord>& detections);
std::vector<compliance::Product> ToEngine(const std::vector<store::Product>& products);

}  // namespace vs::analysis
