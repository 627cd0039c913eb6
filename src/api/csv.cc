#include "api/csv.h"

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace vs::api {
namespace {
std::string Num(double v) { return nlohmann::json(v).dump(); }
}  // namespace

std::string DetectionsCsvHeader() {
  return "id,scan_id,timestamp,store,shelf_location,sku,class_name,class_id,confidence,x_center,"
         "y_center,width,height,image_path\r\n";
}

std::string CsvField(const std::string& text) {
  // A spreadsheet runs a cell that starts with = + - @ (or tab / CR, which some strip first) as a
  // formula: such text gets a leading apostrophe and quotes (OWASP's CSV-injection rule).
  const bool formula =
      !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string::npos;
  if (!formula && text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = formula ? "\"'" : "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string DetectionCsvRow(const store::DetectionRecord& d) {
  std::string row;
  row += std::to_string(d.id) + "," + std::to_string(d.scan_id) + "," + FormatIso8601(d.timestamp) +
         ",";
  row += CsvField(d.store) + "," + CsvField(d.shelf_location) + "," + CsvField(d.sku) + "," +
         CsvField(d.class_name) + ",";
  row += std::to_string(d.class_id) + "," + Num(d.confidence) + "," + Num(d.x_center) + "," +
         Num(d.y_center) + "," + Num(d.width) + "," + Num(d.height) + ",";
  row += CsvField(d.image_path) + "\r\n";
  return row;
}

}  // namespace vs::api
