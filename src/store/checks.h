// Checks every backend makes before it writes or reads: the same rules, the same messages.
#pragma once

#include "core/status.h"
#include "store/types.h"

namespace vs::store {

// InvalidValue unless the image size is not negative, inference_ms is finite and every detection
// has a class name, a confidence in 0..1 and a finite box.
Status ValidateScan(const NewScan& scan);

// InvalidValue unless 1 <= limit <= max.
Status CheckLimit(int limit, int max = 10000);

}  // namespace vs::store
