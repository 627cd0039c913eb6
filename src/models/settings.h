// How a registered model serves: its thresholds, the classes it never reports, and slicing.
// Stored with the model (see registry.h) and read back as JSON:
//   {"confidence": 0.25, "iou": 0.45, "ignore_classes": ["person"],
//    "slicing": {"mode": "off"|"grid"|"auto", "cols", "rows", "overlap", "full_frame",
//                "auto_factor", "merge_iou"}}
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "vision/slicing.h"

namespace vs::models {

struct ModelSettings {
  float confidence = 0.25f;  // 0..1
  float iou = 0.45f;         // per-class NMS, 0..1
  // Class names the model knows but the shelf does not care about (e.g. "person"): never
  // reported or stored. Each must be one of the model's classes.
  std::vector<std::string> ignore_classes;
  vision::SliceOptions slicing;
};

// `base` with the fields present in `j` replaced; InvalidValue naming the field when a value has
// the wrong type or is out of range, or `j` is not an object.
Result<ModelSettings> SettingsFromJson(const nlohmann::json& j, const ModelSettings& base);
nlohmann::json SettingsToJson(const ModelSettings& s);

// InvalidValue naming the first ignored class that is not in `class_names`.
Status CheckIgnoredClasses(const ModelSettings& s, const std::vector<std::string>& class_names);

}  // namespace vs::models
