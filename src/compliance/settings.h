// Settings of the compliance engine, with documented defaults (docs/COMPLIANCE.md) that a
// planogram may override from a JSON object.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "core/status.h"

namespace vs::compliance {

struct Settings {
  // The detector's own confidence threshold: the default for counted_confidence.
  double model_confidence_threshold = 0.25;
  // Detections with confidence >= this count; lower ones are ignored everywhere. Unset: the
  // model's threshold.
  std::optional<double> counted_confidence;
  // LOW_STOCK when 0 < detected < low_stock_share x expected (the boundary itself is OK).
  double low_stock_share = 0.5;
  // OVERSTOCK when detected > expected + overstock_tolerance.
  int overstock_tolerance = 0;
  // A box joins a shelf row when its vertical overlap with the row's band is at least this share
  // of the smaller of the two heights.
  double row_overlap = 0.5;
  // A horizontal run of empty space is a GAP when at least this many facing widths wide.
  double min_gap_facings = 1.0;
  // A detection may fill a slot box when their IoU is at least this.
  double slot_min_iou = 0.1;
  // A detection may fill a slot given by a position when its centre is at most this far away.
  double slot_max_distance = 0.1;

  double CountedConfidence() const {
    return counted_confidence ? *counted_confidence : model_confidence_threshold;
  }
};

// InvalidValue naming the first setting out of range.
Status ValidateSettings(const Settings& s);

// `base` with the keys of `overrides` applied: "counted_confidence" (number, or null for the
// model's threshold), "low_stock_share", "overstock_tolerance" (integer), "row_overlap",
// "min_gap_facings", "slot_min_iou", "slot_max_distance". A null `overrides` changes nothing.
// InvalidValue if it is not an object, has an unknown key, a value of the wrong type, or gives a
// result that ValidateSettings refuses; `base` is never modified.
Result<Settings> MergeSettings(const Settings& base, const nlohmann::json& overrides);

// The settings as the JSON object MergeSettings reads (counted_confidence resolved).
nlohmann::json SettingsToJson(const Settings& s);

}  // namespace vs::compliance
