// YOLOv5: rows of cx, cy, w, h (input pixels), objectness, then C class scores. A row's score
// is objectness times its best class score (one label per box).
#include <algorithm>

#include "vision/layout.h"

namespace vs::vision {

std::vector<Candidate> DecodeYoloV5(const OutputPlan& plan, const float* output, float conf) {
  std::vector<Candidate> out;
  const int64_t stride = 5 + plan.num_classes;
  for (int64_t n = 0; n < plan.rows; ++n) {
    const float* r = output + n * stride;
    if (!(r[4] >= conf)) continue;
    const float* cls = r + 5;
    const int best = int(std::max_element(cls, cls + plan.num_classes) - cls);
    const float score = r[4] * cls[best];
    if (!(score >= conf)) continue;
    const float hw = r[2] / 2, hh = r[3] / 2;
    out.push_back({best, score, {r[0] - hw, r[1] - hh, r[0] + hw, r[1] + hh}});
  }
  return out;
}

}  // namespace vs::vision
