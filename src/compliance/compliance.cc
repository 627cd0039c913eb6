#include "compliance/compliance.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "compliance/gaps.h"
#include "compliance/kpis.h"
#include "compliance/slots.h"

namespace vs::compliance {

const char* SkuStatusName(SkuStatus s) {
  switch (s) {
    case SkuStatus::kOk:
      return "OK";
    case SkuStatus::kLowStock:
      return "LOW_STOCK";
    case SkuStatus::kOutOfStock:
      return "OUT_OF_STOCK";
    case SkuStatus::kOverstock:
      return "OVERSTOCK";
    case SkuStatus::kMisplaced:
      return "MISPLACED";
    case SkuStatus::kUnexpected:
      return "UNEXPECTED";
  }
  return "?";
}

const char* SlotStatusName(SlotStatus s) {
  switch (s) {
    case SlotStatus::kOk:
      return "OK";
    case SlotStatus::kMisplaced:
      return "MISPLACED";
    case SlotStatus::kWrongProduct:
      return "WRONG_PRODUCT";
    case SlotStatus::kEmptySlot:
      return "EMPTY_SLOT";
  }
  return "?";
}

namespace {

bool Unit(double v) { return std::isfinite(v) && v >= 0 && v <= 1; }

Status Bad(const std::string& field, const char* rule) {
  return Status::InvalidValue(field + " " + rule);
}

Status ValidateShelf(const Planogram& shelf) {
  for (size_t i = 0; i < shelf.rows.size(); ++i) {
    const PlanogramRow& r = shelf.rows[i];
    const std::string at = "rows[" + std::to_string(i) + "]";
    if (r.sku.empty()) return Bad(at + ".sku", "must not be empty");
    if (r.expected_count < 0) return Bad(at + ".expected_count", "must be >= 0");
    if (r.position && (!Unit(r.position->x) || !Unit(r.position->y))) {
      return Bad(at + ".position", "must lie within 0..1");
    }
    if (r.slot) {
      const Rect& b = *r.slot;
      if (!Unit(b.x1) || !Unit(b.y1) || !Unit(b.x2) || !Unit(b.y2) || b.x1 >= b.x2 ||
          b.y1 >= b.y2) {
        return Bad(at + ".slot", "must be a non-empty box within 0..1");
      }
    }
  }
  if (shelf.extent_x1.has_value() != shelf.extent_x2.has_value()) {
    return Bad("extent", "needs both ends");
  }
  if (shelf.extent_x1 && (!Unit(*shelf.extent_x1) || !Unit(*shelf.extent_x2) ||
                          *shelf.extent_x1 >= *shelf.extent_x2)) {
    return Bad("extent", "must be 0 <= x1 < x2 <= 1");
  }
  return Status::Ok();
}

Status ValidateDetections(std::span<const Detection> dets) {
  for (size_t i = 0; i < dets.size(); ++i) {
    const Detection& d = dets[i];
    const std::string at = "detections[" + std::to_string(i) + "]";
    if (!Unit(d.confidence)) return Bad(at + ".confidence", "must lie within 0..1");
    if (!std::isfinite(d.x_center) || !std::isfinite(d.y_center) || !std::isfinite(d.width) ||
        !std::isfinite(d.height) || d.width <= 0 || d.height <= 0) {
      return Bad(at, "must have a finite centre and a positive width and height");
    }
  }
  return Status::Ok();
}

Rect BoxOf(const Detection& d) {
  return {d.x_center - d.width / 2, d.y_center - d.height / 2, d.x_center + d.width / 2,
          d.y_center + d.height / 2};
}

struct Catalogue {
  std::unordered_map<std::string, std::string> sku_of_class;
  std::unordered_map<std::string, const Product*> by_sku;

  explicit Catalogue(std::span<const Product> products) {
    for (const Product& p : products) {
      if (!p.class_name.empty()) sku_of_class.emplace(p.class_name, p.sku);
      auto [it, added] = by_sku.emplace(p.sku, &p);
      if (!added && it->second->brand.empty()) it->second = &p;  // prefer an entry with a brand
    }
  }
  std::string SkuOf(const Detection& d) const {
    if (!d.sku.empty()) return d.sku;
    auto it = sku_of_class.find(d.class_name);
    return it != sku_of_class.end() ? it->second : d.class_name;
  }
  const Product* Find(const std::string& sku) const {
    auto it = by_sku.find(sku);
    return it != by_sku.end() ? it->second : nullptr;
  }
};

SkuStatus JudgeCount(int expected, int detected, const Settings& s) {
  if (expected > 0 && detected == 0) return SkuStatus::kOutOfStock;
  if (detected > int64_t{expected} + s.overstock_tolerance) return SkuStatus::kOverstock;
  // The tolerance keeps e.g. 0.28 x 25 (7.000000000000001 in doubles) from making 7 low.
  if (detected < s.low_stock_share * expected - 1e-9) return SkuStatus::kLowStock;
  return SkuStatus::kOk;
}

// SKU -> the other shelves of the store that plan it, each once, in store order.
std::unordered_map<std::string, std::vector<ShelfRef>> PlannedElsewhere(
    const Planogram& shelf, std::span<const Planogram> store) {
  std::unordered_map<std::string, std::vector<ShelfRef>> out;
  for (const Planogram& p : store) {
    if (p.name == shelf.name && p.shelf_location == shelf.shelf_location) continue;
    for (const PlanogramRow& r : p.rows) {
      std::vector<ShelfRef>& refs = out[r.sku];
      const bool seen = std::any_of(refs.begin(), refs.end(), [&](const ShelfRef& x) {
        return x.planogram_name == p.name && x.shelf_location == p.shelf_location;
      });
      if (!seen) refs.push_back({p.name, p.shelf_location});
    }
  }
  return out;
}

}  // namespace

Result<ShelfAnalysis> AnalyzeShelf(const Planogram& shelf, std::span<const Planogram> store,
                                   std::span<const Detection> detections,
                                   std::span<const Product> catalogue, const Settings& settings) {
  VS_RETURN_IF_ERROR(ValidateSettings(settings));
  VS_RETURN_IF_ERROR(ValidateShelf(shelf));
  VS_RETURN_IF_ERROR(ValidateDetections(detections));
  const Catalogue cat(catalogue);
  ShelfAnalysis out;

  // Counted detections, their boxes and SKUs (parallel vectors).
  std::vector<int> counted;
  std::vector<Rect> boxes;
  std::vector<std::string> skus;
  const double min_conf = settings.CountedConfidence();
  for (size_t i = 0; i < detections.size(); ++i) {
    if (detections[i].confidence < min_conf) continue;
    counted.push_back(static_cast<int>(i));
    boxes.push_back(BoxOf(detections[i]));
    skus.push_back(cat.SkuOf(detections[i]));
  }
  out.counted_detections = static_cast<int>(counted.size());
  std::unordered_map<std::string, int> count_of;
  for (const std::string& s : skus) ++count_of[s];

  // Planned SKUs in row order, rows of one SKU summed.
  const auto elsewhere = PlannedElsewhere(shelf, store);
  std::unordered_map<std::string, size_t> result_of;
  for (size_t r = 0; r < shelf.rows.size(); ++r) {
    const PlanogramRow& row = shelf.rows[r];
    auto [it, added] = result_of.emplace(row.sku, out.skus.size());
    if (added) {
      SkuResult res;
      res.sku = row.sku;
      out.skus.push_back(std::move(res));
    }
    SkuResult& res = out.skus[it->second];
    res.expected += row.expected_count;
    res.rows.push_back(static_cast<int>(r));
    if (res.product_name.empty()) res.product_name = row.product_name;
  }
  const size_t planned = out.skus.size();
  // Unplanned SKUs seen on the shelf, by SKU.
  std::vector<std::string> unplanned;
  for (const auto& [sku, n] : count_of) {
    if (!result_of.contains(sku)) unplanned.push_back(sku);
  }
  std::sort(unplanned.begin(), unplanned.end());
  for (const std::string& sku : unplanned) {
    SkuResult res;
    res.sku = sku;
    out.skus.push_back(std::move(res));
  }
  for (size_t i = 0; i < out.skus.size(); ++i) {
    SkuResult& res = out.skus[i];
    const Product* p = cat.Find(res.sku);
    if (p != nullptr) {
      res.brand = p->brand;
      if (res.product_name.empty()) res.product_name = p->product_name;
    }
    auto c = count_of.find(res.sku);
    res.detected = c != count_of.end() ? c->second : 0;
    auto e = elsewhere.find(res.sku);
    if (e != elsewhere.end()) res.planned_on = e->second;
    if (i < planned) {
      res.status = JudgeCount(res.expected, res.detected, settings);
    } else {
      res.status = res.planned_on.empty() ? SkuStatus::kUnexpected : SkuStatus::kMisplaced;
    }
  }

  // Slots.
  out.slots = BuildSlots(shelf);
  if (!out.slots.empty()) {
    std::unordered_set<std::string> planned_here;
    for (size_t i = 0; i < planned; ++i) planned_here.insert(out.skus[i].sku);
    SlotMatch m = MatchAndJudgeSlots(out.slots, counted, boxes, skus, planned_here, settings);
    out.unmatched_detections = std::move(m.unmatched);
    out.greedy_matching = m.greedy;
  }

  // Shelf rows and gaps, within the shelf's extent.
  if (shelf.extent_x1) {
    out.extent_x1 = *shelf.extent_x1;
    out.extent_x2 = *shelf.extent_x2;
  } else {
    double lo = 1, hi = 0;
    for (const Rect& b : boxes) lo = std::min(lo, b.x1), hi = std::max(hi, b.x2);
    for (const SlotResult& s : out.slots) {
      if (s.box) lo = std::min(lo, s.box->x1), hi = std::max(hi, s.box->x2);
    }
    out.extent_x1 = std::clamp(lo, 0.0, 1.0);
    out.extent_x2 = std::clamp(hi, 0.0, 1.0);
    if (out.extent_x2 < out.extent_x1) out.extent_x1 = out.extent_x2 = 0;
  }
  out.shelf_rows = GroupRows(boxes, settings.row_overlap);
  out.gaps =
      FindGaps(boxes, out.shelf_rows, out.extent_x1, out.extent_x2, settings.min_gap_facings);
  for (ShelfRow& row : out.shelf_rows) {
    for (int& d : row.detections) d = counted[d];  // boxes index -> input index
  }

  // KPIs.
  Kpis& k = out.kpis;
  k.shelves = 1;
  // Units: every slot, and every planned SKU none of whose rows has slots.
  for (const SlotResult& s : out.slots) {
    ++k.planned_units;
    k.compliant_units += s.status == SlotStatus::kOk;
  }
  for (size_t i = 0; i < planned; ++i) {
    const bool slotted = std::any_of(out.skus[i].rows.begin(), out.skus[i].rows.end(), [&](int r) {
      const PlanogramRow& row = shelf.rows[r];
      return (row.slot || row.position) && row.expected_count > 0;
    });
    if (slotted) continue;
    ++k.planned_units;
    k.compliant_units += out.skus[i].status == SkuStatus::kOk;
  }
  for (size_t i = 0; i < planned; ++i) {
    if (out.skus[i].expected <= 0) continue;
    ++k.stocked_skus;
    k.present_skus += out.skus[i].detected > 0;
    k.out_of_stock_skus += out.skus[i].status == SkuStatus::kOutOfStock;
  }
  k.gap_count = static_cast<int>(out.gaps.size());
  for (const Gap& g : out.gaps) k.gap_width += g.box.x2 - g.box.x1;
  k.row_width = static_cast<double>(out.shelf_rows.size()) * (out.extent_x2 - out.extent_x1);
  k.facings = out.counted_detections;
  for (const SkuResult& res : out.skus) {
    if (res.detected == 0) continue;
    k.facings_by_sku[res.sku] += res.detected;
    k.facings_by_brand[res.brand] += res.detected;
  }
  ComputeRatios(k);

  out.compliant = k.compliant_units == k.planned_units && out.gaps.empty() &&
                  std::none_of(out.skus.begin(), out.skus.end(), [](const SkuResult& r) {
                    return r.status == SkuStatus::kMisplaced || r.status == SkuStatus::kUnexpected;
                  });
  return out;
}

}  // namespace vs::compliance
