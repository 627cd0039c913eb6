// Engine output -> stored records (pure): the result row with its KPIs and per-row detail, and
// the earlier system's discrepancy rows.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "analysis/inputs.h"
#include "compliance/compliance.h"
#include "store/types.h"

namespace vs::analysis {

store::ComplianceKpis KpisOf(const compliance::Kpis& k);
// Several results' KPIs as one (compliance::CombineKpis: counts summed, ratios recomputed).
store::ComplianceKpis PoolKpis(const std::vector<store::ComplianceKpis>& parts);
// The pooled KPIs of a history bucket's sums.
store::ComplianceKpis KpisOfBucket(const store::ComplianceBucket& b);

// The result of `scan` against `plan` (its version in planogram_version). Detection indices of
// the engine become the scan's detection ids; planogram row indices become row ids.
store::ComplianceResult ResultOf(const store::ScanRecord& scan, const ShelfPlan& plan,
                                 int planogram_version, const compliance::ShelfAnalysis& a,
                                 const compliance::Settings& settings);

// One discrepancy per SKU whose status is not OK: OUT_OF_STOCK "missing", LOW_STOCK "low",
// OVERSTOCK "overstock", MISPLACED "misplaced", UNEXPECTED "unexpected". planogram_id is the
// SKU's first row (an unplanned SKU: the planogram's first row); confidence_score the mean
// confidence of the SKU's counted detections (absent when none).
std::vector<store::Discrepancy> DiscrepanciesOf(const store::ScanRecord& scan,
                                                const ShelfPlan& plan, int planogram_version,
                                                const compliance::ShelfAnalysis& a,
                                                const compliance::Settings& settings);

// The earlier system's discrepancy_type of a SKU status ("" for OK).
const char* DiscrepancyType(compliance::SkuStatus s);

}  // namespace vs::analysis
