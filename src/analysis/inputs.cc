#include "analysis/inputs.h"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace vs::analysis {
namespace {

// The alert-rule keys of meta_data.compliance (the rest are engine settings).
constexpr const char* kAlertKeys[] = {"alert_scans", "alert_minutes"};

Status RowError(const store::Planogram& p, const std::string& what) {
  return Status::InvalidValue("planogram '" + p.planogram_name + "' row " + std::to_string(p.id) +
                              ": " + what);
}

// A JSON array of `n` numbers, or InvalidValue.
Result<std::vector<double>> Numbers(const nlohmann::json& j, size_t n) {
  if (!j.is_array() || j.size() != n)
    return Status::InvalidValue("not an array of " + std::to_string(n) + " numbers");
  std::vector<double> out;
  for (const auto& v : j) {
    if (!v.is_number())
      return Status::InvalidValue("not an array of " + std::to_string(n) + " numbers");
    out.push_back(v.get<double>());
  }
  return out;
}

}  // namespace

Result<std::vector<ShelfPlan>> GroupPlanograms(std::vector<store::Planogram> rows,
                                               std::vector<Status>* skipped) {
  std::sort(rows.begin(), rows.end(), [](const store::Planogram& a, const store::Planogram& b) {
    return std::tie(a.planogram_name, a.shelf_location, a.id) <
           std::tie(b.planogram_name, b.shelf_location, b.id);
  });
  std::vector<ShelfPlan> out;
  for (const store::Planogram& p : rows) {
    std::optional<compliance::Rect> slot;
    std::optional<std::pair<double, double>> extent;
    if (p.meta_data.is_object()) {
      Status bad;
      if (auto it = p.meta_data.find("slot"); it != p.meta_data.end() && !it->is_null()) {
        auto box = Numbers(*it, 4);
        if (box.ok()) {
          slot = compliance::Rect{(*box)[0], (*box)[1], (*box)[2], (*box)[3]};
        } else {
          bad = RowError(p, "meta_data.slot is " + box.status().message());
        }
      }
      if (auto it = p.meta_data.find("extent"); it != p.meta_data.end() && !it->is_null()) {
        auto span = Numbers(*it, 2);
        if (span.ok()) {
          extent = std::pair{(*span)[0], (*span)[1]};
        } else if (bad.ok()) {
          bad = RowError(p, "meta_data.extent is " + span.status().message());
        }
      }
      if (!bad.ok()) {
        if (!skipped) return bad;
        skipped->push_back(bad);
        continue;
      }
    }
    if (out.empty() || out.back().planogram.name != p.planogram_name ||
        out.back().planogram.shelf_location != p.shelf_location) {
      ShelfPlan plan;
      plan.planogram.name = p.planogram_name;
      plan.planogram.shelf_location = p.shelf_location;
      out.push_back(std::move(plan));
    }
    ShelfPlan& plan = out.back();
    compliance::PlanogramRow row;
    row.sku = p.sku;
    row.product_name = p.product_name;
    row.expected_count = p.expected_count;
    if (p.x_position && p.y_position)
      row.position = compliance::Point{*p.x_position, *p.y_position};
    row.slot = slot;
    if (extent) {
      plan.planogram.extent_x1 = extent->first;
      plan.planogram.extent_x2 = extent->second;
    }
    if (p.meta_data.is_object()) {
      if (auto it = p.meta_data.find("compliance"); it != p.meta_data.end() && !it->is_null()) {
        plan.overrides.push_back(*it);
      }
    }
    plan.planogram.rows.push_back(std::move(row));
    plan.rows.push_back(p);
  }
  return out;
}

Result<compliance::Settings> PlanSettings(const ShelfPlan& plan, const compliance::Settings& base) {
  compliance::Settings s = base;
  for (nlohmann::json o : plan.overrides) {
    if (o.is_object()) {
      for (const char* key : kAlertKeys) o.erase(key);  // PlanAlertRules reads these
    }
    auto merged = compliance::MergeSettings(s, o);
    if (!merged.ok()) {
      return Status::InvalidValue("planogram '" + plan.planogram.name +
                                  "' meta_data.compliance: " + merged.status().message());
    }
    s = *merged;
  }
  return s;
}

Result<AlertRules> PlanAlertRules(const ShelfPlan& plan, const AlertRules& base) {
  AlertRules r = base;
  auto bad = [&](const std::string& what) {
    return Status::InvalidValue("planogram '" + plan.planogram.name +
                                "' meta_data.compliance: " + what);
  };
  for (const nlohmann::json& o : plan.overrides) {
    if (!o.is_object()) continue;  // PlanSettings refuses it
    for (const char* key : kAlertKeys) {
      auto it = o.find(key);
      if (it == o.end()) continue;
      int* field = std::string(key) == "alert_scans" ? &r.scans : &r.minutes;
      const int server = std::string(key) == "alert_scans" ? base.scans : base.minutes;
      if (it->is_null()) {
        *field = server;
      } else if (it->is_number_integer() && it->get<int64_t>() >= 0 &&
                 it->get<int64_t>() <= 525600) {
        *field = static_cast<int>(it->get<int64_t>());
      } else {
        return bad(std::string(key) + " must be a whole number >= 0 (or null)");
      }
    }
  }
  if (Status s = ValidateAlertRules(r); !s.ok()) return bad(s.message());
  return r;
}

std::vector<compliance::Detection> ToEngine(const std::vector<store::DetectionRecord>& detections) {
  std::vector<compliance::Detection> out;
  out.reserve(detections.size());
  for (const auto& d : detections) {
    out.push_back({.class_name = d.class_name,
                   .sku = d.sku,
                   .confidence = d.confidence,
                   .x_center = d.x_center,
                   .y_center = d.y_center,
                   .width = d.width,
                   .height = d.height});
  }
  return out;
}

std::vector<compliance::Product> ToEngine(const std::vector<store::Product>& products) {
  std::vector<compliance::Product> out;
  out.reserve(products.size());
  for (const auto& p : products) out.push_back({p.class_name, p.sku, p.product_name, p.brand});
  return out;
}

}  // namespace vs::analysis
