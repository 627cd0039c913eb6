// YOLOv8 / YOLO11: channel-major [4+C, N]: cx, cy, w, h (input pixels), then C class scores;
// no objectness. A column's score is its best class score.
#include "vision/layout.h"

namespace vs::vision {

std::vector<Candidate> DecodeYoloV8(const OutputPlan& plan, const float* output, float conf) {
  std::vector<Candidate> out;
  const int64_t n_rows = plan.rows;
  for (int64_t n = 0; n < n_rows; ++n) {
    int best = 0;
    float best_score = output[4 * n_rows + n];
    for (int c = 1; c < plan.num_classes; ++c) {
      const float s = output[(4 + c) * n_rows + n];
      if (s > best_score) {
        best_score = s;
        best = c;
      }
    }
    if (!(best_score >= conf)) continue;
    const float cx = output[n], cy = output[n_rows + n];
    const float hw = output[2 * n_rows + n] / 2, hh = output[3 * n_rows + n] / 2;
    out.push_back({best, best_score, {cx - hw, cy - hh, cx + hw, cy + hh}});
  }
  return out;
}

}  // namespace vs::vision
