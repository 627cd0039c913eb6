// Alert rules (pure): which conditions a shelf result shows, and how a scan moves the shelf's
// alerts between "pending", "open" and "resolved" (docs/COMPLIANCE.md, "Alerts").
//
// A condition is OUT_OF_STOCK, LOW_STOCK or MISPLACED for one SKU of one planogram on the shelf,
// or GAP (sku "") when the result has at least one gap. A condition seen for the first time
// starts a "pending" alert; it is raised ("open") once it has held for AlertRules::scans
// consecutive scans or, when minutes > 0, for that many minutes of capture time, whichever comes
// first. A scan of the same planogram that no longer shows it resolves an open (or
// acknowledged) alert and drops a pending one. One alert per condition at a time: a condition
// that lasts over many photos is never raised twice. The rules are the server's (serve
// --alert-scans / --alert-minutes) unless a planogram sets its own (inputs.h, PlanAlertRules).
//
// Alerts follow the newest scan of each planogram: a scan analysed after a newer one of the same
// planogram on the shelf (two instances, or a queue behind) stores its results but changes none
// of that planogram's alerts, and a scan already counted for an alert is not counted again.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "compliance/compliance.h"
#include "core/status.h"
#include "store/types.h"

namespace vs::analysis {

struct AlertRules {
  int scans = 1;    // consecutive scans; 0 = by minutes alone
  int minutes = 0;  // 0 = by scans alone
};
// InvalidValue unless 0 <= scans <= 1000, 0 <= minutes <= 525600 and not both 0.
Status ValidateAlertRules(const AlertRules& rules);

// The rules of each planogram: its own where it has them, else the defaults.
struct AlertPolicy {
  AlertPolicy(AlertRules d = {}) : defaults(d) {}  // NOLINT: a plain rule set is a policy
  AlertRules defaults;
  std::map<std::string, AlertRules> by_planogram;
  const AlertRules& For(const std::string& planogram_name) const;
};

struct Condition {
  std::string type;  // "OUT_OF_STOCK", "LOW_STOCK", "MISPLACED", "GAP"
  std::string planogram_name, sku;
  nlohmann::json detail;  // {expected, detected} or {gaps, facings}
};

// The conditions `analysis` of `planogram_name` shows, in result order.
std::vector<Condition> ConditionsOf(const std::string& planogram_name,
                                    const compliance::ShelfAnalysis& analysis);

struct AlertPlan {
  std::vector<store::Alert> alerts;  // to insert (id 0) or update
  std::vector<store::Id> dropped;    // pending alerts to delete
};

// The changes one scan makes. `active`: the shelf's pending, open and acknowledged alerts;
// `analysed`: the planogram names this scan was analysed against (alerts of other planograms
// are left alone); `conditions`: what the scan showed.
AlertPlan PlanAlerts(const std::vector<store::Alert>& active,
                     const std::vector<Condition>& conditions,
                     const std::set<std::string>& analysed, const store::ScanRecord& scan,
                     const AlertPolicy& rules);

// PlanAlerts on the shelf's state as RecordCompliance reads it inside its transaction
// (store::ComplianceWrite::plan_alerts), leaving out the planograms whose newest stored result
// is newer than `scan`.
store::AlertChanges PlanShelfAlerts(const store::ShelfAlertState& state,
                                    const std::vector<Condition>& conditions,
                                    const std::set<std::string>& analysed,
                                    const store::ScanRecord& scan, const AlertPolicy& rules);

}  // namespace vs::analysis
