#include "vision/nms.h"

#include <algorithm>

namespace vs::vision {

float IoU(const Box& a, const Box& b) {
  const float area_a = std::max(0.f, a.x2 - a.x1) * std::max(0.f, a.y2 - a.y1);
  const float area_b = std::max(0.f, b.x2 - b.x1) * std::max(0.f, b.y2 - b.y1);
  if (area_a <= 0 || area_b <= 0) return 0;
  const float iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const float ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const float inter = iw * ih;
  return inter / (area_a + area_b - inter);
}

void SortAndTruncate(std::vector<Candidate>& c, int max_detections) {
  std::stable_sort(c.begin(), c.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  if (max_detections >= 0 && c.size() > size_t(max_detections)) c.resize(size_t(max_detections));
}

std::vector<Candidate> NmsPerClass(std::vector<Candidate> candidates, float iou_threshold,
                                   int max_detections) {
  SortAndTruncate(candidates, -1);
  std::vector<Candidate> kept;
  for (const Candidate& c : candidates) {
    if (max_detections >= 0 && kept.size() >= size_t(max_detections)) break;
    const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Candidate& k) {
      return k.class_id == c.class_id && IoU(k.box, c.box) > iou_threshold;
    });
    if (!suppressed) kept.push_back(c);
  }
  return kept;
}

}  // namespace vs::vision
