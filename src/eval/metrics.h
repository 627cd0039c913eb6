// Detection metrics by the COCO protocol (as pycocotools computes them for bounding boxes), plus
// precision, recall and F1 at the serving confidence threshold. Pure: no I/O.
//
// Per class and image, predictions are sorted by descending score (stable, so equal scores keep
// their input order) and cut to `max_dets`; each is matched greedily to the unmatched ground truth
// of highest IoU at or above the threshold (on equal IoU the later one in the ground-truth order,
// which puts non-crowd boxes before crowd boxes). A crowd box may absorb any number of predictions
// and a prediction matched to it is ignored: neither true nor false positive. A class's AP at one
// IoU threshold is the mean of the interpolated precision at the 101 recall points 0, 0.01 .. 1
// over all images' predictions in one ranking (descending score; ties by image order, then by the
// order within the image). Classes without non-crowd ground truth get no AP and stay out of mAP.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "core/status.h"

namespace vs::eval {

// A box as COCO writes it: left, top, width, height, in pixels.
struct BoxXywh {
  double x = 0, y = 0, w = 0, h = 0;
};

struct GroundTruth {
  int class_id = 0;
  BoxXywh box;
  bool crowd = false;  // COCO iscrowd: a region of many objects, matched but never counted
};

struct Prediction {
  int class_id = 0;
  double score = 0;
  BoxXywh box;
};

// One image: its ground truth and the model's predictions, in the same pixel space.
struct ImageResult {
  std::vector<GroundTruth> truths;
  std::vector<Prediction> predictions;
};

struct EvalOptions {
  int num_classes = 0;           // class ids are 0 .. num_classes-1
  double conf_threshold = 0.25;  // predictions scoring >= this count for precision/recall/F1
  bool agnostic = false;         // every class is one (class id 0); num_classes is then ignored
  int max_dets = 100;            // predictions kept per image and class
};

// The ten IoU thresholds 0.50, 0.55 .. 0.95, computed as numpy.linspace(0.5, 0.95, 10) does.
std::array<double, 10> IouThresholds();
// The 101 recall points 0, 0.01 .. 1, computed as numpy.linspace(0, 1, 101) does.
std::array<double, 101> RecallThresholds();

// IoU of a prediction with a ground-truth box; for a crowd box the intersection is divided by
// the prediction's area alone (pycocotools' rule).
double Iou(const BoxXywh& prediction, const BoxXywh& truth, bool crowd);

struct ClassMetrics {
  int truths = 0;        // non-crowd ground-truth boxes
  int crowd_truths = 0;  // crowd ground-truth boxes
  int predictions = 0;   // predictions given for this class, before the max_dets cut
  // Null when the class has no non-crowd ground truth.
  std::optional<double> ap50, ap50_95;
  // At the confidence threshold and IoU 0.5: matched, unmatched predictions, missed truths.
  int tp = 0, fp = 0, fn = 0;
  double precision = 0, recall = 0;  // 0 when the denominator is 0
};

struct Metrics {
  // Means over the classes that have non-crowd ground truth; null when no class has.
  std::optional<double> map50, map50_95;
  // At the confidence threshold and IoU 0.5, summed over every class (0 when undefined).
  int tp = 0, fp = 0, fn = 0;
  double precision = 0, recall = 0, f1 = 0;
  int images = 0, truths = 0, crowd_truths = 0, predictions = 0;
  int classes_with_truth = 0;
  std::vector<ClassMetrics> classes;  // index = class id; a single entry when agnostic
};

// InvalidArgument if a class id is out of range, a box or score is not finite, a box has a
// negative side, or the options are out of range (num_classes < 1 unless agnostic, max_dets < 1).
Result<Metrics> Evaluate(const std::vector<ImageResult>& images, const EvalOptions& options);

}  // namespace vs::eval
