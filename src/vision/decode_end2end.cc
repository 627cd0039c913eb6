// End-to-end exports (YOLOv10, YOLO26): K rows of x1, y1, x2, y2 (input pixels), score, class,
// already suppressed by the model. Unused slots have low scores and fall below the threshold.
#include <cmath>

#include "vision/layout.h"

namespace vs::vision {

std::vector<Candidate> DecodeEndToEnd(const OutputPlan& plan, const float* output, float conf) {
  std::vector<Candidate> out;
  for (int64_t k = 0; k < plan.rows; ++k) {
    const float* r = output + k * 6;
    if (!(r[4] >= conf) || !std::isfinite(r[5]) || r[5] < 0) continue;
    out.push_back({int(std::lround(r[5])), r[4], {r[0], r[1], r[2], r[3]}});
  }
  return out;
}

}  // namespace vs::vision
