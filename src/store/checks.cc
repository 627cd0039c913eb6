#include "store/checks.h"

#include <cmath>
#include <string>

namespace vs::store {

Status ValidateScan(const NewScan& scan) {
  if (scan.width < 0 || scan.height < 0) return Status::InvalidValue("negative image size");
  if (!std::isfinite(scan.inference_ms)) return Status::InvalidValue("inference_ms not finite");
  for (const auto& d : scan.detections) {
    if (d.class_name.empty()) return Status::InvalidValue("detection without a class name");
    if (!(d.confidence >= 0 && d.confidence <= 1)) {
      return Status::InvalidValue("detection confidence outside 0..1");
    }
    for (double v : {d.x_center, d.y_center, d.width, d.height}) {
      if (!std::isfinite(v)) return Status::InvalidValue("detection box not finite");
    }
  }
  return Status::Ok();
}

Status CheckLimit(int limit, int max) {
  if (limit < 1 || limit > max) {
    return Status::InvalidValue("limit must be between 1 and " + std::to_string(max));
  }
  return Status::Ok();
}

}  // namespace vs::store
