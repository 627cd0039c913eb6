// Row <-> record mapping and filter SQL shared by the SQLite store's files.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/types.h"

namespace vs::store::sqlite {

inline constexpr const char* kScanColumns =
    "id, store, shelf_location, captured_at, received_at, image_path, sha256, width, height,"
    " model_version_id, inference_ms, detections_count";
inline constexpr const char* kDetectionColumns =
    "d.id, d.scan_id, d.timestamp, d.sku, d.class_name, d.class_id, d.confidence, d.x_center,"
    " d.y_center, d.width, d.height, d.shelf_location, d.store, s.image_path, d.model_version_id";
inline constexpr const char* kDetectionFrom = " FROM detections d JOIN scans s ON s.id = d.scan_id";

ScanRecord ScanFromRow(const Stmt& q);
DetectionRecord DetectionFromRow(const Stmt& q);

// Conditions for every set field of `f` over detection columns named `prefix`+column.
Where DetectionWhere(const DetectionFilter& f, const std::string& prefix);

// Runs `q` (already bound) and maps every row with `from_row`.
template <typename T, typename F>
Result<std::vector<T>> Collect(Stmt* q, F from_row) {
  std::vector<T> out;
  for (;;) {
    auto row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(from_row(*q));
  }
  return out;
}

// The first row of `q` mapped with `from_row`, or NotFound(missing).
template <typename T, typename F>
Result<T> One(Stmt* q, F from_row, const std::string& missing) {
  auto row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(missing);
  return from_row(*q);
}

// A JSON column written by this store; an unparsable value (written by hand) becomes a string.
nlohmann::json ParseJsonColumn(const std::string& text);

}  // namespace vs::store::sqlite
