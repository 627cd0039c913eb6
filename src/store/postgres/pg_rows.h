// Row <-> record mapping and filter SQL shared by the PostgreSQL store's files.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/postgres/pg_db.h"
#include "store/postgres/pg_store.h"
#include "store/types.h"

namespace vs::store::pg {

inline constexpr const char* kScanColumns =
    "id, store, shelf_location, captured_at, received_at, image_path, sha256, width, height,"
    " model_version_id, inference_ms, detections_count";
inline constexpr const char* kDetectionColumns =
    "d.id, d.scan_id, d.timestamp, d.sku, d.class_name, d.class_id, d.confidence, d.x_center,"
    " d.y_center, d.width, d.height, d.shelf_location, d.store, s.image_path, d.model_version_id";
inline constexpr const char* kDetectionFrom = " FROM detections d JOIN scans s ON s.id = d.scan_id";

ScanRecord ScanFromRow(const Rows& q, int row);
DetectionRecord DetectionFromRow(const Rows& q, int row);

// Conditions for every set field of `f` over detection columns named `prefix`+column.
Where DetectionWhere(const DetectionFilter& f, const std::string& prefix);

// Every row of `rows` mapped with `from_row(rows, i)`.
template <typename T, typename F>
std::vector<T> Collect(const Rows& rows, F from_row) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) out.push_back(from_row(rows, i));
  return out;
}

// Runs the query and maps every row.
template <typename T, typename F>
Result<std::vector<T>> QueryAll(Conn* c, const std::string& sql, const Params& p, F from_row) {
  auto rows = c->Query(sql, p);
  if (!rows.ok()) return rows.status();
  return Collect<T>(*rows, from_row);
}

// The first row mapped with `from_row`, or NotFound(missing).
template <typename T, typename F>
Result<T> QueryOne(Conn* c, const std::string& sql, const Params& p, F from_row,
                   const std::string& missing) {
  auto rows = c->Query(sql, p);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(missing);
  return from_row(*rows, 0);
}

// A JSON column written by this store; an unparsable value (written by hand) becomes a string.
nlohmann::json ParseJsonColumn(const std::string& text);

}  // namespace vs::store::pg
