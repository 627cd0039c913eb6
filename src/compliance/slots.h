// Slot-level checks: each planned facing of a row with a slot box or a position is one slot;
// slots are matched one-to-one to counted detections (matching.h) by geometry alone, and each
// slot's status follows from what it holds.
#pragma once

#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "compliance/compliance.h"

namespace vs::compliance {

// The slots of `shelf`, row by row, facings left to right (status EMPTY_SLOT, nothing matched).
std::vector<SlotResult> BuildSlots(const Planogram& shelf);

struct SlotMatch {
  std::vector<int> unmatched;  // indices into the input detections
  bool greedy = false;
};

// Fills detection, found_sku and status of every slot. `counted` indexes the input detections;
// `boxes` and `skus` are parallel to it; `planned_here` is the shelf's planned SKUs.
SlotMatch MatchAndJudgeSlots(std::vector<SlotResult>& slots, std::span<const int> counted,
                             std::span<const Rect> boxes, std::span<const std::string> skus,
                             const std::unordered_set<std::string>& planned_here,
                             const Settings& settings);

double Iou(const Rect& a, const Rect& b);

}  // namespace vs::compliance
