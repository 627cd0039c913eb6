#include "compliance/settings.h"

#include <cmath>
#include <string>

namespace vs::compliance {
namespace {

Status OutOfRange(const char* key, const char* range) {
  return Status::InvalidValue(std::string("compliance setting '") + key + "' must be " + range);
}

bool In(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

Result<double> Number(const nlohmann::json& v, const char* key) {
  if (!v.is_number()) return OutOfRange(key, "a number");
  return v.get<double>();
}

}  // namespace

Status ValidateSettings(const Settings& s) {
  if (!In(s.model_confidence_threshold, 0, 1)) {
    return OutOfRange("model_confidence_threshold", "between 0 and 1");
  }
  if (s.counted_confidence && !In(*s.counted_confidence, 0, 1)) {
    return OutOfRange("counted_confidence", "between 0 and 1");
  }
  if (!In(s.low_stock_share, 0, 1)) return OutOfRange("low_stock_share", "between 0 and 1");
  if (s.overstock_tolerance < 0) return OutOfRange("overstock_tolerance", "an integer >= 0");
  if (!In(s.row_overlap, 0, 1) || s.row_overlap == 0) {
    return OutOfRange("row_overlap", "above 0 and at most 1");
  }
  if (!In(s.min_gap_facings, 0, 1000) || s.min_gap_facings == 0) {
    return OutOfRange("min_gap_facings", "above 0 and at most 1000");
  }
  if (!In(s.slot_min_iou, 0, 1) || s.slot_min_iou == 0) {
    return OutOfRange("slot_min_iou", "above 0 and at most 1");
  }
  if (!In(s.slot_max_distance, 0, 2) || s.slot_max_distance == 0) {
    return OutOfRange("slot_max_distance", "above 0 and at most 2");
  }
  return Status::Ok();
}

Result<Settings> MergeSettings(const Settings& base, const nlohmann::json& overrides) {
  Settings s = base;
  if (overrides.is_null()) return s;
  if (!overrides.is_object()) {
    return Status::InvalidValue("compliance settings must be a JSON object");
  }
  for (const auto& [key, v] : overrides.items()) {
    const char* k = key.c_str();
    if (key == "counted_confidence") {
      if (v.is_null()) {
        s.counted_confidence.reset();
        continue;
      }
      auto n = Number(v, k);
      if (!n.ok()) return n.status();
      s.counted_confidence = *n;
    } else if (key == "overstock_tolerance") {
      if (!v.is_number_integer()) return OutOfRange(k, "an integer >= 0");
      const int64_t t = v.get<int64_t>();
      if (t < 0 || t > 1'000'000) return OutOfRange(k, "an integer from 0 to 1000000");
      s.overstock_tolerance = static_cast<int>(t);
    } else {
      double* field = key == "low_stock_share"     ? &s.low_stock_share
                      : key == "row_overlap"       ? &s.row_overlap
                      : key == "min_gap_facings"   ? &s.min_gap_facings
                      : key == "slot_min_iou"      ? &s.slot_min_iou
                      : key == "slot_max_distance" ? &s.slot_max_distance
                                                   : nullptr;
      if (field == nullptr) {
        return Status::InvalidValue("unknown compliance setting '" + key + "'");
      }
      auto n = Number(v, k);
      if (!n.ok()) return n.status();
      *field = *n;
    }
  }
  VS_RETURN_IF_ERROR(ValidateSettings(s));
  return s;
}

nlohmann::json SettingsToJson(const Settings& s) {
  return {{"counted_confidence", s.CountedConfidence()},  {"low_stock_share", s.low_stock_share},
          {"overstock_tolerance", s.overstock_tolerance}, {"row_overlap", s.row_overlap},
          {"min_gap_facings", s.min_gap_facings},         {"slot_min_iou", s.slot_min_iou},
          {"slot_max_distance", s.slot_max_distance}};
}

}  // namespace vs::compliance
