// How a registered model serves: its thresholds, the classes it never reports, and slicing.
// Stored with the model (see registry.h) and read back as JSON:
//   {"confidence": 0.25, "iou": 0.45, "ignore_classes": ["person"],
//    "class_skus": {"bottle": "SKU-0042"},
//    "slicing": {"mode": "off"|"grid"|"auto", "cols", "rows", "overlap", "full_frame",
//                "auto_factor", "max_tiles", "merge_iou"}}
#pragma once

#include <map>
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
  // Class name -> SKU for the detections of this model, overriding the product catalogue for
  // those classes (a model trained on its own class names, e.g. "shelf-v3/cola-330"). Classes
  // not named here take the catalogue's SKU, else their class name. Each key must be one of
  // the model's classes; each SKU is 1..200 bytes.
  std::map<std::string, std::string> class_skus;
  vision::SliceOptions slicing;
};

// `base` with the fields present in `j` replaced; InvalidValue naming the field when a value has
// the wrong type or is out of range, or `j` is not an object.
Result<ModelSettings> SettingsFromJson(const nlohmann::json& j, const ModelSettings& base);
nlohmann::json SettingsToJson(const ModelSettings& s);

// InvalidValue naming the first ignored class, or class_skus class, that is not in
// `class_names`.
Status CheckIgnoredClasses(const ModelSettings& s, const std::vector<std::string>& class_names);

}  // namespace vs::models
