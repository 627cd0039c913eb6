// Candidate boxes from a decoder, and per-class non-maximum suppression.
#pragma once

#include <vector>

#include "vision/detector.h"

namespace vs::vision {

// One scored box from a decoder, in model-input pixels.
struct Candidate {
  int class_id = 0;
  float score = 0;
  Box box;
};

// Intersection over union; 0 when either box is empty.
float IoU(const Box& a, const Box& b);

// Greedy NMS within each class: candidates are taken by descending score (ties keep input order)
// and one is dropped when its IoU with a kept box of the same class exceeds iou_threshold.
// Returns at most max_detections candidates, highest score first.
std::vector<Candidate> NmsPerClass(std::vector<Candidate> candidates, float iou_threshold,
                                   int max_detections);

// Sorts by descending score (stable) and keeps the first max_detections.
void SortAndTruncate(std::vector<Candidate>& candidates, int max_detections);

}  // namespace vs::vision
