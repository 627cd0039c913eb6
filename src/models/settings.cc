#include "models/settings.h"

#include <algorithm>

namespace vs::models {
namespace {

Status Number(const nlohmann::json& j, const char* key, double lo, double hi, float* out) {
  if (!j.contains(key) || j[key].is_null()) return Status::Ok();
  if (!j[key].is_number()) return Status::InvalidValue(std::string(key) + " must be a number");
  const double v = j[key].get<double>();
  if (!(v >= lo && v <= hi)) {
    return Status::InvalidValue(std::string(key) + " must be within " + std::to_string(lo) + ".." +
                                std::to_string(hi));
  }
  *out = float(v);
  return Status::Ok();
}

Status Integer(const nlohmann::json& j, const char* key, int64_t lo, int64_t hi, int* out) {
  if (!j.contains(key) || j[key].is_null()) return Status::Ok();
  if (!j[key].is_number_integer()) {
    return Status::InvalidValue(std::string("slicing.") + key + " must be an integer");
  }
  const auto v = j[key].get<int64_t>();
  if (v < lo || v > hi) {
    return Status::InvalidValue(std::string("slicing.") + key + " must be " + std::to_string(lo) +
                                ".." + std::to_string(hi));
  }
  *out = int(v);
  return Status::Ok();
}

Status Slicing(const nlohmann::json& j, vision::SliceOptions* o) {
  if (!j.is_object()) return Status::InvalidValue("slicing must be an object");
  if (j.contains("mode") && !j["mode"].is_null()) {
    if (!j["mode"].is_string()) return Status::InvalidValue("slicing.mode must be a string");
    auto mode = vision::ParseSliceMode(j["mode"].get<std::string>());
    if (!mode.ok()) return mode.status();
    o->mode = *mode;
  }
  VS_RETURN_IF_ERROR(Integer(j, "cols", 1, 16, &o->cols));
  VS_RETURN_IF_ERROR(Integer(j, "rows", 1, 16, &o->rows));
  VS_RETURN_IF_ERROR(Integer(j, "max_tiles", 1, 256, &o->max_tiles));
  VS_RETURN_IF_ERROR(Number(j, "overlap", 0, 0.5, &o->overlap));
  VS_RETURN_IF_ERROR(Number(j, "auto_factor", 1, 100, &o->auto_factor));
  VS_RETURN_IF_ERROR(Number(j, "merge_iou", 0.01, 1, &o->merge_iou));
  if (j.contains("full_frame") && !j["full_frame"].is_null()) {
    if (!j["full_frame"].is_boolean()) {
      return Status::InvalidValue("slicing.full_frame must be true or false");
    }
    o->full_frame = j["full_frame"].get<bool>();
  }
  return vision::ValidateSliceOptions(*o);
}

}  // namespace

Result<ModelSettings> SettingsFromJson(const nlohmann::json& j, const ModelSettings& base) {
  if (!j.is_object()) return Status::InvalidValue("settings must be a JSON object");
  ModelSettings s = base;
  VS_RETURN_IF_ERROR(Number(j, "confidence", 0, 1, &s.confidence));
  VS_RETURN_IF_ERROR(Number(j, "iou", 0, 1, &s.iou));
  if (j.contains("ignore_classes") && !j["ignore_classes"].is_null()) {
    const auto& list = j["ignore_classes"];
    if (!list.is_array() || list.size() > 1000) {
      return Status::InvalidValue("ignore_classes must be a list of class names");
    }
    s.ignore_classes.clear();
    for (const auto& name : list) {
      if (!name.is_string() || name.get<std::string>().empty()) {
        return Status::InvalidValue("ignore_classes must hold non-empty class names");
      }
      s.ignore_classes.push_back(name.get<std::string>());
    }
  }
  if (j.contains("class_skus") && !j["class_skus"].is_null()) {
    const auto& map = j["class_skus"];
    if (!map.is_object() || map.size() > 1000) {
      return Status::InvalidValue("class_skus must be an object of class name -> SKU");
    }
    s.class_skus.clear();
    for (const auto& [name, sku] : map.items()) {
      if (name.empty() || !sku.is_string() || sku.get<std::string>().empty() ||
          sku.get<std::string>().size() > 200) {
        return Status::InvalidValue("class_skus: '" + name +
                                    "' must map to a SKU of 1..200 characters");
      }
      s.class_skus[name] = sku.get<std::string>();
    }
  }
  if (j.contains("slicing") && !j["slicing"].is_null()) {
    VS_RETURN_IF_ERROR(Slicing(j["slicing"], &s.slicing));
  }
  return s;
}

nlohmann::json SettingsToJson(const ModelSettings& s) {
  const auto& o = s.slicing;
  return {{"confidence", s.confidence},
          {"iou", s.iou},
          {"ignore_classes", s.ignore_classes},
          {"class_skus", s.class_skus},
          {"slicing",
           {{"mode", vision::SliceModeName(o.mode)},
            {"cols", o.cols},
            {"rows", o.rows},
            {"overlap", o.overlap},
            {"full_frame", o.full_frame},
            {"auto_factor", o.auto_factor},
            {"max_tiles", o.max_tiles},
            {"merge_iou", o.merge_iou}}}};
}

Status CheckIgnoredClasses(const ModelSettings& s, const std::vector<std::string>& class_names) {
  for (const auto& name : s.ignore_classes) {
    if (std::find(class_names.begin(), class_names.end(), name) == class_names.end()) {
      return Status::InvalidValue("ignore_classes: the model has no class '" + name + "'");
    }
  }
  for (const auto& [name, sku] : s.class_skus) {
    if (std::find(class_names.begin(), class_names.end(), name) == class_names.end()) {
      return Status::InvalidValue("class_skus: the model has no class '" + name + "'");
    }
  }
  return Status::Ok();
}

}  // namespace vs::models
