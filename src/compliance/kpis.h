// KPI ratios from counts (compliance.h's Kpis).
#pragma once

#include "compliance/compliance.h"

namespace vs::compliance {

// Sets every ratio of `k` from its counts; a ratio with a zero denominator is absent.
void ComputeRatios(Kpis& k);

}  // namespace vs::compliance
