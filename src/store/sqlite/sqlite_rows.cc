#include "store/sqlite/sqlite_rows.h"

namespace vs::store::sqlite {

ScanRecord ScanFromRow(const Stmt& q) {
  ScanRecord s;
  s.id = q.Int(0);
  s.store = q.Text(1);
  s.shelf_location = q.Text(2);
  s.captured_at = FromUnixMillis(q.Int(3));
  s.received_at = FromUnixMillis(q.Int(4));
  s.image_path = q.Text(5);
  s.sha256 = q.Text(6);
  s.width = static_cast<int>(q.Int(7));
  s.height = static_cast<int>(q.Int(8));
  s.model_version_id = q.OptInt(9);
  s.inference_ms = q.Real(10);
  s.detections_count = static_cast<int>(q.Int(11));
  return s;
}

DetectionRecord DetectionFromRow(const Stmt& q) {
  DetectionRecord d;
  d.id = q.Int(0);
  d.scan_id = q.Int(1);
  d.timestamp = FromUnixMillis(q.Int(2));
  d.sku = q.Text(3);
  d.class_name = q.Text(4);
  d.class_id = static_cast<int>(q.Int(5));
  d.confidence = q.Real(6);
  d.x_center = q.Real(7);
  d.y_center = q.Real(8);
  d.width = q.Real(9);
  d.height = q.Real(10);
  d.shelf_location = q.Text(11);
  d.store = q.Text(12);
  d.image_path = q.Text(13);
  d.model_version_id = q.OptInt(14);
  return d;
}

Where DetectionWhere(const DetectionFilter& f, const std::string& prefix) {
  // Only the most selective equality drives an index: scan_id, else sku with shelf_location
  // (expression index detections_shelf_sku), else the first of sku, class_name,
  // shelf_location, store. SQLite's unary + keeps the others from being chosen instead: without
  // statistics the planner cannot tell a rare sku from a common shelf.
  Where w;
  const bool pair = !f.scan_id && f.sku && f.shelf_location;
  bool driven = false;
  if (pair) {
    w.Add(prefix + "shelf_location || char(31) || " + prefix + "sku = ?",
          {*f.shelf_location + '\x1f' + *f.sku});
    driven = true;  // the plain equalities below still decide, whatever the values hold
  }
  const auto column = [&](const char* name) {
    const std::string c = (driven ? "+" : "") + prefix + name;
    driven = true;
    return c;
  };
  if (f.scan_id) w.Add(column("scan_id") + " = ?", {*f.scan_id});
  if (f.sku) w.Add(column("sku") + " = ?", {*f.sku});
  if (f.class_name) w.Add(column("class_name") + " = ?", {*f.class_name});
  if (f.shelf_location) w.Add(column("shelf_location") + " = ?", {*f.shelf_location});
  if (f.store) w.Add(column("store") + " = ?", {*f.store});
  if (f.start) w.Add(prefix + "timestamp >= ?", {ToUnixMillis(*f.start)});
  if (f.end) w.Add(prefix + "timestamp < ?", {ToUnixMillis(*f.end)});
  if (f.min_confidence) w.Add(prefix + "confidence >= ?", {*f.min_confidence});
  return w;
}

nlohmann::json ParseJsonColumn(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

}  // namespace vs::store::sqlite
