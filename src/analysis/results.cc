#include "analysis/results.h"

#include <map>

namespace vs::analysis {
namespace {

using nlohmann::json;

json Box(const compliance::Rect& r) { return json::array({r.x1, r.y1, r.x2, r.y2}); }

json DetectionIds(const store::ScanRecord& scan, const std::vector<int>& indices) {
  json out = json::array();
  for (int i : indices) out.push_back(scan.detections.at(static_cast<size_t>(i)).id);
  return out;
}

json RowIds(const ShelfPlan& plan, const std::vector<int>& rows) {
  json out = json::array();
  for (int r : rows) out.push_back(plan.rows.at(static_cast<size_t>(r)).id);
  return out;
}

template <typename M>
json MapJson(const M& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

}  // namespace

store::ComplianceKpis KpisOf(const compliance::Kpis& k) {
  store::ComplianceKpis out;
  out.planned_units = k.planned_units;
  out.compliant_units = k.compliant_units;
  out.stocked_skus = k.stocked_skus;
  out.present_skus = k.present_skus;
  out.out_of_stock_skus = k.out_of_stock_skus;
  out.gap_count = k.gap_count;
  out.facings = k.facings;
  out.gap_width = k.gap_width;
  out.row_width = k.row_width;
  out.compliance_score = k.compliance_score;
  out.availability = k.availability;
  out.out_of_stock_rate = k.out_of_stock_rate;
  out.gap_share = k.gap_share;
  return out;
}

namespace {
compliance::Kpis Counts(const store::ComplianceKpis& k) {
  compliance::Kpis out;
  out.shelves = 1;
  out.planned_units = k.planned_units;
  out.compliant_units = k.compliant_units;
  out.stocked_skus = k.stocked_skus;
  out.present_skus = k.present_skus;
  out.out_of_stock_skus = k.out_of_stock_skus;
  out.gap_count = k.gap_count;
  out.gap_width = k.gap_width;
  out.row_width = k.row_width;
  out.facings = k.facings;
  return out;
}
}  // namespace

store::ComplianceKpis PoolKpis(const std::vector<store::ComplianceKpis>& parts) {
  std::vector<compliance::Kpis> counts;
  counts.reserve(parts.size());
  for (const auto& k : parts) counts.push_back(Counts(k));
  return KpisOf(compliance::CombineKpis(counts));
}

store::ComplianceKpis KpisOfBucket(const store::ComplianceBucket& b) {
  store::ComplianceKpis k;
  k.planned_units = static_cast<int>(b.planned_units);
  k.compliant_units = static_cast<int>(b.compliant_units);
  k.stocked_skus = static_cast<int>(b.stocked_skus);
  k.present_skus = static_cast<int>(b.present_skus);
  k.out_of_stock_skus = static_cast<int>(b.out_of_stock_skus);
  k.gap_count = static_cast<int>(b.gap_count);
  k.facings = static_cast<int>(b.facings);
  k.gap_width = b.gap_width;
  k.row_width = b.row_width;
  return PoolKpis({k});
}

store::ComplianceResult ResultOf(const store::ScanRecord& scan, const ShelfPlan& plan,
                                 int planogram_version, const compliance::ShelfAnalysis& a,
                                 const compliance::Settings& settings) {
  store::ComplianceResult r;
  r.scan_id = scan.id;
  r.store = scan.store;
  r.shelf_location = scan.shelf_location;
  r.planogram_name = plan.planogram.name;
  r.planogram_version = planogram_version;
  r.captured_at = scan.captured_at;
  r.analysed_at = Now();
  r.compliant = a.compliant;
  r.kpis = KpisOf(a.kpis);

  json skus = json::array();
  for (const auto& s : a.skus) {
    json planned_on = json::array();
    for (const auto& ref : s.planned_on) {
      planned_on.push_back(
          {{"planogram_name", ref.planogram_name}, {"shelf_location", ref.shelf_location}});
    }
    skus.push_back({{"sku", s.sku},
                    {"product_name", s.product_name},
                    {"brand", s.brand},
                    {"status", compliance::SkuStatusName(s.status)},
                    {"expected", s.expected},
                    {"detected", s.detected},
                    {"planogram_ids", RowIds(plan, s.rows)},
                    {"planned_on", std::move(planned_on)}});
  }
  json slots = json::array();
  for (const auto& s : a.slots) {
    slots.push_back({{"planogram_id", plan.rows.at(static_cast<size_t>(s.row)).id},
                     {"facing", s.facing},
                     {"sku", s.sku},
                     {"status", compliance::SlotStatusName(s.status)},
                     {"centre", {{"x", s.centre.x}, {"y", s.centre.y}}},
                     {"box", s.box ? Box(*s.box) : json(nullptr)},
                     {"detection_id",
                      s.detection ? json(scan.detections.at(static_cast<size_t>(*s.detection)).id)
                                  : json(nullptr)},
                     {"found_sku", s.found_sku}});
  }
  json gaps = json::array();
  for (const auto& g : a.gaps) {
    gaps.push_back({{"shelf_row", g.shelf_row}, {"box", Box(g.box)}, {"facings", g.facings}});
  }
  json rows = json::array();
  for (const auto& row : a.shelf_rows) {
    rows.push_back({{"y1", row.y1},
                    {"y2", row.y2},
                    {"facing_width", row.facing_width},
                    {"detection_ids", DetectionIds(scan, row.detections)}});
  }
  r.detail = {{"skus", std::move(skus)},
              {"slots", std::move(slots)},
              {"gaps", std::move(gaps)},
              {"shelf_rows", std::move(rows)},
              {"unmatched_detection_ids", DetectionIds(scan, a.unmatched_detections)},
              {"extent", json::array({a.extent_x1, a.extent_x2})},
              {"counted_detections", a.counted_detections},
              {"greedy_matching", a.greedy_matching},
              {"facings_by_sku", MapJson(a.kpis.facings_by_sku)},
              {"facings_by_brand", MapJson(a.kpis.facings_by_brand)},
              {"sku_share", MapJson(a.kpis.sku_share)},
              {"brand_share", MapJson(a.kpis.brand_share)},
              {"settings", compliance::SettingsToJson(settings)}};
  return r;
}

const char* DiscrepancyType(compliance::SkuStatus s) {
  switch (s) {
    case compliance::SkuStatus::kOutOfStock:
      return "missing";
    case compliance::SkuStatus::kLowStock:
      return "low";
    case compliance::SkuStatus::kOverstock:
      return "overstock";
    case compliance::SkuStatus::kMisplaced:
      return "misplaced";
    case compliance::SkuStatus::kUnexpected:
      return "unexpected";
    case compliance::SkuStatus::kOk:
      return "";
  }
  return "";
}

std::vector<store::Discrepancy> DiscrepanciesOf(const store::ScanRecord& scan,
                                                const ShelfPlan& plan, int planogram_version,
                                                const compliance::ShelfAnalysis& a,
                                                const compliance::Settings& settings) {
  std::map<std::string, std::pair<double, int>> confidence;  // sku -> (sum, n) of counted
  for (const auto& d : scan.detections) {
    if (d.confidence < settings.CountedConfidence()) continue;
    auto& [sum, n] = confidence[d.sku];
    sum += d.confidence;
    ++n;
  }
  std::vector<store::Discrepancy> out;
  for (const auto& s : a.skus) {
    const std::string type = DiscrepancyType(s.status);
    if (type.empty() || plan.rows.empty()) continue;
    store::Discrepancy d;
    d.planogram_id = s.rows.empty() ? plan.rows.front().id
                                    : plan.rows.at(static_cast<size_t>(s.rows.front())).id;
    d.sku = s.sku;
    d.shelf_location = scan.shelf_location;
    d.store = scan.store;
    d.discrepancy_type = type;
    d.expected_count = s.expected;
    d.detected_count = s.detected;
    if (auto it = confidence.find(s.sku); it != confidence.end() && it->second.second > 0) {
      d.confidence_score = it->second.first / it->second.second;
    }
    d.meta_data = {{"status", compliance::SkuStatusName(s.status)},
                   {"scan_id", scan.id},
                   {"planogram_name", plan.planogram.name},
                   {"planogram_version", planogram_version}};
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace vs::analysis
