#include "store/postgres/pg_rows.h"

#include "core/time.h"

namespace vs::store::pg {

std::string Numbered(const std::string& sql, int first) {
  std::string out;
  out.reserve(sql.size() + 8);
  int n = first;
  for (char c : sql) {
    if (c == '?') {
      out += "$" + std::to_string(n++);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Where& Where::Add(const std::string& condition, const Params& values) {
  sql += sql.empty() ? " WHERE " : " AND ";
  sql += Numbered(condition, args.size() + 1);
  args.Append(values);
  return *this;
}

ScanRecord ScanFromRow(const Rows& q, int i) {
  ScanRecord s;
  s.id = q.Int(i, 0);
  s.store = q.Text(i, 1);
  s.shelf_location = q.Text(i, 2);
  s.captured_at = FromUnixMillis(q.Int(i, 3));
  s.received_at = FromUnixMillis(q.Int(i, 4));
  s.image_path = q.Text(i, 5);
  s.sha256 = q.Text(i, 6);
  s.width = static_cast<int>(q.Int(i, 7));
  s.height = static_cast<int>(q.Int(i, 8));
  s.model_version_id = q.OptInt(i, 9);
  s.inference_ms = q.Real(i, 10);
  s.detections_count = static_cast<int>(q.Int(i, 11));
  return s;
}

DetectionRecord DetectionFromRow(const Rows& q, int i) {
  DetectionRecord d;
  d.id = q.Int(i, 0);
  d.scan_id = q.Int(i, 1);
  d.timestamp = FromUnixMillis(q.Int(i, 2));
  d.sku = q.Text(i, 3);
  d.class_name = q.Text(i, 4);
  d.class_id = static_cast<int>(q.Int(i, 5));
  d.confidence = q.Real(i, 6);
  d.x_center = q.Real(i, 7);
  d.y_center = q.Real(i, 8);
  d.width = q.Real(i, 9);
  d.height = q.Real(i, 10);
  d.shelf_location = q.Text(i, 11);
  d.store = q.Text(i, 12);
  d.image_path = q.Text(i, 13);
  d.model_version_id = q.OptInt(i, 14);
  return d;
}

Where DetectionWhere(const DetectionFilter& f, const std::string& prefix) {
  // Plain equalities: PostgreSQL's planner has column statistics to pick the index (SQLite's
  // needs the hints its backend writes).
  Where w;
  if (f.scan_id) w.Add(prefix + "scan_id = ?", Params::Of(*f.scan_id));
  if (f.sku) w.Add(prefix + "sku = ?", Params::Of(*f.sku));
  if (f.class_name) w.Add(prefix + "class_name = ?", Params::Of(*f.class_name));
  if (f.shelf_location) w.Add(prefix + "shelf_location = ?", Params::Of(*f.shelf_location));
  if (f.store) w.Add(prefix + "store = ?", Params::Of(*f.store));
  if (f.start) w.Add(prefix + "timestamp >= ?", Params::Of(ToUnixMillis(*f.start)));
  if (f.end) w.Add(prefix + "timestamp < ?", Params::Of(ToUnixMillis(*f.end)));
  if (f.min_confidence) w.Add(prefix + "confidence >= ?", Params::Of(*f.min_confidence));
  return w;
}

nlohmann::json ParseJsonColumn(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

}  // namespace vs::store::pg
