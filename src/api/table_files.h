// Planogram and catalogue files: import (CSV or JSON, every bad row reported) and export.
//
// Planogram CSV columns (a header row first; any order; only planogram_name, sku and
// expected_count are required): planogram_name, store, shelf_location, sku, product_name,
// expected_count, x_position, y_position, slot_x1, slot_y1, slot_x2, slot_y2, meta_data (a JSON
// object). The slot_* columns are the row's slot box (meta_data "slot"), all four or none.
// Planogram JSON: an array of objects with the same keys, "slot": [x1, y1, x2, y2] instead of
// the slot_* keys (or an object {"planograms": [...]}, as exported).
// Catalogue CSV columns: class_name, sku (required), product_name, brand; JSON: an array of
// objects with those keys (or {"products": [...]}).
//
// A file with any bad row yields its rows and every error; callers import nothing then.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.h"

namespace vs::api {

// One bad row: for CSV the line it starts on (1 = the header), for JSON the 1-based index of
// the element (line 0), and why.
struct RowError {
  int line = 0;
  int row = 0;  // data row, 1-based (0: the header / the whole file)
  std::string reason;
};

template <typename T>
struct TableFile {
  std::vector<T> rows;
  std::vector<RowError> errors;
};

enum class TableFormat { kCsv, kJson };

// Reasons: "missing field 'sku'", "unknown column 'colour'", "negative expected_count",
// "bad number in 'x_position': 'abc'", "duplicate slot: same as row 2", and others.
TableFile<store::Planogram> ParsePlanogramFile(std::string_view text, TableFormat format);
TableFile<store::Product> ParseProductFile(std::string_view text, TableFormat format);

// Exports in the import format (a file exported imports back to the same rows).
std::string PlanogramsCsv(const std::vector<store::Planogram>& rows);
nlohmann::json PlanogramsJson(const std::vector<store::Planogram>& rows);
std::string ProductsCsv(const std::vector<store::Product>& products);
nlohmann::json ProductsJson(const std::vector<store::Product>& products);

// {"error": {"code": "invalid_value", "message": "...", "rows": [{line, row, reason}, ...]}}:
// the one error shape with the list of bad rows.
nlohmann::json RowErrorsJson(const std::vector<RowError>& errors);

}  // namespace vs::api
