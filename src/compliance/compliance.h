// Planogram compliance: one scan of one shelf against that shelf's planogram. Pure computation,
// no I/O. The service layer converts store records into these types; every coordinate is
// normalised to 0..1 of the photo (x to the right, y downwards). docs/COMPLIANCE.md defines every
// status, rule and KPI exactly.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "compliance/settings.h"
#include "core/status.h"

namespace vs::compliance {

struct Point {
  double x = 0, y = 0;
};

struct Rect {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

// One planned SKU: `expected_count` facings. With `slot`, the facings stand side by side in equal
// columns of that box; with only `position`, every facing is planned at that point; with neither,
// the row is checked by count alone.
struct PlanogramRow {
  std::string sku;
  std::string product_name;
  int expected_count = 0;  // >= 0
  std::optional<Point> position;
  std::optional<Rect> slot;
};

// The rows of one shelf (the store's rows sharing planogram_name and shelf_location).
struct Planogram {
  std::string name;
  std::string shelf_location;
  std::vector<PlanogramRow> rows;
  // The shelf's horizontal span in the photo, for gaps at the ends of a row. Absent: the union of
  // the counted detections and the slot boxes.
  std::optional<double> extent_x1, extent_x2;
};

struct Detection {
  std::string class_name;
  std::string sku;  // empty: the catalogue's SKU for class_name, else class_name
  double confidence = 0;
  double x_center = 0, y_center = 0, width = 0, height = 0;
};

// A catalogue entry. Several classes may map to one SKU; brand may be empty.
struct Product {
  std::string class_name;
  std::string sku;
  std::string product_name;
  std::string brand;
};

enum class SkuStatus { kOk, kLowStock, kOutOfStock, kOverstock, kMisplaced, kUnexpected };
enum class SlotStatus { kOk, kMisplaced, kWrongProduct, kEmptySlot };
const char* SkuStatusName(SkuStatus s);    // "OK", "LOW_STOCK", "OUT_OF_STOCK", ...
const char* SlotStatusName(SlotStatus s);  // "OK", "MISPLACED", "WRONG_PRODUCT", "EMPTY_SLOT"

struct ShelfRef {
  std::string planogram_name;
  std::string shelf_location;
};

// One SKU on the shelf: every planned SKU (rows of the same SKU summed), then every unplanned SKU
// that was detected (MISPLACED or UNEXPECTED), the latter sorted by SKU.
struct SkuResult {
  std::string sku, product_name, brand;
  SkuStatus status = SkuStatus::kOk;
  int expected = 0;                  // planned facings; 0 when unplanned
  int detected = 0;                  // counted detections of the SKU
  std::vector<int> rows;             // indices into Planogram::rows
  std::vector<ShelfRef> planned_on;  // other shelves of the store that plan this SKU
};

// One planned facing of a row that carries a slot box or a position.
struct SlotResult {
  int row = 0;     // index into Planogram::rows
  int facing = 0;  // 0-based, left to right within the row's box
  std::string sku;
  Point centre;
  std::optional<Rect> box;
  SlotStatus status = SlotStatus::kEmptySlot;
  std::optional<int> detection;  // index into the input detections
  std::string found_sku;         // SKU of that detection
};

// Detections grouped into one horizontal row of products.
struct ShelfRow {
  double y1 = 0, y2 = 0;        // band: mean top and mean bottom of its boxes
  double facing_width = 0;      // median box width
  std::vector<int> detections;  // indices into the input detections, left to right
};

struct Gap {
  int shelf_row = 0;  // index into ShelfAnalysis::shelf_rows
  Rect box;
  double facings = 0;  // width in the row's facing widths
};

// Counts, and the ratios made from them (absent when the denominator is 0). Counts add up across
// shelves; ratios of a sum are recomputed from the summed counts.
struct Kpis {
  int shelves = 0;
  int planned_units = 0;    // slots, plus planned SKUs none of whose rows has slots
  int compliant_units = 0;  // of those, OK slots and OK SKUs
  int stocked_skus = 0;     // planned SKUs expecting at least one facing
  int present_skus = 0;     // of those, detected at least once
  int out_of_stock_skus = 0;
  int gap_count = 0;
  double gap_width = 0;                                         // sum of gap widths
  double row_width = 0;                                         // shelf rows x shelf extent width
  int facings = 0;                                              // counted detections
  std::map<std::string, int> facings_by_sku, facings_by_brand;  // brand "" = none in catalogue

  std::optional<double> compliance_score;                // compliant_units / planned_units
  std::optional<double> availability;                    // on-shelf availability: present / stocked
  std::optional<double> out_of_stock_rate;               // out_of_stock_skus / stocked_skus
  std::optional<double> gap_share;                       // gap_width / row_width
  std::map<std::string, double> sku_share, brand_share;  // facings_by_x / facings
};

struct ShelfAnalysis {
  std::vector<SkuResult> skus;
  std::vector<SlotResult> slots;
  std::vector<int> unmatched_detections;  // counted, on a shelf with slots, in no slot
  std::vector<ShelfRow> shelf_rows;
  std::vector<Gap> gaps;
  double extent_x1 = 0, extent_x2 = 0;
  int counted_detections = 0;
  bool greedy_matching = false;  // a large block of slots fell back to greedy matching
  // Every planned unit compliant, no MISPLACED or UNEXPECTED SKU, no gap.
  bool compliant = false;
  Kpis kpis;
};

// Analyses one scan of `shelf`. `store` holds the store's planograms (it may include `shelf`
// itself, recognised by name and shelf_location) to tell MISPLACED from UNEXPECTED.
// InvalidValue (naming the field) for a row, detection, extent or setting out of range.
Result<ShelfAnalysis> AnalyzeShelf(const Planogram& shelf, std::span<const Planogram> store,
                                   std::span<const Detection> detections,
                                   std::span<const Product> catalogue, const Settings& settings);

// KPIs of several shelves as one: counts summed, ratios recomputed (pooled, not averaged).
Kpis CombineKpis(std::span<const Kpis> shelves);

struct StoreShelfKpis {
  std::string store;
  Kpis kpis;
};
struct KpiRollup {
  std::map<std::string, Kpis> by_store;
  Kpis overall;
};
KpiRollup RollUpKpis(std::span<const StoreShelfKpis> shelves);

}  // namespace vs::compliance
