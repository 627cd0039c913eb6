// Registers the loaded detection model in the store, so that every scan can name the model
// version that produced it.
#pragma once

#include "core/status.h"
#include "store/store.h"
#include "vision/detector.h"

namespace vs::api {

// "<model file name>-<first 12 hex of its sha256>", e.g. "nanodet-416-3f2a9c0b1d4e".
std::string VersionName(const vision::ModelInfo& info);

// Upserts the model version (active). With `measure`, first times the model on a blank image of
// its input size (one untimed warm-up, then the median of 5 runs of ONNX Runtime alone) and adds a
// model_metrics row holding only that inference_time_ms; the accuracy figures stay null.
Result<store::ModelVersion> RegisterLoadedModel(store::Store& store,
                                                const vision::Detector& detector, bool measure);

}  // namespace vs::api
