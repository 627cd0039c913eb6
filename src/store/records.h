// How every backend turns what a caller inserts into the records it stores and returns: one
// place for the field mapping and the SKU rule, so both backends store the same rows.
#pragma once

#include <string>

#include "store/types.h"

namespace vs::store {

// The scan record of `in` before it is stored: every field copied, detections_count set; id 0
// and no detections yet.
ScanRecord ScanRecordOf(const NewScan& in);

// The detection record of `d` in the stored scan `scan` (its id, time, place, photo and model).
// Its SKU: the detection's own when set (a model's class->SKU map), else `catalogue_sku` (the
// catalogue's SKU for the class, or the class name when the catalogue has none). id 0.
DetectionRecord DetectionRecordOf(const ScanRecord& scan, const NewDetection& d,
                                  const std::string& catalogue_sku);

}  // namespace vs::store
