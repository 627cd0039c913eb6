// Running a detector over a labelled set and measuring it: the one evaluation behind both
// `visionstock evaluate` and the server's background evaluations (POST /api/models/{id}/evaluate).
// The detector must run at a low confidence (kEvalConfidence) so that AP sees the whole
// ranking; RunOptions::conf is the serving threshold at which precision, recall and F1 count.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "eval/dataset.h"
#include "eval/metrics.h"
#include "vision/detector.h"

namespace vs::eval {

// COCO evaluation practice: keep nearly every candidate so the precision/recall curve is complete.
inline constexpr float kEvalConfidence = 0.001f;

// The data set's class id for each of the model's classes, by name (-1: not in the data set).
// Without `agnostic`, InvalidValue when no name is shared.
Result<std::vector<int>> ClassMap(const std::vector<std::string>& model,
                                  const std::vector<std::string>& data, bool agnostic);

struct RunOptions {
  bool agnostic = false;  // every class is one
  float conf = 0.25f;     // serving threshold for precision, recall and F1
  int64_t max_pixels = 50'000'000;
  // Called before each image (index, file name) and once at the end (total, ""). May be empty.
  std::function<void(size_t done, const std::string& file)> progress;
  // Asked before each image; true stops the run (Unavailable). May be empty.
  std::function<bool()> cancelled;
};

struct RunResult {
  Metrics metrics;
  std::vector<ImageResult> results;  // per image of the set, in its order
  double median_inference_ms = 0;    // ONNX Runtime alone, per image
};

// Detects on every image and evaluates. Any image that fails fails the run, naming the file.
Result<RunResult> RunEvaluation(const vision::Detector& detector, const Dataset& data,
                                const RunOptions& options);

// The median of `v` (0 when empty).
double Median(std::vector<double> v);

}  // namespace vs::eval
