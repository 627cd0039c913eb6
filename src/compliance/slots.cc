#include "compliance/slots.h"

#include <algorithm>
#include <cmath>

#include "compliance/matching.h"

namespace vs::compliance {

double Iou(const Rect& a, const Rect& b) {
  const double w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  const double h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const double inter = w * h;
  const double uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return uni > 0 ? inter / uni : 0;
}

std::vector<SlotResult> BuildSlots(const Planogram& shelf) {
  std::vector<SlotResult> slots;
  for (size_t r = 0; r < shelf.rows.size(); ++r) {
    const PlanogramRow& row = shelf.rows[r];
    if (!row.slot && !row.position) continue;
    for (int f = 0; f < row.expected_count; ++f) {
      SlotResult s;
      s.row = static_cast<int>(r);
      s.facing = f;
      s.sku = row.sku;
      if (row.slot) {
        const Rect& b = *row.slot;
        const double w = (b.x2 - b.x1) / row.expected_count;
        s.box = Rect{b.x1 + f * w, b.y1, b.x1 + (f + 1) * w, b.y2};
        s.centre = {(s.box->x1 + s.box->x2) / 2, (b.y1 + b.y2) / 2};
      } else {
        s.centre = *row.position;
      }
      slots.push_back(std::move(s));
    }
  }
  return slots;
}

SlotMatch MatchAndJudgeSlots(std::vector<SlotResult>& slots, std::span<const int> counted,
                             std::span<const Rect> boxes, std::span<const std::string> skus,
                             const std::unordered_set<std::string>& planned_here,
                             const Settings& settings) {
  // Allowed pairs and their costs in 0..1: 1 - IoU for a box, distance / limit for a point.
  std::vector<Edge> edges;
  for (size_t s = 0; s < slots.size(); ++s) {
    for (size_t d = 0; d < boxes.size(); ++d) {
      const Rect& b = boxes[d];
      double cost = -1;
      if (slots[s].box) {
        const double iou = Iou(*slots[s].box, b);
        if (iou > 0 && iou >= settings.slot_min_iou) cost = 1 - iou;
      } else {
        const double dist = std::hypot((b.x1 + b.x2) / 2 - slots[s].centre.x,
                                       (b.y1 + b.y2) / 2 - slots[s].centre.y);
        if (dist <= settings.slot_max_distance) cost = dist / settings.slot_max_distance;
      }
      if (cost >= 0) edges.push_back({static_cast<int>(s), static_cast<int>(d), cost});
    }
  }
  const Matching m =
      MatchSlots(static_cast<int>(slots.size()), static_cast<int>(boxes.size()), edges);
  std::vector<char> used(boxes.size(), 0);
  for (size_t s = 0; s < slots.size(); ++s) {
    SlotResult& slot = slots[s];
    const int d = m.det_of_slot[s];
    if (d < 0) {
      slot.status = SlotStatus::kEmptySlot;
      continue;
    }
    used[d] = 1;
    slot.detection = counted[d];
    slot.found_sku = skus[d];
    slot.status = skus[d] == slot.sku              ? SlotStatus::kOk
                  : planned_here.contains(skus[d]) ? SlotStatus::kMisplaced
                                                   : SlotStatus::kWrongProduct;
  }
  SlotMatch out;
  out.greedy = m.greedy;
  for (size_t d = 0; d < boxes.size(); ++d) {
    if (!used[d]) out.unmatched.push_back(counted[d]);
  }
  return out;
}

}  // namespace vs::compliance
