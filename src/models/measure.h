// Timing a detector on its own, without any photo.
#pragma once

#include "core/status.h"
#include "vision/detector.h"

namespace vs::models {

// The median of 5 timed runs (ONNX Runtime alone, after one untimed warm-up) on a grey image of
// the model's input size.
Result<double> MeasureInferenceMs(const vision::Detector& detector);

}  // namespace vs::models
