// Small builders for compliance tests.
#pragma once

#include <string>
#include <vector>

#include "compliance/compliance.h"

namespace vs::compliance::testing {

inline PlanogramRow Row(std::string sku, int expected) {
  PlanogramRow r;
  r.sku = std::move(sku);
  r.expected_count = expected;
  return r;
}

inline PlanogramRow SlotRow(std::string sku, int expected, Rect slot) {
  PlanogramRow r = Row(std::move(sku), expected);
  r.slot = slot;
  return r;
}

inline PlanogramRow PointRow(std::string sku, int expected, double x, double y) {
  PlanogramRow r = Row(std::move(sku), expected);
  r.position = Point{x, y};
  return r;
}

inline Planogram Shelf(std::string name, std::string location, std::vector<PlanogramRow> rows) {
  Planogram p;
  p.name = std::move(name);
  p.shelf_location = std::move(location);
  p.rows = std::move(rows);
  return p;
}

inline Detection Det(std::string sku, double x, double y = 0.5, double w = 0.1, double h = 0.2,
                     double confidence = 0.9) {
  Detection d;
  d.class_name = sku;
  d.sku = std::move(sku);
  d.confidence = confidence;
  d.x_center = x;
  d.y_center = y;
  d.width = w;
  d.height = h;
  return d;
}

// `n` detections of `sku` side by side in one row starting at x0.
inline std::vector<Detection> Facings(const std::string& sku, int n, double x0 = 0.05,
                                      double w = 0.1) {
  std::vector<Detection> out;
  for (int i = 0; i < n; ++i) out.push_back(Det(sku, x0 + w / 2 + i * w, 0.5, w));
  return out;
}

inline std::vector<Detection> Join(std::vector<std::vector<Detection>> parts) {
  std::vector<Detection> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace vs::compliance::testing
